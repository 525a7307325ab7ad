/// A hand-written SVG plot area for `qnncut analyze` charts: a title, a plot rectangle with a
/// linear y axis (gridlines, ticks, labels), a legend, and rectangles, polylines, dots and text.
/// No dependencies: the output is plain SVG 1.1 that browsers and rsvg-convert render.
import Foundation

/// Maps a data interval onto a pixel interval, with "nice" tick values (1, 2, 5 × 10^k).
struct LinearScale {
    var lower: Double, upper: Double
    var from: Double, to: Double

    /// Extends [lower, upper] outwards to tick multiples (and gives an empty range some height).
    init(_ lower: Double, _ upper: Double, pixels from: Double, _ to: Double) {
        var (lo, hi) = (min(lower, upper), max(lower, upper))
        if hi - lo < 1e-12 { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
        let step = Self.tickStep(hi - lo)
        (self.lower, self.upper) = ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step)
        (self.from, self.to) = (from, to)
    }

    static func tickStep(_ span: Double) -> Double {
        let rough = span / 5
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    }

    func callAsFunction(_ value: Double) -> Double { from + (value - lower) / (upper - lower) * (to - from) }

    var ticks: [Double] {
        let step = Self.tickStep(upper - lower)
        return stride(from: lower, through: upper + step * 1e-9, by: step).map { $0 }
    }
}

struct SVGChart {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                          "#9c755f", "#bab0ac"]
    let width: Double, height: Double
    /// The plot rectangle, inside margins for axis labels (left, bottom) and the legend (right).
    let left = 70.0, top = 40.0
    var right: Double { width - 170 }
    var bottom: Double { height - 50 }
    private var elements: [String] = []
    private var legendEntries: [(label: String, color: String)] = []

    init(title: String, width: Double = 720, height: Double = 420) {
        self.width = width
        self.height = height
        text(title, x: width / 2, y: 24, size: 16, anchor: "middle", bold: true)
    }

    /// Gridlines, tick labels and the axis titles for `y`; x tick labels are drawn by the caller.
    mutating func axes(y: LinearScale, yLabel: String, xLabel: String) {
        for tick in y.ticks {
            let py = y(tick)
            elements.append(#"<line x1="\#(f(left))" y1="\#(f(py))" x2="\#(f(right))" y2="\#(f(py))" stroke="gainsboro"/>"#)
            text(Self.tickLabel(tick), x: left - 6, y: py + 4, size: 11, anchor: "end")
        }
        frame(xLabel: xLabel)
        elements.append(#"<text x="16" y="\#(f((top + bottom) / 2))" font-size="12" text-anchor="middle" font-family="sans-serif" transform="rotate(-90 16 \#(f((top + bottom) / 2)))">\#(escape(yLabel))</text>"#)
    }

    /// The plot's border and the x axis title.
    mutating func frame(xLabel: String) {
        elements.append(#"<rect x="\#(f(left))" y="\#(f(top))" width="\#(f(right - left))" height="\#(f(bottom - top))" fill="none" stroke="dimgray"/>"#)
        text(xLabel, x: (left + right) / 2, y: height - 12, size: 12, anchor: "middle")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, color: String, tooltip: String? = nil) {
        let title = tooltip.map { "<title>\(escape($0))</title>" } ?? ""
        elements.append(#"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(max(width, 0)))" height="\#(f(max(height, 0)))" fill="\#(color)">\#(title)</rect>"#)
    }

    mutating func polyline(_ points: [(Double, Double)], color: String) {
        let list = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        elements.append(#"<polyline points="\#(list)" fill="none" stroke="\#(color)" stroke-width="1.5"/>"#)
    }

    mutating func dot(x: Double, y: Double, color: String, tooltip: String? = nil) {
        let title = tooltip.map { "<title>\(escape($0))</title>" } ?? ""
        elements.append(#"<circle cx="\#(f(x))" cy="\#(f(y))" r="4" fill="\#(color)">\#(title)</circle>"#)
    }

    mutating func text(_ string: String, x: Double, y: Double, size: Double = 11, anchor: String = "start",
                       bold: Bool = false) {
        let weight = bold ? #" font-weight="bold""# : ""
        elements.append(#"<text x="\#(f(x))" y="\#(f(y))" font-size="\#(f(size))" text-anchor="\#(anchor)" font-family="sans-serif"\#(weight)>\#(escape(string))</text>"#)
    }

    /// A message in the middle of the plot, for charts whose inputs hold no data of their kind.
    mutating func emptyNote(_ message: String) {
        text(message, x: (left + right) / 2, y: (top + bottom) / 2, size: 13, anchor: "middle")
    }

    mutating func legend(_ label: String, color: String) { legendEntries.append((label, color)) }

    func render() -> String {
        var legend: [String] = []
        for (i, entry) in legendEntries.enumerated() {
            let y = top + 8 + Double(i) * 18
            legend.append(#"<rect x="\#(f(right + 12))" y="\#(f(y))" width="12" height="12" fill="\#(entry.color)"/>"#)
            legend.append(#"<text x="\#(f(right + 30))" y="\#(f(y + 10))" font-size="11" font-family="sans-serif">\#(escape(Self.shorten(entry.label)))</text>"#)
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))">
            <rect width="100%" height="100%" fill="white"/>
            \((elements + legend).joined(separator: "\n"))
            </svg>

            """
    }

    func write(to path: String) throws {
        do { try render().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw AnalyzeError("\(path): cannot write the chart (\(error.localizedDescription))")
        }
    }

    static func tickLabel(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e6 ? String(format: "%.0f", x) : String(format: "%g", x)
    }

    /// Legend labels are run paths: keep the end, which names the run.
    static func shorten(_ label: String) -> String { label.count <= 24 ? label : "…" + label.suffix(23) }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }
}

private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
