/// `qnncut estimate --executor`: results do not depend on the rank count or the schedule, and a
/// dead or misbehaving executor (garbage, exit, SIGKILL, wrong bitstring width, counts that do
/// not add up, an error answer, a hang past the timeout) ends the job — every rank — with a
/// non-zero exit and a message naming the rank, the unit and the line; never a hang.
/// The executor here is `Tests/Fixtures/executors/test_executor.py` (standard library only);
/// the statistical agreement with Qiskit Aer is `bench/executors/test.sh`.
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct ExecutorTests {
    struct Output: Decodable {
        var values: [Double]
        var stderrs: [Double]
        var batch_values: [[Double]]?
    }

    static var executorScript: String { TestEnvironment.fixturesFolder + "/executors/test_executor.py" }

    static func arguments(_ mode: String, rank: Int = -1, extra: [String] = []) throws -> [String] {
        let (circuit, inputs) = try DistributedEstimateTests.writeInputs()
        return ["estimate", circuit, "--observable", "Z3", "--observable", "0.5*X2 Z5 + 0.25*Y0 Y1",
                "--theta", DistributedEstimateTests.theta, "--inputs", inputs, "--partition", "AAABBB",
                "--shots", "20000", "--executor", "python3 \(executorScript) \(mode) \(rank)",
                "--executor-max-batch", "2", "--json"] + extra
    }

    @Test("the same values and standard errors at np 1, 2, 3 under static and dynamic schedules")
    func rankAndScheduleIndependence() throws {
        var outputs: [Output] = []
        for (ranks, schedule) in [(1, "static"), (2, "dynamic"), (3, "static"), (3, "dynamic")] {
            let result = try ProcessRunner.mpirun(ranks: ranks, try Self.arguments("ok", extra: ["--schedule", schedule]))
            try #require(result.exitCode == 0, "np \(ranks) \(schedule): exit \(result.exitCode): \(result.stderr)")
            let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            outputs.append(try JSONDecoder().decode(Output.self, from: Data(line.utf8)))
        }
        #expect(outputs[0].values.count == 2)  // one per observable (first query); batch_values: every query
        #expect(outputs[0].stderrs.allSatisfy { $0 > 0 && $0.isFinite })
        for o in outputs.dropFirst() {
            #expect(o.values == outputs[0].values)
            #expect(o.stderrs == outputs[0].stderrs)
            #expect(o.batch_values == outputs[0].batch_values)
        }
    }

    /// (mode, what stderr must say about it)
    static let faults: [(String, String)] = [
        ("garbage", "not a JSON object"),
        ("exit", "exited with status 3"),
        ("kill", "killed by signal 9"),
        ("width", "characters 0/1 (the circuit measures"),
        ("short", "add up to"),
        ("error", "device offline"),
        ("hang", "no answer within 2 s"),
    ]

    @Test("every fault ends the job with the rank, the unit and the line", arguments: 0..<7)
    func faultsEndTheJob(index: Int) throws {
        let (mode, reason) = Self.faults[index]
        // Alone (rank 0), and on rank 2 of three (rank 0 keeps working or waits in a collective).
        for (ranks, faulty) in [(1, 0), (3, 2)] {
            let start = Date()
            let result = try ProcessRunner.mpirun(ranks: ranks, try Self.arguments(mode, rank: faulty, extra: ["--executor-timeout", "2"]),
                                                  timeout: 90)
            let elapsed = Date().timeIntervalSince(start)
            #expect(!result.timedOut)
            #expect(result.exitCode != 0, "\(mode) np \(ranks): exit 0")
            let line = result.stderr.split(separator: "\n").first { $0.contains("qnncut: error:") }.map(String.init) ?? ""
            #expect(line.contains("executor on rank \(faulty), unit"), "\(mode) np \(ranks): \(result.stderr)")
            #expect(line.contains(", line "), "\(mode) np \(ranks): \(line)")
            #expect(line.contains(reason), "\(mode) np \(ranks): \(line)")
            #expect(elapsed < 60, "\(mode) np \(ranks) took \(elapsed) s")
        }
    }

    @Test("bad executor options and noise files are refused in one line")
    func badOptions() throws {
        let folder = NSTemporaryDirectory() + "executor-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (circuit, _) = try DistributedEstimateTests.writeInputs()
        let base = ["estimate", circuit, "--observable", "Z3", "--partition", "AAABBB"]
        let noisy = folder + "/noise.json"
        try #"{"depolarizing_1q": 0.01, "readout": 0.7}"#.write(toFile: noisy, atomically: true, encoding: .utf8)
        let unknown = folder + "/unknown.json"
        try #"{"depolarising_1q": 0.01}"#.write(toFile: unknown, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--executor", "cat"], "--executor needs --shots"),
            (["--executor", "cat", "--shots", "100", "--executor-max-batch", "0"], "--executor-max-batch must be ≥ 1"),
            (["--executor", "cat", "--shots", "100", "--noise", noisy], "exclude each other"),
            (["--noise", noisy], "'readout' must be in [0, 0.5]"),
            (["--noise", unknown], "unknown key 'depolarising_1q'"),
            (["--noise", folder], "noise file"),
        ]
        for (extra, message) in cases {
            let result = try ProcessRunner.qnncut(base + extra, timeout: 60)
            #expect(result.exitCode == 1, "\(extra): exit \(result.exitCode)")
            #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
        }
    }
}
