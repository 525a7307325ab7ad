/// Batched evaluation (batch index innermost, per-sample matrices, chunking) equals per-sample
/// single-state runs.

import Testing
import Circuits
@testable import Simulator

@Suite struct BatchingTests {
    @Test func batchedValuesAndGradientsEqualSingleSampleRuns() {
        var rng = SeededRNG(seed: 11)
        let n = 5
        let c = randomCircuit(qubits: n, gates: 50, parameters: 5, inputs: 4, rng: &rng)
        let o = randomObservable(qubits: n, terms: 3, rng: &rng)
        let theta = (0..<5).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(6, features: 4, rng: &rng)
        let batched = Simulator.evaluate(c, observable: o, theta: theta, inputs: inputs, gradients: true)
        #expect(batched.values.count == 6)
        for (b, x) in inputs.enumerated() {
            let single = Simulator.evaluate(c, observable: o, theta: theta, inputs: [x], gradients: true)
            #expect(abs(batched.values[b] - single.values[0]) < 1e-12)
            #expect(maxDifference([batched.thetaGradients[b]], single.thetaGradients) < 1e-12)
            #expect(maxDifference([batched.inputGradients[b]], single.inputGradients) < 1e-12)
            var state = StateVector(qubitCount: n)
            state.apply(c, theta: theta, input: x)
            #expect(abs(state.expectation(o) - single.values[0]) < 1e-12)
        }
        // Different inputs really give different values (the batch is not one sample repeated).
        #expect(Set(batched.values.map { ($0 * 1e9).rounded() }).count == 6)
    }

    @Test func batchesLargerThanOneChunkAreSplitConsistently() {
        var rng = SeededRNG(seed: 12)
        let n = 12   // chunk = 1 MiB / (16 B · 2¹²) = 16 samples
        #expect(Simulator.chunkBytes / (16 << n) == 16)
        let c = randomCircuit(qubits: n, gates: 20, parameters: 3, inputs: 2, rng: &rng)
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        let theta = [0.3, -1.2, 2.0]
        let inputs = randomInputs(18, features: 2, rng: &rng)
        let batched = Simulator.evaluate(c, observable: o, theta: theta, inputs: inputs, gradients: false)
        for b in [0, 15, 16, 17] {
            let single = Simulator.evaluate(c, observable: o, theta: theta, inputs: [inputs[b]], gradients: false)
            #expect(abs(batched.values[b] - single.values[0]) < 1e-12, "sample \(b)")
        }
    }

    @Test func emptyBatchGivesEmptyEvaluation() {
        let c = ReferenceQNN.circuit(qubits: 2, layers: 1)
        let e = Simulator.evaluate(c, observable: .z(0, qubitCount: 2), theta: Array(repeating: 0, count: 4),
                                   inputs: [], gradients: true)
        #expect(e.values.isEmpty && e.thetaGradients.isEmpty)
    }

    @Test func perSampleOneQubitKernelAppliesEachSamplesMatrix() {
        // The benchmark's batched path: B states, one u3 per sample, versus B single states.
        let n = 3, b = 5
        var batch = StateBatch(qubitCount: n, batchSize: b)
        var singles = (0..<b).map { _ in StateVector(qubitCount: n) }
        for k in 0..<b {
            for q in 0..<n {
                let g = Gate(.ry, [q], [.constant(0.4 * Double(q + k) + 0.1)])
                singles[k].apply(g)
            }
        }
        for i in 0..<(1 << n) {
            for k in 0..<b {
                let z = singles[k].amplitudes[i]
                batch.storage[2 * (i * b + k)] = z.re
                batch.storage[2 * (i * b + k) + 1] = z.im
            }
        }
        var packed: [Double] = []
        for k in 0..<b {
            let angles = [0.3 * Double(k), -0.7 + Double(k), 1.1]
            Operation.general1(1).pack(GateKind.u3.denseMatrix(angles), into: &packed)
            singles[k].apply(Gate(.u3, [1], angles.map { .constant($0) }))
        }
        batch.applyOneQubit(qubit: 1, packed: packed, perSample: true)
        for k in 0..<b {
            let worst = zip(batch.amplitudes(sample: k), singles[k].amplitudes).map { ($0 - $1).magnitudeSquared }.max()!
            #expect(worst < 1e-24, "sample \(k)")
        }
        #expect(batch.amplitudes(sample: 0) != batch.amplitudes(sample: 1))
    }

    @Test func publicKernelsMatchGateApplication() {
        // StateBatch.applyOneQubit / applyTwoQubit (used by the benchmark) against StateVector.apply.
        var rng = SeededRNG(seed: 5)
        let n = 4
        var reference = StateVector(qubitCount: n)
        for q in 0..<n { reference.apply(Gate(.u3, [q], [.constant(0.3 + Double(q)), .constant(0.7), .constant(-0.2)])) }
        var batch = StateBatch(qubitCount: n, batchSize: 1)
        batch.storage = reference.batch.storage
        let u = GateKind.u3.denseMatrix([1.1, -0.4, 2.3])
        var packed: [Double] = []
        Operation.general1(0).pack(u, into: &packed)
        batch.applyOneQubit(qubit: 2, packed: packed, perSample: false)
        reference.apply(Gate(.u3, [2], [.constant(1.1), .constant(-0.4), .constant(2.3)]))
        let t = Double.random(in: -3...3, using: &rng)
        packed = []
        Operation.general2(0, 1).pack(GateKind.ryy.denseMatrix([t]), into: &packed)
        batch.applyTwoQubit(3, 1, packed: packed, perSample: false)
        reference.apply(Gate(.ryy, [3, 1], [.constant(t)]))
        let worst = zip(batch.amplitudes(), reference.amplitudes).map { ($0 - $1).magnitudeSquared }.max()!
        #expect(worst < 1e-24)
    }
}
