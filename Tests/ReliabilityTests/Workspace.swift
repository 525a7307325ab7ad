/// Files the reliability cases need: a tiny training config (Iris, 4 qubits, cut), QASM circuits,
/// temporary folders, snapshots of a run folder's bytes and mtimes, and the qnncut runner.
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

enum Workspace {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var irisPath: String { repository.appendingPathComponent("data/iris.csv").path }

    static func temporaryFolder(_ tag: String = "rel") throws -> String {
        let path = NSTemporaryDirectory() + "qnncut-\(tag)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Iris 1-vs-2, 4 qubits, 2 layers, 2 cut CNOTs, 18 training samples in batches of 6:
    /// 3 steps per epoch, a checkpoint after every step; under a second in a debug build.
    static func tinyYAML(epochs: Int = 3, extra: String = "") -> String {
        """
        name: tiny
        data:
          file: \(irisPath)
          classes: [1, 2]
          max_per_class: 12
          test_fraction: 0.25
          seed: 1
        model:
          qubits: 4
          layers: 2
          cuts: 2
        training:
          epochs: \(epochs)
          batch_size: 6
          optimizer: adam
          learning_rate: 0.1
          seed: 5
        checkpoint:
          every_steps: 1
        \(extra)
        """
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A chain of CNOTs and trainable rotations on `qubits` qubits.
    static func chainQASM(qubits: Int) -> String {
        var lines = ["OPENQASM 2.0;", "include \"qelib1.inc\";", "qreg q[\(qubits)];"]
        for i in 0 ..< qubits { lines.append("ry(theta[\(i)]) q[\(i)];") }
        for i in 0 ..< qubits - 1 { lines.append("cx q[\(i)],q[\(i + 1)];") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every regular file below `folder` with its bytes and modification time.
    struct Snapshot: Equatable {
        var files: [String: (Data, Double)]
        static func == (a: Snapshot, b: Snapshot) -> Bool {
            a.files.keys.sorted() == b.files.keys.sorted()
                && a.files.allSatisfy { key, value in b.files[key].map { $0.0 == value.0 && $0.1 == value.1 } ?? false }
        }
        func difference(from other: Snapshot) -> String {
            let keys = Set(files.keys).union(other.files.keys).sorted()
            return keys.filter { k in
                guard let a = files[k], let b = other.files[k] else { return true }
                return a.0 != b.0 || a.1 != b.1
            }.joined(separator: ", ")
        }
    }

    static func snapshot(_ folder: String) -> Snapshot {
        var files: [String: (Data, Double)] = [:]
        let fm = FileManager.default
        for name in (try? fm.subpathsOfDirectory(atPath: folder)) ?? [] {
            let path = folder + "/" + name
            var s = stat()
            guard stat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { continue }
            let mtime = Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) * 1e-9
            files[name] = (fm.contents(atPath: path) ?? Data(), mtime)
        }
        return Snapshot(files: files)
    }
}

enum Runner {
    static func requireBuilt() throws {
        guard FileManager.default.isExecutableFile(atPath: TestEnvironment.qnncutPath) else {
            throw RunnerError(description: "build qnncut first (swift build), or set QNNCUT_BIN: \(TestEnvironment.qnncutPath)")
        }
    }

    /// qnncut with the backtracer left at its default, so that a crash would show in stderr.
    static func qnncut(_ arguments: [String], timeout: TimeInterval = 60) throws -> ProcessResult {
        try requireBuilt()
        var env = TestEnvironment.childEnvironment()
        env.removeValue(forKey: "SWIFT_BACKTRACE")
        return try ChildProcess.run(TestEnvironment.qnncutPath, arguments, environment: env, timeout: timeout)
    }

    static func mpirun(ranks: Int, _ arguments: [String], timeout: TimeInterval = 60) throws -> ProcessResult {
        try requireBuilt()
        return try ChildProcess.run("mpirun", ["--oversubscribe", "-np", "\(ranks)", TestEnvironment.qnncutPath] + arguments,
                                    environment: TestEnvironment.childEnvironment(), timeout: timeout)
    }

    /// Signs of a crash rather than a handled error.
    static let crashMarkers = ["Fatal error", "Program crashed", "Stack dump", "Backtrace", "💣", "Thread 0", "#0 "]

    /// Checks of a refusal: non-zero exit that is not a signal, one error line mentioning every
    /// word of `mentions`, no crash output, no hang.
    static func expectRefusal(_ r: ProcessResult, mentions: [String], _ check: inout CaseCheck) {
        check.expect(!r.timedOut, "hung (killed after the timeout)")
        check.expect(r.exitCode != 0 && r.exitCode < 128, "exit code \(r.exitCode), want 1…127")
        let errorLines = r.stderr.split(separator: "\n").filter { $0.lowercased().contains("error") }
        check.expect(errorLines.count == 1, "want one error line, got \(errorLines.count): \(r.stderr)")
        let line = errorLines.first.map(String.init) ?? ""
        for word in mentions { check.expect(line.contains(word), "error line lacks '\(word)': \(line)") }
        for marker in crashMarkers { check.expect(!r.stderr.contains(marker), "crash output '\(marker)': \(r.stderr)") }
    }
}

struct RunnerError: Error, CustomStringConvertible { var description: String }
