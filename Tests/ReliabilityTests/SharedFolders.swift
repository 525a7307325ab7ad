/// Shared folders and concurrent runs (issue 19): while a run holds its folder, a second `train`,
/// `--resume` or `--overwrite` aimed at it is refused naming the holder's PID; SIGTERM and SIGINT
/// end a run with one line (where the checkpoint is, the `--resume` command) and 128 + signal, and
/// the checkpoint left behind resumes.
import Foundation
import Testing
import TestSupport
@testable import QNN

#if canImport(Glibc)
import Glibc
#endif

enum SharedFolders {
    /// A long run (thousands of epochs) that holds `run` until stopped; returns once it holds the
    /// lock and has written a checkpoint.
    static func startLongRun(config: String, run: String) throws -> ChildProcess {
        var env = TestEnvironment.childEnvironment()
        env.removeValue(forKey: "SWIFT_BACKTRACE")
        let child = try ChildProcess(TestEnvironment.qnncutPath, ["train", config, "--output", run, "--set", "training.epochs=100000"],
                                     environment: env)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: run + "/.qnncut.owner") && FileManager.default.fileExists(atPath: run + "/checkpoint.h5") {
                return child
            }
            if child.poll() != nil { break }
            usleep(50_000)
        }
        throw RunnerError(description: "the long run did not start: \(child.stderr)")
    }

    /// Direct children of `pid` (from /proc/<pid>/task/*/children).
    static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { pid_t($0) }
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        // A zombie (exited, not yet reaped by its parent) counts as gone.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
    }

    /// `bench estimator` SIGKILLed while its child `mpirun` runs: the child (and its ranks) must
    /// end within seconds instead of running on as orphans.
    static func benchChildren() throws {
        var env = TestEnvironment.childEnvironment()
        env.removeValue(forKey: "SWIFT_BACKTRACE")
        let bench = try ChildProcess(TestEnvironment.qnncutPath, ["bench", "estimator", "--ranks", "2", "--cuts", "2",
                                                                  "--rounds", "1000000"], environment: env)
        var check = CaseCheck()
        var launcher: pid_t?
        let deadline = Date().addingTimeInterval(60)
        while launcher == nil && Date() < deadline && bench.poll() == nil {
            launcher = children(of: bench.pid).first
            usleep(50_000)
        }
        usleep(500_000)
        let ranks = launcher.map(children(of:)) ?? []
        bench.kill(SIGKILL)
        _ = bench.wait(timeout: 10)
        check.expect(launcher != nil, "bench started no child: \(bench.stderr.suffix(300))")
        if let launcher {
            let gone = Date().addingTimeInterval(20)
            while isAlive(launcher) && Date() < gone { usleep(100_000) }
            check.expect(!isAlive(launcher), "bench's child \(launcher) outlived it")
            for rank in ranks where isAlive(rank) {
                let rankGone = Date().addingTimeInterval(10)
                while isAlive(rank) && Date() < rankGone { usleep(100_000) }
                check.expect(!isAlive(rank), "a rank (\(rank)) outlived bench")
            }
            // Never leave our own orphans behind, whatever the outcome.
            for pid in ranks + [launcher] where isAlive(pid) { _ = Glibc.kill(pid, SIGKILL) }
        }
        Tally.record("bench estimator SIGKILLed: its mpirun and ranks end", check.problems)
    }

    static func run() throws {
        let folder = try Workspace.temporaryFolder("shared")
        let config = folder + "/long.yaml"
        try Workspace.write(Workspace.tinyYAML(epochs: 1), to: config)

        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            let run = folder + "/run-\(name)"
            let holder = try startLongRun(config: config, run: run)
            // Second runs on the held folder: refused, naming the holder; nothing renamed.
            for extra in [[], ["--resume"], ["--overwrite"]] {
                var check = CaseCheck()
                let r = try Runner.qnncut(["train", config, "--output", run] + extra, timeout: 30)
                Runner.expectRefusal(r, mentions: [run, "in use", "pid \(holder.pid)"], &check)
                check.expect(!FileManager.default.fileExists(atPath: run + "/traces.segment-1.h5"), "the live trace was renamed")
                check.expect(FileManager.default.fileExists(atPath: run + "/traces.h5"), "the live trace is gone")
                Tally.record("train \(extra.first ?? "") on a held folder (\(name) round)", check.problems)
            }
            // The signal: one line, 128 + signal, and a checkpoint that resumes.
            holder.kill(signal)
            let stopped = holder.finish(timeout: 30)
            var check = CaseCheck()
            check.expect(stopped.exitCode == 128 + signal, "exit code \(stopped.exitCode), want \(128 + signal)")
            let lines = stopped.stderr.split(separator: "\n").filter { $0.contains("stopped by") }
            check.expect(lines.count == 1, "want one 'stopped by' line: \(stopped.stderr.suffix(400))")
            let line = lines.first.map(String.init) ?? ""
            for word in [name, run + "/checkpoint.h5", "--resume", "--output \(run)"] {
                check.expect(line.contains(word), "the stop line lacks '\(word)': \(line)")
            }
            check.expect(!stopped.stderr.contains("error"), "a stop is not an error: \(stopped.stderr.suffix(300))")
            check.expect(!FileManager.default.fileExists(atPath: run + "/.qnncut.owner"), "the stopped run left its owner file")
            let resumed = try Runner.qnncut(["train", config, "--output", run, "--resume", "--json"], timeout: 60)
            check.expect(resumed.exitCode == 0, "--resume after \(name) failed: \(resumed.stderr)")
            Tally.record("\(name) to train: notice, exit \(128 + signal), resumable", check.problems)
        }
    }
}
