/// The reconstruction E = Σ_t c_t Π_f v_f[s_f(t)] as a tensor-network contraction. Every fragment
/// is a tensor over the local-operation indices of the cut sides it holds (its settings), every
/// cut is a small coefficient matrix C_j[a, b] = Σ_{terms m with ops (a, b)} c_m coupling its two
/// sides; each index is shared by exactly one fragment and one cut, and contracting them all gives
/// E. The pairwise order is chosen greedily once per plan (smallest intermediate first), and each
/// step is compiled to a sparse index table that skips structural zeros of the cut matrices; per
/// query we only run the tables (flattened over one workspace, 8 samples per pass: see
/// `ReconstructionKernel.swift`). Gradients come from one reverse pass (adjoints of every fragment
/// and cut tensor), combined with each tensor's derivatives over its *support* (the θ/x slots it
/// depends on).
import Circuits

/// One pairwise contraction, compiled.
struct ContractionStep: Sendable {
    var left: Int
    var right: Int
    var outputSize: Int
    /// Entries `entryStart[o]..<entryStart[o+1]` of `leftIndex`/`rightIndex` contribute to output o.
    var entryStart: [Int32]
    var leftIndex: [Int32]
    var rightIndex: [Int32]
}

/// The compiled contraction of a plan (static: depends on the plan's structure only).
struct ContractionProgram: Sendable {
    /// Tensor slots 0..<F are fragments, F..<F+K are cuts; each step writes a new slot.
    var fragmentCount: Int
    var cutCount: Int
    var fragmentSupport: [[Int]]
    var cutSupport: [[Int]]
    /// The steps as compiled, over their operands' own indices (kept for inspection and as the
    /// reference the tests run; queries run the flattened tables below).
    var steps: [ContractionStep]
    /// Number of multiply-adds per evaluation (values only), for reporting.
    var entryCount: Int { leftEntry.count }

    /// The steps flattened over one workspace in which every tensor slot has a fixed
    /// place (`slotOffset`): fragments, then cuts, then each step's output, so all outputs lie
    /// one after another from `intermediateOffset`, in step order. Output o (counted over all
    /// steps) sums `w[leftEntry[e]] · w[rightEntry[e]]` for e in `outputEntryStart[o]..<[o+1]`
    /// (indices into the workspace, not into the operands), and step k owns outputs
    /// `stepOutputStart[k]..<stepOutputStart[k+1]`. Per query, `forward`/`backward` then run
    /// over one buffer (a slot holds one double per sample lane) and allocate nothing.
    var slotOffset: [Int] = []
    var workspaceSize = 0
    var intermediateOffset = 0
    /// Where the scalar E lies after `forward`.
    var resultOffset = 0
    var outputEntryStart: [Int32] = [0]
    var leftEntry: [Int32] = []
    var rightEntry: [Int32] = []
    var stepOutputStart: [Int] = [0]

