/// `estimate --executor --gradients`: the parameter-shift circuits go through the protocol and the
/// measured gradients agree with the exact adjoint gradients (an independent oracle: qnncut's
/// adjoint sweep against `sim_executor.py`'s own state-vector simulation of the shifted QASM),
/// at np 1 and 3; and a dynamic schedule batches its chunks into request lines like a static one.
import Foundation
import TestSupport
import Testing

@Suite(.serialized)
struct ExecutorGradientTests {
    struct Gradient: Decodable { var theta: [Double]; var x: [Double] }
    struct Output: Decodable {
        var values: [Double]
        var batch_values: [[Double]]?
        var gradients: [Gradient]?
        var batch_gradients: [[Gradient]]?
        var gradient_shots: Int?
    }

    /// Four qubits cut in two by a CNOT and an RZZ; a CRZ (four-term shift rule), an angle
    /// 0.5·θ + 0.1 (chain rule) and inputs read by gates that are shifted for ∂/∂x. The Aer
    /// gradient check (bench/executors/test_aer.py) differentiates the same file.
    static var circuitFile: String { TestEnvironment.fixturesFolder + "/executors/gradient_circuit.qasm" }
    static let theta = "0.4,-1.1,0.8,1.9,-0.5,0.9,1.3"
    static let observables = ["Y0 Y3", "Z1 Z3"]
    static var executor: String { "python3 " + TestEnvironment.fixturesFolder + "/executors/sim_executor.py" }

    /// The circuit and an inputs file of `queries` identical rows (independent shots each).
    static func files(queries: Int) throws -> (circuit: String, inputs: String) {
        let folder = NSTemporaryDirectory() + "executor-gradients-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let rows = ["x0,x1,x2,x3"] + Array(repeating: "0.3,-0.7,1.1,0.4", count: queries)
        try rows.joined(separator: "\n").write(toFile: folder + "/x.csv", atomically: true, encoding: .utf8)
        return (circuitFile, folder + "/x.csv")
    }

    static func estimate(ranks: Int, queries: Int, _ extra: [String]) throws -> Output {
        let (circuit, inputs) = try files(queries: queries)
        let arguments = ["estimate", circuit, "--theta", theta, "--inputs", inputs, "--partition", "AABB",
                         "--gradients", "--json"] + observables.flatMap { ["--observable", $0] } + extra
        let result = try ProcessRunner.mpirun(ranks: ranks, arguments, timeout: 300)
        try #require(result.exitCode == 0, "np \(ranks) \(extra): exit \(result.exitCode): \(result.stderr)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(Output.self, from: Data(line.utf8))
    }

    /// ∂/∂θ then ∂/∂x, per observable, per query: [query][component].
    static func components(_ o: Output) -> [[Double]] {
        let rows = o.batch_gradients ?? [o.gradients ?? []]
        return rows.map { $0.flatMap { $0.theta + $0.x } }
    }

    @Test("expectation-matching counts (10⁹ shots per query) give the adjoint gradients, np 1 and 3 (dynamic)")
    func exactCountsGiveAdjointGradients() throws {
        let exact = Self.components(try Self.estimate(ranks: 1, queries: 1, []))[0]
        #expect(exact.count == 2 * (7 + 4))
        #expect(exact.filter { abs($0) > 0.01 }.count >= 12, "the check needs gradients that are not zero")
        for (ranks, schedule) in [(1, "static"), (3, "dynamic")] {
            let measured = try Self.estimate(ranks: ranks, queries: 1, ["--shots", "1e9", "--executor", Self.executor + " exact",
                                                                        "--schedule", schedule])
            let g = Self.components(measured)[0]
            try #require(g.count == exact.count)
            let worst = zip(g, exact).map { abs($0 - $1) }.max() ?? .infinity
            // Counts are rounded to 1/shots per circuit (≥ 10⁶ shots each here): 1e-4 is far above
            // that and far below any missing term, sign or wrong shift.
            #expect(worst < 1e-4, "np \(ranks): measured \(g) vs adjoint \(exact)")
            #expect((measured.gradient_shots ?? 0) > 1_000_000_000, "the shifted circuits spend their own shots")
        }
    }

