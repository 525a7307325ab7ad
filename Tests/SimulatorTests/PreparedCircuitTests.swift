/// PreparedCircuit (prepare once, evaluate many times) gives what the unprepared per-call binding
/// (`Simulator.evaluateUnprepared`, BatchRun) gives: values and gradients, with measurements and
/// preparations, batch 1 and batch > 1, across chunks and across repeated calls.

import Foundation
import Testing
import Circuits
@testable import Simulator

/// A random circuit with signed measurements, plus Pauli-eigenstate preparations at the start
/// (as a wire cut's downstream fragment has them) on some qubits.
func randomFragmentCircuit(qubits n: Int, gates: Int, measurements: Int, rng: inout SeededRNG) -> Circuit {
    let prepares: [GateKind] = [.prepareZPlus, .prepareZMinus, .prepareXPlus, .prepareXMinus, .prepareYPlus, .prepareYMinus]
    var c = Circuit(qubitCount: n, parameterCount: 6, inputCount: 3)
    for q in 0..<n where Bool.random(using: &rng) { c.append(Gate(prepares.randomElement(using: &rng)!, [q])) }
    for g in randomCircuit(qubits: n, gates: gates, parameters: 6, inputs: 3, measurements: measurements, rng: &rng).gates {
        c.append(g)
    }
    return c
}

/// Largest difference between two evaluations (values and both gradients); ∞ on shape mismatch.
func evaluationDifference(_ a: Evaluation, _ b: Evaluation) -> Double {
    guard a.values.count == b.values.count, a.thetaGradients.count == b.thetaGradients.count,
          a.inputGradients.count == b.inputGradients.count,
          zip(a.thetaGradients, b.thetaGradients).allSatisfy({ $0.count == $1.count }),
          zip(a.inputGradients, b.inputGradients).allSatisfy({ $0.count == $1.count }) else { return .infinity }
    return max(maxDifference([a.values], [b.values]), maxDifference(a.thetaGradients, b.thetaGradients),
               maxDifference(a.inputGradients, b.inputGradients))
}

@Suite struct PreparedCircuitTests {
    @Test(arguments: [(UInt64(31), 1), (32, 1), (33, 5), (34, 5), (35, 64)])
    func preparedEqualsUnpreparedOnRandomFragments(seed: UInt64, batch: Int) {
        var rng = SeededRNG(seed: seed)
        let n = 4
        let c = randomFragmentCircuit(qubits: n, gates: 40, measurements: 3, rng: &rng)
        #expect(c.gates.count(where: { $0.kind.measuredPauli != nil }) >= 2)
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        let theta = (0..<6).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(batch, features: 3, rng: &rng)
        let prepared = Simulator.prepare(c, observable: o)
        for gradients in [false, true] {
            let expected = Simulator.evaluateUnprepared(c, observable: o, theta: theta, inputs: inputs, gradients: gradients)
            let got = prepared.evaluate(theta: theta, inputs: inputs, gradients: gradients)
            #expect(evaluationDifference(got, expected) <= 1e-14, "gradients \(gradients)")
            #expect(got.values.count == batch)
            #expect(got.thetaGradients.count == (gradients ? batch : 0))
            if gradients {
                #expect(got.thetaGradients.allSatisfy { $0.count == 6 } && got.inputGradients.allSatisfy { $0.count == 3 })
                // Non-trivial: some gradient is far from zero.
                #expect(got.thetaGradients.flatMap { $0 }.map(abs).max()! > 1e-3)
            }
        }
    }

