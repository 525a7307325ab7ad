/// The work of `CutPlan.reconstruct`, allocation-free in the steady state.
///
/// Reconstruction is a fixed cost of every round on rank 0 (and on each rank that contracts its
/// own samples), so it limits scaling to many ranks. The contraction itself is a few hundred to
/// a few thousand multiply-adds; building arrays per sample and per observable term cost more.
/// Here every buffer is allocated once per call: one workspace holds all tensor slots (the
/// layout of `ContractionProgram`), one its adjoints, and the plan's index structure (which rows
/// of the table feed which fragment slot, which cut-matrix entry each QPD coefficient adds to,
/// which gradient slot each coefficient derivative reaches) is flattened into plain arrays first.
/// Samples go through in chunks of `ContractionLanes.width`, one per SIMD lane, so the index
/// tables are read once per chunk; only the fold of fragment-value derivatives, which reads the
/// table's rows, stays per sample.
///
/// Every floating-point operation is the one the array-building version did, in the same order
/// (cut entries summed term by term from 0; E and the gradient accumulated term by term; cut
/// derivatives by cut, entry, term, θ before x): results are bit-identical, which the product
/// promises across rank counts and stitchings (`ReconstructionKernelTests` checks it).
import Circuits

/// The plan's index structure for one table, flattened for the per-sample loop.
struct ReconstructionLayout {
    /// Observable terms with a nonzero coefficient, and their fragment observable per fragment
    /// (`termObservables[t * F + f]`).
    var termCoefficients: [Double] = []
    var termObservables: [Int] = []
    /// For fragment f and its observable o (index `observableOffset[f] + o`): the table row of
    /// setting 0 for sample 0, and the distance to the next setting's row; `rowWidth[f]` is the
    /// distance to the next sample's.
    var observableOffset: [Int] = []
    var firstRow: [Int] = []
    var settingStride: [Int] = []
    var rowWidth: [Int] = []
    var settingCount: [Int] = []
    /// Fragment f's derivative columns are `supports[supportStart[f]..<supportStart[f + 1]]`.
    var supports: [Int] = []
    var supportStart: [Int] = [0]
    /// Every QPD term of every cut (cut by cut, in basis order): its coefficient and the
    /// workspace index of the cut-matrix entry it adds to.
    var cutCoefficients: [QPDCoefficient] = []
    var cutEntry: [Int] = []
    /// Coefficient derivatives in the order they reach the gradient (cut, entry, term, θ then
    /// x): the workspace index of the entry's adjoint, the gradient slot, the QPD term (index
    /// into `cutCoefficients`) and dφ/dslot.
    var derivativeAdjoint: [Int] = []
    var derivativeSlot: [Int] = []
    var derivativeTerm: [Int] = []
    var derivativeScale: [Double] = []

    init(plan: CutPlan, table: FragmentValueTable) {
        let program = plan.contraction
        for term in plan.observableTerms where term.coefficient != 0 {
            termCoefficients.append(term.coefficient)
            termObservables.append(contentsOf: term.fragmentObservables)
        }
        for (f, fragment) in plan.fragments.enumerated() {
            observableOffset.append(firstRow.count)
            for o in fragment.observables.indices {
                let unit = plan.workUnitIndex(fragment: f, setting: 0, observable: o)
                firstRow.append(table.rowStart(unit: unit, sample: 0))
                settingStride.append(fragment.observables.count * table.storageRange(unit: unit).count)
            }
            let unit = plan.workUnitIndex(fragment: f, setting: 0, observable: 0)
            rowWidth.append(table.rowWidth(unit: unit))
            settingCount.append(fragment.settingCount)
            supports.append(contentsOf: table.fragmentColumns[f])
            supportStart.append(supports.count)
        }
        let parameterCount = plan.circuit.parameterCount
        for (j, cut) in plan.cuts.enumerated() {
            let base = program.slotOffset[program.fragmentCount + j]
            let n1 = cut.basis.sideOperations[1].count
            let firstTerm = cutCoefficients.count
            var byEntry: [(entry: Int, term: Int, slot: Int, scale: Double)] = []
            for (m, term) in cut.basis.terms.enumerated() {
                let e = term.operations[0] * n1 + term.operations[1]
                cutCoefficients.append(term.coefficient)
                cutEntry.append(base + e)
                guard let angle = term.coefficient.angle else { continue }
                if let i = angle.thetaIndex { byEntry.append((e, firstTerm + m, i, angle.thetaScale)) }
                if let xj = angle.inputIndex { byEntry.append((e, firstTerm + m, parameterCount + xj, angle.inputScale)) }
            }
            // Stable: within an entry, terms in basis order and θ before x, as they were appended.
            for d in byEntry.enumerated().sorted(by: { ($0.element.entry, $0.offset) < ($1.element.entry, $1.offset) }).map(\.element) {
                derivativeAdjoint.append(base + d.entry)
                derivativeSlot.append(d.slot)
                derivativeTerm.append(d.term)
                derivativeScale.append(d.scale)
            }
        }
    }
}

