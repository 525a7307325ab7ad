/// `estimator.executor` in training: the config section and its refusals (naming the key), a
/// short run through `sim_executor.py` at np 1 and 2 that ends with a checkpoint, a trace whose
/// exact values are NaN, an executor closed on every rank, and a resume; and an executor killed
/// mid-training, which ends the job with the rank, unit and line — never a hang.
import Estimator
import Foundation
import Testing
import TestSupport
@testable import QNN

@Suite(.serialized)
struct TrainExecutorTests {
    static var executors: String { TestEnvironment.fixturesFolder + "/executors" }

    /// The tiny Iris config (18 training samples: 3 steps of 6 per epoch) in shot mode through `command`.
    static func yaml(command: String, extra: String = "") -> String {
        TestConfigs.irisYAML(cuts: 1, extra: """
            estimator:
              mode: shots
              shots: 3000
              executor:
                command: \(command)
                max_batch: 32
                timeout: 60
            checkpoint:
              every_steps: 1
            \(extra)
            """).replacingOccurrences(of: "epochs: 2", with: "epochs: 1")
    }

    @Test("the section is read, and what an executor cannot do is refused naming the key")
    func configSection() throws {
        let config = try TestConfigs.config(Self.yaml(command: "python3 dev.py --flag"))
        #expect(config.estimator.executor == .init(command: "python3 dev.py --flag", maxBatch: 32, timeout: 60))
        // Batching and the timeout do not change what a run computes: a resume may change them.
        let rebatched = try TestConfigs.config(Self.yaml(command: "python3 dev.py --flag"),
                                               overrides: ["estimator.executor.max_batch=4", "estimator.executor.timeout=5"])
        #expect(rebatched.hash == config.hash)
        let other = try TestConfigs.config(Self.yaml(command: "python3 other.py"))
        #expect(other.hash != config.hash)
        let cases: [([String], String)] = [
            (["estimator.mode=exact"], "estimator.executor needs estimator.mode: shots"),
            (["estimator.term_samples=10"], "estimator.executor needs estimator.term_samples: 0"),
            (["estimator.noise.readout=0.01"], "estimator.executor and estimator.noise exclude each other"),
            (["estimator.executor.max_batchs=3"], "unknown key 'estimator.executor.max_batchs'"),
            (["estimator.executor.max_batch=0"], "estimator.executor.max_batch"),
            (["estimator.executor.timeout=-1"], "estimator.executor.timeout"),
            (["estimator.executor.command="], "estimator.executor.command"),
        ]
        for (overrides, message) in cases {
            do {
                _ = try TestConfigs.config(Self.yaml(command: "python3 dev.py"), overrides: overrides)
                Issue.record("\(overrides): accepted")
            } catch {
                #expect(error is ConfigError && "\(error)".contains(message), "\(overrides): \(error)")
            }
        }
    }

    static func train(ranks: Int, _ arguments: [String], timeout: TimeInterval = 180) throws -> ProcessResult {
        let path = TestEnvironment.qnncutPath
        try #require(FileManager.default.isExecutableFile(atPath: path), "build qnncut first (swift build), or set QNNCUT_BIN")
        let result = try ChildProcess.run("mpirun", ["--oversubscribe", "-np", "\(ranks)", path, "train"] + arguments,
                                          environment: TestEnvironment.childEnvironment(), timeout: timeout)
        #expect(!result.timedOut, "np \(ranks) train \(arguments) timed out")
        return result
    }

    @Test("np 1 and 2: three steps through the executor, a checkpoint, NaN exact values, the executor closed on every rank; then a resume", arguments: [1, 2])
    func trainsThroughTheExecutor(ranks: Int) throws {
        let folder = try TestConfigs.temporaryFolder()
        let log = folder + "/executor.log"
        let config = try TestConfigs.write(Self.yaml(command: "python3 \(Self.executors)/sim_executor.py sample \(log)",
                                                     extra: "robustness:\n  fgsm_epsilons: [0.1]"))
        let run = folder + "/run"
        let first = try Self.train(ranks: ranks, [config, "--output", run, "--json", "--schedule", "dynamic"])
        try #require(first.exitCode == 0, "\(first.stderr)")
        let summary = try TrainCommandTests.summary(first)
        #expect(summary.steps == 3)
        #expect(summary.theta.allSatisfy { $0.isFinite })
        let checkpoint = try Checkpoint.read(from: run + "/checkpoint.h5")
        #expect(checkpoint.step == 3 && checkpoint.theta == summary.theta)

        let trace = try HDF5Reader(path: run + "/traces.h5")
        let steps = try trace.rows("steps", StepTraceRow.layout)
        #expect(steps.count == 3 && steps.allSatisfy { $0.gradient_shots > 0 && $0.gradient_norm > 0 && $0.shots == 3000 })
        let queries = try trace.rows("queries", QueryTraceRow.layout)
        let odd = queries.filter { !($0.exact_value.isNaN && $0.value.isFinite && $0.stderr >= 0) }
        #expect(!queries.isEmpty && odd.isEmpty, "\(odd.prefix(3))")

        // Every rank's executor ran shifted circuits and then saw the end of its input (closed,
        // not killed): "RANK CIRCUITS SHIFTED UNITS" lines, then "RANK end".
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for rank in 0..<ranks {
            #expect(lines.contains { $0[0] == "\(rank)" && $0.count == 4 && Int($0[2])! > 0 }, "rank \(rank) sent no shifted circuits")
            #expect(lines.filter { $0 == ["\(rank)", "end"] }.count == 1, "rank \(rank)'s executor was not closed once: \(lines.filter { $0.count == 2 })")
        }

        // Resume one more epoch: the run continues from step 3 with new measurements.
        let resumed = try Self.train(ranks: ranks, [config, "--output", run, "--json", "--resume", "--set", "training.epochs=2"])
        try #require(resumed.exitCode == 0, "\(resumed.stderr)")
        let after = try TrainCommandTests.summary(resumed)
        #expect(after.resumed_from_step == 3 && after.steps == 6)
        #expect(try Checkpoint.read(from: run + "/checkpoint.h5").step == 6)
    }

    @Test("an executor killed mid-training ends the job with the rank, the unit and the line", arguments: [(1, 0), (2, 1)])
    func killedExecutorEndsTheJob(ranks: Int, faulty: Int) throws {
        let folder = try TestConfigs.temporaryFolder()
        // test_executor.py kill RANK AFTER: answers 3 lines, then SIGKILLs itself on that rank.
        let config = try TestConfigs.write(Self.yaml(command: "python3 \(Self.executors)/test_executor.py kill \(faulty) 3"))
        let start = Date()
        let result = try Self.train(ranks: ranks, [config, "--output", folder + "/run"], timeout: 90)
        #expect(result.exitCode != 0)
        let line = result.stderr.split(separator: "\n").first { $0.contains("qnncut: error:") }.map(String.init) ?? ""
        #expect(line.contains("executor on rank \(faulty), unit"), "\(result.stderr)")
        #expect(line.contains(", line 4: "), "\(line)")
        #expect(line.contains("killed by signal 9"), "\(line)")
        #expect(Date().timeIntervalSince(start) < 60)
    }
}