    @Test("drawn QPD terms (--samples) through an executor: the terms built-in shot mode draws (values within shot noise), gradients over every term (the adjoint's), np 1 and 3")
    func drawnTermsWithGradients() throws {
        let exact = Self.components(try Self.estimate(ranks: 1, queries: 1, []))[0]
        let sampled = ["--samples", "2000", "--seed", "3", "--shots", "1e9"]
        let builtIn = try Self.estimate(ranks: 1, queries: 1, sampled)
        let uncut = try Self.estimate(ranks: 1, queries: 1, []).values
        // 2000 draws at γ = 9 move the value by ~0.2 at most: far from the exact one, but the same
        // draws with the same seed in both paths.
        #expect(zip(builtIn.values, uncut).contains { abs($0 - $1) > 1e-4 }, "the draws did not change the value")
        for ranks in [1, 3] {
            let measured = try Self.estimate(ranks: ranks, queries: 1, sampled + ["--executor", Self.executor + " exact"])
            // ≥ 10⁶ shots per drawn circuit: the two values differ by shot noise only (≲ 1e-4).
            let valueGap = zip(measured.values, builtIn.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(valueGap < 1e-3, "np \(ranks): executor \(measured.values) vs built-in \(builtIn.values)")
            let g = Self.components(measured)[0]
            try #require(g.count == exact.count)
            let worst = zip(g, exact).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-4, "np \(ranks): gradients \(g) vs adjoint \(exact)")
        }
    }

    @Test("sampled counts: the mean of 16 queries' gradients is the adjoint gradient within 4.5 standard errors, and the spread is the built-in shot mode's, np 1 and 3")
    func sampledGradientsAgree() throws {
        let queries = 16, shots = "20000"
        let exact = Self.components(try Self.estimate(ranks: 1, queries: 1, []))[0]
        let builtIn = Self.components(try Self.estimate(ranks: 1, queries: queries, ["--shots", shots, "--seed", "3"]))
        for ranks in [1, 3] {
            let measured = Self.components(try Self.estimate(ranks: ranks, queries: queries,
                                                             ["--shots", shots, "--executor", Self.executor + " sample"]))
            try #require(measured.count == queries && measured.allSatisfy { $0.count == exact.count })
            var chiSquare = 0.0, compared = 0
            for k in exact.indices {
                let column = measured.map { $0[k] }, reference = builtIn.map { $0[k] }
                let (mean, sd) = Self.meanAndSD(column), (_, builtInSD) = Self.meanAndSD(reference)
                if sd == 0 && builtInSD == 0 { #expect(abs(mean - exact[k]) < 1e-12); continue }
                let z = (mean - exact[k]) / (sd / Double(queries).squareRoot())
                #expect(abs(z) < 4.5, "np \(ranks), component \(k): mean \(mean) vs \(exact[k]), z = \(z)")
                // Same allocation, same shots: the same spread (a loose band; 16 draws each).
                #expect(sd / builtInSD > 0.4 && sd / builtInSD < 2.5, "np \(ranks), component \(k): sd \(sd) vs built-in \(builtInSD)")
                chiSquare += z * z
                compared += 1
            }
            // t(15)² has mean 15/13: the sum stays near 1.15·n; 2.5·n fails a biased estimator.
            #expect(compared >= 12 && chiSquare < 2.5 * Double(compared), "np \(ranks): χ² \(chiSquare) over \(compared)")
        }
    }

    static func meanAndSD(_ xs: [Double]) -> (Double, Double) {
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        return (mean, variance.squareRoot())
    }

    @Test("a dynamic schedule sends each chunk in batched lines, with the static schedule's results bit for bit")
    func dynamicChunksAreBatched() throws {
        let folder = NSTemporaryDirectory() + "executor-log-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var outputs: [Output] = []
        for (ranks, schedule) in [(1, "static"), (3, "dynamic"), (2, "speculative")] {
            let log = folder + "/\(schedule).log"
            outputs.append(try Self.estimate(ranks: ranks, queries: 2, ["--shots", "4000", "--schedule", schedule,
                                                                        "--executor", Self.executor + " sample " + log,
                                                                        "--executor-max-batch", "40"]))
            // "RANK CIRCUITS SHIFTED UNITS" per request line.
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasSuffix(" end") }.map { $0.split(separator: " ").compactMap { Int($0) } }
            try #require(!lines.isEmpty && lines.allSatisfy { $0.count == 4 })
            #expect(lines.allSatisfy { $0[1] >= 1 && $0[1] <= 40 })
            // A unit alone is 2 samples × (1 + at most 14 shifted circuits) = 30 circuits: full
            // lines of 40 and lines spanning units come only from batching a chunk.
            #expect(lines.contains { $0[1] == 40 }, "\(schedule): no full line: \(lines)")
            #expect(lines.filter { $0[3] > 1 }.count >= lines.count / 2, "\(schedule): lines rarely span units: \(lines)")
            #expect(lines.contains { $0[2] > 0 }, "\(schedule): no shifted circuits were sent")
            if schedule != "static" {
                #expect(Set(lines.map { $0[0] }).count == ranks, "\(schedule): not every rank ran units: \(lines.map { $0[0] })")
            }
        }
        for o in outputs.dropFirst() {
            #expect(o.batch_values == outputs[0].batch_values)
            #expect(Self.components(o) == Self.components(outputs[0]))
        }
    }
}