    init(cuts: [Cut], fragments: [Fragment]) {
        fragmentCount = fragments.count
        cutCount = cuts.count
        let parameterCount = fragments.first?.parameterCount ?? 0
        func slots(_ angle: Angle) -> [Int] {
            var s: [Int] = []
            if let i = angle.thetaIndex { s.append(i) }
            if let j = angle.inputIndex { s.append(parameterCount + j) }
            return s
        }
        fragmentSupport = fragments.map { fragment in
            var set = Set<Int>()
            for gate in fragment.allGates { for a in gate.angles { set.formUnion(slots(a)) } }
            return set.sorted()
        }
        cutSupport = cuts.map { cut in
            var set = Set<Int>()
            for term in cut.basis.terms { if let a = term.coefficient.angle { set.formUnion(slots(a)) } }
            return set.sorted()
        }

        // Tensor shapes: labels 2c + side, with dims = number of local operations.
        func dim(_ label: Int) -> Int { cuts[label / 2].basis.sideOperations[label % 2].count }
        var labels: [[Int]?] = fragments.map { f in f.cutSides.map { 2 * $0.cut + $0.side } }
            + cuts.indices.map { [2 * $0, 2 * $0 + 1] }
        var nonzero: [[Bool]?] = Array(repeating: nil, count: fragments.count) + cuts.map { cut in
            let n1 = cut.basis.sideOperations[1].count
            var mask = Array(repeating: false, count: cut.basis.sideOperations[0].count * n1)
            for term in cut.basis.terms { mask[term.operations[0] * n1 + term.operations[1]] = true }
            return mask
        }
        steps = []
        func size(_ ls: [Int]) -> Int { ls.reduce(1) { $0 * dim($1) } }

        while labels.compactMap({ $0 }).count > 1 {
            let live = labels.indices.filter { labels[$0] != nil }
            var best: (i: Int, j: Int, out: Int, cost: Int)?
            for (x, i) in live.enumerated() {
                for j in live[(x + 1)...] {
                    let li = labels[i]!, lj = labels[j]!
                    let shared = li.filter(lj.contains)
                    // Pair only tensors sharing an index, unless nothing shares (scalars left).
                    if shared.isEmpty && !(li.isEmpty && lj.isEmpty) { continue }
                    let out = size(li.filter { !shared.contains($0) } + lj.filter { !shared.contains($0) })
                    let cost = out * size(shared)
                    if best == nil || (out, cost) < (best!.out, best!.cost) { best = (i, j, out, cost) }
                }
            }
            guard let (i, j, _, _) = best else { break }
            let li = labels[i]!, lj = labels[j]!
            let shared = li.filter(lj.contains)
            let outLabels = li.filter { !shared.contains($0) } + lj.filter { !shared.contains($0) }
            // Strides of every output and shared label in the two operands (0 where absent):
            // plain arrays, so the loops below allocate nothing per entry.
            func strides(_ ls: [Int]) -> [Int: Int] {
                var s: [Int: Int] = [:]
                var stride = 1
                for l in ls.reversed() { s[l] = stride; stride *= dim(l) }
                return s
            }
            let si = strides(li), sj = strides(lj)
            let outDims = outLabels.map(dim), sharedDims = shared.map(dim)
            let outLeft = outLabels.map { si[$0] ?? 0 }, outRight = outLabels.map { sj[$0] ?? 0 }
            let sharedLeft = shared.map { si[$0]! }, sharedRight = shared.map { sj[$0]! }
            let leftMask = nonzero[i], rightMask = nonzero[j]
            let outputCount = size(outLabels), sharedCount = size(shared)
            var start: [Int32] = [0], leftIndex: [Int32] = [], rightIndex: [Int32] = []
            start.reserveCapacity(outputCount + 1)
            var outDigits = Array(repeating: 0, count: outLabels.count)
            var sharedDigits = Array(repeating: 0, count: shared.count)
            var baseI = 0, baseJ = 0
            for _ in 0..<outputCount {
                var a = baseI, b = baseJ
                for _ in 0..<sharedCount {
                    if leftMask?[a] != false && rightMask?[b] != false {
                        leftIndex.append(Int32(a))
                        rightIndex.append(Int32(b))
                    }
                    Self.increment(&sharedDigits, dims: sharedDims, a: &a, b: &b, strideA: sharedLeft, strideB: sharedRight)
                }
                start.append(Int32(leftIndex.count))
                Self.increment(&outDigits, dims: outDims, a: &baseI, b: &baseJ, strideA: outLeft, strideB: outRight)
            }
            steps.append(ContractionStep(left: i, right: j, outputSize: outputCount, entryStart: start,
                                         leftIndex: leftIndex, rightIndex: rightIndex))
            labels[i] = nil
            labels[j] = nil
            labels.append(outLabels)
            nonzero.append(nil)
        }
        let slotSizes = fragments.map { f in f.cutSides.reduce(1) { $0 * dim(2 * $1.cut + $1.side) } }
            + cuts.indices.map { dim(2 * $0) * dim(2 * $0 + 1) } + steps.map(\.outputSize)
        flatten(slotSizes: slotSizes)
    }

    /// Lay every slot out in one workspace and rewrite the step tables as workspace indices.
    private mutating func flatten(slotSizes: [Int]) {
        var next = 0
        for size in slotSizes {
            slotOffset.append(next)
            next += size
        }
        workspaceSize = next
        intermediateOffset = slotOffset[fragmentCount + cutCount ..< slotOffset.count].first ?? next
        resultOffset = slotOffset.last ?? 0
        precondition(slotSizes.last == 1, "ContractionProgram: the contraction must end in a scalar")
        precondition(next <= Int(Int32.max), "ContractionProgram: workspace of \(next) doubles exceeds Int32 indices")
        for step in steps {
            let left = Int32(slotOffset[step.left]), right = Int32(slotOffset[step.right])
            let base = leftEntry.count
            for o in 0..<step.outputSize {
                outputEntryStart.append(Int32(base) + step.entryStart[o + 1])
            }
            leftEntry.append(contentsOf: step.leftIndex.map { $0 + left })
            rightEntry.append(contentsOf: step.rightIndex.map { $0 + right })
            stepOutputStart.append(stepOutputStart[stepOutputStart.count - 1] + step.outputSize)
        }
    }

