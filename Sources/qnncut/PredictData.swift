/// The rows `qnncut predict` classifies — a CSV of raw features in the training data's column
/// order, with or without the label as a last column — and the held-back test split that
/// `qnncut train` writes for it (`DIR/test.csv`).
import Circuits
import Foundation
import QNN

struct PredictData: Codable {
    var rows: [[Double]]
    /// The label column when the file has one (then accuracy is reported).
    var labels: [Int]?

    /// Reads `path` for a model of `featureCount` features: every row has `featureCount` numbers
    /// (no labels) or one more (an integer label); a first line that is not numbers is a header.
    static func read(_ path: String, featureCount: Int) throws -> PredictData {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.csv, what: "data") } catch { throw InputError(description: error.description) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw InputError(description: "\(path): not UTF-8 text") }
        var rows: [[Double]] = [], labels: [Int] = []
        var width: Int?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.allSatisfy({ $0 == " " }) { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if index == 0 && cells.contains(where: { Double($0) == nil }) { continue }
            guard cells.count == featureCount || cells.count == featureCount + 1 else {
                throw InputError(description: "\(path):\(index + 1): \(cells.count) column(s); the model takes \(featureCount) feature(s), optionally followed by a label")
            }
            if let width, width != cells.count {
                throw InputError(description: "\(path):\(index + 1): \(cells.count) column(s), but earlier rows have \(width)")
            }
            width = cells.count
            var row: [Double] = []
            var column = 1
            for cell in cells.prefix(featureCount) {
                guard let v = Double(cell), v.isFinite else {
                    throw InputError(description: "\(path):\(index + 1):\(column): '\(NumberLists.clipped(cell))' is not a finite number")
                }
                row.append(v)
                column += cell.count + 1
            }
            if cells.count > featureCount {
                let cell = cells[featureCount]
                guard let label = Int(cell) ?? Double(cell).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }) else {
                    throw InputError(description: "\(path):\(index + 1):\(column): label '\(NumberLists.clipped(cell))' is not an integer")
                }
                labels.append(label)
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw InputError(description: "\(path): no data rows") }
        return PredictData(rows: rows, labels: width == featureCount + 1 ? labels : nil)
    }

    /// `test.csv`: the header of the data file's feature names and `label`, then the test split's
    /// raw rows with their original labels (shortest round-trip decimals: read back exactly).
    static func writeTestSplit(_ data: PreparedData, to path: String) throws {
        guard let names = data.pipeline?.featureNames, !data.testRows.isEmpty else { return }
        var text = (names + ["label"]).map { $0.replacingOccurrences(of: ",", with: " ") }.joined(separator: ",") + "\n"
        for row in data.testRows {
            text += row.dropLast().map { "\($0)" }.joined(separator: ",") + ",\(Int(row.last!))\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
