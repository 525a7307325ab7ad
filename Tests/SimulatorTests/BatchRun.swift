/// One chunk of a batch through a circuit: the forward pass, the branching at signed
/// measurements, and the adjoint (backward) pass, binding every gate per call
/// (`BoundOperation`). This is `Simulator.evaluateUnprepared`, the straightforward reference the
/// prepared path (Sources/Simulator/PreparedRun.swift) is tested against; it lives with the
/// tests because only they run it.
///
/// Adjoint differentiation (Jones & Gacon 2020): with |ψ_k⟩ = U_k…U_1|0⟩ and f = ⟨ψ_N|O|ψ_N⟩,
/// ∂f/∂α_k = 2 Re⟨λ_k|∂U_k/∂α|ψ_{k−1}⟩ where ⟨λ_k| = ⟨ψ_N|O U_N…U_{k+1}. Walking backwards,
/// ψ_{k−1} = U_k†ψ_k and λ_{k−1} = U_k†λ_k, so one backward sweep costs about one forward pass.
///
/// Branches: a signed measurement 𝓜_P is not invertible, so the ket before each projection is
/// kept (it is the state the segment's backward sweep starts from) and the two branches are run
/// depth-first. f is linear in the adjoint, so the segment before a measurement receives
/// Λ = Π⁺Λ⁺ + Π⁻Λ⁻, where Λ± already carry their branch signs. Memory: one state per pending
/// measurement level, not one per branch.

import Circuits
@testable import Simulator

struct BatchRun {
    let shape: Shape
    let operations: [BoundOperation]
    let observable: [PauliMasks]
    let gradients: Bool
    /// Index of the first operation with a derivative (operations.count if none): the backward
    /// sweep never needs to go further back.
    let firstTrainable: Int
    let thetaCount: Int
    let inputCount: Int

    var values: [Double]
    /// [sample · thetaCount + parameter]
    var thetaGradients: [Double]
    /// [sample · inputCount + feature]
    var inputGradients: [Double]
    private var scratch: [Double]

    init(circuit: Circuit, observable: Observable, theta: [Double], inputs: ArraySlice<[Double]>, gradients: Bool) {
        shape = Shape(dimension: 1 << circuit.qubitCount, batch: inputs.count)
        operations = circuit.gates.compactMap {
            BoundOperation($0, theta: theta, inputs: inputs, derivatives: gradients)
        }
        self.observable = observable.terms.map(PauliMasks.init)
        self.gradients = gradients
        firstTrainable = operations.firstIndex { !$0.derivatives.isEmpty } ?? operations.count
        thetaCount = theta.count
        inputCount = inputs.first?.count ?? 0
        values = Array(repeating: 0, count: inputs.count)
        thetaGradients = gradients ? Array(repeating: 0, count: inputs.count * thetaCount) : []
        inputGradients = gradients ? Array(repeating: 0, count: inputs.count * inputCount) : []
        scratch = Array(repeating: 0, count: inputs.count)
    }

    mutating func execute() {
        var psi = Array(repeating: 0.0, count: 2 * shape.count)
        for b in 0..<shape.batch { psi[2 * b] = 1 }
        _ = branch(from: 0, psi: &psi, sign: 1)
    }

