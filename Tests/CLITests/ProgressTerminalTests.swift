/// The live progress bar under `mpirun` in a terminal: `script` gives mpirun a pseudo-terminal,
/// so — as in tmux — Open MPI hands rank 0 a terminal on stdout and a pipe on stderr. The bar
/// (carriage-return redraws on stderr) must appear and keep moving within the first second of
/// output, name the phases, stay away with --no-progress, and a Ctrl-C (SIGINT to mpirun's
/// process group, what the terminal sends) must end with the --resume command on a clean line.
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized)
struct ProgressTerminalTests {
    static let bar = "\r\u{1B}[2K["

    static var config: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/iris.yaml").path
    }

    /// `script -qfc "mpirun -np 2 qnncut ARGS" /dev/null`: its stdout is what the terminal shows.
    static func inTerminal(_ arguments: [String]) throws -> ChildProcess {
        try ProcessRunner.requireBuilt()
        let command = (["mpirun", "--oversubscribe", "-np", "2", TestEnvironment.qnncutPath] + arguments)
            .map { "'" + $0 + "'" }.joined(separator: " ")
        return try ChildProcess("script", ["-qfc", command, "/dev/null"], environment: TestEnvironment.childEnvironment())
    }

    @Test("two ranks held to one core say so at a terminal, once; in a pipe, nothing")
    func oversubscriptionNote() throws {
        try ProcessRunner.requireBuilt()
        // taskset: mpirun and its ranks (left unbound) inherit the one-CPU affinity, whatever the
        // machine's cores.
        let command = ["taskset", "-c", "0", "mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2",
                       TestEnvironment.qnncutPath, "info"]
        let terminal = try ChildProcess("script", ["-qfc", command.map { "'" + $0 + "'" }.joined(separator: " "), "/dev/null"],
                                        environment: TestEnvironment.childEnvironment()).finish(timeout: 60)
        #expect(terminal.exitCode == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.components(separatedBy: "note: 2 ranks share 1 core(s)").count == 2, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("-np 1 per host is as fast"))
        let piped = try ChildProcess.run(command[0], Array(command.dropFirst()), environment: TestEnvironment.childEnvironment(),
                                         timeout: 60)
        #expect(piped.exitCode == 0 && !(piped.stdout + piped.stderr).contains("note:"), "\(piped.stderr)")
    }

    @Test("a bar within the first second under mpirun -np 2 in a terminal; phases shown")
    func barUnderMpirun() throws {
        let output = NSTemporaryDirectory() + "progress-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try Self.inTerminal(["train", Self.config, "--output", output, "--set", "training.epochs=2"])
        var firstOutput: Date?
        var drawsInFirstSecond = 0
        let deadline = Date().addingTimeInterval(180)
        while child.poll() == nil && Date() < deadline {
            let text = child.stdout
            if firstOutput == nil && !text.isEmpty { firstOutput = Date() }
            if let first = firstOutput, Date().timeIntervalSince(first) <= 1.0 {
                drawsInFirstSecond = text.components(separatedBy: Self.bar).count - 1
            }
            usleep(20_000)
        }
        let result = child.finish(timeout: 5)
        try #require(result.exitCode == 0, "\(result.stdout.suffix(600))")
        #expect(drawsInFirstSecond >= 2, "bar redraws in the first second of output: \(drawsInFirstSecond)")
        for phase in ["preparing: config, data, cut plan", "epoch 1/2 step 1/7", "epoch 2/2: evaluating the train and test splits",
                      "checkpoint saved at step", "robustness: 5 attack setting(s)"] {
            #expect(result.stdout.contains(phase), "missing phase '\(phase)'")
        }
        // Log lines and the summary start on an erased line, never after a bar's text.
        #expect(result.stdout.contains("\r\u{1B}[2Kqnncut: epoch 1: train loss"))
    }

    @Test("--no-progress draws no bar in a terminal; a pipe gets none by default")
    func noBarWhenAsked() throws {
        let output = NSTemporaryDirectory() + "progress-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let quiet = try Self.inTerminal(["train", Self.config, "--output", output, "--set", "training.epochs=1", "--no-progress"])
            .finish(timeout: 180)
        #expect(quiet.exitCode == 0)
        #expect(!quiet.stdout.contains(Self.bar) && quiet.stdout.contains("qnncut: epoch 1: train loss"))
        let piped = try ProcessRunner.mpirun(ranks: 2, ["train", Self.config, "--output", output, "--overwrite", "--set", "training.epochs=1"], timeout: 180)
        #expect(piped.exitCode == 0 && !piped.stderr.contains(Self.bar))
        let forced = try ProcessRunner.qnncut(["train", Self.config, "--output", output, "--overwrite", "--set", "training.epochs=1", "--progress"], timeout: 180)
        #expect(forced.exitCode == 0 && forced.stderr.contains(Self.bar))
    }

    @Test("Ctrl-C in the terminal: the stop line names the checkpoint and the --resume command")
    func interruptSaysHowToResume() throws {
        // Rank 0 writes the stop line; mpirun relays it to the terminal while it tears the job
        // down. On a heavily loaded machine (the whole suite running) mpirun has twice been seen
        // to exit before relaying it, so one more attempt is allowed; a stop line that is never
        // written fails both.
        var result = try Self.interrupt()
        if !result.stdout.contains("qnncut: stopped by") { result = try Self.interrupt() }
        #expect(result.stdout.contains("\r\u{1B}[2Kqnncut: stopped by"), "\(result.stdout.suffix(400))")
        #expect(result.stdout.contains("the checkpoint OUTPUT/checkpoint.h5"))
        #expect(result.stdout.contains("continue with: mpirun -np 2 qnncut train"))
        #expect(result.stdout.contains("--resume"))
    }

    /// Train in a terminal, press Ctrl-C once the first epoch is done, and return what the terminal showed.
    static func interrupt() throws -> ProcessResult {
        let output = NSTemporaryDirectory() + "progress-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try inTerminal(["train", config, "--output", output, "--set", "training.epochs=200"])
        let deadline = Date().addingTimeInterval(120)
        while !child.stdout.contains("epoch 1: train loss") && child.poll() == nil && Date() < deadline { usleep(50_000) }
        let mpirun = try #require(mpirunPID(runningIn: output), "mpirun not found")
        // A terminal's Ctrl-C goes to the foreground process group: mpirun leads it.
        Glibc.kill(-getpgid(mpirun), SIGINT)
        var result = child.finish(timeout: 60)
        result.stdout = result.stdout.replacingOccurrences(of: output, with: "OUTPUT")
        return result
    }

    /// The mpirun whose command line names `folder`.
    static func mpirunPID(runningIn folder: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if words.first.map({ $0.hasSuffix("mpirun") }) == true && words.contains(folder) { return pid }
        }
        return nil
    }
}
