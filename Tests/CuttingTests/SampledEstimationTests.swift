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
