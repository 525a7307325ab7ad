/// A hand-written SVG plot area for the analysis charts: a title, a plot rectangle with a linear or
/// logarithmic y axis (gridlines, ticks, labels), rectangles, whiskers, polylines, dots and text,
/// and a legend block *below* the plot that wraps into as many rows as its entries need — the
/// canvas grows to hold it, so no label is cut or runs off the picture. No dependencies: the
/// output is plain SVG 1.1 that browsers and rsvg-convert render.
import Foundation

/// A y (or x) axis: maps data values to pixels and proposes ticks.
protocol ChartScale {
    func callAsFunction(_ value: Double) -> Double
    var ticks: [Double] { get }
}

/// Maps a data interval onto a pixel interval, with "nice" tick values (1, 2, 5 × 10^k).
struct LinearScale: ChartScale {
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

/// A base-10 logarithmic axis over whole decades: what stage times need, since generate takes
/// microseconds where execute takes milliseconds.
struct LogScale: ChartScale {
    /// Decade exponents of the axis ends.
    var lowerExponent: Int, upperExponent: Int
    var from: Double, to: Double

    /// The decades around the positive values in [lower, upper] (one decade at least).
    init(_ lower: Double, _ upper: Double, pixels from: Double, _ to: Double) {
        let lo = lower > 0 ? lower : 1, hi = max(upper, lo)
        lowerExponent = Int(log10(lo).rounded(.down))
        upperExponent = max(Int(log10(hi).rounded(.up)), lowerExponent + 1)
        (self.from, self.to) = (from, to)
    }

    /// Values at or below 0 sit at the axis's lower end.
    func callAsFunction(_ value: Double) -> Double {
        let e = value > 0 ? log10(value) : Double(lowerExponent)
        let t = (min(max(e, Double(lowerExponent)), Double(upperExponent)) - Double(lowerExponent))
            / Double(upperExponent - lowerExponent)
        return from + t * (to - from)
    }

    var ticks: [Double] { (lowerExponent ... upperExponent).map { pow(10, Double($0)) } }
}

struct SVGChart {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                          "#9c755f", "#bab0ac"]
    /// The width of a character of sans-serif text, as a fraction of the font size: an upper bound
    /// for the digits and lower-case letters the charts use, so layouts that fit by this measure
    /// fit when rendered.
    static let characterWidth = 0.6

    let width: Double
    /// The plot rectangle, inside margins for the title (top), axis labels (left) and the x tick
    /// labels and axis title (below `bottom`). The legend block starts under those.
    let left = 70.0, top = 40.0
    var right: Double { width - 24 }
    let bottom: Double
    /// Extra rows of x labels under the ticks (e.g. a task name under its cut counts).
    var xLabelRows = 1
    private var elements: [String] = []
    private var legendEntries: [(label: String, color: String)] = []
    private var xTitle: String?

    init(title: String, width: Double = 760, plotHeight: Double = 320) {
        self.width = width
        bottom = top + plotHeight
        text(title, x: width / 2, y: 24, size: 16, anchor: "middle", bold: true)
    }

    static func textWidth(_ string: String, size: Double) -> Double { Double(string.count) * size * characterWidth }

    /// `string` broken into lines no wider than `maxWidth` at `size`: at spaces, `_`, `/` or
    /// `,` where possible, anywhere otherwise.
    static func wrap(_ string: String, size: Double, maxWidth: Double) -> [String] {
        let perLine = max(Int(maxWidth / (size * characterWidth)), 4)
        var lines: [String] = [], rest = Substring(string)
        while rest.count > perLine {
            let head = rest.prefix(perLine)
            let cut = head.lastIndex { " _/,".contains($0) }.map { head.index(after: $0) } ?? head.endIndex
            let line = rest[..<(cut > head.startIndex ? cut : head.endIndex)]
            lines.append(String(line).trimmingCharacters(in: .whitespaces))
            rest = rest[line.endIndex...].drop { $0 == " " }
        }
        if !rest.isEmpty || lines.isEmpty { lines.append(String(rest)) }
        return lines
    }