    /// Run operations from `start` on `psi` (the state at that point, with branch sign `sign`),
    /// add sign·⟨O⟩ of every leaf to `values`, accumulate gradients of the operations from `start`
    /// on, and return the adjoint Λ at `start` when an earlier operation still needs it.
    private mutating func branch(from start: Int, psi: inout [Double], sign: Double) -> [Double]? {
        let s = shape
        var end = start
        while end < operations.count, !operations[end].operation.isMeasurement {
            psi.withUnsafeMutableBufferPointer { operations[end].apply($0.baseAddress!, s) }
            end += 1
        }
        let needAdjoint = gradients && firstTrainable < end
        var lambda: [Double]
        if end == operations.count {
            addExpectation(psi, sign: sign)
            guard needAdjoint else { return nil }
            // Uninitialised: applyPauliSum overwrites every entry.
            lambda = [Double](unsafeUninitializedCapacity: psi.count) { _, count in count = psi.count }
            let terms = observable.map { var t = $0; t.coefficient *= sign; return t }
            psi.withUnsafeBufferPointer { p in
                lambda.withUnsafeMutableBufferPointer { Kernels.applyPauliSum(p.baseAddress!, s, terms, into: $0.baseAddress!) }
            }
        } else {
            guard case .measurement(let q, let pauli) = operations[end].operation else { preconditionFailure() }
            var plus = psi
            plus.withUnsafeMutableBufferPointer { applyProjector($0.baseAddress!, s, qubit: q, pauli: pauli, positive: true) }
            var lambdaPlus = branch(from: end + 1, psi: &plus, sign: sign)
            var minus = plus   // reuse the allocation
            minus.withUnsafeMutableBufferPointer { m in
                psi.withUnsafeBufferPointer { m.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
                applyProjector(m.baseAddress!, s, qubit: q, pauli: pauli, positive: false)
            }
            var lambdaMinus = branch(from: end + 1, psi: &minus, sign: -sign)
            guard needAdjoint, var lp = lambdaPlus, var lm = lambdaMinus else { return nil }
            lambdaPlus = nil    // release the other references so lp, lm are mutated in place
            lambdaMinus = nil
            lp.withUnsafeMutableBufferPointer { applyProjector($0.baseAddress!, s, qubit: q, pauli: pauli, positive: true) }
            lm.withUnsafeMutableBufferPointer { applyProjector($0.baseAddress!, s, qubit: q, pauli: pauli, positive: false) }
            for k in lp.indices { lp[k] += lm[k] }
            lambda = lp
        }
        // Backward sweep over this segment: psi is the state after operation end−1.
        var k = end - 1
        let stop = max(start, firstTrainable)
        while k >= stop {
            let op = operations[k]
            psi.withUnsafeMutableBufferPointer { op.apply($0.baseAddress!, s, inverse: true) }
            if !op.derivatives.isEmpty { accumulate(op, lambda: lambda, psi: psi) }
            if k > firstTrainable {   // an earlier operation still needs λ
                lambda.withUnsafeMutableBufferPointer { op.apply($0.baseAddress!, s, inverse: true) }
            }
            k -= 1
        }
        return firstTrainable < start ? lambda : nil
    }

    private mutating func addExpectation(_ psi: [Double], sign: Double) {
        let s = shape
        for b in 0..<s.batch { scratch[b] = 0 }
        psi.withUnsafeBufferPointer { p in
            scratch.withUnsafeMutableBufferPointer { acc in
                for t in observable { Kernels.pauliExpectation(p.baseAddress!, s, t, into: acc.baseAddress!) }
            }
        }
        for b in 0..<s.batch { values[b] += sign * scratch[b] }
    }

    /// Chain rule through Angle: ∂f/∂θ_i += thetaScale·2Re⟨λ|∂U|ψ⟩, likewise for x_j.
    private mutating func accumulate(_ op: BoundOperation, lambda: [Double], psi: [Double]) {
        let s = shape
        for d in op.derivatives {
            for b in 0..<s.batch { scratch[b] = 0 }
            lambda.withUnsafeBufferPointer { l in
                psi.withUnsafeBufferPointer { p in
                    scratch.withUnsafeMutableBufferPointer {
                        op.accumulate(d, lambda: l.baseAddress!, psi: p.baseAddress!, s, into: $0.baseAddress!)
                    }
                }
            }
            for b in 0..<s.batch {
                let g = 2 * scratch[b]
                if let i = d.angle.thetaIndex { thetaGradients[b * thetaCount + i] += d.angle.thetaScale * g }
                if let j = d.angle.inputIndex { inputGradients[b * inputCount + j] += d.angle.inputScale * g }
            }
        }
    }
}

extension Simulator {
    /// `evaluate` without preparation: binds every gate per chunk with `BoundOperation` and runs
    /// `BatchRun`. The independent oracle the PreparedCircuit tests compare against.
    static func evaluateUnprepared(_ circuit: Circuit, observable: Observable, theta: [Double],
                                   inputs: [[Double]], gradients: Bool) -> Evaluation {
        precondition(theta.count >= circuit.parameterCount,
                     "Simulator.evaluate: theta has \(theta.count) values, circuit needs \(circuit.parameterCount)")
        for (b, x) in inputs.enumerated() {
            precondition(x.count >= circuit.inputCount,
                         "Simulator.evaluate: inputs[\(b)] has \(x.count) values, circuit needs \(circuit.inputCount)")
            precondition(x.count == inputs[0].count,
                         "Simulator.evaluate: inputs[\(b)] has \(x.count) values, inputs[0] has \(inputs[0].count)")
        }
        for t in observable.terms {
            precondition(t.qubits.allSatisfy { $0 >= 0 && $0 < circuit.qubitCount },
                         "Simulator.evaluate: observable acts on qubits \(t.qubits), circuit has \(circuit.qubitCount)")
        }
        var result = Evaluation(values: [], thetaGradients: [], inputGradients: [])
        let chunk = max(1, chunkBytes / (16 << circuit.qubitCount))
        var start = 0
        while start < inputs.count {
            let samples = inputs[start..<min(start + chunk, inputs.count)]
            var run = BatchRun(circuit: circuit, observable: observable, theta: theta, inputs: samples,
                               gradients: gradients)
            run.execute()
            result.values += run.values
            if gradients {
                for b in 0..<samples.count {
                    result.thetaGradients.append(Array(run.thetaGradients[(b * run.thetaCount)..<((b + 1) * run.thetaCount)]))
                    result.inputGradients.append(Array(run.inputGradients[(b * run.inputCount)..<((b + 1) * run.inputCount)]))
                }
            }
            start += chunk
        }
        return result
    }
}
