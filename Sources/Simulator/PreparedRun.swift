/// One chunk of a batch through a `PreparedCircuit`: forward pass, branching at signed
/// measurements, adjoint pass — the algorithm of BatchRun.swift (which documents the maths) on
/// buffers planned once per call instead of arrays allocated per branch.
///
/// Buffers: branch depth d (d measurements above it) owns state ψ_d and adjoint λ_d. A segment
/// at depth d runs on ψ_d; at a measurement each child gets a projected copy in ψ_{d+1} and
/// returns its adjoint in λ_{d+1}, which the parent projects and sums into λ_d
/// (Λ = Π⁺Λ⁺ + Π⁻Λ⁻). ψ_d is left as it was, so the parent's backward sweep starts from it.

import Circuits

struct PreparedRun {
    let circuit: PreparedCircuit
    /// The circuit's operations (backward sweeps), and the fused ones (forward passes); both have
    /// the same measurements in the same order, so segments correspond one to one.
    let ops: UnsafeBufferPointer<PreparedOperation>
    let forward: UnsafeBufferPointer<PreparedOperation>
    let angles: UnsafeBufferPointer<Angle>
    let constants: UnsafePointer<Double>
    let binding: UnsafeMutablePointer<Double>
    let shape: Shape
    let gradients: Bool
    /// ψ_0, ψ_1, … (`stateDoubles` each), and λ_0, λ_1, … when gradients are requested.
    let states: UnsafeMutablePointer<Double>
    let stateDoubles: Int
    let lambdas: UnsafeMutablePointer<Double>
    /// values[b] accumulates Σ_leaves sign·⟨O⟩; scratch holds per-sample partial sums.
    let values: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    /// [sample · thetaCount + parameter] and [sample · inputCount + feature].
    let thetaGradients: UnsafeMutablePointer<Double>
    let thetaCount: Int
    let inputGradients: UnsafeMutablePointer<Double>
    let inputCount: Int

    @inline(__always) func psi(_ depth: Int) -> UnsafeMutablePointer<Double> { states + depth * stateDoubles }
    @inline(__always) func lambda(_ depth: Int) -> UnsafeMutablePointer<Double> { lambdas + depth * stateDoubles }

    /// The packed forward (or inverse) matrices of operation `op` and whether they are per sample.
    @inline(__always)
    func matrices(_ op: PreparedOperation, inverse: Bool) -> (UnsafePointer<Double>, Bool) {
        if !op.isBound { return (constants + op.sharedOffset + (inverse ? op.packedCount : 0), false) }
        let perSample = op.perSample(batch: shape.batch)
        let copies = perSample ? shape.batch : 1
        return (UnsafePointer(binding + op.bindingOffset(batch: shape.batch) + (inverse ? copies * op.packedCount : 0)),
                perSample)
    }

    @inline(__always)
    func apply(_ op: PreparedOperation, _ a: UnsafeMutablePointer<Double>, inverse: Bool) {
        let (m, perSample) = matrices(op, inverse: inverse)
        op.operation.apply(a, shape, m, perSample: perSample)
    }

