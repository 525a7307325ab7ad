/// The reconstruction E = Σ_t c_t Π_f v_f[s_f(t)] as a tensor-network contraction. Every fragment
/// is a tensor over the local-operation indices of the cut sides it holds (its settings), every
/// cut is a small coefficient matrix C_j[a, b] = Σ_{terms m with ops (a, b)} c_m coupling its two
/// sides; each index is shared by exactly one fragment and one cut, and contracting them all gives
/// E. The pairwise order is chosen greedily once per plan (smallest intermediate first), and each
/// step is compiled to a sparse index table that skips structural zeros of the cut matrices; per
/// query we only run the tables. Gradients come from one reverse pass (adjoints of every fragment
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
    var steps: [ContractionStep]
    /// Number of multiply-adds per evaluation (values only), for reporting.
    var entryCount: Int { steps.reduce(0) { $0 + $1.leftIndex.count } }

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

extension ContractionProgram {
    /// Forward pass: `tensors` holds the fragment tensors then the cut tensors; every step appends
    /// its result. The last tensor is the scalar E.
    func forward(_ tensors: inout [[Double]]) {
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
    func backward(_ tensors: [[Double]]) -> [[Double]] {
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
