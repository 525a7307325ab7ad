/// Typed, strict reading of a `ConfigNode` tree: every accessor names the dotted key and the
/// file:line in its error, and `finish()` rejects every key no accessor asked for.
import Foundation

public final class ConfigReader {
    let root: ConfigNode
    /// Dotted keys the reader asked for (present or not).
    private var consumed: Set<String> = []

    public init(_ root: ConfigNode) { self.root = root }

    /// The node at a dotted key, if present.
    func node(_ key: String) throws -> ConfigNode? {
        consumed.insert(key)
        var current = root
        var walked: [String] = []
        for part in key.split(separator: ".").map(String.init) {
            guard case .mapping(let pairs, _) = current else {
                throw ConfigError("\(current.origin): \(walked.joined(separator: ".")) must be a mapping of keys")
            }
            walked.append(part)
            consumed.insert(walked.joined(separator: "."))
            guard let next = pairs.first(where: { $0.key == part })?.value else { return nil }
            current = next
        }
        return current
    }

    private func scalar(_ key: String, _ kind: String) throws -> (String, String)? {
        guard let n = try node(key) else { return nil }
        guard case .scalar(let s, let origin) = n else { throw ConfigError("\(n.origin): \(key): expected \(kind), found a list or mapping") }
        return (s, origin)
    }

    public func string(_ key: String) throws -> String? { try scalar(key, "a string")?.0 }

    public func string(_ key: String, default value: String) throws -> String { try string(key) ?? value }

    /// One of `choices`.
    public func choice(_ key: String, _ choices: [String], default value: String) throws -> String {
        guard let (s, origin) = try scalar(key, "one of \(choices.joined(separator: ", "))") else { return value }
        guard choices.contains(s) else {
            throw ConfigError("\(origin): \(key): expected one of \(choices.joined(separator: ", ")), got '\(clip(s))'")
        }
        return s
    }

    /// `choice` for a type whose cases are the YAML spellings (the one place they are written).
    public func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default value: Choice) throws -> Choice
        where Choice.RawValue == String {
        let spelling = try choice(key, Choice.allCases.map(\.rawValue), default: value.rawValue)
        guard let parsed = Choice(rawValue: spelling) else { preconditionFailure("choice() returns one of the listed spellings") }
        return parsed
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int> = Int.min ... Int.max) throws -> Int {
        guard let (s, origin) = try scalar(key, "an integer") else { return value }
        // Counts may be written in scientific notation (shots: 1e6) when the value is whole.
        let scientific = Double(s).flatMap { $0.isFinite && $0 == $0.rounded() && abs($0) <= 0x1p53 ? Int($0) : nil }
        guard let v = Int(s) ?? scientific else { throw ConfigError("\(origin): \(key): expected an integer, got '\(clip(s))'") }
        guard range.contains(v) else { throw ConfigError("\(origin): \(key): \(v) is outside \(Self.text(range))") }
        return v
    }

    public func double(_ key: String, default value: Double, range: ClosedRange<Double> = -.greatestFiniteMagnitude ... .greatestFiniteMagnitude) throws -> Double {
        guard let (s, origin) = try scalar(key, "a number") else { return value }
        guard let v = Self.number(s) else { throw ConfigError("\(origin): \(key): expected a number, got '\(clip(s))'") }
        guard range.contains(v) else { throw ConfigError("\(origin): \(key): \(v) is outside [\(range.lowerBound), \(range.upperBound)]") }
        return v
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let (s, origin) = try scalar(key, "true or false") else { return value }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError("\(origin): \(key): expected true or false, got '\(clip(s))'")
        }
    }

    public func uint64(_ key: String, default value: UInt64) throws -> UInt64 {
        guard let (s, origin) = try scalar(key, "a non-negative integer") else { return value }
        guard let v = UInt64(s) else { throw ConfigError("\(origin): \(key): expected a non-negative integer, got '\(clip(s))'") }
        return v
    }

    /// A list of numbers; a single number is a list of one.
    public func doubles(_ key: String, default value: [Double]) throws -> [Double] {
        guard let n = try node(key) else { return value }
        let items: [ConfigNode]
        switch n {
        case .sequence(let s, _): items = s
        case .scalar: items = [n]
        case .mapping: throw ConfigError("\(n.origin): \(key): expected a list of numbers, found a mapping")
        }
        return try items.map { item in
            guard case .scalar(let s, _) = item, let v = Self.number(s) else {
                throw ConfigError("\(item.origin): \(key): expected a list of numbers, got \(clip(item.canonicalText))")
            }
            return v
        }
    }

    public func ints(_ key: String, default value: [Int]) throws -> [Int] {
        guard let n = try node(key) else { return value }
        let items: [ConfigNode]
        switch n {
        case .sequence(let s, _): items = s
        case .scalar: items = [n]
        case .mapping: throw ConfigError("\(n.origin): \(key): expected a list of integers, found a mapping")
        }
        return try items.map { item in
            guard case .scalar(let s, _) = item, let v = Int(s) else {
                throw ConfigError("\(item.origin): \(key): expected a list of integers, got \(clip(item.canonicalText))")
            }
            return v
        }
    }

    /// Reject every key of the tree that no accessor asked for.
    public func finish() throws {
        var unknown: [String] = []
        func walk(_ n: ConfigNode, _ prefix: String) {
            guard case .mapping(let pairs, _) = n else { return }
            for (key, value) in pairs {
                let dotted = prefix.isEmpty ? key : prefix + "." + key
                if !consumed.contains(dotted) {
                    unknown.append("\(value.origin): unknown key '\(clip(dotted))'")
                } else {
                    walk(value, dotted)
                }
            }
        }
        walk(root, "")
        if !unknown.isEmpty {
            throw ConfigError(unknown.prefix(3).joined(separator: "; ") + (unknown.count > 3 ? " (and \(unknown.count - 3) more unknown keys)" : ""))
        }
    }

    /// Numbers as YAML writes them, plus `pi` multiples such as `pi`, `2*pi`, `pi/2`.
    static func number(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        if let v = Double(t), v.isFinite { return v }
        if t == "pi" { return .pi }
        if t.hasSuffix("*pi"), let k = Double(t.dropLast(3)) { return k * .pi }
        if t.hasPrefix("pi/"), let k = Double(t.dropFirst(3)), k != 0 { return .pi / k }
        return nil
    }

    static func text(_ r: ClosedRange<Int>) -> String {
        if r.upperBound == Int.max { return "≥ \(r.lowerBound)" }
        return "[\(r.lowerBound), \(r.upperBound)]"
    }
}
