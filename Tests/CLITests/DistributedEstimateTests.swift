/// `qnncut estimate` under mpirun: values and gradients must not depend on the rank count or the
/// scheduling policy (1e-12), must equal the uncut simulation, and stragglers change only time.
/// A rank that dies mid-run ends the job quickly with a clear message and a readable trace.
import Foundation
import HDF5
import TestSupport
import Testing
import TraceSchema

@Suite(.serialized)
struct DistributedEstimateTests {
    struct Output: Decodable {
        struct Gradient: Decodable { var theta: [Double]; var x: [Double] }
        var values: [Double]
        var batch_values: [[Double]]?
        var gradients: [Gradient]?
        var terms: Int
        var subexperiments: Int
        var fragment_qubits: [Int]
        var ranks: Int
        var gradient_shots: Int?
    }

    /// A 6-qubit parameterised circuit (theta[i], x[j]) cut in two fragments by two CNOTs and an RZZ.
    static let circuitText = """
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[6];
        ry(x[0]) q[0]; ry(x[1]) q[1]; ry(x[2]) q[2]; ry(x[3]) q[3]; ry(x[4]) q[4]; ry(x[5]) q[5];
        rz(theta[0]) q[0]; ry(theta[1]) q[1]; rx(theta[2]) q[2]; ry(theta[3]) q[3]; rz(theta[4]) q[4]; ry(theta[5]) q[5];
        cx q[0],q[1]; cx q[1],q[2]; cx q[2],q[3]; cx q[3],q[4]; cx q[4],q[5];
        ry(0.5*theta[6] + 0.1) q[2]; rzz(theta[7]) q[2],q[3]; ry(theta[8]) q[3];
        cx q[2],q[3]; h q[5]; crz(theta[9]) q[4],q[5];
        """
    static let theta = "0.3,-1.2,0.7,2.1,-0.4,1.5,0.9,-0.6,0.25,1.1"

    static func writeInputs() throws -> (circuit: String, inputs: String) {
        let folder = NSTemporaryDirectory() + "estimate-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try circuitText.write(toFile: folder + "/c.qasm", atomically: true, encoding: .utf8)
        let rows = ["x0,x1,x2,x3,x4,x5", "0.1,0.2,0.3,0.4,0.5,0.6", "-1,0.5,2,0.25,-0.75,1.5", "3,2,1,0,-1,-2"]
        try rows.joined(separator: "\n").write(toFile: folder + "/x.csv", atomically: true, encoding: .utf8)
        return (folder + "/c.qasm", folder + "/x.csv")
    }

    static func estimate(ranks: Int, _ extra: [String]) throws -> Output {
        let (circuit, inputs) = try writeInputs()
        let arguments = ["estimate", circuit, "--observable", "Z3", "--observable", "0.5*X2 Z5 + 0.25*Y0 Y1",
                         "--theta", theta, "--inputs", inputs, "--json"] + extra
        let result = try ProcessRunner.mpirun(ranks: ranks, arguments)
        try #require(result.exitCode == 0, "exit \(result.exitCode): \(result.stderr)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Output.self, from: Data(line.utf8))
    }

