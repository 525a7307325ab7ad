/// The reconstruction as it was before the allocation-free kernel (commit 1b2b5b7): per sample
/// and observable term it builds the fragment and cut tensors as arrays, runs the compiled steps
/// with a new array per step, and allocates the adjoints. Kept verbatim (renamed) as the
/// reference the kernel must match bit for bit (`ReconstructionKernelTests`).
import Circuits
@testable import Cutting

extension ContractionProgram {
    /// Forward pass: `tensors` holds the fragment tensors then the cut tensors; every step appends
    /// its result. The last tensor is the scalar E.
    func legacyForward(_ tensors: inout [[Double]]) {
        for step in steps {
            var out = [Double](repeating: 0, count: step.outputSize)
            let a = tensors[step.left], b = tensors[step.right]
            do {
                // Spans: views without a closure per buffer; the loop indexes them unchecked
                // because the program's tables were built against these very sizes.
                let av = a.span, bv = b.span
                let start = step.entryStart.span, li = step.leftIndex.span, ri = step.rightIndex.span
                var outView = out.mutableSpan
                for o in 0..<step.outputSize {
                    var sum = 0.0
                    for e in Int(start[unchecked: o])..<Int(start[unchecked: o + 1]) {
                        sum += av[unchecked: Int(li[unchecked: e])] * bv[unchecked: Int(ri[unchecked: e])]
                    }
                    outView[unchecked: o] = sum
                }
            }
            tensors.append(out)
        }
    }

    /// Reverse pass: adjoints ∂E/∂T for every tensor of a completed forward pass (E is
    /// multilinear, so for a step out = Σ A·B: Ā += Ō·B, B̄ += Ō·A). The gradient of E then is
    /// Σ_T ⟨T̄, ∂T/∂slot⟩ over fragment and cut tensors only: no gradient vectors travel through
    /// the intermediates.
    func legacyBackward(_ tensors: [[Double]]) -> [[Double]] {
        var adjoints = tensors.map { [Double](repeating: 0, count: $0.count) }
        adjoints[adjoints.count - 1] = [1]
        for (k, step) in steps.enumerated().reversed() {
            let outAdjoint = adjoints[fragmentCount + cutCount + k]
            var leftAdjoint = adjoints[step.left], rightAdjoint = adjoints[step.right]
            let a = tensors[step.left], b = tensors[step.right]
            do {
                let av = a.span, bv = b.span
                let start = step.entryStart.span, li = step.leftIndex.span, ri = step.rightIndex.span
                var la = leftAdjoint.mutableSpan, ra = rightAdjoint.mutableSpan
                for o in 0..<step.outputSize {
                    let g = outAdjoint[o]
                    if g == 0 { continue }
                    for e in Int(start[unchecked: o])..<Int(start[unchecked: o + 1]) {
                        let ia = Int(li[unchecked: e]), ib = Int(ri[unchecked: e])
                        la[unchecked: ia] += g * bv[unchecked: ib]
                        ra[unchecked: ib] += g * av[unchecked: ia]
                    }
                }
            }
            adjoints[step.left] = leftAdjoint
            adjoints[step.right] = rightAdjoint
        }
        return adjoints
    }
}