/// The buffers of one `reconstruct` call, for one chunk of `ContractionLanes.width` samples.
final class ReconstructionBuffers {
    /// Tensor slots (`ContractionProgram` layout, one `Lanes` per slot) and their adjoints.
    let values: UnsafeMutablePointer<Double>
    let adjoints: UnsafeMutablePointer<Double>
    /// ∂E/∂slot per lane (`gradient + lane · width`), and one fragment's slots gathered contiguously.
    let gradient: UnsafeMutablePointer<Double>
    let local: UnsafeMutablePointer<Double>
    /// dc/dφ per QPD term and lane; ∂C/∂slot per coefficient derivative and lane.
    let coefficientDerivatives: UnsafeMutablePointer<Double>
    let derivatives: UnsafeMutablePointer<Double>
    private let doubles: [UnsafeMutablePointer<Double>]

    /// `values` has its first `initialized` slots zeroed (fragments and cuts: the lanes past the
    /// batch's last sample are read but never written); the rest are written by `forward`
    /// before they are read. `adjoints` has `adjointSlots` slots (none without gradients).
    init(workspace: Int, initialized: Int, adjointSlots: Int, gradient: Int, local: Int, terms: Int, derivatives: Int) {
        func make(_ n: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1) * ContractionLanes.width)
            p.initialize(repeating: 0, count: max(n, 1) * ContractionLanes.width)
            return p
        }
        values = UnsafeMutablePointer<Double>.allocate(capacity: max(workspace, 1) * ContractionLanes.width)
        values.initialize(repeating: 0, count: initialized * ContractionLanes.width)
        adjoints = make(adjointSlots)
        self.gradient = make(gradient)
        self.local = make(local)
        coefficientDerivatives = make(terms)
        self.derivatives = make(derivatives)
        doubles = [values, adjoints, self.gradient, self.local, coefficientDerivatives, self.derivatives]
    }

    deinit {
        for p in doubles { p.deallocate() }
    }
}

