/// The reliability suite (issue 10), one serialized suite so that its last test can print the tally
/// `reliability: N passed, M failed`. Each test below is a group of cases; the cases live in the
/// other files of this folder. What each group checks is what README.md's "Guarantees" promises.
import Foundation
import HDF5
import Testing
import TestSupport
@testable import QNN

@Suite(.serialized)
struct ReliabilityTests {
    /// A finished tiny run (traces.h5, checkpoint.h5) and its config, for cases to aim at.
    static func earlierRun(_ folder: String) throws -> (run: String, config: String) {
        let config = folder + "/earlier.yaml"
        try Workspace.write(Workspace.tinyYAML(epochs: 1), to: config)
        let run = folder + "/earlier-run"
        let result = try Runner.qnncut(["train", config, "--output", run])
        try #require(result.exitCode == 0, "the earlier run failed: \(result.stderr)")
        return (run, config)
    }

    static func runCorpus(_ cases: [BadInputCase], guarding folders: [String]) throws {
        let before = folders.map(Workspace.snapshot)
        for c in cases {
            var check = CaseCheck()
            let r = try Runner.qnncut(c.arguments, timeout: 30)
            Runner.expectRefusal(r, mentions: c.mentions, &check)
            Tally.record(c.name, check.problems)
        }
        for (folder, snapshot) in zip(folders, before) {
            let after = Workspace.snapshot(folder)
            Tally.record("untouched \(URL(fileURLWithPath: folder).lastPathComponent)",
                         after == snapshot ? [] : ["files changed: \(after.difference(from: snapshot))"])
        }
    }

    @Test("bad configs, datasets, model circuits and output folders: one line, exit 1, earlier run untouched")
    func badTrainInputs() throws {
        try Tally.group("badTrainInputs") {
            let folder = try Workspace.temporaryFolder("bad")
            let (run, config) = try Self.earlierRun(folder)
            #expect(Workspace.snapshot(run).files.count >= 2)
            let cases = try BadInputCorpus.cases(folder: folder, earlier: run, earlierConfig: config)
            try Self.runCorpus(cases, guarding: [run])
        }
    }

    @Test("foreign, truncated, newer-schema and mismatched checkpoints are refused on --resume, files untouched")
    func badCheckpoints() throws {
        try Tally.group("badCheckpoints") {
            let folder = try Workspace.temporaryFolder("ckpt")
            let (run, config) = try Self.earlierRun(folder)
            let cases = try BadInputCorpus.checkpointCases(folder: folder, earlier: run, earlierConfig: config)
            let copies = cases.map { $0.arguments[$0.arguments.firstIndex(of: "--output")! + 1] }
            try Self.runCorpus(cases, guarding: copies + [run])
        }
    }