    /// Mixed-radix increment, last digit fastest, keeping two flat offsets in step (`a`, `b`
    /// move by their strides of each digit that changes).
    private static func increment(_ digits: inout [Int], dims: [Int], a: inout Int, b: inout Int,
                                  strideA: [Int], strideB: [Int]) {
        var k = digits.count - 1
        while k >= 0 {
            digits[k] += 1
            a += strideA[k]
            b += strideB[k]
            if digits[k] < dims[k] { return }
            a -= strideA[k] * dims[k]
            b -= strideB[k] * dims[k]
            digits[k] = 0
            k -= 1
        }
    }
}


/// One double per sample of a chunk: the contraction runs on `ContractionLanes.width` samples at
/// once. Each lane sees exactly the operations a single-sample pass does (lanewise `+` and `*`,
/// never fused), so every sample's result is bit-identical to contracting it alone, while the
/// index tables are read once per chunk instead of once per sample.
typealias Lanes = SIMD8<Double>

enum ContractionLanes {
    static let width = Lanes.scalarCount
    static let stride = MemoryLayout<Lanes>.stride

    /// Slot i of a lane workspace (`width` doubles per slot, read as one vector).
    @inline(__always) static func load(_ w: UnsafeRawPointer, _ i: Int) -> Lanes {
        w.loadUnaligned(fromByteOffset: i &* stride, as: Lanes.self)
    }

    @inline(__always) static func store(_ v: Lanes, _ w: UnsafeMutableRawPointer, _ i: Int) {
        w.storeBytes(of: v, toByteOffset: i &* stride, as: Lanes.self)
    }
}

extension ContractionProgram {
    /// Forward pass over a lane workspace (`workspaceSize` slots of `width` doubles) whose fragment
    /// and cut slots are filled: writes every step's output, so slot `resultOffset` is E per
    /// sample. Each output sums its entries in table order from 0, as the per-step array loops
    /// did, so E is bit-identical to them.
    func forward(_ workspace: UnsafeMutablePointer<Double>) {
        let w = UnsafeMutableRawPointer(workspace)
        outputEntryStart.withUnsafeBufferPointer { start in
        leftEntry.withUnsafeBufferPointer { li in
        rightEntry.withUnsafeBufferPointer { ri in
            for o in 0..<(start.count - 1) {
                var sum = Lanes(repeating: 0)
                for e in Int(start[o])..<Int(start[o + 1]) {
                    sum += ContractionLanes.load(w, Int(li[e])) * ContractionLanes.load(w, Int(ri[e]))
                }
                ContractionLanes.store(sum, w, intermediateOffset + o)
            }
        }}}
    }

    /// Reverse pass: adjoints ∂E/∂T of every slot of a completed forward pass `w` into `adjoints`
    /// (same layout; E is multilinear, so for a step out = Σ A·B: Ā += Ō·B, B̄ += Ō·A). Steps run
    /// last to first, outputs and entries in table order: the additions of the per-step version.
    /// That version skipped an output whose adjoint is 0; a lane with Ō = 0 here adds +0
    /// instead, which changes nothing (an adjoint starts at +0 and a sum in round-to-nearest is
    /// −0 only when both terms are, so it never is −0). The gradient of E then is
    /// Σ_T ⟨T̄, ∂T/∂slot⟩ over fragment and cut slots only: no gradient vectors travel through
    /// the intermediates.
    func backward(_ workspace: UnsafePointer<Double>, adjoints adjointSlots: UnsafeMutablePointer<Double>) {
        adjointSlots.update(repeating: 0, count: workspaceSize * ContractionLanes.width)
        let w = UnsafeRawPointer(workspace), adjoints = UnsafeMutableRawPointer(adjointSlots)
        ContractionLanes.store(Lanes(repeating: 1), adjoints, resultOffset)
        outputEntryStart.withUnsafeBufferPointer { start in
        leftEntry.withUnsafeBufferPointer { li in
        rightEntry.withUnsafeBufferPointer { ri in
            for k in Swift.stride(from: stepOutputStart.count - 2, through: 0, by: -1) {
                for o in stepOutputStart[k]..<stepOutputStart[k + 1] {
                    let g = ContractionLanes.load(adjoints, intermediateOffset + o)
                    let zero = g .== 0
                    if all(zero) { continue }
                    for e in Int(start[o])..<Int(start[o + 1]) {
                        let ia = Int(li[e]), ib = Int(ri[e])
                        let a = ContractionLanes.load(w, ia), b = ContractionLanes.load(w, ib)
                        ContractionLanes.store(ContractionLanes.load(adjoints, ia) + (g * b).replacing(with: 0, where: zero), adjoints, ia)
                        ContractionLanes.store(ContractionLanes.load(adjoints, ib) + (g * a).replacing(with: 0, where: zero), adjoints, ib)
                    }
                }
            }
        }}}
    }
}
