/// Every `--json` output: one object, keys sorted (so outputs diff and scripts can rely on the
/// order), on one line unless `pretty`.
import Foundation

enum JSONOutput {
    static func text<Value: Encodable>(_ value: Value, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func print<Value: Encodable>(_ value: Value, pretty: Bool = false) throws {
        Swift.print(try text(value, pretty: pretty))
    }
}
