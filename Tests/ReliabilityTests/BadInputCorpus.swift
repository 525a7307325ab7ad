/// The bad-input corpus: malformed configs, datasets, QASM, observables, output folders and
/// checkpoints. Every case must end with exit code 1…127, one error line naming the file and the
/// place (key, line or flag), no crash output — and leave an earlier run folder byte-for-byte and
/// mtime-for-mtime as it was, even when the bad run was given --overwrite or --resume.
import Foundation
import Testing
import HDF5
import TestSupport
@testable import QNN

struct BadInputCase {
    var name: String
    var arguments: [String]
    /// Words the error line must contain (the file and the place).
    var mentions: [String]
}

enum BadInputCorpus {
    /// Build every case in `folder`; `earlier` is a finished run folder the cases aim at.
    static func cases(folder: String, earlier: String, earlierConfig: String) throws -> [BadInputCase] {
        var cases: [BadInputCase] = []
        let good = Workspace.tinyYAML()
        func config(_ name: String, _ text: String) throws -> String {
            let path = folder + "/" + name + ".yaml"
            try Workspace.write(text, to: path)
            return path
        }
        /// A bad config aimed at the earlier run with --overwrite (the most it could destroy). The
        /// error names the config, except dataset errors, which name the data file instead.
        func train(_ name: String, _ text: String, _ mentions: [String], namesConfig: Bool = true) throws {
            let path = try config(name, text)
            cases.append(BadInputCase(name: "train/" + name, arguments: ["train", path, "--output", earlier, "--overwrite"],
                                      mentions: (namesConfig ? [name + ".yaml"] : []) + mentions))
        }

        // Configs: syntax, unknown keys, wrong types, out-of-range values, bad structure.
        try train("yaml-syntax", good.replacingOccurrences(of: "classes: [1, 2]", with: "classes: [1, 2"), ["YAML", ":5:"])
        try train("yaml-tab-indent", good.replacingOccurrences(of: "  seed: 1", with: "\t seed: 1"), ["YAML"])
        try train("unknown-key", good + "\nextras:\n  colour: blue\n", ["extras", ":2"])
        try train("unknown-nested-key", good.replacingOccurrences(of: "  optimizer: adam", with: "  optimiser: adam"),
                  ["training.optimiser", ":15"])
        try train("wrong-type", good.replacingOccurrences(of: "epochs: 3", with: "epochs: three"), ["training.epochs", ":13"])
        try train("wrong-type-list", good.replacingOccurrences(of: "batch_size: 6", with: "batch_size: [6]"), ["training.batch_size"])
        try train("out-of-range-batch", good.replacingOccurrences(of: "batch_size: 6", with: "batch_size: 0"), ["training.batch_size", ":14"])
        try train("out-of-range-qubits", good.replacingOccurrences(of: "qubits: 4", with: "qubits: 99"), ["model.qubits"])
        try train("out-of-range-fraction", good.replacingOccurrences(of: "test_fraction: 0.25", with: "test_fraction: 1.5"),
                  ["data.test_fraction"])
        try train("bad-choice", good.replacingOccurrences(of: "optimizer: adam", with: "optimizer: lbfgs"), ["training.optimizer"])
        try train("same-classes", good.replacingOccurrences(of: "classes: [1, 2]", with: "classes: [1, 1]"), ["data.classes"])
        try train("cuts-beyond-layers", good.replacingOccurrences(of: "cuts: 2", with: "cuts: 5"), ["model.cuts"])
        try train("duplicate-key", good + "\ntraining:\n  epochs: 1\n", ["training", "twice"])
        try train("top-level-list", "- name: tiny\n- data: x\n", ["top level"])
        try train("section-is-a-value", good.replacingOccurrences(of: "model:\n  qubits: 4", with: "model: 4\n  qubits: 4"), ["YAML"])
        try train("scalar-section", good + "\nrobustness: strong\n", ["robustness", "mapping"])
        try train("bad-memory-limit", good + "\nlimits:\n  max_memory: lots\n", ["limits.max_memory"])
        try train("empty-file", "", ["data.file"])
        let notUTF8 = folder + "/not-utf8.yaml"
        try Data([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: notUTF8))
        cases.append(BadInputCase(name: "train/not-utf8", arguments: ["train", notUTF8, "--output", earlier, "--overwrite"],
                                  mentions: ["not-utf8.yaml", "UTF-8"]))
        cases.append(BadInputCase(name: "train/missing-config", arguments: ["train", folder + "/absent.yaml", "--output", earlier],
                                  mentions: ["absent.yaml"]))
        cases.append(BadInputCase(name: "train/bad-set", arguments: ["train", earlierConfig, "--output", earlier, "--overwrite",
                                                                     "--set", "training.epochs"],
                                  mentions: ["--set", "training.epochs"]))
        cases.append(BadInputCase(name: "train/set-unknown", arguments: ["train", earlierConfig, "--output", earlier, "--overwrite",
                                                                         "--set", "model.depth=3"],
                                  mentions: ["model.depth"]))

        // Datasets: missing, not CSV, too few features.
        try train("missing-dataset", good.replacingOccurrences(of: Workspace.irisPath, with: folder + "/absent.csv"), ["absent.csv"], namesConfig: false)
        let garbage = folder + "/garbage.csv"
        try Data((0 ..< 300).map { UInt8(($0 * 37) % 256) }).write(to: URL(fileURLWithPath: garbage))
        try train("binary-dataset", good.replacingOccurrences(of: Workspace.irisPath, with: garbage), ["garbage.csv"], namesConfig: false)
        let ragged = folder + "/ragged.csv"
        try Workspace.write("1,2,3,1\n4,5,2\n6,7,8,9,2\n", to: ragged)
        try train("ragged-dataset", good.replacingOccurrences(of: Workspace.irisPath, with: ragged), ["ragged.csv:2"], namesConfig: false)
        let words = folder + "/words.csv"
        try Workspace.write("a,b,c,d,1\n1,2,3,x,2\n", to: words)
        try train("non-numeric-dataset", good.replacingOccurrences(of: Workspace.irisPath, with: words), ["words.csv:2"], namesConfig: false)
        try train("too-few-features", good.replacingOccurrences(of: "qubits: 4", with: "qubits: 6"), ["iris.csv"], namesConfig: false)

        // Model circuits and readouts.
        let badQASM = folder + "/model-bad.qasm"
        try Workspace.write("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[4];\nry(theta[0]) q[0];\ncx q[0] q[1];\n", to: badQASM)
        try train("model-bad-qasm", good.replacingOccurrences(of: "  cuts: 2", with: "  cuts: 0\n  circuit: \(badQASM)\n  partition: AABB"),
                  ["model-bad.qasm", ":5"])
        try train("bad-readout", good.replacingOccurrences(of: "  cuts: 2", with: "  cuts: 2\n  readout: Q7"), ["Q7"])
        try train("readout-out-of-range", good.replacingOccurrences(of: "  cuts: 2", with: "  cuts: 2\n  readout: Z9"), ["Z9"])

        // Output folders that cannot be written.
        let plainFile = folder + "/plain-file"
        try Workspace.write("not a folder\n", to: plainFile)
        cases.append(BadInputCase(name: "train/output-is-a-file", arguments: ["train", earlierConfig, "--output", plainFile],
                                  mentions: ["plain-file"]))
        cases.append(BadInputCase(name: "train/output-under-a-file", arguments: ["train", earlierConfig, "--output", plainFile + "/run"],
                                  mentions: ["plain-file/run"]))
        cases.append(BadInputCase(name: "train/output-in-proc", arguments: ["train", earlierConfig, "--output", "/proc/qnncut-run"],
                                  mentions: ["/proc/qnncut-run"]))
        return cases
    }

