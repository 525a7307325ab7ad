/// `qnncut train` as users run it: the built binary, killed with SIGKILL mid-run and resumed,
/// ends with the uninterrupted run's θ; run folders are never silently overwritten; config
/// errors exit non-zero naming the key; two or three ranks give the single-rank θ, in shot mode too.
import Foundation
import Testing
import TestSupport
@testable import QNN

@Suite(.serialized)
struct TrainCommandTests {
    struct Summary: Decodable {
        var theta: [Double]
        var steps: Int
        var epochs: Int
        var final_test_accuracy: Double
        var final_train_accuracy: Double
        var wall_seconds: Double
        var output: String
        var resumed_from_step: Int?
    }

    static func qnncut(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        let path = TestEnvironment.qnncutPath
        try #require(FileManager.default.isExecutableFile(atPath: path), "build qnncut first (swift build), or set QNNCUT_BIN")
        let result = try ChildProcess.run(path, arguments, environment: TestEnvironment.childEnvironment(), timeout: timeout)
        #expect(!result.timedOut)
        return result
    }

    static func summary(_ result: ProcessResult) throws -> Summary {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
    }

    static func config(epochs: Int = 3) throws -> String {
        try TestConfigs.write(TestConfigs.irisYAML(extra: "checkpoint:\n  every_steps: 1")
            .replacingOccurrences(of: "epochs: 2", with: "epochs: \(epochs)"))
    }

    @Test("SIGKILL mid-run, then --resume: the final θ equals the uninterrupted run's")
    func killAndResume() throws {
        let config = try Self.config()
        let folder = try TestConfigs.temporaryFolder()
        let reference = try Self.qnncut(["train", config, "--output", folder + "/full", "--json"])
        #expect(reference.exitCode == 0, "\(reference.stderr)")
        let full = try Self.summary(reference)
        #expect(full.steps == 9)

        // Slow rank 0 down (straggler injection: 5 ms per work unit) so the kill lands mid-run.
        let killed = folder + "/killed"
        let child = try ChildProcess(TestEnvironment.qnncutPath,
                                     ["train", config, "--output", killed, "--straggler-ranks", "0", "--straggler-delay", "0.005"],
                                     environment: TestEnvironment.childEnvironment())
        let deadline = Date().addingTimeInterval(60)
        var killedAt = -1
        while Date() < deadline, child.poll() == nil {
            if let c = try? Checkpoint.read(from: killed + "/checkpoint.h5"), c.step >= 4 {
                child.kill()
                killedAt = c.step
                break
            }
            usleep(20_000)
        }
        let code = Int(child.wait(timeout: 10) ?? -1)
        #expect(code == 128 + Int(SIGKILL), "the run ended before it was killed (exit \(code)): \(child.stderr)")
        #expect(killedAt >= 4 && killedAt < 9)

        let refused = try Self.qnncut(["train", config, "--output", killed])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("--resume"), "\(refused.stderr)")

        let resumed = try Self.qnncut(["train", config, "--output", killed, "--resume", "--json"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        let after = try Self.summary(resumed)
        #expect(after.resumed_from_step != nil && after.resumed_from_step! >= killedAt)
        #expect(after.steps == 9)
        let difference = zip(after.theta, full.theta).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-12, "θ differs by \(difference)")
        #expect(FileManager.default.fileExists(atPath: killed + "/traces.segment-1.h5"))
    }

    @Test("--json has the documented keys; a second run into the same folder is refused unless --overwrite")
    func jsonAndOverwrite() throws {
        let config = try Self.config(epochs: 1)
        let folder = try TestConfigs.temporaryFolder() + "/run"
        let first = try Self.qnncut(["train", config, "--output", folder, "--json"])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        for key in ["final_train_accuracy", "final_test_accuracy", "epochs", "steps", "wall_seconds", "output"] {
            #expect(object?[key] != nil, "missing \(key)")
        }
        #expect(FileManager.default.fileExists(atPath: folder + "/traces.h5"))
        #expect(FileManager.default.fileExists(atPath: folder + "/checkpoint.h5"))
        let again = try Self.qnncut(["train", config, "--output", folder])
        #expect(again.exitCode != 0 && again.stderr.contains("already holds a run"), "\(again.stderr)")
        let replaced = try Self.qnncut(["train", config, "--output", folder, "--overwrite"])
        #expect(replaced.exitCode == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.contains("test acc"))
    }

    @Test("a config error exits 1 with one line naming the key and file")
    func configError() throws {
        let config = try Self.config()
        let result = try Self.qnncut(["train", config, "--set", "training.learning_rat=0.1", "--output", try TestConfigs.temporaryFolder() + "/x"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("unknown key 'training.learning_rat'"), "\(result.stderr)")
        let typed = try Self.qnncut(["train", config, "--set", "training.epochs=many"])
        #expect(typed.exitCode == 1 && typed.stderr.contains("training.epochs"), "\(typed.stderr)")
    }

    @Test("mpirun -np 2 and 3 train to the same θ as one rank, exact and shot mode (parameter shift)",
          arguments: [("cyclic", "exact", 2), ("dynamic", "exact", 2), ("static", "shots", 3), ("speculative", "shots", 2),
                      ("adaptive", "exact", 3), ("adaptive", "shots", 2)])
    func severalRanks(schedule: String, mode: String, ranks: Int) throws {
        let config = try Self.config(epochs: 1)
        let folder = try TestConfigs.temporaryFolder()
        let shots = mode == "shots" ? ["--set", "estimator.mode=shots", "--set", "estimator.shots=2000"] : []
        let one = try Self.qnncut(["train", config, "--output", folder + "/one", "--json"] + shots)
        let result = try ChildProcess.run("mpirun", ["--oversubscribe", "-np", "\(ranks)", TestEnvironment.qnncutPath, "train", config,
                                                     "--output", folder + "/many", "--json", "--schedule", schedule] + shots,
                                          environment: TestEnvironment.childEnvironment(), timeout: 120)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let a = try Self.summary(one), b = try Self.summary(result)
        #expect(a.theta == b.theta)
    }
}