    @Test func oneQubitRotationCircuitsWithInputsMatchPerSample() {
        // The QNN shape: RY(x) encoding, RY/RZ(θ) layers, CX chains (the fast binding paths), and
        // a θ-and-x angle on RX and P.
        var rng = SeededRNG(seed: 40)
        var c = ReferenceQNN.circuit(qubits: 4, layers: 3)
        c.append(Gate(.rx, [1], [Angle(constant: 0.3, thetaIndex: 2, thetaScale: -0.7, inputIndex: 1, inputScale: 1.3)]))
        c.append(Gate(.p, [2], [Angle(constant: -0.2, thetaIndex: 5, thetaScale: 1.1, inputIndex: 3, inputScale: 0.4)]))
        c.append(Gate(.measureY, [0]))
        c.append(Gate(.ry, [0], [.theta(7)]))
        let o = Observable(qubitCount: 4, terms: [PauliString(coefficient: 0.7, qubits: [0, 3], paulis: [.x, .z]),
                                                  PauliString(qubits: [2], paulis: [.y])])
        let theta = (0..<c.parameterCount).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(7, features: 4, rng: &rng)
        let prepared = Simulator.prepare(c, observable: o)
        let got = prepared.evaluate(theta: theta, inputs: inputs, gradients: true)
        let expected = Simulator.evaluateUnprepared(c, observable: o, theta: theta, inputs: inputs, gradients: true)
        #expect(evaluationDifference(got, expected) <= 1e-14)
        for (b, x) in inputs.enumerated() {
            let single = prepared.evaluate(theta: theta, inputs: [x], gradients: true)
            #expect(abs(single.values[0] - got.values[b]) < 1e-13)
            #expect(maxDifference(single.thetaGradients, [got.thetaGradients[b]]) < 1e-13)
            #expect(maxDifference(single.inputGradients, [got.inputGradients[b]]) < 1e-13)
        }
    }

    @Test func repeatedCallsRebindAngles() {
        // One prepared circuit, many (θ, x): nothing of an earlier call leaks into a later one.
        var rng = SeededRNG(seed: 41)
        let c = randomFragmentCircuit(qubits: 3, gates: 30, measurements: 2, rng: &rng)
        let o = randomObservable(qubits: 3, terms: 2, rng: &rng)
        let prepared = Simulator.prepare(c, observable: o)
        var seen: Set<Double> = []
        for call in 0..<6 {
            let theta = (0..<6).map { _ in Double.random(in: -3...3, using: &rng) }
            let inputs = randomInputs(call % 2 == 0 ? 1 : 3, features: 3, rng: &rng)
            let gradients = call % 3 != 0
            let got = prepared.evaluate(theta: theta, inputs: inputs, gradients: gradients)
            let expected = Simulator.evaluateUnprepared(c, observable: o, theta: theta, inputs: inputs, gradients: gradients)
            #expect(evaluationDifference(got, expected) <= 1e-14, "call \(call)")
            seen.insert((got.values[0] * 1e9).rounded())
        }
        #expect(seen.count == 6)
    }

    @Test func chunkedBatchesEqualUnprepared() {
        var rng = SeededRNG(seed: 42)
        let n = 12   // chunk = 16 samples
        let c = randomCircuit(qubits: n, gates: 12, parameters: 3, inputs: 2, measurements: 1, rng: &rng)
        let o = randomObservable(qubits: n, terms: 2, rng: &rng)
        let theta = [0.3, -1.2, 2.0]
        let inputs = randomInputs(18, features: 2, rng: &rng)
        let prepared = Simulator.prepare(c, observable: o)
        for gradients in [false, true] {
            let got = prepared.evaluate(theta: theta, inputs: inputs, gradients: gradients)
            let expected = Simulator.evaluateUnprepared(c, observable: o, theta: theta, inputs: inputs, gradients: gradients)
            #expect(evaluationDifference(got, expected) <= 1e-14, "gradients \(gradients)")
        }
    }

