/// Reading a labelled CSV (features…, label last; one optional header line) into memory.
import Circuits
import Foundation

/// A labelled table of samples.
public struct Dataset: Sendable, Equatable, Codable {
    public var features: [[Double]]
    public var labels: [Int]
    public var featureNames: [String]

    public var featureCount: Int { features.first?.count ?? 0 }

    public init(features: [[Double]], labels: [Int], featureNames: [String]) {
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
    }

    /// Read `path`; a name ending in `.gz` is gzip-compressed and read as such (`GzipFile`).
    /// Errors name file:line:column (lines of the decompressed text for a `.gz`).
    public static func readCSV(_ path: String) throws -> Dataset {
        let bytes: [UInt8]
        do {
            bytes = path.hasSuffix(".gz")
                ? try GzipFile.read(path, limit: InputFile.Limit.csv, what: "data")
                : try InputFile.read(path, limit: InputFile.Limit.csv, what: "data")
        } catch { throw ConfigError(error.description) }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw ConfigError("\(path): not UTF-8 text") }
        // Byte-level scan: the 784-pixel MNIST file has 4 million cells, and Character-level
        // splitting with Foundation trimming took ~20 s for it; this takes about a second.
        var features: [[Double]] = []
        var labels: [Int] = []
        var names: [String] = []
        var lineNumber = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            var end = lineEnd
            if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
            if bytes[lineStart..<end].allSatisfy({ $0 == 0x20 }) { continue }
            // Cell boundaries: [start, end) of each comma-separated cell.
            var cells: [Range<Int>] = []
            var cellStart = lineStart
            for i in lineStart..<end where bytes[i] == 0x2C { cells.append(cellStart..<i); cellStart = i + 1 }
            cells.append(cellStart..<end)
            guard cells.count >= 2 else { throw ConfigError("\(path):\(lineNumber): expected features and a label, found \(cells.count) column(s)") }
            var row: [Double] = []
            row.reserveCapacity(cells.count - 1)
            var isHeader = false
            for cell in cells.dropLast() {
                let text = Self.trimmedText(bytes, cell)
                guard let v = Double(text), v.isFinite else {
                    // A header names columns; `nan` or `inf` in the first line is a bad number.
                    if features.isEmpty && names.isEmpty && lineNumber == 1 && Double(text) == nil { isHeader = true; break }
                    let column = String(decoding: bytes[lineStart..<cell.lowerBound], as: UTF8.self).count + 1
                    throw ConfigError("\(path):\(lineNumber):\(column): '\(clip(String(decoding: bytes[cell], as: UTF8.self)))' is not a finite number")
                }
                row.append(v)
            }
            if isHeader { names = cells.dropLast().map { Self.trimmedText(bytes, $0) }; continue }
            let labelText = Self.trimmedText(bytes, cells.last!)
            guard let label = Int(labelText) ?? Double(labelText).flatMap({ $0 == $0.rounded() ? Int($0) : nil }) else {
                let column = String(decoding: bytes[lineStart..<cells.last!.lowerBound], as: UTF8.self).count + 1
                throw ConfigError("\(path):\(lineNumber):\(column): label '\(clip(labelText))' is not an integer")
            }
            if let first = features.first, first.count != row.count {
                throw ConfigError("\(path):\(lineNumber): expected \(first.count) feature(s) like the first row, found \(row.count)")
            }
            features.append(row)
            labels.append(label)
        }
        guard !features.isEmpty else { throw ConfigError("\(path): no data rows") }
        if names.count != features[0].count { names = (0..<features[0].count).map { "f\($0)" } }
        return Dataset(features: features, labels: labels, featureNames: names)
    }

    /// The cell's text without surrounding spaces and tabs (short cells stay in-line strings).
    static func trimmedText(_ bytes: [UInt8], _ cell: Range<Int>) -> String {
        var lower = cell.lowerBound, upper = cell.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }
}
