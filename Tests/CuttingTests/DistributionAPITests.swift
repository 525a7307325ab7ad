/// The API an MPI layer builds on: work units cover every sub-experiment once; tables filled by
/// different "ranks" sum to the full table; sample-split partial results pack into blocks that
/// sum to the whole batch; the summary names cuts, γ and widths.
import Testing
import Circuits
import Simulator
@testable import Cutting

@Suite struct DistributionAPITests {
    @Test func workUnitsAreExactlyTheSubExperiments() throws {
        let (plan, _, _) = try SampledEstimationTests.plan()
        #expect(Set(plan.workUnits).count == plan.workUnits.count)
        for (i, u) in plan.workUnits.enumerated() {
            #expect(plan.workUnitIndex(fragment: u.fragment, setting: u.setting, observable: u.observable) == i)
        }
        let expected = plan.fragments.reduce(0) { $0 + $1.settingCount * $1.observables.count }
        #expect(plan.workUnits.count == expected)
        // Every QPD term uses one setting per fragment, within range.
        for t in 0..<plan.termCount {
            let settings = plan.settings(ofTerm: plan.qpdTerm(t))
            for (f, s) in settings.enumerated() { #expect(s >= 0 && s < plan.fragments[f].settingCount) }
        }
    }

    @Test func cyclicRanksSumToTheFullTable() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let inputs = [input, input.map { $0 * 0.5 }, input.map { -$0 }]
        let ranks = 3
        var summed = FragmentValueTable(plan: plan, sampleCount: inputs.count, gradients: true)
        for rank in 0..<ranks {
            var mine = FragmentValueTable(plan: plan, sampleCount: inputs.count, gradients: true)
            plan.evaluate(units: stride(from: rank, to: plan.workUnits.count, by: ranks), theta: theta, inputs: inputs, into: &mine)
            summed.add(mine)
        }
        let distributed = try plan.reconstruct(summed, theta: theta, inputs: inputs)
        let local = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
        #expect(distributed.values == local.values)
        #expect(distributed.thetaGradients == local.thetaGradients)
    }

    @Test func sampleSplitBlocksSumToTheBatch() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let inputs = (0..<5).map { b in input.map { $0 + Double(b) * 0.1 } }
        let p = plan.circuit.parameterCount, x = plan.circuit.inputCount
        let whole = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
            .packed(into: 5, at: 0..<5, parameterCount: p, inputCount: x)
        var summed = Array(repeating: 0.0, count: whole.count)
        for range in [0..<2, 2..<5] {
            let part = try plan.estimate(theta: theta, inputs: Array(inputs[range]), gradients: true)
                .packed(into: 5, at: range, parameterCount: p, inputCount: x)
            for i in summed.indices { summed[i] += part[i] }
        }
        for i in whole.indices { #expect(abs(summed[i] - whole[i]) < 1e-14) }
        #expect(whole[1] != 0)  // gradients are really there
        // Unpacking gives back the estimate.
        let estimate = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
        let unpacked = CutEstimate(packed: whole, sampleCount: 5, parameterCount: p, inputCount: x, gradients: true)
        #expect(unpacked.values == estimate.values && unpacked.thetaGradients == estimate.thetaGradients
                && unpacked.inputGradients == estimate.inputGradients)
    }

    @Test func summaryNamesCutsGammaAndWidths() throws {
        let (plan, _, _) = try SampledEstimationTests.plan()
        let text = plan.description
        #expect(text.hasPrefix("3 cut(s) [2 gate, 1 wire]: gate 6 (rzz 1,2); gate 8 (cx 1,2); wire q3 before gate 10; γ = 36.0"), "\(text)")
        #expect(text.contains("fragments of width \(plan.fragments.map(\.width))"))
    }
}