    @Test("randomly truncated or bit-flipped checkpoints: refused in one line or resumed, never a crash or hang")
    func corruptedCheckpoints() throws {
        try Tally.group("corruptedCheckpoints") {
            let folder = try Workspace.temporaryFolder("corrupt")
            let (run, config) = try Self.earlierRun(folder)
            let original = try Data(contentsOf: URL(fileURLWithPath: run + "/checkpoint.h5"))
            var rng = SplitMix64(state: 0xC0_22_07)
            var refused = 0
            for trial in 0 ..< 16 {
                var bytes = [UInt8](original)
                let truncate = trial % 2 == 0
                if truncate {
                    bytes.removeSubrange(Int.random(in: 0 ..< bytes.count, using: &rng)...)
                } else {
                    for _ in 0 ..< 8 { bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] ^= UInt8.random(in: 1 ... 255, using: &rng) }
                }
                let copy = folder + "/corrupt-\(trial)"
                try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: copy + "/checkpoint.h5"))
                let r = try Runner.qnncut(["train", config, "--output", copy, "--resume"], timeout: 30)
                var check = CaseCheck()
                if r.exitCode == 0 {
                    check.expect(!truncate, "a truncated checkpoint was accepted")
                } else {
                    refused += 1
                    Runner.expectRefusal(r, mentions: ["checkpoint.h5"], &check)
                }
                Tally.record("corrupted checkpoint \(trial) (\(truncate ? "truncated" : "bit flips"))", check.problems)
            }
            print("corrupted checkpoints: 16, refused \(refused)")
        }
    }

    @Test("malformed QASM, observables, inputs and trace paths for estimate: one line, exit 1")
    func badEstimateInputs() throws {
        try Tally.group("badEstimateInputs") {
            let folder = try Workspace.temporaryFolder("est")
            let circuit = folder + "/earlier.qasm", trace = folder + "/earlier-trace/trace.h5"
            try Workspace.write(Workspace.chainQASM(qubits: 4), to: circuit)
            try FileManager.default.createDirectory(atPath: folder + "/earlier-trace", withIntermediateDirectories: true)
            let first = try Runner.qnncut(["estimate", circuit, "--observable", "Z3", "--partition", "AABB", "--trace", trace])
            try #require(first.exitCode == 0, "\(first.stderr)")
            let cases = try BadInputCorpus.estimateCases(folder: folder, earlierTrace: trace)
            try Self.runCorpus(cases, guarding: [folder + "/earlier-trace"])
        }
    }

    @Test("config loader fuzzing: thousands of mutated configs and --set overrides, no crash, no hang, one-line errors")
    func configFuzzing() throws {
        Tally.group("configFuzzing") {
            let outcome = ConfigFuzzer.run(seed: 0x5EED_C0FF, mutatedConfigs: 3000, overrides: 1000)
            print("config fuzzing: \(outcome.inputs) inputs, \(outcome.loaded) loaded, \(outcome.refused) refused, "
                + String(format: "slowest %.3f s", outcome.slowestSeconds))
            Tally.recordPassed(outcome.inputs - outcome.problems.count)
            Tally.record("config fuzzing", Array(outcome.problems.prefix(20)))
            #expect(outcome.loaded > 50 && outcome.refused > 500, "the mutations should both keep and break configs")
        }
    }

    @Test("runs never silently overwrite: train folders and estimate traces need --overwrite or --resume")
    func outputSafety() throws { try Tally.group("outputSafety") { try OutputSafety.run() } }

    @Test("resource guard: oversized states and term counts are refused before starting, with the estimate")
    func resourceGuard() throws { try Tally.group("resourceGuard") { try ResourceGuardCases.run() } }

    @Test("SIGKILL at random moments: files stay readable and --resume reaches the uninterrupted θ")
    func killedRuns() throws {
        try Tally.group("killedRuns") {
            let trials = Int(ProcessInfo.processInfo.environment["RELIABILITY_KILL_TRIALS"] ?? "") ?? 12
            try KillTrials.run(trials: trials, seed: 20_261_127)
        }
    }

    @Test("a rank that errors, aborts or is killed ends the job within seconds, named, with an intact checkpoint")
    func failedRanks() throws { try Tally.group("failedRanks") { try FailedRanks.run() } }

    @Test("hostile files: devices, FIFOs, folders and links as inputs or outputs; names leaving results/; crafted traces")
    func hostileFiles() throws {
        try Tally.group("hostileFiles") {
            let folder = try Workspace.temporaryFolder("hostile")
            let (run, config) = try Self.earlierRun(folder)
            let cases = try HostileFiles.inputCases(folder: folder, config: config)
                + HostileFiles.traceCases(folder: folder, earlier: run, config: config)
            try Self.runCorpus(cases, guarding: [run])
            try HostileFiles.outputTargets(folder: folder, config: config)
        }
    }

    @Test("crafted checkpoints (external storage, links, virtual, 2^40 shapes, no digest, out-of-range fields) are refused before the folder changes")
    func hostileCheckpoints() throws {
        try Tally.group("hostileCheckpoints") {
            let folder = try Workspace.temporaryFolder("crafted")
            let (run, config) = try Self.earlierRun(folder)
            let cases = try HostileFiles.checkpointCases(folder: folder, earlier: run, config: config)
            let copies = cases.map { $0.arguments[$0.arguments.firstIndex(of: "--output")! + 1] }
            try Self.runCorpus(cases, guarding: copies + [run])
        }
    }

    @Test("one run per folder: a held folder refuses a second train, --resume or --overwrite; SIGTERM/SIGINT print where to resume")
    func sharedFolders() throws {
        try Tally.group("sharedFolders") {
            try SharedFolders.run()
            try SharedFolders.benchChildren()
        }
    }

    @Test("strict parsers and a bounded config loader: integer lists, NaN rows, weights, alias bombs, key floods")
    func strictInputs() throws {
        try Tally.group("strictInputs") {
            let folder = try Workspace.temporaryFolder("strict")
            try Self.runCorpus(try StrictInputs.estimateCases(folder: folder), guarding: [])
            StrictInputs.inProcess()
            try StrictInputs.redefinedGate(folder: folder)
        }
    }

    @Test("checkpoint and trace fuzzing: 1,000 truncated or bit-flipped files, no crash, no silent resume of a changed checkpoint")
    func fileFuzzing() throws {
        try Tally.group("fileFuzzing") {
            let folder = try Workspace.temporaryFolder("fuzzsrc")
            let (run, config) = try Self.earlierRun(folder)
            let t0 = Date()
            let outcome = try FileFuzzing.run(earlier: run, config: config, checkpoints: 600, traces: 400, seed: 0xF11E_F022)
            print("file fuzzing: \(outcome.files) files, \(outcome.accepted) accepted, \(outcome.refused) refused, "
                + "\(outcome.crashes) crashes, \(outcome.silentChanges) silent changes" + String(format: ", %.1f s", Date().timeIntervalSince(t0)))
            Tally.recordPassed(outcome.files - outcome.problems.count)
            Tally.record("file fuzzing", Array(outcome.problems.prefix(20)))
            #expect(outcome.files >= 1000 && outcome.refused > 500, "the mutations should break most files")
        }
    }

    @Test("tally (runs last)")
    func tally() {
        print(Tally.line)
        #expect(Tally.failed == 0)
    }
}
