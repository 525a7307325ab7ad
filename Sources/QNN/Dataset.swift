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
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError("\(path): not UTF-8 text") }
        var features: [[Double]] = []
        var labels: [Int] = []
        var names: [String] = []
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.allSatisfy({ $0 == " " }) { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count >= 2 else { throw ConfigError("\(path):\(lineNumber): expected features and a label, found \(cells.count) column(s)") }
            var row: [Double] = []
            row.reserveCapacity(cells.count - 1)
            var column = 1
            var isHeader = false
            for cell in cells.dropLast() {
                let text = cell.trimmingCharacters(in: .whitespaces)
                guard let v = Double(text), v.isFinite else {
                    // A header names columns; `nan` or `inf` in the first line is a bad number.
                    if features.isEmpty && names.isEmpty && lineNumber == 1 && Double(text) == nil { isHeader = true; break }
                    throw ConfigError("\(path):\(lineNumber):\(column): '\(clip(String(cell)))' is not a finite number")
                }
                row.append(v)
                column += cell.count + 1
            }
            if isHeader { names = cells.dropLast().map { $0.trimmingCharacters(in: .whitespaces) }; continue }
            let labelText = cells.last!.trimmingCharacters(in: .whitespaces)
            guard let label = Int(labelText) ?? Double(labelText).flatMap({ $0 == $0.rounded() ? Int($0) : nil }) else {
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
}