    /// Gridlines, tick labels and the axis titles for `y`; x tick labels are drawn by the caller.
    mutating func axes(y: some ChartScale, yLabel: String, xLabel: String) {
        for tick in y.ticks {
            let py = y(tick)
            elements.append(#"<line x1="\#(f(left))" y1="\#(f(py))" x2="\#(f(right))" y2="\#(f(py))" stroke="gainsboro"/>"#)
            text(Self.tickLabel(tick), x: left - 6, y: py + 4, size: 11, anchor: "end")
        }
        frame(xLabel: xLabel)
        let middle = (top + bottom) / 2
        elements.append(#"<text x="16" y="\#(f(middle))" font-size="12" text-anchor="middle" font-family="sans-serif" transform="rotate(-90 16 \#(f(middle)))">\#(escape(yLabel))</text>"#)
    }

    /// The plot's border; the x axis title is placed under the x labels at render time.
    mutating func frame(xLabel: String) {
        elements.append(#"<rect x="\#(f(left))" y="\#(f(top))" width="\#(f(right - left))" height="\#(f(bottom - top))" fill="none" stroke="dimgray"/>"#)
        xTitle = xLabel
    }

    /// The y of x-label row `row` (0: tick labels).
    func xLabelY(_ row: Int) -> Double { bottom + 16 + Double(row) * 15 }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, color: String, tooltip: String? = nil) {
        let title = tooltip.map { "<title>\(escape($0))</title>" } ?? ""
        elements.append(#"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(max(width, 0)))" height="\#(f(max(height, 0)))" fill="\#(color)">\#(title)</rect>"#)
    }

    /// A vertical whisker from `y1` to `y2` at `x`, capped at `y2`.
    mutating func whisker(x: Double, from y1: Double, to y2: Double, cap: Double = 6) {
        elements.append(#"<line x1="\#(f(x))" y1="\#(f(y1))" x2="\#(f(x))" y2="\#(f(y2))" stroke="black" stroke-width="1"/>"#)
        elements.append(#"<line x1="\#(f(x - cap / 2))" y1="\#(f(y2))" x2="\#(f(x + cap / 2))" y2="\#(f(y2))" stroke="black" stroke-width="1"/>"#)
    }

    mutating func polyline(_ points: [(Double, Double)], color: String, dashed: Bool = false) {
        let list = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        let dash = dashed ? #" stroke-dasharray="4 3""# : ""
        elements.append(#"<polyline points="\#(list)" fill="none" stroke="\#(color)" stroke-width="1.5"\#(dash)/>"#)
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

    /// The legend block: entries left to right, wrapping to a new row at the right margin; a label
    /// wider than a whole row wraps onto lines of its own. Returns the elements and the block's height.
    private func legendBlock(top blockTop: Double) -> ([String], Double) {
        let size = 11.0, line = 14.0, swatch = 12.0, maxX = width - 10
        var out: [String] = []
        var x = left, y = blockTop, rowHeight = 0.0
        for entry in legendEntries {
            let lines = Self.wrap(entry.label, size: size, maxWidth: maxX - left - swatch - 6)
            let entryWidth = swatch + 6 + (lines.map { Self.textWidth($0, size: size) }.max() ?? 0) + 18
            if x > left && x + entryWidth - 18 > maxX { x = left; y += rowHeight; rowHeight = 0 }
            out.append(#"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(swatch))" height="\#(f(swatch))" fill="\#(entry.color)"/>"#)
            for (i, text) in lines.enumerated() {
                out.append(#"<text class="legend" x="\#(f(x + swatch + 6))" y="\#(f(y + 10 + Double(i) * line))" font-size="\#(f(size))" font-family="sans-serif">\#(escape(text))</text>"#)
            }
            rowHeight = max(rowHeight, Double(lines.count) * line + 4)
            x += entryWidth
        }
        return (out, legendEntries.isEmpty ? 0 : y + rowHeight - blockTop)
    }

    func render() -> String {
        var extra: [String] = []
        var y = xLabelY(xLabelRows - 1) + 18
        if let xTitle {
            extra.append(#"<text x="\#(f((left + right) / 2))" y="\#(f(y))" font-size="12" text-anchor="middle" font-family="sans-serif">\#(escape(xTitle))</text>"#)
            y += 14
        }
        let (legend, legendHeight) = legendBlock(top: y)
        let height = (y + legendHeight + 10).rounded(.up)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))">
            <rect width="100%" height="100%" fill="white"/>
            \((elements + extra + legend).joined(separator: "\n"))
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

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }
}

private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
