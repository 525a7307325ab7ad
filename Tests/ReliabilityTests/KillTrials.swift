/// Killed runs: `qnncut train` is sent SIGKILL at seeded random moments (from process start to
/// the end of an uninterrupted run). After every kill, checkpoint.h5 (if written) reads as a
/// valid checkpoint and traces.h5 (if created) opens with consecutive step rows; `--resume` then
/// finishes with exactly the uninterrupted run's θ.
import Foundation
import Testing
import HDF5
import TestSupport
@testable import QNN

enum KillTrials {
    struct Summary: Decodable {
        var theta: [Double]
        var steps: Int
    }

    static func summary(_ stdout: String) throws -> Summary {
        let line = stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
    }

    /// The uninterrupted run's θ and wall time.
    static func reference(config: String, folder: String) throws -> (theta: [Double], seconds: Double) {
        let t0 = Date()
        let r = try Runner.qnncut(["train", config, "--output", folder, "--json"])
        let seconds = Date().timeIntervalSince(t0)
        try #require(r.exitCode == 0, "reference run: \(r.stderr)")
        let s = try summary(r.stdout)
        try #require(s.steps == 9)
        return (s.theta, seconds)
    }

    /// Problems with a killed run's files (empty: both readable, or absent).
    static func fileProblems(_ run: String, resumed: Bool = false) -> [String] {
        var problems: [String] = []
        let fm = FileManager.default
        if fm.fileExists(atPath: run + "/checkpoint.h5") {
            do {
                let c = try Checkpoint.read(from: run + "/checkpoint.h5")
                if c.step < 1 || c.step > 9 || c.theta.count != 16 { problems.append("checkpoint step \(c.step), \(c.theta.count) θ") }
            } catch { problems.append("checkpoint.h5 unreadable: \(error)") }
        }
        if fm.fileExists(atPath: run + "/traces.h5") {
            do {
                let file = try File.open(run + "/traces.h5")
                defer { try? file.close() }
                let steps = try file.openTable("steps", layout: StepTraceRow.layout).readAll().map { Int($0.step) }
                // A first attempt's trace starts at step 1; a resumed one right after its checkpoint.
                let first = resumed ? (steps.first ?? 1) : 1
                if steps != Array(steps.indices.map { $0 + first }) || first < 1 {
                    problems.append("trace steps \(steps) are not consecutive from \(first)")
                }
                // (Empty when the kill came after the last step: the resumed run only evaluates.)
                if resumed && !steps.isEmpty && steps.last != 9 { problems.append("the resumed trace ends at step \(steps.last ?? 0), not 9") }
            } catch { problems.append("traces.h5 unreadable: \(error)") }
        }
        return problems
    }

    static func run(trials: Int, seed: UInt64) throws {
        let folder = try Workspace.temporaryFolder("kill")
        let config = folder + "/tiny.yaml"
        try Workspace.write(Workspace.tinyYAML(), to: config)
        let ref = try reference(config: config, folder: folder + "/reference")
        var rng = SplitMix64(state: seed)
        var moments: [String] = []
        for trial in 0 ..< trials {
            var check = CaseCheck()
            let run = folder + "/trial-\(trial)"
            // Three kinds of moment, in turn. (0) Any moment of the run, start-up included.
            // (1) Shortly after the first checkpoint appeared, so that most land mid-training
            // (start-up is half of this tiny run). (2) The instant the trace file, or its
            // temporary, appears: the window where a file exists but may hold nothing yet.
            var delay = Double.random(in: 0.05 ... max(0.1, ref.seconds), using: &rng)
            let afterCheckpoint = Double.random(in: 0 ... ref.seconds / 4, using: &rng)
            let t0 = Date()
            let child = try ChildProcess(TestEnvironment.qnncutPath, ["train", config, "--output", run],
                                         environment: TestEnvironment.childEnvironment())
            func waitFor(_ appeared: () -> Bool) {
                while !appeared(), child.poll() == nil, Date().timeIntervalSince(t0) < 30 { usleep(500) }
            }
            switch trial % 3 {
            case 1:
                waitFor { FileManager.default.fileExists(atPath: run + "/checkpoint.h5") }
                usleep(UInt32(afterCheckpoint * 1e6))
                delay = Date().timeIntervalSince(t0)
            case 2:
                waitFor {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []
                    return names.contains { $0 == "traces.h5" || $0.hasPrefix(".traces.h5.tmp-") }
                }
                delay = Date().timeIntervalSince(t0)
            default:
                usleep(UInt32(delay * 1e6))
            }
            let finishedFirst = child.poll() != nil
            child.kill()
            _ = child.wait(timeout: 10)
            let step = (try? Checkpoint.read(from: run + "/checkpoint.h5").step).map(String.init) ?? "none"
            moments.append(String(format: "%.2fs→", delay) + step + (finishedFirst ? "(done)" : ""))
            check.problems += fileProblems(run)
            let resumed = try Runner.qnncut(["train", config, "--output", run, "--resume", "--json"])
            check.expect(resumed.exitCode == 0, "resume failed: \(resumed.stderr)")
            if resumed.exitCode == 0, let s = try? summary(resumed.stdout) {
                let difference = zip(s.theta, ref.theta).map { abs($0 - $1) }.max() ?? .infinity
                check.expect(s.steps == 9 && s.theta.count == ref.theta.count && difference <= 1e-12,
                             "resumed θ differs by \(difference) after \(s.steps) steps")
            } else {
                check.expect(false, "no JSON summary: \(resumed.stdout)")
            }
            check.problems += fileProblems(run, resumed: true)
            // A kill mid-checkpoint leaves a `.checkpoint.h5.tmp-…`; the resumed run removes it.
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []).filter { $0.contains(".tmp") }
            check.expect(leftovers.isEmpty, "temporary files left after --resume: \(leftovers)")
            Tally.record("kill trial \(trial) at \(String(format: "%.2f", delay)) s", check.problems)
        }
        print("kill trials: \(trials), reference run \(String(format: "%.2f", ref.seconds)) s; kill moment → checkpoint step: "
            + moments.joined(separator: ", "))
    }
}