    static func close(_ a: [[Double]], _ b: [[Double]], _ tolerance: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= tolerance } }
    }

    @Test("values and gradients agree across np = 1, 2, 3, every policy, and the uncut simulation")
    func rankAndPolicyIndependence() throws {
        let uncut = try Self.estimate(ranks: 1, ["--uncut", "--gradients"])
        let reference = try Self.estimate(ranks: 1, ["--max-fragment-qubits", "3", "--gradients"])
        #expect(reference.fragment_qubits.count >= 2, "the circuit must really be cut: \(reference.fragment_qubits)")
        #expect(Self.close(reference.batch_values ?? [], uncut.batch_values ?? [], 1e-10))
        let refGrad = (reference.gradients ?? []).map { $0.theta + $0.x }
        #expect(Self.close(refGrad, (uncut.gradients ?? []).map { $0.theta + $0.x }, 1e-10))
        for ranks in [2, 3] {
            for policy in ["static", "cyclic", "dynamic", "speculative", "adaptive"] {
                let out = try Self.estimate(ranks: ranks, ["--max-fragment-qubits", "3", "--gradients",
                                                           "--schedule", policy, "--chunk-size", "2"])
                #expect(out.ranks == ranks)
                #expect(Self.close(out.batch_values ?? [], reference.batch_values ?? [], 1e-12), "np=\(ranks) \(policy)")
                #expect(Self.close((out.gradients ?? []).map { $0.theta + $0.x }, refGrad, 1e-12), "np=\(ranks) \(policy)")
            }
        }
    }

    @Test("sampled --gradients: parameter shift with shots, near the exact gradient, the same on 1 and 3 ranks")
    func sampledGradients() throws {
        let exact = try Self.estimate(ranks: 1, ["--partition", "AAABBB", "--gradients"])
        let sampled = ["--partition", "AAABBB", "--gradients", "--samples", "1", "--shots", "400000", "--seed", "5"]
        let one = try Self.estimate(ranks: 1, sampled)
        let three = try Self.estimate(ranks: 3, sampled + ["--schedule", "dynamic"])
        let exactGradients = (exact.gradients ?? []).map { $0.theta + $0.x }
        let oneGradients = (one.gradients ?? []).map { $0.theta + $0.x }
        #expect(oneGradients == (three.gradients ?? []).map { $0.theta + $0.x })
        // Shot noise of a few hundred thousand shots through two cuts (γ² = 81 at most per term).
        #expect(Self.close(oneGradients, exactGradients, 0.05), "\(oneGradients) vs \(exactGradients)")
        #expect(!Self.close(oneGradients, exactGradients, 1e-9), "sampled gradients equal the exact ones: no shot noise?")
        #expect((one.gradient_shots ?? 0) > 400_000)
    }

    @Test("the dynamic protocol under random stragglers (prefetch, steals, backups, cancels): every unit counted once, np 3 and 4")
    func dynamicProtocolUnderRandomStragglers() throws {
        // Six observables: six rounds per run, so the adaptive policy learns (and is misled by)
        // speeds; single-unit chunks and random slow units on two ranks make rank 0 steal
        // prefetched and queued chunks and back up late ones, round after round.
        let observables = ["Z3", "X0 Z5", "0.5*Y1 Y2", "Z0 Z1 Z2", "X4", "Y3 Z4"].flatMap { ["--observable", $0] }
        func run(_ ranks: Int, _ extra: [String]) throws -> [[Double]] {
            let (circuit, inputs) = try Self.writeInputs()
            let result = try ProcessRunner.mpirun(ranks: ranks, ["estimate", circuit, "--theta", Self.theta, "--inputs", inputs,
                                                                 "--max-fragment-qubits", "3", "--gradients", "--json"] + observables + extra)
            try #require(result.exitCode == 0, "exit \(result.exitCode): \(result.stderr)")
            let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            let out = try JSONDecoder().decode(Output.self, from: Data(line.utf8))
            return (out.batch_values ?? []) + (out.gradients ?? []).map { $0.theta + $0.x }
        }
        let reference = try run(1, [])
        for ranks in [3, 4] {
            for policy in ["dynamic", "speculative", "adaptive"] {
                for chunk in ["1", "0"] {
                    let out = try run(ranks, ["--schedule", policy, "--chunk-size", chunk, "--straggler-ranks", "1,2",
                                              "--straggler-delay", "0.0004", "--straggler-probability", "0.3",
                                              "--straggler-seed", String(ranks * 10 + chunk.count)])
                    #expect(Self.close(out, reference, 1e-12), "np=\(ranks) \(policy) chunk \(chunk)")
                }
            }
        }
    }

    @Test("a straggler under the speculative policy changes timing, not values")
    func stragglersDoNotChangeValues() throws {
        let plain = try Self.estimate(ranks: 2, ["--partition", "AAABBB"])
        let slowed = try Self.estimate(ranks: 2, ["--partition", "AAABBB", "--schedule", "speculative", "--chunk-size", "1",
                                                  "--straggler-ranks", "1", "--straggler-delay", "0.01"])
        #expect(Self.close(slowed.batch_values ?? [], plain.batch_values ?? [], 1e-12))
    }

    @Test("the trace holds one row per query, per round and per rank, with the plan's facts")
    func traceContents() throws {
        let folder = NSTemporaryDirectory() + "trace-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.h5"
        _ = try Self.estimate(ranks: 2, ["--partition", "AAABBB", "--trace", path])
        let file = try File.open(path)
        #expect(try file.attribute("schema", as: String.self) == "qnncut-traces")
        #expect(try file.attribute("schema_version", as: Int.self) == TraceSchema.version)
        #expect(try file.attribute("world_size", as: Int.self) == 2)
        let queries = try file.openDataset("queries").shape()
        #expect(queries == [6])  // 3 queries × 2 observables
        #expect(try file.openDataset("ranks").shape() == [4])  // 2 rounds × 2 ranks
        #expect(try file.openGroup("plans/0").attribute("cuts", as: Int.self) >= 2)
        // Refuses to overwrite without --overwrite.
        let (circuit, _) = try Self.writeInputs()
        let again = try ProcessRunner.qnncut(["estimate", circuit, "--observable", "Z0", "--theta", Self.theta,
                                              "--partition", "AAABBB", "--trace", path])
        #expect(again.exitCode != 0)
        #expect(again.stderr.contains(path))
    }

    struct BatchTimes: BitwiseCopyable { var execute_s: Double; var wait_s: Double; var reconstruct_s: Double; var total_s: Double
        var generate_s: Double }
    struct RankDelay: BitwiseCopyable { var round: Int64; var rank: Int32; var delay_s: Double; var wait_s: Double }

    @Test("an injected straggler's cost is booked as wait, never as reconstruct")
    func stragglerWaitIsNotReconstruction() throws {
        let folder = NSTemporaryDirectory() + "wait-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.h5"
        // Static, so that the straggler's cost is waiting (the adaptive default absorbs it).
        _ = try Self.estimate(ranks: 2, ["--partition", "AAABBB", "--trace", path, "--schedule", "static",
                                         "--straggler-ranks", "1", "--straggler-delay", "0.004"])
        let file = try File.open(path)
        let batches = try file.openTable("batches", layout: CompoundLayout<BatchTimes>([
            .field("execute_s", \.execute_s), .field("wait_s", \.wait_s), .field("reconstruct_s", \.reconstruct_s),
            .field("total_s", \.total_s), .field("generate_s", \.generate_s)])).readAll()
        let ranks = try file.openTable("ranks", layout: CompoundLayout<RankDelay>([
            .field("round", \.round), .field("rank", \.rank), .field("delay_s", \.delay_s), .field("wait_s", \.wait_s)])).readAll()
        try #require(batches.count == 2 && ranks.count == 4)
        for (round, batch) in batches.enumerated() {
            // Each observable has its own estimator (rounds restart at 1): rows come two per batch.
            let delay = ranks[2 * round ..< 2 * round + 2].filter { $0.rank == 1 }.map(\.delay_s).reduce(0, +)
            #expect(delay > 0.02, "round \(round + 1): rank 1 was delayed \(delay) s")
            // Rank 0 has no delay, so it waits for most of rank 1's: in `wait`, not in reconstruct.
            #expect(batch.wait_s > 0.5 * delay, "round \(round + 1): wait \(batch.wait_s) s for a delay of \(delay) s")
            #expect(batch.reconstruct_s < 0.25 * batch.wait_s, "round \(round + 1): reconstruct \(batch.reconstruct_s) s")
            let sum = batch.generate_s + batch.execute_s + batch.wait_s + batch.reconstruct_s
            #expect(abs(sum - batch.total_s) < 1e-9)
        }
    }

    @Test("a rank that dies mid-run ends the job within seconds, named, with a readable trace")
    func failedRank() throws {
        let folder = NSTemporaryDirectory() + "fail-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.h5"
        let (circuit, inputs) = try Self.writeInputs()
        let start = Date()
        let result = try ProcessRunner.mpirun(ranks: 3, [
            "estimate", circuit, "--observable", "Z3", "--observable", "Z4", "--theta", Self.theta, "--inputs", inputs,
            "--partition", "AAABBB", "--trace", path, "--inject-failure-rank", "2"], timeout: 60)
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("rank 2: injected failure"))
        #expect(Date().timeIntervalSince(start) < 30)
        let file = try File.open(path)
        #expect(try file.openDataset("queries").shape() == [3])  // the first observable's round
    }

    @Test("bad input: one line naming the problem, non-zero exit, under mpirun too")
    func badInput() throws {
        let (circuit, _) = try Self.writeInputs()
        let missing = try ProcessRunner.mpirun(ranks: 2, ["estimate", "/nonexistent.qasm", "--observable", "Z0", "--uncut"])
        #expect(missing.exitCode != 0)
        #expect(missing.stderr.contains("/nonexistent.qasm"))
        let badObservable = try ProcessRunner.qnncut(["estimate", circuit, "--observable", "Z9", "--uncut"])
        #expect(badObservable.exitCode != 0)
        #expect(badObservable.stderr.contains("Z9"))
        let toffoli = NSTemporaryDirectory() + "ccx-\(UUID().uuidString.prefix(8)).qasm"
        try "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\nh q[0];\nccx q[0],q[1],q[2];\n"
            .write(toFile: toffoli, atomically: true, encoding: .utf8)
        let tooNarrow = try ProcessRunner.qnncut(["estimate", toffoli, "--observable", "Z2", "--max-fragment-qubits", "2"])
        #expect(tooNarrow.exitCode != 0)
        #expect(tooNarrow.stderr.split(separator: "\n").count == 1, "one line: \(tooNarrow.stderr)")
    }
}
