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
}

extension ConfigNode {
    /// Parse YAML text; the top level must be a mapping.
    public static func parse(yaml text: String, fileName: String) throws -> ConfigNode {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ConfigError(yamlMessage(error, fileName: fileName))
        }
        guard let node else { return .mapping([], origin: fileName) }
        let tree = try convert(node, fileName: fileName)
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
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "\(fileName):\(context.mark.line): key \(keys) appears twice in one mapping"
        default:
            let first = String(describing: yaml).split(separator: "\n").first.map(String.init) ?? ""
            return "\(fileName): not valid YAML: \(first)"
        }
    }

    static func convert(_ node: Node, fileName: String) throws -> ConfigNode {
        let origin = node.mark.map { "\(fileName):\($0.line)" } ?? fileName
        switch node {
        case .scalar(let s):
            return .scalar(s.string, origin: origin)
        case .sequence(let s):
            return .sequence(try s.map { try convert($0, fileName: fileName) }, origin: origin)
        case .mapping(let m):
            var pairs: [(key: String, value: ConfigNode)] = []
            for (k, v) in m {
                guard let key = k.string else { throw ConfigError("\(origin): keys must be plain names") }
                if pairs.contains(where: { $0.key == key }) { throw ConfigError("\(origin): key '\(key)' appears twice") }
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
            throw ConfigError("--set \(assignment): expected key=value, e.g. training.epochs=3")
        }
        let key = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: eq)...])
        let origin = "--set \(key)"
        let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { throw ConfigError("\(origin): empty key part") }
        var value: ConfigNode
        do {
            value = try Yams.compose(yaml: text).map { try Self.convert($0, fileName: origin) } ?? .scalar("", origin: origin)
        } catch let error as ConfigError { throw error } catch {
            throw ConfigError("\(origin): value '\(text)' is not valid YAML")
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
            throw ConfigError("--set \(key): '\(path.first ?? "")' is inside a value that is not a mapping (\(self.origin))")
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
