/// Reading the numbers users hand to commands: comma lists on the command line and CSV files of
/// input vectors. Errors name the option or the file:line:column.
import Circuits
import Foundation

struct InputError: Error, CustomStringConvertible {
    var description: String
}

enum NumberLists {
    /// "0.1, -2, 3e-3" → [0.1, -2, 0.003].
    static func parse(_ text: String, option: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.enumerated().map { index, part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value.isFinite else {
                throw InputError(description: "\(option): item \(index + 1) '\(clipped(trimmed))' is not a finite number")
            }
            return value
        }
    }

    /// "3, 9" → [3, 9]: base-10 non-negative integers only. `abc`, `1.5`, `0x3`, `+3`, an empty
    /// item or a number beyond `Int` is an error naming the item — never dropped, never read as
    /// "no cuts".
    static func indices(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.enumerated().map { index, part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw InputError(description: "\(option): item \(index + 1) '\(clipped(trimmed))' is not a non-negative base-10 integer")
            }
            guard let value = Int(trimmed) else {
                throw InputError(description: "\(option): item \(index + 1) '\(clipped(trimmed))' is too large")
            }
            return value
        }
    }

    /// At most 80 characters of a user's value for an error message.
    static func clipped(_ text: some StringProtocol) -> String {
        let short = text.count <= 80 ? String(text) : String(text.prefix(77)) + "…"
        return short.unicodeScalars.map { s in
            s.value < 0x20 || s.value == 0x7f ? "\\u{\(String(s.value, radix: 16))}" : String(s)
        }.joined()
    }

    /// A CSV file of input vectors, one per line; a first line with a cell that is not a number at
    /// all (a name) is a header. `nan` or `inf` is a number, and an error in any line.
    /// Every row must have `width` numbers when `width` is given.
    static func readCSV(_ path: String, width: Int?) throws -> [[Double]] {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: InputFile.Limit.csv, what: "inputs") } catch {
            throw InputError(description: error.description)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError(description: "\(path): not UTF-8 text")
        }
        var rows: [[Double]] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            var row: [Double] = []
            var column = 1
            for cell in cells {
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed), value.isFinite else {
                    if index == 0 && rows.isEmpty && Double(trimmed) == nil { row = []; break }  // header line
                    throw InputError(description: "\(path):\(index + 1):\(column): '\(clipped(trimmed))' is not a finite number")
                }
                row.append(value)
                column += cell.count + 1
            }
            if row.isEmpty { continue }
            if let width, row.count != width {
                throw InputError(description: "\(path):\(index + 1): expected \(width) number(s), found \(row.count)")
            }
            if let first = rows.first, first.count != row.count {
                throw InputError(description: "\(path):\(index + 1): expected \(first.count) number(s) like line 1, found \(row.count)")
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw InputError(description: "\(path): no input rows") }
        return rows
    }
}
