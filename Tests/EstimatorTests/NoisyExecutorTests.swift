/// The noise model as the execute stage runs it (`NoisySimulatorExecutor`): values, exact
/// gradients (adjoint-layout tables) and parameter-shift rows, reconstructed through the cuts,
/// against central differences of the noisy reconstructed value.
import Circuits
import Cutting
import Estimator
import Foundation
import Simulator
import Testing

@Suite struct NoisyExecutorTests {
    static func plan() throws -> CutPlan {
        var c = Circuit(qubitCount: 4)
        for q in 0..<4 { c.append(Gate(.ry, [q], [.input(q)])) }
        c.append(Gate(.cx, [0, 1]))
        c.append(Gate(.rzz, [1, 2], [.theta(0)]))     // gate 5: cut
        c.append(Gate(.rx, [1], [.theta(1)]))
        c.append(Gate(.cx, [1, 2]))                    // gate 7: cut
        c.append(Gate(.ry, [2], [.theta(2, scale: 0.5)]))
        c.append(Gate(.cx, [2, 3]))
        let observable = Observable(qubitCount: 4, terms: [PauliString(qubits: [0, 3], paulis: [.z, .x]),
                                                           PauliString(coefficient: 0.5, qubits: [2], paulis: [.y])])
        return try CutPlan(circuit: c, observable: observable, cuts: .explicit(gateCuts: [5, 7], wireCuts: []))
    }

    func noisyEstimate(_ plan: CutPlan, _ executor: NoisySimulatorExecutor, theta: [Double], inputs: [[Double]],
                       method: GradientMethod) throws -> CutEstimate {
        var table = FragmentValueTable(plan: plan, sampleCount: inputs.count, method: method)
        for unit in plan.workUnits.indices {
            try executor.execute(unit: unit, plan: plan, theta: theta, inputs: inputs, table: &table)
        }
        return try plan.reconstruct(table, theta: theta, inputs: inputs)
    }

    @Test func exactNoisyGradientsMatchFiniteDifferences() throws {
        let plan = try Self.plan()
        let executor = NoisySimulatorExecutor(noise: NoiseModel(depolarizing1: 0.02, depolarizing2: 0.06, readout: 0.04))
        let theta = [0.7, -1.1, 0.4], inputs = [[0.3, -0.8, 1.2, 0.5], [2.0, 0.1, -0.4, 1.0]]
        let withGradients = try noisyEstimate(plan, executor, theta: theta, inputs: inputs, method: .adjoint)
        let values = try noisyEstimate(plan, executor, theta: theta, inputs: inputs, method: .none)
        #expect(zip(withGradients.values, values.values).allSatisfy { abs($0 - $1) < 1e-14 })
        // Noise moves the value (the test would not notice a noiseless executor otherwise).
        let noiseless = try plan.estimate(theta: theta, inputs: inputs, gradients: false)
        #expect(abs(noiseless.values[0] - values.values[0]) > 1e-3)
        let h = 1e-5
        for i in theta.indices {
            var tp = theta, tm = theta
            tp[i] += h; tm[i] -= h
            let fp = try noisyEstimate(plan, executor, theta: tp, inputs: inputs, method: .none).values
            let fm = try noisyEstimate(plan, executor, theta: tm, inputs: inputs, method: .none).values
            for b in inputs.indices {
                let fd = (fp[b] - fm[b]) / (2 * h)
                #expect(abs(fd - withGradients.thetaGradients[b][i]) < 1e-7, "θ\(i) sample \(b): \(withGradients.thetaGradients[b][i]) vs \(fd)")
            }
        }
        for j in inputs[0].indices {
            var xp = inputs, xm = inputs
            for b in inputs.indices { xp[b][j] += h; xm[b][j] -= h }
            let fp = try noisyEstimate(plan, executor, theta: theta, inputs: xp, method: .none).values
            let fm = try noisyEstimate(plan, executor, theta: theta, inputs: xm, method: .none).values
            for b in inputs.indices {
                let fd = (fp[b] - fm[b]) / (2 * h)
                #expect(abs(fd - withGradients.inputGradients[b][j]) < 1e-7, "x\(j) sample \(b): \(withGradients.inputGradients[b][j]) vs \(fd)")
            }
        }
    }

    @Test func shotModeRowsHoldTheNoisyShiftedValues() throws {
        let plan = try Self.plan()
        let noise = NoiseModel(depolarizing1: 0.02, depolarizing2: 0.06, readout: 0.04)
        let executor = NoisySimulatorExecutor(noise: noise)
        let theta = [0.7, -1.1, 0.4], inputs = [[0.3, -0.8, 1.2, 0.5]]
        var table = FragmentValueTable(plan: plan, sampleCount: 1, method: .parameterShift)
        var adjoint = FragmentValueTable(plan: plan, sampleCount: 1, method: .adjoint)
        for unit in plan.workUnits.indices {
            try executor.execute(unit: unit, plan: plan, theta: theta, inputs: inputs, table: &table)
            try executor.execute(unit: unit, plan: plan, theta: theta, inputs: inputs, table: &adjoint)
        }
        // Exact parameter-shift gradients from the rows equal the adjoint-layout ones.
        let shifted = try plan.parameterShiftGradients(table, theta: theta, inputs: inputs, shots: nil, seeds: [0])
        let exact = try plan.reconstruct(adjoint, theta: theta, inputs: inputs)
        for i in theta.indices { #expect(abs(shifted.thetaGradients[0][i] - exact.thetaGradients[0][i]) < 1e-12) }
    }
}
