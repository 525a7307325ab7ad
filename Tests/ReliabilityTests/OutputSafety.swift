/// Output safety: a second `train` into a used folder and a second `estimate --trace` onto an
/// existing file are refused without touching a byte; `--overwrite` replaces, `--resume` keeps
/// the old traces as a segment.
import Foundation
import Testing
import HDF5
import TestSupport

enum OutputSafety {
    static func run() throws {
        let folder = try Workspace.temporaryFolder("safe")
        let (run, config) = try ReliabilityTests.earlierRun(folder)

        // train: refused without a flag, and a refusal changes nothing.
        var check = CaseCheck()
        let before = Workspace.snapshot(run)
        let again = try Runner.qnncut(["train", config, "--output", run])
        Runner.expectRefusal(again, mentions: [run, "--resume", "--overwrite"], &check)
        check.expect(Workspace.snapshot(run) == before, "a refused train run changed \(Workspace.snapshot(run).difference(from: before))")
        Tally.record("train into a used folder", check.problems)

        // train --resume of a finished run: the old traces survive as a segment, the checkpoint stays valid.
        check = CaseCheck()
        let oldTrace = before.files["traces.h5"]?.0
        let resumed = try Runner.qnncut(["train", config, "--output", run, "--resume"])
        check.expect(resumed.exitCode == 0, "resume failed: \(resumed.stderr)")
        let segment = FileManager.default.contents(atPath: run + "/traces.segment-1.h5")
        check.expect(segment != nil && segment == oldTrace, "the old traces were not kept byte-for-byte as traces.segment-1.h5")
        Tally.record("train --resume keeps old traces", check.problems)

        // train --overwrite: replaces (new bytes), and leaves a readable run.
        check = CaseCheck()
        let replaced = try Runner.qnncut(["train", config, "--output", run, "--overwrite"])
        check.expect(replaced.exitCode == 0, "--overwrite failed: \(replaced.stderr)")
        let after = Workspace.snapshot(run)
        check.expect(after.files["traces.h5"]?.1 != before.files["traces.h5"]?.1, "--overwrite did not replace traces.h5")
        check.expect((try? File.open(run + "/traces.h5")) != nil, "traces.h5 after --overwrite is unreadable")
        Tally.record("train --overwrite replaces", check.problems)

        // estimate --trace: refused onto an existing trace or any other file, unless --overwrite.
        let circuit = folder + "/chain.qasm", trace = folder + "/traces/estimate.h5", notes = folder + "/traces/notes.txt"
        try Workspace.write(Workspace.chainQASM(qubits: 4), to: circuit)
        try FileManager.default.createDirectory(atPath: folder + "/traces", withIntermediateDirectories: true)
        try Workspace.write("precious notes\n", to: notes)
        let arguments = ["estimate", circuit, "--observable", "Z3", "--partition", "AABB"]
        let first = try Runner.qnncut(arguments + ["--trace", trace])
        try #require(first.exitCode == 0, "\(first.stderr)")
        let traceBefore = Workspace.snapshot(folder + "/traces")
        for target in [trace, notes] {
            check = CaseCheck()
            let refused = try Runner.qnncut(arguments + ["--trace", target])
            Runner.expectRefusal(refused, mentions: [URL(fileURLWithPath: target).lastPathComponent], &check)
            check.expect(Workspace.snapshot(folder + "/traces") == traceBefore, "a refused estimate changed files")
            Tally.record("estimate --trace onto \(URL(fileURLWithPath: target).lastPathComponent)", check.problems)
        }
        check = CaseCheck()
        let overwritten = try Runner.qnncut(arguments + ["--trace", trace, "--overwrite"])
        check.expect(overwritten.exitCode == 0, "estimate --overwrite failed: \(overwritten.stderr)")
        check.expect(Workspace.snapshot(folder + "/traces").files["estimate.h5"]?.1 != traceBefore.files["estimate.h5"]?.1,
                     "--overwrite did not replace the trace")
        check.expect(FileManager.default.contents(atPath: notes) == Data("precious notes\n".utf8), "an unrelated file changed")
        Tally.record("estimate --trace --overwrite replaces", check.problems)
    }
}
