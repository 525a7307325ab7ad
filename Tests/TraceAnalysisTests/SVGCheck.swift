/// Reads an SVG chart's text back and checks what a reader sees: every text element non-empty and
/// inside the viewBox (with a conservative width of 0.6 × font size per character, and rotation
/// by -90° for the y axis title), and legend labels (class "legend") unique and non-empty.
import Foundation

struct SVGCheck {
    struct Text { var content: String; var x: Double; var y: Double; var size: Double; var anchor: String
        var rotated: Bool; var legend: Bool }

    var width = 0.0, height = 0.0
    var texts: [Text] = []

    init(_ svg: String) throws {
        guard let box = Self.firstMatch(#"viewBox="0 0 ([0-9.]+) ([0-9.]+)""#, in: svg), let w = Double(box[1]), let h = Double(box[2]) else {
            throw CheckError("no viewBox")
        }
        (width, height) = (w, h)
        let regex = try NSRegularExpression(pattern: #"<text([^>]*)>([^<]*)</text>"#)
        for m in regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)) {
            let attributes = String(svg[Range(m.range(at: 1), in: svg)!])
            let content = String(svg[Range(m.range(at: 2), in: svg)!])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            func attribute(_ name: String) -> String? { Self.firstMatch(" \(name)=\"([^\"]*)\"", in: attributes)?[1] }
            texts.append(Text(content: content, x: Double(attribute("x") ?? "") ?? .nan, y: Double(attribute("y") ?? "") ?? .nan,
                              size: Double(attribute("font-size") ?? "") ?? 16, anchor: attribute("text-anchor") ?? "start",
                              rotated: attribute("transform")?.hasPrefix("rotate(-90") == true,
                              legend: attribute("class") == "legend"))
        }
    }

    /// Problems found, one line each; empty when the chart is readable.
    func problems() -> [String] {
        var out: [String] = []
        for t in texts {
            if t.content.trimmingCharacters(in: .whitespaces).isEmpty { out.append("an empty text element at (\(t.x), \(t.y))") }
            let length = Double(t.content.count) * t.size * 0.6
            let start = t.anchor == "middle" ? -length / 2 : t.anchor == "end" ? -length : 0
            // Horizontal text spans [x + start, x + start + length] × [y − size, y + size/4];
            // rotated by −90° about (x, y) it runs upwards: [x − size, x + size/4] × [y − start − length, y − start].
            let (x0, x1, y0, y1) = t.rotated
                ? (t.x - t.size, t.x + t.size / 4, t.y - start - length, t.y - start)
                : (t.x + start, t.x + start + length, t.y - t.size, t.y + t.size / 4)
            if !(x0 >= 0 && x1 <= width && y0 >= 0 && y1 <= height) {
                out.append("'\(t.content)' spans x \(Int(x0))…\(Int(x1)), y \(Int(y0))…\(Int(y1)): outside the viewBox \(Int(width))×\(Int(height))")
            }
        }
        let legend = legendLabels
        for (label, count) in Dictionary(grouping: legend, by: { $0 }).mapValues(\.count) where count > 1 {
            out.append("legend label '\(label)' appears \(count) times")
        }
        return out
    }

    /// Legend entries (a label wrapped onto several lines is one entry, its lines joined).
    var legendLabels: [String] {
        var labels: [String] = [], lastY = -1.0, lastX = -1.0
        for t in texts where t.legend {
            if t.x == lastX && t.y > lastY && t.y - lastY < t.size * 1.5 { labels[labels.count - 1] += " " + t.content }
            else { labels.append(t.content) }
            (lastX, lastY) = (t.x, t.y)
        }
        return labels
    }

    static func firstMatch(_ pattern: String, in text: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (0 ..< m.numberOfRanges).map { Range(m.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
    }

    struct CheckError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
