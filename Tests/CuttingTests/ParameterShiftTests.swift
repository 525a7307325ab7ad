/// Per-fragment parameter shift (shot-mode gradients): with exact values it equals the adjoint
/// gradient through the cuts on random circuits with every parameterised gate kind (cut ones
/// with angle-dependent coefficients, shared θ, scaled angles, the four-term rule of the
/// controlled rotations); with shots it is unbiased; its table sums across ranks like any other.
import Testing
import Circuits
import Simulator
@testable import Cutting
import Support

@Suite struct ParameterShiftTests {
    @Test(arguments: [GradientMethod.parameterShift, .parameterShiftWithInputs])
    func exactShiftedValuesGiveTheAdjointGradientOnRandomCutCircuits(method: GradientMethod) throws {
        var checked = 0, seed: UInt64 = 1000
        var kinds = Set<GateKind>()
        while checked < 40 {
            seed += 1
            let c = RandomCutTests.makeCase(seed: seed)
            guard let plan = try RandomCutTests.planUnlessHuge(c, CutPlanOptions(maxSettingsPerFragment: 100)) else { continue }
            var rng = Xoshiro256(seed: seed &* 31)
            let theta = (0..<c.circuit.parameterCount).map { _ in rng.uniform() * 6 - 3 }
            let inputs = [(0..<c.circuit.inputCount).map { _ in rng.uniform() * 6 - 3 }]
            var table = FragmentValueTable(plan: plan, sampleCount: 1, method: method)
            plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: inputs, into: &table)
            let shifted = try plan.parameterShiftGradients(table, theta: theta, inputs: inputs, shots: nil, seeds: [])
            let adjoint = try plan.estimate(theta: theta, inputs: inputs, gradients: true)
            #expect(try plan.reconstruct(table, theta: theta, inputs: inputs).values == adjoint.values)
            for i in theta.indices {
                #expect(abs(shifted.thetaGradients[0][i] - adjoint.thetaGradients[0][i]) < 1e-10,
                        "seed \(seed) ∂/∂θ\(i): \(shifted.thetaGradients[0][i]) vs \(adjoint.thetaGradients[0][i])")
            }
            if method == .parameterShiftWithInputs {
                for j in inputs[0].indices {
                    #expect(abs(shifted.inputGradients[0][j] - adjoint.inputGradients[0][j]) < 1e-10, "seed \(seed) ∂/∂x\(j)")
                }
            } else {
                #expect(shifted.inputGradients.isEmpty)
            }
            #expect(shifted.shotsUsed == [0])
            for gate in c.circuit.gates where gate.angles.contains(where: { $0.thetaIndex != nil }) { kinds.insert(gate.kind) }
            checked += 1
        }
        // Every parameterised kind, the controlled rotations (four-term rule) included, was shifted.
        let parameterised: Set<GateKind> = [.rx, .ry, .rz, .p, .u2, .u3, .rxx, .ryy, .rzz, .crx, .cry, .crz, .cp]
        #expect(parameterised.isSubset(of: kinds), "not exercised: \(parameterised.subtracting(kinds))")
    }

    @Test func aParameterSharedByGatesIsShiftedOneOccurrenceAtATime() throws {
        var c = Circuit(qubitCount: 2, parameterCount: 1, inputCount: 1)
        c.append(Gate(.ry, [0], [.theta(0)]))
        c.append(Gate(.crx, [0, 1], [.theta(0, scale: -1.5)]))
        c.append(Gate(.rzz, [0, 1], [Angle(constant: 0.3, thetaIndex: 0, thetaScale: 0.5, inputIndex: 0, inputScale: 2)]))
        c.append(Gate(.rx, [1], [.input(0, scale: 0.7)]))
        let thetaOnly = ShiftedCircuit(c)
        #expect(thetaOnly.occurrenceParameter == [0, 0, 0])
        #expect(thetaOnly.terms.count == 2 + 4 + 2)
        let withInputs = ShiftedCircuit(c, inputs: true)
        #expect(withInputs.occurrenceParameter == [0, 0, 0, nil])
        #expect(withInputs.terms.count == 2 + 4 + 2 + 2)
        let observable = Observable(qubitCount: 2, terms: [PauliString(qubits: [0, 1], paulis: [.x, .z])])
        for (shifted, differentiatesInputs) in [(thetaOnly, false), (withInputs, true)] {
            let prepared = Simulator.prepare(shifted.circuit, observable: observable)
            for (theta, x) in [(-2.0, 0.5), (0.4, -1.1), (1.7, 2.3)] {
                let values = shifted.shiftedValues(prepared, theta: [theta], inputs: [[x]]).map { $0[0] }
                let derivatives = shifted.derivatives(shifted: values, slotCount: 2)
                let adjoint = Simulator.evaluate(c, observable: observable, theta: [theta], inputs: [[x]], gradients: true)
                #expect(abs(derivatives[0] - adjoint.thetaGradients[0][0]) < 1e-12, "θ = \(theta)")
                #expect(abs(derivatives[1] - (differentiatesInputs ? adjoint.inputGradients[0][0] : 0)) < 1e-12, "x = \(x)")
            }
        }
    }

    @Test func withShotsTheGradientIsUnbiasedAndCountsEveryShiftedCircuit() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        var table = FragmentValueTable(plan: plan, sampleCount: 1, method: .parameterShift)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: [input], into: &table)
        let exact = try plan.estimate(theta: theta, inputs: [input], gradients: true).thetaGradients[0]
        let shots = 20_000, runs = 200
        var sum = [Double](repeating: 0, count: theta.count), squares = sum
        var used = 0
        for seed in 0..<runs {
            let g = try plan.parameterShiftGradients(table, theta: theta, inputs: [input], shots: shots, seeds: [UInt64(seed)])
            for i in theta.indices {
                sum[i] += g.thetaGradients[0][i]
                squares[i] += g.thetaGradients[0][i] * g.thetaGradients[0][i]
            }
            used = g.shotsUsed[0]
        }
        for i in theta.indices {
            let mean = sum[i] / Double(runs)
            let standardError = ((squares[i] / Double(runs) - mean * mean) / Double(runs - 1)).squareRoot()
            #expect(standardError > 0 && abs(mean - exact[i]) < 5 * standardError,
                    "∂/∂θ\(i): mean \(mean) ± \(standardError), exact \(exact[i])")
        }
        // Each unit that gets shots runs itself and each of its shifted circuits with them.
        let again = try plan.parameterShiftGradients(table, theta: theta, inputs: [input], shots: shots, seeds: [UInt64(runs - 1)])
        #expect(again.thetaGradients == (try plan.parameterShiftGradients(table, theta: theta, inputs: [input], shots: shots, seeds: [UInt64(runs - 1)])).thetaGradients)
        #expect(again.shotsUsed[0] == used && used > shots)
        let terms = plan.workUnits.map { ShiftedCircuit(plan.fragments[$0.fragment].circuit(setting: $0.setting)).terms.count }
        #expect(used <= (shots + plan.workUnits.count) * (1 + terms.max()!))
    }

    @Test func tablesFilledByDifferentRanksSumToTheWholeTable() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let inputs = [input, input.map { $0 * 0.5 }]
        var whole = FragmentValueTable(plan: plan, sampleCount: 2, method: .parameterShift)
        plan.evaluate(units: plan.workUnits.indices, theta: theta, inputs: inputs, into: &whole)
        var summed = FragmentValueTable(plan: plan, sampleCount: 2, method: .parameterShift)
        for rank in 0..<3 {
            var mine = FragmentValueTable(plan: plan, sampleCount: 2, method: .parameterShift)
            plan.evaluate(units: stride(from: rank, to: plan.workUnits.count, by: 3), theta: theta, inputs: inputs, into: &mine)
            summed.add(mine)
        }
        #expect(summed.storage == whole.storage)
        #expect((0..<plan.workUnits.count).contains { whole.shiftCount(unit: $0) > 0 })
    }

    @Test func anAdjointTableIsRefused() throws {
        let (plan, theta, input) = try SampledEstimationTests.plan()
        let table = FragmentValueTable(plan: plan, sampleCount: 1, gradients: true)
        #expect(throws: CuttingError.self) {
            _ = try plan.parameterShiftGradients(table, theta: theta, inputs: [input], shots: 100, seeds: [1])
        }
    }
}
