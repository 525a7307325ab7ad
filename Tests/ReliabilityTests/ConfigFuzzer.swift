/// Seeded mutation fuzzing of the config loader, in process: YAML parse → overrides → typed config
/// → model. Every input must end in a config or a Swift error whose message is one line naming the
/// file (or the --set) — never a trap, never a hang (each input is timed).
import Foundation
import TestSupport
@testable import QNN

enum ConfigFuzzer {
    struct Outcome {
        var inputs = 0, loaded = 0, refused = 0
        var slowestSeconds = 0.0
        var problems: [String] = []
    }

    static let fileName = "fuzz.yaml"
    /// Values that break types, ranges and YAML itself.
    static let values = ["0", "-1", "99999999999999999999", "1e308", "-1e308", "nan", ".inf", "-.inf", "~", "null", "", "''",
                         "[]", "{}", "[1, 2, 3]", "{a: 1}", "yes", "no", "0x1F", "0o17", "1_000", "pi", "2*pi", "pi/0",
                         "\"quoted\"", "'single'", "&anchor 3", "*anchor", "!!binary aGk=", "!!str 4", "|\n  block",
                         ">\n  folded", "[[[[[[[[1]]]]]]]]", "{{{}}}", "- item", "? complex", "@", "`", "%YAML 1.2",
                         "Z0 Z3", "X9", "parity", "last", "AABB", "ABAB", "A", "\u{1F4A3}", "é", "\t", "24", "64", "65", "2"]
    static let keys = ["name", "data", "file", "classes", "max_per_class", "test_fraction", "reduction", "component_order",
                       "angle_range", "seed", "model", "qubits", "layers", "cuts", "readout", "circuit", "partition",
                       "init_scale", "training", "epochs", "batch_size", "optimizer", "learning_rate", "momentum", "beta1",
                       "beta2", "epsilon", "estimator", "mode", "uncut", "shots", "term_samples", "robustness",
                       "gaussian_sigmas", "fgsm_epsilons", "checkpoint", "every_steps", "limits", "max_memory",
                       "max_qpd_terms", "unknown", "<<"]
    static let tokens = [":", " ", "\n", "  ", "-", "[", "]", "{", "}", ",", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "\t",
                         "---", "...", "\u{0}", "\u{FEFF}"]

    static func run(seed: UInt64, mutatedConfigs: Int, overrides: Int) -> Outcome {
        var rng = SplitMix64(state: seed)
        var outcome = Outcome()
        let base = Workspace.tinyYAML(extra: """
            estimator:
              mode: exact
              shots: 100
            robustness:
              gaussian_sigmas: [0.1, 0.2]
            """)
        for i in 0 ..< mutatedConfigs {
            let text = mutate(base, &rng, times: Int.random(in: 1 ... 4, using: &rng))
            attempt("config #\(i)", &outcome) {
                let tree = try ConfigNode.parse(yaml: text, fileName: fileName)
                return try build(tree)
            }
        }
        for i in 0 ..< overrides {
            let key = (0 ..< Int.random(in: 1 ... 3, using: &rng)).map { _ in keys.randomElement(using: &rng)! }.joined(separator: ".")
            let assignment = Int.random(in: 0 ..< 10, using: &rng) == 0 ? key : key + "=" + values.randomElement(using: &rng)!
            attempt("--set #\(i) \(assignment)", &outcome) {
                var tree = try ConfigNode.parse(yaml: base, fileName: fileName)
                try tree.override(assignment)
                return try build(tree)
            }
        }
        return outcome
    }

    static func build(_ tree: ConfigNode) throws -> Bool {
        let config = try TrainingConfig(tree: tree, source: fileName)
        _ = try QNNModel(config: config)
        return true
    }

    static func attempt(_ label: String, _ outcome: inout Outcome, _ body: () throws -> Bool) {
        outcome.inputs += 1
        let t0 = Date()
        do {
            _ = try body()
            outcome.loaded += 1
        } catch {
            outcome.refused += 1
            let message = String(describing: error)
            if message.contains("\n") { outcome.problems.append("\(label): multi-line error: \(message)") }
            if !message.contains(fileName) && !message.contains("--set") {
                outcome.problems.append("\(label): error names neither the file nor the --set: \(message)")
            }
        }
        let seconds = Date().timeIntervalSince(t0)
        outcome.slowestSeconds = max(outcome.slowestSeconds, seconds)
        if seconds > 2 { outcome.problems.append("\(label): took \(seconds) s") }
    }

    /// Line- and byte-level mutations that keep the text mostly YAML-shaped.
    static func mutate(_ text: String, _ rng: inout SplitMix64, times: Int) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0 ..< times where !lines.isEmpty {
            let at = Int.random(in: 0 ..< lines.count, using: &rng)
            let line = lines[at]
            let indent = String(line.prefix { $0 == " " })
            switch Int.random(in: 0 ..< 9, using: &rng) {
            case 0: // new value
                if let colon = line.firstIndex(of: ":") {
                    lines[at] = String(line[...colon]) + " " + values.randomElement(using: &rng)!
                }
            case 1: // renamed key
                if let colon = line.firstIndex(of: ":") {
                    lines[at] = indent + keys.randomElement(using: &rng)! + String(line[colon...])
                }
            case 2: lines.remove(at: at)
            case 3: lines.insert(line, at: at) // duplicate key
            case 4: // wrong indentation
                lines[at] = String(repeating: " ", count: Int.random(in: 0 ... 5, using: &rng)) + line.drop { $0 == " " }
            case 5: // new key
                lines.insert(indent + keys.randomElement(using: &rng)! + ": " + values.randomElement(using: &rng)!, at: at)
            case 6: // token inserted
                var chars = Array(line)
                chars.insert(contentsOf: tokens.randomElement(using: &rng)!, at: Int.random(in: 0 ... chars.count, using: &rng))
                lines[at] = String(chars)
            case 7: // truncated
                lines = Array(lines[..<at]) + [String(line.prefix(Int.random(in: 0 ... line.count, using: &rng)))]
            default: // byte flipped
                var bytes = Array(line.utf8)
                if !bytes.isEmpty {
                    bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
                }
                lines[at] = String(decoding: bytes, as: UTF8.self)
            }
        }
        return lines.joined(separator: "\n")
    }
}