extension CutPlan {
    /// `reconstruct` of commit 1b2b5b7 without its argument checks.
    func legacyReconstruct(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]]) -> CutEstimate {
        let gradients = table.carriesGradients
        let p = circuit.parameterCount
        let width = p + circuit.inputCount
        let f = fragments.count
        var result = CutEstimate(values: [], thetaGradients: [], inputGradients: [])
        // One fragment's gradient slots, gathered contiguously while its rows are folded in.
        var local = [Double](repeating: 0, count: table.fragmentColumns.map(\.count).max() ?? 0)
        for (b, x) in inputs.enumerated() {
            let cutTensors = cuts.indices.map { legacyCutTensor($0, theta: theta, input: x) }
            var value = 0.0
            var gradient = Array(repeating: 0.0, count: gradients ? width : 0)
            for term in observableTerms where term.coefficient != 0 {
                var tensors = fragments.indices.map { legacyFragmentTensor($0, observable: term.fragmentObservables[$0], sample: b, table: table) }
                    + cutTensors.map(\.values)
                contraction.legacyForward(&tensors)
                value += term.coefficient * tensors[tensors.count - 1][0]
                guard gradients else { continue }
                let adjoints = contraction.legacyBackward(tensors)
                // ∂E/∂slot = Σ_f ⟨V̄_f, ∂V_f/∂slot⟩ + Σ_j ⟨C̄_j, ∂C_j/∂slot⟩.
                // Each slot receives the same additions in the same order as if they went straight
                // into `gradient`; gathering them first only makes the inner loop contiguous.
                table.storage.withUnsafeBufferPointer { storage in
                gradient.withUnsafeMutableBufferPointer { gradient in
                local.withUnsafeMutableBufferPointer { local in
                    for g in 0..<f {
                        let adjoint = adjoints[g]
                        let (first, settingStride) = legacySettingRows(g, observable: term.fragmentObservables[g], sample: b, table: table)
                        table.fragmentColumns[g].withUnsafeBufferPointer { support in
                            let n = support.count
                            for k in 0..<n { local[k] = gradient[support[k]] }
                            for s in 0..<adjoint.count where adjoint[s] != 0 {
                                let weight = term.coefficient * adjoint[s]
                                let row = storage.baseAddress! + first + s * settingStride + 1
                                for k in 0..<n { local[k] += weight * row[k] }
                            }
                            for k in 0..<n { gradient[support[k]] = local[k] }
                        }
                    }
                }}}
                for (j, tensor) in cutTensors.enumerated() {
                    for (e, entry) in tensor.derivatives.enumerated() {
                        for (slot, d) in entry { gradient[slot] += term.coefficient * adjoints[f + j][e] * d }
                    }
                }
            }
            result.values.append(value)
            if gradients {
                result.thetaGradients.append(Array(gradient[..<p]))
                result.inputGradients.append(Array(gradient[p...]))
            }
        }
        return result
    }

    /// Fragment f's tensor over its settings for one observable restriction and sample.
    func legacyFragmentTensor(_ f: Int, observable o: Int, sample b: Int, table: FragmentValueTable) -> [Double] {
        let (first, settingStride) = legacySettingRows(f, observable: o, sample: b, table: table)
        return table.storage.withUnsafeBufferPointer { storage in
            (0..<fragments[f].settingCount).map { s in storage[first + s * settingStride] }
        }
    }

    /// Fragment f's row for setting 0 (observable o, sample b) in the table, and the distance to
    /// the next setting's row: the unit of (f, s, o) is offset + s·observableCount + o, and f's
    /// units lie one after another with rows of the same width.
    func legacySettingRows(_ f: Int, observable o: Int, sample b: Int, table: FragmentValueTable) -> (first: Int, stride: Int) {
        let unit = workUnitIndex(fragment: f, setting: 0, observable: o)
        return (table.rowStart(unit: unit, sample: b), fragments[f].observables.count * table.storageRange(unit: unit).count)
    }

    /// Cut j's coefficient matrix C[a, b] for one sample, and for each entry its derivatives
    /// (slot, ∂C/∂slot) with respect to θ_i (slot i) and x_j (slot P + j).
    func legacyCutTensor(_ j: Int, theta: [Double], input: [Double]) -> (values: [Double], derivatives: [[(Int, Double)]]) {
        let basis = cuts[j].basis
        let n1 = basis.sideOperations[1].count
        var values = [Double](repeating: 0, count: basis.sideOperations[0].count * n1)
        var derivatives = [[(Int, Double)]](repeating: [], count: values.count)
        for term in basis.terms {
            let e = term.operations[0] * n1 + term.operations[1]
            let phi = term.coefficient.angle?.value(theta: theta, input: input) ?? 0
            let (c, dc) = term.coefficient.valueAndDerivative(phi: phi)
            values[e] += c
            guard let angle = term.coefficient.angle else { continue }
            // dc/dslot = dc/dφ · dφ/dslot, φ affine in θ_i and x_j.
            if let i = angle.thetaIndex { derivatives[e].append((i, dc * angle.thetaScale)) }
            if let xj = angle.inputIndex { derivatives[e].append((circuit.parameterCount + xj, dc * angle.inputScale)) }
        }
        return (values, derivatives)
    }
}