    /// Run the segment starting at operation `start` (fused operation `forwardStart`) on ψ_depth
    /// (branch sign `sign`), add sign·⟨O⟩ of every leaf to `values`, accumulate the gradients of
    /// operations from `start` on, and return true when λ_depth holds the adjoint at `start` for
    /// an earlier operation.
    mutating func branch(from start: Int, forwardFrom forwardStart: Int, depth: Int, sign: Double) -> Bool {
        let s = shape
        let psi = psi(depth)
        var forwardEnd = forwardStart
        while forwardEnd < forward.count, !forward[forwardEnd].isMeasurement {
            apply(forward[forwardEnd], psi, inverse: false)
            forwardEnd += 1
        }
        var end = start
        while end < ops.count, !ops[end].isMeasurement { end += 1 }
        let needAdjoint = gradients && circuit.firstTrainable < end
        let lambda = lambda(depth)
        if end == ops.count {
            addExpectation(psi, sign: sign)
            guard needAdjoint else { return false }
            let terms = sign > 0 ? circuit.observable : circuit.negatedObservable
            Kernels.applyPauliSum(psi, s, terms, into: lambda)
        } else {
            guard case .measurement(let q, let pauli) = ops[end].operation else { preconditionFailure() }
            let child = self.psi(depth + 1), childLambda = self.lambda(depth + 1)
            child.update(from: psi, count: stateDoubles)
            applyProjector(child, s, qubit: q, pauli: pauli, positive: true)
            let plus = branch(from: end + 1, forwardFrom: forwardEnd + 1, depth: depth + 1, sign: sign)
            if needAdjoint && plus {
                applyProjector(childLambda, s, qubit: q, pauli: pauli, positive: true)
                lambda.update(from: childLambda, count: stateDoubles)
            }
            child.update(from: psi, count: stateDoubles)
            applyProjector(child, s, qubit: q, pauli: pauli, positive: false)
            let minus = branch(from: end + 1, forwardFrom: forwardEnd + 1, depth: depth + 1, sign: -sign)
            guard needAdjoint, plus, minus else { return false }
            applyProjector(childLambda, s, qubit: q, pauli: pauli, positive: false)
            for k in 0..<stateDoubles { lambda[k] += childLambda[k] }
        }
        // Backward sweep over this segment: ψ_depth is the state after operation end−1.
        let firstTrainable = circuit.firstTrainable
        var k = end - 1
        let stop = max(start, firstTrainable)
        while k >= stop {
            let op = ops[k]
            if op.isBound, let rotation = op.rotation, s.batch == 1, s.dimension <= Kernels.tinyDimension {
                // Tiny single state: derivative, ψ ← U†ψ and λ ← U†λ in one pass over the pairs.
                let (inverse, _) = matrices(op, inverse: true)
                scratch[0] = Kernels.tinyRotationStep(psi: psi, lambda: lambda, dimension: s.dimension,
                                                      qubit: rotation.qubit, generator: rotation.generator,
                                                      inverse: inverse, updateLambda: k > firstTrainable)
                scatter(angles[op.angleStart])
                k -= 1
                continue
            }
            if op.isBound, let rotation = op.rotation {
                // A rotation's derivative from ψ after it (∂U = −(i/2)·G·U), then un-apply.
                scratch.update(repeating: 0, count: shape.batch)
                Kernels.generatorElement1(lambda, psi, shape, qubit: rotation.qubit, pauli: rotation.generator, into: scratch)
                scatter(angles[op.angleStart])
                apply(op, psi, inverse: true)
            } else {
                apply(op, psi, inverse: true)
                if op.isBound { accumulate(op, lambda: lambda, psi: psi) }
            }
            if k > firstTrainable { apply(op, lambda, inverse: true) }   // an earlier operation still needs λ
            k -= 1
        }
        return firstTrainable < start
    }

    private func addExpectation(_ psi: UnsafePointer<Double>, sign: Double) {
        let b = shape.batch
        scratch.update(repeating: 0, count: b)
        for t in circuit.observable { Kernels.pauliExpectation(psi, shape, t, into: scratch) }
        for k in 0..<b { values[k] += sign * scratch[k] }
    }

    /// Chain rule through Angle: ∂f/∂θ_i += thetaScale·2Re⟨λ|∂U|ψ⟩, likewise for x_j.
    private func accumulate(_ op: PreparedOperation, lambda: UnsafePointer<Double>, psi: UnsafePointer<Double>) {
        let b = shape.batch
        let perSample = op.perSample(batch: b)
        let copies = perSample ? b : 1
        let derivatives = binding + op.bindingOffset(batch: b) + 2 * copies * op.packedCount
        var slot = 0
        for a in op.angleStart..<(op.angleStart + op.angleCount) where !angles[a].isConstant {
            let angle = angles[a]
            scratch.update(repeating: 0, count: b)
            op.operation.accumulate(lambda: lambda, psi: psi, shape, derivatives + slot * copies * op.denseCount,
                                    perSample: perSample, into: scratch)
            scatter(angle)
            slot += 1
        }
    }

    /// Chain rule for one angle: ∂f/∂θ_i += thetaScale·2·scratch[b], likewise for x_j.
    @inline(__always)
    private func scatter(_ angle: Angle) {
        for k in 0..<shape.batch {
            let g = 2 * scratch[k]
            if let i = angle.thetaIndex { thetaGradients[k * thetaCount + i] += angle.thetaScale * g }
            if let j = angle.inputIndex { inputGradients[k * inputCount + j] += angle.inputScale * g }
        }
    }
}
