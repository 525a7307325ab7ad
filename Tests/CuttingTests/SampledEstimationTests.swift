/// Sampled mode: unbiased over seeds, honest standard errors, reproducible for a seed, and the
/// same whether fragment values come from a full table or only the units the draw needs.
import Testing
import Foundation
import Circuits
import Simulator
@testable import Cutting

@Suite struct SampledEstimationTests {
    /// Two fragments joined by an RZZ(θ) cut (non-uniform term probabilities), a CX cut and a
    /// wire cut (8-term form).
    static func plan() throws -> (CutPlan, theta: [Double], input: [Double]) {
        var c = Circuit(qubitCount: 4)
        for q in 0..<4 { c.append(Gate(.ry, [q], [.input(q)])) }
        c.append(Gate(.cx, [0, 1]))
        c.append(Gate(.cx, [2, 3]))
        c.append(Gate(.rzz, [1, 2], [.theta(0)]))        // gate 6: cut
        c.append(Gate(.rx, [1], [.theta(1)]))
        c.append(Gate(.cx, [1, 2]))                       // gate 8: cut
        c.append(Gate(.ry, [2], [.theta(2)]))
        c.append(Gate(.cx, [2, 3]))
        c.append(Gate(.h, [3]))
        let observable = Observable(qubitCount: 4, terms: [
            PauliString(qubits: [0, 1, 2, 3], paulis: [.z, .z, .z, .x]),
            PauliString(coefficient: 0.5, qubits: [1, 3], paulis: [.x, .z]),
        ])
        // Wire cut on qubit 3 before gate 10 (the cx 2→3 stays inside one fragment after it).
        let plan = try CutPlan(circuit: c, observable: observable,
                               cuts: .explicit(gateCuts: [6, 8], wireCuts: [WireCut(qubit: 3, beforeGate: 10)]),
                               options: CutPlanOptions(wireCutForm: .eightTerms))
        return (plan, [0.6, -0.4, 1.1], [0.3, -1.2, 0.8, 2.0])
    }

    @Test func unbiasedOverSeedsWithHonestStandardErrors() throws {
        let (plan, theta, input) = try Self.plan()
        #expect(plan.cuts.count == 3)
        var table = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &table)
        let exact = try plan.reconstruct(table, theta: theta, inputs: [input]).values[0]
        let uncut = Simulator.evaluate(plan.circuit, observable: plan.observable, theta: theta, inputs: [input], gradients: false)
        #expect(abs(exact - uncut.values[0]) < 1e-10)