extension CutPlan {
    /// Contract every sample of a validated table (see `reconstruct`), `ContractionLanes.width`
    /// samples at a time.
    func contract(_ table: FragmentValueTable, theta: [Double], inputs: [[Double]]) -> CutEstimate {
        let program = contraction
        let layout = ReconstructionLayout(plan: self, table: table)
        let gradients = table.carriesGradients
        let p = circuit.parameterCount
        let width = p + circuit.inputCount
        let fragmentCount = fragments.count
        let termCount = layout.termCoefficients.count
        let laneCount = ContractionLanes.width
        let buffers = ReconstructionBuffers(workspace: program.workspaceSize, initialized: program.intermediateOffset,
                                            adjointSlots: gradients ? program.workspaceSize : 0, gradient: width,
                                            local: table.fragmentColumns.map(\.count).max() ?? 0,
                                            terms: layout.cutCoefficients.count, derivatives: layout.derivativeSlot.count)
        // Workspaces hold slot i, lane l at i · laneCount + l.
        let wd = buffers.values, ad = buffers.adjoints, local = buffers.local
        var result = CutEstimate(values: [], thetaGradients: [], inputGradients: [])
        result.values.reserveCapacity(inputs.count)
        if gradients {
            result.thetaGradients.reserveCapacity(inputs.count)
            result.inputGradients.reserveCapacity(inputs.count)
        }
        let cutStart = program.slotOffset.count > fragmentCount ? program.slotOffset[fragmentCount] : program.workspaceSize
        let cutEnd = program.intermediateOffset
        table.storage.withUnsafeBufferPointer { storageBuffer in
            let storage = storageBuffer.baseAddress!
            for chunk in Swift.stride(from: 0, to: inputs.count, by: laneCount) {
                let lanes = min(laneCount, inputs.count - chunk)
                // Cut matrices C_j per sample: entries summed term by term from 0.
                (wd + cutStart * laneCount).update(repeating: 0, count: (cutEnd - cutStart) * laneCount)
                for l in 0..<lanes {
                    let x = inputs[chunk + l]
                    for t in layout.cutCoefficients.indices {
                        let coefficient = layout.cutCoefficients[t]
                        // A constant's value and derivative do not depend on φ (skip cos/sin).
                        let (c, dc) = coefficient.shape == .constant ? (coefficient.factor, 0)
                            : coefficient.valueAndDerivative(phi: coefficient.angle?.value(theta: theta, input: x) ?? 0)
                        wd[layout.cutEntry[t] * laneCount + l] += c
                        buffers.coefficientDerivatives[t * laneCount + l] = dc
                    }
                    guard gradients else { continue }
                    // dc/dslot = dc/dφ · dφ/dslot, φ affine in θ_i and x_j.
                    for r in layout.derivativeSlot.indices {
                        buffers.derivatives[r * laneCount + l] = buffers.coefficientDerivatives[layout.derivativeTerm[r] * laneCount + l] * layout.derivativeScale[r]
                    }
                }
                if gradients { buffers.gradient.update(repeating: 0, count: width * laneCount) }
                var value = Lanes(repeating: 0)
                for t in 0..<termCount {
                    let coefficient = layout.termCoefficients[t]
                    // Fragment tensors: each fragment's value over its settings, per sample
                    // (consecutive samples' rows are `rowWidth` apart in the table).
                    for f in 0..<fragmentCount {
                        let o = layout.observableOffset[f] + layout.termObservables[t * fragmentCount + f]
                        let first = layout.firstRow[o] + chunk * layout.rowWidth[f]
                        let stride = layout.settingStride[o], rowWidth = layout.rowWidth[f]
                        let slot = wd + program.slotOffset[f] * laneCount
                        if rowWidth == 1 && lanes == laneCount {
                            // Values only: a chunk's samples lie side by side, one vector per setting.
                            for s in 0..<layout.settingCount[f] {
                                ContractionLanes.store(ContractionLanes.load(storage + first + s * stride, 0), slot, s)
                            }
                        } else {
                            for s in 0..<layout.settingCount[f] {
                                let row = storage + first + s * stride
                                for l in 0..<lanes { slot[s * laneCount + l] = row[l * rowWidth] }
                            }
                        }
                    }
                    program.forward(wd)
                    value += Lanes(repeating: coefficient) * ContractionLanes.load(wd, program.resultOffset)
                    guard gradients else { continue }
                    program.backward(wd, adjoints: ad)
                    for l in 0..<lanes {
                        let gradient = buffers.gradient + l * width
                        let derivatives = buffers.derivatives + l
                        // ∂E/∂slot = Σ_f ⟨V̄_f, ∂V_f/∂slot⟩ + Σ_j ⟨C̄_j, ∂C_j/∂slot⟩. Each slot receives
                        // the same additions in the same order as if they went straight into
                        // `gradient`; gathering them first only makes the inner loop contiguous.
                        for f in 0..<fragmentCount {
                            let o = layout.observableOffset[f] + layout.termObservables[t * fragmentCount + f]
                            let first = layout.firstRow[o] + (chunk + l) * layout.rowWidth[f], stride = layout.settingStride[o]
                            let adjoint = ad + program.slotOffset[f] * laneCount + l
                            let supportStart = layout.supportStart[f], n = layout.supportStart[f + 1] - supportStart
                            for k in 0..<n { local[k] = gradient[layout.supports[supportStart + k]] }
                            for s in 0..<layout.settingCount[f] where adjoint[s * laneCount] != 0 {
                                let weight = coefficient * adjoint[s * laneCount]
                                let row = storage + first + s * stride + 1
                                for k in 0..<n { local[k] += weight * row[k] }
                            }
                            for k in 0..<n { gradient[layout.supports[supportStart + k]] = local[k] }
                        }
                        for r in layout.derivativeSlot.indices {
                            gradient[layout.derivativeSlot[r]] += coefficient * ad[layout.derivativeAdjoint[r] * laneCount + l] * derivatives[r * laneCount]
                        }
                    }
                }
                for l in 0..<lanes {
                    result.values.append(value[l])
                    guard gradients else { continue }
                    let gradient = buffers.gradient + l * width
                    result.thetaGradients.append(Array(UnsafeBufferPointer(start: gradient, count: p)))
                    result.inputGradients.append(Array(UnsafeBufferPointer(start: gradient + p, count: width - p)))
                }
            }
        }
        return result
    }
}
