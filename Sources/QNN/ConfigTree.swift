/// The untyped layer of a YAML config: a tree of mappings, sequences and scalars that remembers
/// where every value came from (file:line, or the `--set` that put it there), takes dotted-key
/// overrides, and records which keys a reader consumed so that unknown keys can be rejected.
import Foundation
import Yams

/// An error in a config, naming the file, line and key.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One node of a config tree.
public indirect enum ConfigNode: Sendable, Equatable {
    case scalar(String, origin: String)
    case sequence([ConfigNode], origin: String)
    case mapping([(key: String, value: ConfigNode)], origin: String)

    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, _), .scalar(y, _)): return x == y
        case let (.sequence(x, _), .sequence(y, _)): return x == y
        case let (.mapping(x, _), .mapping(y, _)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// "configs/iris.yaml:12" or "--set training.epochs=3".
    public var origin: String {
        switch self {
        case .scalar(_, let o), .sequence(_, let o), .mapping(_, let o): return o
        }
    }

    /// Canonical text (sorted keys, flow style): what the config hash and the trace attribute use.
    public var canonicalText: String {
        switch self {
        case .scalar(let s, _): return s.contains(where: { ",:[]{}#\"".contains($0) }) || s.isEmpty ? "\"\(s)\"" : s
        case .sequence(let items, _): return "[" + items.map(\.canonicalText).joined(separator: ", ") + "]"
        case .mapping(let pairs, _):
            return "{" + pairs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.canonicalText)" }
                .joined(separator: ", ") + "}"
        }
    }

    /// The tree as JSON with sorted keys (what `traces.h5` stores as `config`): scalars that are
    /// JSON numbers or `true`/`false`/`null` are written bare, every other scalar as a string.
    public var jsonText: String {
        switch self {
        case .scalar(let s, _):
            if ["true", "false", "null"].contains(s) || Self.isJSONNumber(s) { return s }
            return Self.jsonString(s)
        case .sequence(let items, _): return "[" + items.map(\.jsonText).joined(separator: ", ") + "]"
        case .mapping(let pairs, _):
            return "{" + pairs.sorted { $0.key < $1.key }.map { "\(Self.jsonString($0.key)): \($0.value.jsonText)" }
                .joined(separator: ", ") + "}"
        }
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, RFC 8259's number grammar.
    static func isJSONNumber(_ s: String) -> Bool {
        var rest = Substring(s)
        func digits() -> Int { let n = rest.prefix { $0.isASCII && $0.isNumber }.count; rest = rest.dropFirst(n); return n }
        if rest.first == "-" { rest = rest.dropFirst() }
        if rest.first == "0" { rest = rest.dropFirst() } else if digits() == 0 { return false }
        if rest.first == "." { rest = rest.dropFirst(); if digits() == 0 { return false } }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            if digits() == 0 { return false }
        }
        return rest.isEmpty
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension ConfigNode {
    /// The largest config text read (a file, or the YAML of one `--set` value).
    public static let maxConfigBytes = 1 << 20
    public static let maxOverrideBytes = 64 << 10
    /// The most keys and list items (counted as `:`, `,`, `-` bytes) a config may have. Real
    /// configs have a few dozen; the bound keeps composing any accepted text well under a second
    /// even in a debug build (the composer hashes every key).
    public static let maxConfigItems = 20_000

    /// Parse YAML text; the top level must be a mapping. Anchors and aliases are refused before
    /// anything is composed: expanding them is how a few hundred bytes ("billion laughs") become
    /// gigabytes, and configs have no use for them.
    public static func parse(yaml text: String, fileName: String) throws -> ConfigNode {
        guard text.utf8.count <= maxConfigBytes else {
            throw ConfigError("\(fileName): \(text.utf8.count) bytes; a config is at most \(maxConfigBytes)")
        }
        return try compose(text, fileName: fileName, topLevel: true)
    }

    /// Yams' composer with anchors and aliases refused (`YAMLAliases`); errors as one line.
    static func compose(_ text: String, fileName: String, topLevel: Bool) throws -> ConfigNode {
        let items = text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: ":") || $1 == UInt8(ascii: ",") || $1 == UInt8(ascii: "-") ? 1 : 0) }
        guard items <= maxConfigItems else {
            throw ConfigError("\(fileName): more than \(maxConfigItems) keys or list items; a config is at most that")
        }
        if let line = YAMLAliases.firstAliasLine(text) {
            throw ConfigError("\(fileName):\(line): YAML anchors and aliases (& and *) are not supported in configs")
        }
        let node: Node?
        let parser: Parser
        do {
            // The basic resolver: scalars stay strings (ConfigReader types them), and no regex runs
            // per scalar — the default one made 200,000 keys take seconds.
            parser = try Parser(yaml: text, resolver: .basic)
            node = try parser.singleRoot()
        } catch {
            throw ConfigError(yamlMessage(error, fileName: fileName))
        }
        guard let node else { return topLevel ? .mapping([], origin: fileName) : .scalar("", origin: fileName) }
        // The parser owns the anchors: keep it alive so that anchored nodes still name theirs.
        let tree = try withExtendedLifetime(parser) { try convert(node, fileName: fileName) }
        guard topLevel else { return tree }
        guard case .mapping = tree else { throw ConfigError("\(tree.origin): the top level must be a mapping of keys") }
        return tree
    }

    /// One line, "file:line:column: not valid YAML: problem": Yams' own descriptions span several
    /// lines (a snippet with a caret, or the whole document for duplicate keys).
    static func yamlMessage(_ error: Error, fileName: String) -> String {
        guard let yaml = error as? YamlError else {
            let first = String(describing: error).split(separator: "\n").first.map(String.init) ?? ""
            return "\(fileName): not valid YAML: \(first)"
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let within = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "\(fileName):\(mark.line):\(mark.column): not valid YAML: \(problem)\(within)"
        case let .reader(problem, offset, _, _):
            return "\(fileName): not valid YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case let .duplicatedKeysInMapping(duplicates, context):
            let sorted = duplicates.sorted()
            let keys = sorted.prefix(3).map { "'\(clip($0))'" }.joined(separator: ", ")
                + (sorted.count > 3 ? " and \(sorted.count - 3) more" : "")
            return "\(fileName):\(context.mark.line): key \(keys) appears twice in one mapping"
        default:
            let first = String(describing: yaml).split(separator: "\n").first.map(String.init) ?? ""
            return "\(fileName): not valid YAML: \(first)"
        }
    }

    static func convert(_ node: Node, fileName: String) throws -> ConfigNode {
        let origin = node.mark.map { "\(fileName):\($0.line)" } ?? fileName
        let anchored: Bool
        switch node {
        case .scalar(let s): anchored = s.anchor != nil
        case .sequence(let s): anchored = s.anchor != nil
        case .mapping(let m): anchored = m.anchor != nil
        case .alias: anchored = true
        }
        if anchored { throw ConfigError("\(origin): YAML anchors and aliases (& and *) are not supported in configs") }
        switch node {
        case .scalar(let s):
            return .scalar(s.string, origin: origin)
        case .sequence(let s):
            return .sequence(try s.map { try convert($0, fileName: fileName) }, origin: origin)
        case .mapping(let m):
            var pairs: [(key: String, value: ConfigNode)] = []
            var seen: Set<String> = []
            for (k, v) in m {
                guard let key = k.string else { throw ConfigError("\(origin): keys must be plain names") }
                guard seen.insert(key).inserted else { throw ConfigError("\(origin): key '\(clip(key))' appears twice") }
                pairs.append((key, try convert(v, fileName: fileName)))
            }
            return .mapping(pairs, origin: origin)
        case .alias:
            throw ConfigError("\(origin): YAML aliases are not supported in configs")
        }
    }

    /// Apply `key=value` (dotted key, YAML value such as `3`, `adam` or `[1, 2]`).
    public mutating func override(_ assignment: String) throws {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw ConfigError("--set \(clip(assignment)): expected key=value, e.g. training.epochs=3")
        }
        let key = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: eq)...])
        let origin = "--set \(clip(key))"
        guard assignment.utf8.count <= Self.maxOverrideBytes else {
            throw ConfigError("\(origin): \(assignment.utf8.count) bytes; a --set is at most \(Self.maxOverrideBytes)")
        }
        let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { throw ConfigError("\(origin): empty key part") }
        var value: ConfigNode
        do {
            value = try Self.compose(text, fileName: origin, topLevel: false)
        } catch let error as ConfigError where error.description.contains("anchors and aliases") {
            throw ConfigError("\(origin): YAML anchors and aliases (& and *) are not supported in configs")
        } catch {
            throw ConfigError("\(origin): value '\(clip(text))' is not valid YAML")
        }
        value = value.withOrigin(origin)
        try set(path[...], value, key: key)
    }

    private func withOrigin(_ origin: String) -> ConfigNode {
        switch self {
        case .scalar(let s, _): return .scalar(s, origin: origin)
        case .sequence(let items, _): return .sequence(items.map { $0.withOrigin(origin) }, origin: origin)
        case .mapping(let pairs, _): return .mapping(pairs.map { ($0.key, $0.value.withOrigin(origin)) }, origin: origin)
        }
    }

    private mutating func set(_ path: ArraySlice<String>, _ value: ConfigNode, key: String) throws {
        guard case .mapping(var pairs, let origin) = self else {
            throw ConfigError("--set \(clip(key)): '\(clip(path.first ?? ""))' is inside a value that is not a mapping (\(self.origin))")
        }
        let head = path.first!
        if path.count == 1 {
            if let i = pairs.firstIndex(where: { $0.key == head }) { pairs[i].value = value } else { pairs.append((head, value)) }
        } else {
            var child: ConfigNode = .mapping([], origin: "--set \(key)")
            if let i = pairs.firstIndex(where: { $0.key == head }) { child = pairs[i].value }
            try child.set(path.dropFirst(), value, key: key)
            if let i = pairs.firstIndex(where: { $0.key == head }) { pairs[i].value = child } else { pairs.append((head, child)) }
        }
        self = .mapping(pairs, origin: origin)
    }
}

/// At most 80 characters of a value for an error message (a 10 MB value must not become a 10 MB
/// line), with control characters escaped (a newline must not split the one error line).
func clip(_ text: String) -> String {
    let short = text.count <= 80 ? text : String(text.prefix(77)) + "…"
    guard short.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return short }
    return short.unicodeScalars.map { s in
        s.value < 0x20 || s.value == 0x7f ? "\\u{\(String(s.value, radix: 16))}" : String(s)
    }.joined()
}