    /// Copies of the earlier folder whose checkpoint is wrong in one way each, resumed.
    static func checkpointCases(folder: String, earlier: String, earlierConfig: String) throws -> [BadInputCase] {
        let fm = FileManager.default
        var cases: [BadInputCase] = []
        func copy(_ name: String, _ damage: (String) throws -> Void) throws -> String {
            let run = folder + "/" + name
            try fm.copyItem(atPath: earlier, toPath: run)
            try damage(run + "/checkpoint.h5")
            return run
        }
        let other = folder + "/other-config.yaml"
        try Workspace.write(Workspace.tinyYAML().replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: 0.2"), to: other)
        let mismatch = try copy("ckpt-config-mismatch") { _ in }
        cases.append(BadInputCase(name: "checkpoint/config-mismatch", arguments: ["train", other, "--output", mismatch, "--resume"],
                                  mentions: ["checkpoint.h5", "different config"]))
        let foreign = try copy("ckpt-foreign") { path in
            try fm.removeItem(atPath: path)
            let file = try File.create(path)
            try file.createDataset("images", values: [1.0, 2.0, 3.0])
            try file.close()
        }
        cases.append(BadInputCase(name: "checkpoint/foreign-hdf5", arguments: ["train", earlierConfig, "--output", foreign, "--resume"],
                                  mentions: ["checkpoint.h5"]))
        let truncated = try copy("ckpt-truncated") { path in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        }
        cases.append(BadInputCase(name: "checkpoint/truncated", arguments: ["train", earlierConfig, "--output", truncated, "--resume"],
                                  mentions: ["checkpoint.h5"]))
        let newer = try copy("ckpt-newer-schema") { path in
            let file = try File.open(path, mode: .readWrite)
            try file.setAttribute("schema_version", Checkpoint.schemaVersion + 1)
            try file.close()
            try FileSeal.seal(path)
        }
        cases.append(BadInputCase(name: "checkpoint/newer-schema", arguments: ["train", earlierConfig, "--output", newer, "--resume"],
                                  mentions: ["checkpoint.h5", "version \(Checkpoint.schemaVersion + 1)"]))
        let text = try copy("ckpt-text") { path in try Workspace.write("step: 3\n", to: path) }
        cases.append(BadInputCase(name: "checkpoint/text-file", arguments: ["train", earlierConfig, "--output", text, "--resume"],
                                  mentions: ["checkpoint.h5"]))
        let empty = try copy("ckpt-empty") { path in try Data().write(to: URL(fileURLWithPath: path)) }
        cases.append(BadInputCase(name: "checkpoint/empty-file", arguments: ["train", earlierConfig, "--output", empty, "--resume"],
                                  mentions: ["checkpoint.h5"]))
        return cases
    }

    /// `qnncut estimate` inputs: QASM, observables, input vectors, trace paths.
    static func estimateCases(folder: String, earlierTrace: String) throws -> [BadInputCase] {
        var cases: [BadInputCase] = []
        let good = Workspace.chainQASM(qubits: 4)
        func qasm(_ name: String, _ text: String, _ mentions: [String], observable: String = "Z3") throws {
            let path = folder + "/" + name + ".qasm"
            try Workspace.write(text, to: path)
            cases.append(BadInputCase(name: "estimate/" + name,
                                      arguments: ["estimate", path, "--observable", observable, "--partition", "AABB"],
                                      mentions: [name + ".qasm"] + mentions))
        }
        func observable(_ name: String, _ text: String, _ mentions: [String]) throws {
            let path = folder + "/" + name + ".qasm"
            try Workspace.write(good, to: path)
            cases.append(BadInputCase(name: "estimate/" + name,
                                      arguments: ["estimate", path, "--observable", text, "--partition", "AABB"],
                                      mentions: ["--observable"] + mentions))
        }
        try qasm("qasm-missing-semicolon", good.replacingOccurrences(of: "cx q[1],q[2];", with: "cx q[1],q[2]"), [":10:1"])
        try qasm("qasm-unknown-gate", good.replacingOccurrences(of: "cx q[1],q[2];", with: "foo q[1],q[2];"), ["foo", ":9"])
        try qasm("qasm-qubit-out-of-range", good.replacingOccurrences(of: "cx q[1],q[2];", with: "cx q[1],q[7];"), [":9"])
        try qasm("qasm-bad-header", good.replacingOccurrences(of: "OPENQASM 2.0;", with: "OPENQASM 9.1;"), [":1"])
        try qasm("qasm-binary", String(decoding: (0 ..< 200).map { UInt8(($0 * 91) % 256) }, as: UTF8.self), [])
        try qasm("qasm-empty", "", [])
        try qasm("qasm-unclosed-expression", good.replacingOccurrences(of: "ry(theta[0])", with: "ry((theta[0]"), [":4"])
        try observable("observable-bad-letter", "Z0 Q1", ["column 4"])
        try observable("observable-out-of-range", "Z9", ["out of range"])
        try observable("observable-bad-coefficient", "0.5.5*Z0", ["column 4"])
        try observable("observable-empty", "", [])
        try observable("observable-dangling-plus", "Z0 +", [])
        cases.append(BadInputCase(name: "estimate/missing-qasm",
                                  arguments: ["estimate", folder + "/absent.qasm", "--observable", "Z0", "--uncut"],
                                  mentions: ["absent.qasm"]))
        let circuit = folder + "/good.qasm"
        try Workspace.write(good, to: circuit)
        let inputs = folder + "/inputs.csv"
        try Workspace.write("0.1,0.2\nabc,0.3\n", to: inputs)
        cases.append(BadInputCase(name: "estimate/bad-inputs-csv",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--uncut", "--inputs", inputs],
                                  mentions: ["inputs.csv"]))
        cases.append(BadInputCase(name: "estimate/bad-theta",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--uncut", "--theta", "0.1,zero,0.3,0.4"],
                                  mentions: ["--theta", "zero"]))
        cases.append(BadInputCase(name: "estimate/partition-length",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--partition", "AAB"],
                                  mentions: ["AAB"]))
        cases.append(BadInputCase(name: "estimate/cut-gate-out-of-range",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--cut-gates", "99"],
                                  mentions: ["99"]))
        cases.append(BadInputCase(name: "estimate/trace-under-a-file",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--partition", "AABB",
                                              "--trace", circuit + "/trace.h5"],
                                  mentions: ["good.qasm/trace.h5"]))
        cases.append(BadInputCase(name: "estimate/trace-exists",
                                  arguments: ["estimate", circuit, "--observable", "Z3", "--partition", "AABB", "--trace", earlierTrace],
                                  mentions: [URL(fileURLWithPath: earlierTrace).lastPathComponent, "--overwrite"]))
        return cases
    }
}