    @Test func directRotationBindingEqualsDenseMatrices() {
        // The hand-written rx/ry/rz/p formulas give exactly the dense matrices' entries.
        for kind in [GateKind.rx, .ry, .rz, .p] {
            guard let operation = Operation(Gate(kind, [0], [.theta(0)])) else { Issue.record("\(kind)"); continue }
            for t in [-2.7, -0.4, 0, 0.9, 3.1] {
                let v = AngleValues(t)
                let m = kind.denseMatrix(v)
                var expectedForward: [Double] = [], expectedInverse: [Double] = [], expectedDerivative: [Double] = []
                operation.pack(m, into: &expectedForward)
                operation.pack(m.adjoint, into: &expectedInverse)
                kind.denseDerivative([t], index: 0).appendPacked(to: &expectedDerivative)
                var forward = [Double](repeating: .nan, count: operation.packedCount)
                var inverse = forward
                var derivative = [Double](repeating: .nan, count: 8)
                let handled = forward.withUnsafeMutableBufferPointer { f in
                    inverse.withUnsafeMutableBufferPointer { r in
                        derivative.withUnsafeMutableBufferPointer { d in
                            MatrixBinding.writeOneAngle(kind, t, forward: f.baseAddress!, inverse: r.baseAddress!,
                                                        derivative: d.baseAddress!)
                        }
                    }
                }
                #expect(handled, "\(kind)")
                #expect(forward == expectedForward, "\(kind) \(t)")
                #expect(inverse == expectedInverse, "\(kind) \(t)")
                if kind == .p {
                    #expect(derivative == expectedDerivative, "\(kind) \(t)")
                } else {
                    // Rotations bind no derivative: their gradient comes from the generator.
                    #expect(derivative.allSatisfy { $0.isNaN }, "\(kind) \(t)")
                }
            }
        }
        // Every other kind goes through the dense matrices.
        var unused = [Double](repeating: 0, count: 32)
        let handled = unused.withUnsafeMutableBufferPointer { p in
            MatrixBinding.writeOneAngle(.rzz, 0.3, forward: p.baseAddress!, inverse: p.baseAddress!, derivative: nil)
        }
        #expect(!handled)
    }

    @Test(arguments: [1, 3])
    func generatorElementEqualsDenseDerivativeElement(batch: Int) {
        // Re⟨λ|∂U|ψ⟩ from ψ' = Uψ and the Pauli generator equals the dense derivative's element.
        var rng = SeededRNG(seed: UInt64(45 + batch))
        let n = 3
        let shape = Shape(dimension: 1 << n, batch: batch)
        func randomState() -> [Double] { (0..<(2 * shape.count)).map { _ in Double.random(in: -1...1, using: &rng) } }
        for (kind, pauli) in [(GateKind.rx, Pauli.x), (.ry, .y), (.rz, .z)] {
            for q in 0..<n {
                let t = Double.random(in: -3...3, using: &rng)
                let gate = Gate(kind, [q], [.constant(t)])
                guard let operation = Operation(gate) else { Issue.record("\(kind)"); continue }
                var forward: [Double] = [], derivative: [Double] = []
                operation.pack(kind.denseMatrix([t]), into: &forward)
                kind.denseDerivative([t], index: 0).appendPacked(to: &derivative)
                let lambda = randomState()
                var psi = randomState()
                var dense = [Double](repeating: 0, count: batch), generator = dense
                lambda.withUnsafeBufferPointer { l in
                    psi.withUnsafeMutableBufferPointer { p in
                        derivative.withUnsafeBufferPointer { d in
                            Kernels.element1(l.baseAddress!, p.baseAddress!, shape, qubit: q, d.baseAddress!, perSample: false,
                                             into: &dense)
                        }
                        forward.withUnsafeBufferPointer { operation.apply(p.baseAddress!, shape, $0.baseAddress!, perSample: false) }
                        Kernels.generatorElement1(l.baseAddress!, p.baseAddress!, shape, qubit: q, pauli: pauli, into: &generator)
                    }
                }
                #expect(maxDifference([dense], [generator]) < 1e-14, "\(kind) qubit \(q)")
                #expect(dense.map(abs).max()! > 1e-3)
            }
        }
    }

