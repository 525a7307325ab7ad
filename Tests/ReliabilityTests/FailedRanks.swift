/// Failed ranks: under mpirun -np 2 and 3, one rank fails mid-training (a Swift error, an
/// MPI_Abort, or SIGKILL) through the hidden `train --inject-failure-rank`. The job
/// must end within seconds with a non-zero exit code and a message naming the rank, leave a
/// readable checkpoint — and `--resume` from it must reach the uninterrupted run's θ.
import Foundation
import Testing
import TestSupport
@testable import QNN

enum FailedRanks {
    static func run() throws {
        let folder = try Workspace.temporaryFolder("ranks")
        let config = folder + "/tiny.yaml"
        try Workspace.write(Workspace.tinyYAML(), to: config)
        let ref = try KillTrials.reference(config: config, folder: folder + "/reference")
        // Round 9 is step 5 (epoch 2): the checkpoint of step 4 exists by then.
        let cases: [(ranks: Int, rank: Int, kind: String)] = [(2, 1, "error"), (2, 0, "error"), (2, 1, "abort"), (3, 2, "kill"), (3, 1, "error")]
        for c in cases {
            var check = CaseCheck()
            let run = folder + "/np\(c.ranks)-rank\(c.rank)-\(c.kind)"
            let t0 = Date()
            let r = try Runner.mpirun(ranks: c.ranks, ["train", config, "--output", run, "--inject-failure-rank", "\(c.rank)",
                                                       "--inject-failure-round", "9", "--inject-failure-kind", c.kind], timeout: 60)
            let seconds = Date().timeIntervalSince(t0)
            check.expect(!r.timedOut, "the job hung")
            check.expect(r.exitCode != 0, "exit code 0 after a failed rank")
            check.expect(seconds < 30, "the job took \(seconds) s to end")
            check.expect(r.stderr.contains("rank \(c.rank)"), "no message names rank \(c.rank): \(r.stderr)")
            if c.kind != "kill" { check.expect(r.stderr.contains("injected failure"), "the cause is not named: \(r.stderr)") }
            do {
                let checkpoint = try Checkpoint.read(from: run + "/checkpoint.h5")
                check.expect(checkpoint.step == 4, "checkpoint at step \(checkpoint.step), want 4")
            } catch { check.expect(false, "checkpoint unreadable: \(error)") }
            check.problems += KillTrials.fileProblems(run)
            let resumed = try Runner.qnncut(["train", config, "--output", run, "--resume", "--json"])
            check.expect(resumed.exitCode == 0, "resume failed: \(resumed.stderr)")
            if let s = try? KillTrials.summary(resumed.stdout) {
                check.expect(s.steps == 9 && s.theta == ref.theta, "resumed θ differs from the uninterrupted run")
            } else { check.expect(false, "no JSON summary after resume") }
            Tally.record("np \(c.ranks), rank \(c.rank) \(c.kind)", check.problems)
            let line = r.stderr.split(separator: "\n").first { $0.contains("rank \(c.rank)") }.map(String.init) ?? "(no line)"
            print("failed rank: np \(c.ranks), rank \(c.rank) \(c.kind): exit \(r.exitCode) after "
                + String(format: "%.1f s: ", seconds) + line.prefix(160))
        }
    }
}
