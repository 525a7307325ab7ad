/// Parsing and printing the quantities users type: byte sizes ("8G") and counts ("1e8").
import Foundation

public enum Quantities {
    /// "2147483648", "512M", "8G", "8GiB", "1.5T" (binary multiples) → bytes; nil if malformed.
    public static func parseBytes(_ text: String) -> Double? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) && t.count > suffix.count {
            t.removeLast(suffix.count)
            break
        }
        let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
        var scale = 1.0
        if let last = t.last, let u = units[last] {
            scale = u
            t.removeLast()
        }
        guard let value = Double(t.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0 else { return nil }
        return value * scale
    }

    /// "100000000", "1e8", "2.5E9" → a positive whole count; nil if malformed or fractional.
    public static func parseCount(_ text: String) -> Double? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 1,
              value == value.rounded() else { return nil }
        return value
    }

    /// 1536 → "1.5 KiB".
    public static func format(bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = bytes, i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(Int(v)) B" : String(format: "%.1f ", v) + units[i]
    }

    /// 12345 → "12345"; 2.5e9 → "2.50e+09".
    public static func format(count: Double) -> String {
        count < 1e6 ? String(Int(count)) : String(format: "%.2e", count)
    }
}