    @Test func sharedAcrossThreads() {
        // Immutable and Sendable: concurrent evaluations of one prepared circuit agree.
        var rng = SeededRNG(seed: 43)
        let c = randomFragmentCircuit(qubits: 4, gates: 30, measurements: 2, rng: &rng)
        let o = randomObservable(qubits: 4, terms: 2, rng: &rng)
        let prepared = Simulator.prepare(c, observable: o)
        let theta = (0..<6).map { _ in Double.random(in: -3...3, using: &rng) }
        let inputs = randomInputs(8, features: 3, rng: &rng)
        let expected = prepared.evaluate(theta: theta, inputs: inputs, gradients: true)
        let results = ResultBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { k in
            results.set(k, prepared.evaluate(theta: theta, inputs: [inputs[k]], gradients: true))
        }
        for k in 0..<8 {
            let r = results.get(k)
            #expect(abs(r.values[0] - expected.values[k]) < 1e-13)
            #expect(maxDifference(r.thetaGradients, [expected.thetaGradients[k]]) < 1e-13)
        }
    }

    @Test func oneQubitRunsAreFusedAndGiveTheSameValues() {
        // Runs of every kind: input-dependent (RY(x)·RY(θ)·RZ(θ)), constant only (H·S·T, fused at
        // prepare time), diagonal only (RZ·P·Z → a diagonal), cut by CX, CCX, CRX and measurements.
        var c = ReferenceQNN.circuit(qubits: 3, layers: 2)
        for g in [Gate(.h, [0]), Gate(.s, [0]), Gate(.t, [0]), Gate(.rz, [1], [.theta(0)]), Gate(.p, [1], [.input(2)]),
                  Gate(.z, [1]), Gate(.measureX, [2]), Gate(.ry, [2], [.theta(3)]), Gate(.sx, [2]), Gate(.ccx, [0, 1, 2]),
                  Gate(.rx, [0], [.theta(4)]), Gate(.crx, [0, 2], [.theta(5)]), Gate(.u3, [2], [.theta(6), .input(1), .constant(0.2)]),
                  Gate(.ry, [2], [.input(0)])] {
            c.append(g)
        }
        let o = Observable(qubitCount: 3, terms: [PauliString(qubits: [0, 2], paulis: [.z, .x]), PauliString(qubits: [1], paulis: [.y])])
        let prepared = Simulator.prepare(c, observable: o)
        #expect(prepared.forwardOperations.count < prepared.operations.count - 10)
        #expect(prepared.forwardOperations.contains { $0.isFused && !$0.isBound })
        #expect(prepared.forwardOperations.contains { if case .diagonal1 = $0.operation { $0.isFused } else { false } })
        var rng = SeededRNG(seed: 44)
        let theta = (0..<c.parameterCount).map { _ in Double.random(in: -3...3, using: &rng) }
        for batch in [1, 4] {
            let inputs = randomInputs(batch, features: 3, rng: &rng)
            for gradients in [false, true] {
                let got = prepared.evaluate(theta: theta, inputs: inputs, gradients: gradients)
                let expected = Simulator.evaluateUnprepared(c, observable: o, theta: theta, inputs: inputs, gradients: gradients)
                #expect(evaluationDifference(got, expected) <= 1e-14, "batch \(batch), gradients \(gradients)")
            }
        }
    }

    @Test func preparedCircuitReportsItsShape() {
        let c = ReferenceQNN.circuit(qubits: 3, layers: 2)
        let prepared = Simulator.prepare(c, observable: .z(2, qubitCount: 3))
        #expect(prepared.qubitCount == 3 && prepared.parameterCount == 12 && prepared.inputCount == 3)
        #expect(prepared.evaluate(theta: Array(repeating: 0.1, count: 12), inputs: [], gradients: true).values.isEmpty)
    }
}

/// Results written from concurrent iterations, one slot each.
final class ResultBox: @unchecked Sendable {
    private var slots: [Evaluation?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ e: Evaluation) { lock.lock(); slots[k] = e; lock.unlock() }
    func get(_ k: Int) -> Evaluation { lock.lock(); defer { lock.unlock() }; return slots[k]! }
}