        var values: [Double] = [], errors: [Double] = []
        var sawExact = false, sawSampled = false
        for seed in 0..<200 {
            let options = SamplingOptions(termSamples: 40, exactThreshold: 0.004, shots: 4000, seed: UInt64(seed))
            let s = try plan.sampledEstimate(table, sample: 0, theta: theta, input: input, options: options)
            values.append(s.value)
            errors.append(s.standardError)
            sawExact = sawExact || s.exactTermCount > 0
            sawSampled = sawSampled || s.sampledTermCount > 0
        }
        #expect(sawExact && sawSampled)
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        let standardErrorOfMean = sd / Double(values.count).squareRoot()
        #expect(sd > 0)
        #expect(abs(mean - exact) < 4 * standardErrorOfMean, "mean \(mean), exact \(exact), sem \(standardErrorOfMean)")
        // The per-run error estimate is of the right size.
        let rms = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        #expect(rms > 0.5 * sd && rms < 2 * sd, "reported \(rms), observed \(sd)")
    }

    @Test func reproducibleAndLazy() throws {
        let (plan, theta, input) = try Self.plan()
        let options = SamplingOptions(termSamples: 25, exactThreshold: 0.004, shots: 1000, seed: 42)
        let a = try plan.sampledEstimate(theta: theta, input: input, options: options)
        let b = try plan.sampledEstimate(theta: theta, input: input, options: options)
        #expect(a.value == b.value && a.standardError == b.standardError)
        #expect(a.workUnitsUsed < plan.workUnits.count)
        var table = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &table)
        let full = try plan.sampledEstimate(table, sample: 0, theta: theta, input: input, options: options)
        #expect(full.value == a.value)
        var other = options
        other.seed = 43
        #expect(try plan.sampledEstimate(table, sample: 0, theta: theta, input: input, options: other).value != a.value)
    }

    @Test func binomialDrawsHaveTheRightMoments() {
        var rng = Xoshiro256(seed: 7)
        for (n, p) in [(10, 0.3), (1000, 0.5), (5000, 0.97), (50, 0.0), (50, 1.0), (200_000, 0.1), (3_000_000, 0.999)] {
            let draws = (0..<2000).map { _ in Double(rng.binomial(trials: n, probability: p)) }
            let mean = draws.reduce(0, +) / 2000
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1999
            let expectedVariance = Double(n) * p * (1 - p)
            #expect(abs(mean - Double(n) * p) <= 5 * (expectedVariance / 2000).squareRoot() + 1e-12, "n \(n) p \(p) mean \(mean)")
            #expect(expectedVariance == 0 ? variance == 0 : abs(variance / expectedVariance - 1) < 0.15, "n \(n) p \(p) var \(variance)")
        }
    }

    /// Both draw paths — waiting times (n·r < 16) and inversion from the mode — against the exact
    /// distribution: a χ² goodness-of-fit test on 40 000 seeded draws each.
    @Test(arguments: [(30, 0.4), (40, 0.45), (200, 0.9), (2000, 0.5)])
    func binomialDrawsFollowTheDistribution(n: Int, p: Double) {
        var rng = Xoshiro256(seed: 11)
        let draws = 40_000
        var counts = [Int](repeating: 0, count: n + 1)
        for _ in 0..<draws { counts[rng.binomial(trials: n, probability: p)] += 1 }
        // Exact P(k) by the recurrence from P(0) = (1−p)^n, in log space.
        var logP = [Double](repeating: 0, count: n + 1)
        logP[0] = Double(n) * log1p(-p)
        for k in 1...n { logP[k] = logP[k - 1] + log(Double(n - k + 1) / Double(k)) + log(p / (1 - p)) }
        // Bins with expected count ≥ 5; the rest pooled into one.
        var chiSquare = 0.0, bins = 0, pooledExpected = 0.0, pooledObserved = 0
        for k in 0...n {
            let expected = Double(draws) * exp(logP[k])
            if expected >= 5 {
                chiSquare += (Double(counts[k]) - expected) * (Double(counts[k]) - expected) / expected
                bins += 1
            } else {
                pooledExpected += expected
                pooledObserved += counts[k]
            }
        }
        if pooledExpected >= 5 {
            chiSquare += (Double(pooledObserved) - pooledExpected) * (Double(pooledObserved) - pooledExpected) / pooledExpected
            bins += 1
        }
        let freedom = Double(bins - 1)
        #expect(chiSquare < freedom + 5 * (2 * freedom).squareRoot(), "n \(n) p \(p): χ² \(chiSquare) with \(freedom) degrees of freedom")
    }

    /// The probability at the mode (Loader's form) is accurate: P(k) over all k sums to 1.
    @Test func binomialProbabilitiesSumToOne() {
        for (n, p) in [(100, 0.3), (10_000, 0.5), (1_000_000, 0.02), (50_000_000, 0.4)] {
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            let mode = Int(Double(n + 1) * p)
            let range = max(1, mode - Int(40 * sigma)) ... min(n - 1, mode + Int(40 * sigma))
            let sum = range.reduce(0.0) { $0 + BinomialTerms.probability(of: $1, trials: n, probability: p) }
                + (range.lowerBound == 1 ? pow(1 - p, Double(n)) : 0) + (range.upperBound == n - 1 ? pow(p, Double(n)) : 0)
            #expect(abs(sum - 1) < 1e-12, "n \(n) p \(p): Σ P(k) = \(sum)")
        }
    }

    @Test func planSurvivesBlueprintRoundTrip() throws {
        let (plan, theta, input) = try Self.plan()
        let decoded = try CutPlan(blueprint: PlanBlueprint(decoding: plan.blueprint.encoded()))
        #expect(Array(decoded.workUnits) == Array(plan.workUnits))
        #expect(decoded.digest == plan.digest)
        let a = try plan.estimate(theta: theta, inputs: [input], gradients: true)
        let b = try decoded.estimate(theta: theta, inputs: [input], gradients: true)
        #expect(a.values == b.values && a.thetaGradients == b.thetaGradients && a.inputGradients == b.inputGradients)
    }
}

/// The two extremes of `exactThreshold` the trainer's shot mode uses: 0 enumerates every term
/// (so `termSamples` 0 is allowed), 1 draws every term.
@Suite struct SamplingExtremesTests {
    @Test func thresholdZeroEnumeratesAndOneDraws() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        var table = FragmentValueTable(plan: plan, sampleCount: 1, gradients: false)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &table)
        let nonzeroTerms = (0..<plan.termCount).filter {
            plan.coefficient(ofTerm: plan.qpdTerm($0), theta: theta, input: input) != 0
        }.count
        let all = try plan.sampledEstimate(table, sample: 0, theta: theta, input: input,
                                           options: SamplingOptions(termSamples: 0, exactThreshold: 0, shots: 2000, seed: 5))
        #expect(all.exactTermCount == nonzeroTerms && all.sampledTermCount == 0)
        #expect(all.shotsUsed >= 2000)
        let drawn = try plan.sampledEstimate(table, sample: 0, theta: theta, input: input,
                                             options: SamplingOptions(termSamples: 30, exactThreshold: 1, shots: 2000, seed: 5))
        #expect(drawn.exactTermCount == 0 && drawn.sampledTermCount > 0 && drawn.sampledTermCount <= 30)
        // Below the threshold with no term budget is still refused.
        #expect(throws: CuttingError.self) {
            try plan.sampledEstimate(table, sample: 0, theta: theta, input: input,
                                     options: SamplingOptions(termSamples: 0, exactThreshold: 1, shots: 2000, seed: 5))
        }
    }
}
