/// Exact mode: the gradient through the cuts equals the uncut gradient (and finite differences),
/// and in shot mode every query spends the same shot budget whether cut or not.
import Circuits
import Cutting
import Estimator
import Simulator
import Testing
@testable import QNN
import Support

struct GradientThroughCutsTests {
    func plans(layers: Int, cuts: Int) throws -> (cut: CutPlan, uncut: CutPlan, circuit: Circuit, observable: Observable) {
        var config = try TestConfigs.config(TestConfigs.irisYAML(cuts: cuts, layers: layers))
        let model = try QNNModel(config: config)
        config.estimator.uncut = true
        let uncutModel = try QNNModel(config: config)
        let cut = try CutPlan(circuit: model.circuit, observable: model.observable, cuts: model.cutSpecification)
        let uncut = try CutPlan(circuit: uncutModel.circuit, observable: uncutModel.observable, cuts: uncutModel.cutSpecification)
        return (cut, uncut, model.circuit, model.observable)
    }

    @Test("∂E/∂θ and ∂E/∂x through k cuts equal the uncut adjoint gradients to 1e-10", arguments: [1, 2])
    func cutEqualsUncut(cuts: Int) throws {
        let p = try plans(layers: 2, cuts: cuts)
        #expect(p.cut.cuts.count == cuts)
        #expect(p.uncut.cuts.isEmpty)
        var rng = Xoshiro256(seed: 9)
        let theta = (0..<p.circuit.parameterCount).map { _ in 2 * .pi * rng.uniform() - .pi }
        let inputs = (0..<3).map { _ in (0..<4).map { _ in .pi * rng.uniform() } }
        let a = try p.cut.estimate(theta: theta, inputs: inputs, gradients: true)
        let b = try p.uncut.estimate(theta: theta, inputs: inputs, gradients: true)
        for s in 0..<3 {
            #expect(abs(a.values[s] - b.values[s]) < 1e-12)
            for i in theta.indices { #expect(abs(a.thetaGradients[s][i] - b.thetaGradients[s][i]) < 1e-10) }
            for j in 0..<4 { #expect(abs(a.inputGradients[s][j] - b.inputGradients[s][j]) < 1e-10) }
        }
        // And both are the derivative: central differences of the uncut simulator.
        let h = 1e-6
        for i in [0, theta.count / 2, theta.count - 1] {
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            let ep = Simulator.evaluate(p.circuit, observable: p.observable, theta: plus, inputs: [inputs[0]], gradients: false).values[0]
            let em = Simulator.evaluate(p.circuit, observable: p.observable, theta: minus, inputs: [inputs[0]], gradients: false).values[0]
            #expect(abs((ep - em) / (2 * h) - a.thetaGradients[0][i]) < 1e-8)
        }
        // The gradient is not trivially zero.
        #expect(a.thetaGradients[0].contains { abs($0) > 1e-3 })
    }

    @Test("shot mode: a cut query and an uncut query spend the same shot budget; estimates are unbiased")
    func matchedBudget() throws {
        let p = try plans(layers: 2, cuts: 2)
        let theta = (0..<p.circuit.parameterCount).map { Double($0) * 0.1 }
        let x = [0.3, 1.1, 2.0, 0.7]
        let shots = 4000
        let sampler = ShotMode(shots: shots, termSamples: 200)
        var cutTable = FragmentValueTable(plan: p.cut, sampleCount: 1, gradients: false)
        p.cut.evaluate(units: p.cut.workUnits.indices, theta: theta, inputs: [x], into: &cutTable)
        var uncutTable = FragmentValueTable(plan: p.uncut, sampleCount: 1, gradients: false)
        p.uncut.evaluate(units: p.uncut.workUnits.indices, theta: theta, inputs: [x], into: &uncutTable)
        let exact = try p.cut.estimate(theta: theta, inputs: [x], gradients: false).values[0]
        var cutMean = 0.0, uncutMean = 0.0
        let repeats = 40
        for r in 0..<repeats {
            let cut = try p.cut.sampledEstimate(cutTable, sample: 0, theta: theta, input: x, options: sampler.options(seed: UInt64(r)))
            let uncut = try p.uncut.sampledEstimate(uncutTable, sample: 0, theta: theta, input: x, options: sampler.options(seed: UInt64(r)))
            #expect(uncut.shotsUsed == shots)
            // Shots are split ∝ |weight| and rounded per sub-experiment (at least one each).
            #expect(abs(cut.shotsUsed - shots) <= p.cut.workUnits.count)
            #expect(cut.standardError > uncut.standardError, "cutting costs variance (γ² overhead) at a matched budget")
            cutMean += cut.value / Double(repeats)
            uncutMean += uncut.value / Double(repeats)
        }
        #expect(abs(uncutMean - exact) < 0.01)
        #expect(abs(cutMean - exact) < 0.1)
        // Exact QPD weights (term_samples 0): only shot noise, so a smaller error than term sampling.
        let enumerated = ShotMode(shots: shots, termSamples: 0)
        var enumeratedMean = 0.0, enumeratedError = 0.0, sampledError = 0.0
        for r in 0..<repeats {
            let e = try p.cut.sampledEstimate(cutTable, sample: 0, theta: theta, input: x, options: enumerated.options(seed: UInt64(r)))
            #expect(abs(e.shotsUsed - shots) <= p.cut.workUnits.count)
            enumeratedMean += e.value / Double(repeats)
            enumeratedError += e.standardError / Double(repeats)
            sampledError += try p.cut.sampledEstimate(cutTable, sample: 0, theta: theta, input: x, options: sampler.options(seed: UInt64(r))).standardError / Double(repeats)
        }
        #expect(abs(enumeratedMean - exact) < 3 * enumeratedError / Double(repeats).squareRoot() + 1e-9)
        #expect(enumeratedError < sampledError)
        // Same seed, same draws: the sampler is a function of its inputs.
        let a = try p.cut.sampledEstimate(cutTable, sample: 0, theta: theta, input: x, options: sampler.options(seed: 99))
        let b = try p.cut.sampledEstimate(cutTable, sample: 0, theta: theta, input: x, options: sampler.options(seed: 99))
        #expect(a.value == b.value && a.standardError == b.standardError)
    }
}
