/// Whole numbers written plainly or in scientific notation (`100000000`, `1e8`, `2.5e6`): counts
/// such as shots or term samples, which people think of in powers of ten. Used as the
/// `transform:` of `Int` options, so the properties stay plain integers.
import ArgumentParser

enum CountArgument {
    static func parse(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let plain = Int(trimmed) { return plain }
        guard let value = Double(trimmed), value.isFinite, value == value.rounded(), abs(value) <= 0x1p53 else {
            throw ValidationError("expected a whole number such as 10000 or 1e4, got '\(text.prefix(40))'")
        }
        return Int(value)
    }
}
