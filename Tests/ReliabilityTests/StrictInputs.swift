/// Strict parsers and bounded config loading (issue 19): integer lists that are not base-10
/// integers, a NaN in the first CSV row, readout weights within rounding of 1 or overflowing,
/// an empty test split, YAML alias bombs, huge key counts.
import Foundation
import Testing
import TestSupport
@testable import QNN

enum StrictInputs {
    static func estimateCases(folder: String) throws -> [BadInputCase] {
        let circuit = folder + "/chain.qasm"
        try Workspace.write(Workspace.chainQASM(qubits: 4), to: circuit)
        var cases: [BadInputCase] = []
        for list in ["abc", "1.5", "0x3", "99999999999999999999", "3,abc", "+2", "2,,3", "-1"] {
            cases.append(BadInputCase(name: "--cut-gates \(list)",
                                      arguments: ["estimate", circuit, "--observable", "Z3", "--cut-gates", list],
                                      mentions: ["--cut-gates"]))
        }
        let nan = folder + "/nan-first.csv"
        try Workspace.write("nan,0.1,0.2,0.3\n0.1,0.2,0.3,0.4\n", to: nan)
        let inputs = folder + "/x.qasm"
        try Workspace.write(Workspace.chainQASM(qubits: 4).replacingOccurrences(of: "theta[", with: "x["), to: inputs)
        cases.append(BadInputCase(name: "--inputs with nan in the first row",
                                  arguments: ["estimate", inputs, "--observable", "Z3", "--uncut", "--inputs", nan],
                                  mentions: ["nan-first.csv:1:1", "nan"]))
        cases.append(BadInputCase(name: "observable weights overflowing",
                                  arguments: ["estimate", circuit, "--observable", "1e308*Z0 + 1e308*Z1", "--uncut", "--json"],
                                  mentions: ["--observable", "overflows"]))
        cases.append(BadInputCase(name: "cut error names the flag",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--cut-gates", "9"],
                                  mentions: ["--cut-gates 9", "out of range"]))
        let longValue = String(repeating: "7", count: 100_000)
        cases.append(BadInputCase(name: "a 100 kB value is not echoed",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--uncut", "--theta", longValue],
                                  mentions: ["--theta"]))
        let tiny = folder + "/empty-test.yaml"
        try Workspace.write(Workspace.tinyYAML().replacingOccurrences(of: "max_per_class: 12", with: "max_per_class: 1"), to: tiny)
        cases.append(BadInputCase(name: "empty test split", arguments: ["train", tiny, "--output", folder + "/never"],
                                  mentions: ["empty-test.yaml", "test split is empty"]))
        let laughs = folder + "/laughs.yaml"
        try Workspace.write(billionLaughs, to: laughs)
        cases.append(BadInputCase(name: "billion laughs config", arguments: ["train", laughs, "--output", folder + "/never"],
                                  mentions: ["laughs.yaml", "aliases"]))
        cases.append(BadInputCase(name: "billion laughs --set", arguments: ["train", tiny, "--output", folder + "/never",
                                                                           "--set", "model.readout=" + String(billionLaughs.prefix(255))],
                                  mentions: ["--set", "aliases"]))
        return cases
    }

    /// A file that redefines a built-in gate: the run goes on with the built-in, and says so.
    static func redefinedGate(folder: String) throws {
        let path = folder + "/redefines-sx.qasm"
        try Workspace.write("OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate sx a { x a; }\nqreg q[1];\nsx q[0];\n", to: path)
        let r = try Runner.qnncut(["estimate", path, "--observable", "Z0", "--uncut"])
        var check = CaseCheck()
        check.expect(r.exitCode == 0, "exit \(r.exitCode): \(r.stderr)")
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("qnncut: warning:") }
        check.expect(warnings.count == 1 && warnings[0].contains("redefines-sx.qasm:3") && warnings[0].contains("'sx'"),
                     "want one warning naming redefines-sx.qasm:3 and 'sx': \(r.stderr)")
        Tally.record("a redefined built-in gate is warned about", check.problems)
    }

    /// The classic exponential YAML: 9^9 "lol"s from nine anchored lines (a few hundred bytes).
    static let billionLaughs: String = {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        return text + "name: lol\n"
    }()

    /// In-process checks of the loader and model: time bounds and tolerances.
    static func inProcess() {
        func timed(_ name: String, limit: Double, _ body: () throws -> Void, expectError words: [String]?) {
            var check = CaseCheck()
            let t0 = Date()
            do {
                try body()
                check.expect(words == nil, "accepted")
            } catch {
                let message = String(describing: error)
                if let words {
                    for w in words { check.expect(message.contains(w), "error lacks '\(w)': \(message.prefix(300))") }
                } else {
                    check.expect(false, "refused: \(message.prefix(300))")
                }
                check.expect(!message.contains("\n") && message.count < 700, "error is not one short line (\(message.count) characters)")
            }
            let seconds = Date().timeIntervalSince(t0)
            check.expect(seconds < limit, String(format: "took %.2f s (limit %.1f s)", seconds, limit))
            print(String(format: "strict inputs: %@ in %.3f s", name, seconds))
            Tally.record(name, check.problems)
        }
        timed("billion laughs (in process)", limit: 1, { _ = try ConfigNode.parse(yaml: billionLaughs, fileName: "l.yaml") },
              expectError: ["l.yaml", "aliases"])
        timed("alias in a --set", limit: 1, {
            var tree = try ConfigNode.parse(yaml: Workspace.tinyYAML(), fileName: "t.yaml")
            try tree.override("model.readout=[&x [1,2], *x]")
        }, expectError: ["--set", "aliases"])
        let manyKeys = "{" + (0 ..< 200_000).map { "k\($0): 1" }.joined(separator: ",") + "}"
        timed("200,000 keys", limit: 2, { _ = try ConfigNode.parse(yaml: manyKeys, fileName: "k.yaml") }, expectError: ["k.yaml"])
        let unknown = Workspace.tinyYAML() + "\n" + (0 ..< 19_000).map { "k\($0): 1" }.joined(separator: "\n") + "\n"
        timed("19,000 unknown keys (within the limits)", limit: 2, {
            _ = try TrainingConfig(tree: try ConfigNode.parse(yaml: unknown, fileName: "u.yaml"), source: "u.yaml")
        }, expectError: ["unknown key", "more unknown keys"])
        let duplicates = Workspace.tinyYAML() + "\nextra:\n" + (0 ..< 19_000).map { "  k\($0 % 9_000): 1" }.joined(separator: "\n") + "\n"
        timed("19,000 keys with duplicates", limit: 2, { _ = try ConfigNode.parse(yaml: duplicates, fileName: "d.yaml") },
              expectError: ["d.yaml", "more"])
        func model(_ readout: String) throws {
            let yaml = Workspace.tinyYAML().replacingOccurrences(of: "  cuts: 2", with: "  cuts: 2\n  readout: \"\(readout)\"")
            _ = try QNNModel(config: try TrainingConfig(tree: try ConfigNode.parse(yaml: yaml, fileName: "r.yaml"), source: "r.yaml"))
        }
        timed("readout weights summing to 1 + 8e-12", limit: 5, { try model("0.500000000008*Z0 + 0.5*Z3") }, expectError: nil)
        timed("readout weights summing to 1.001", limit: 5, { try model("0.501*Z0 + 0.5*Z3") }, expectError: ["r.yaml", "> 1"])
        timed("readout weights overflowing", limit: 5, { try model("1e308*Z0 + 1e308*Z3") }, expectError: ["r.yaml", "overflows"])
    }
}
