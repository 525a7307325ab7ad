/// The reconstruction E = Σ_t c_t Π_f v_f[s_f(t)] as a tensor-network contraction. Every fragment
/// is a tensor over the local-operation indices of the cut sides it holds (its settings), every
/// cut is a small coefficient matrix C_j[a, b] = Σ_{terms m with ops (a, b)} c_m coupling its two
/// sides; each index is shared by exactly one fragment and one cut, and contracting them all gives
/// E. The pairwise order is chosen greedily once per plan (smallest intermediate first), and each
/// step is compiled to a sparse index table that skips structural zeros of the cut matrices; per
/// query we only run the tables. Gradients ride along as dual numbers restricted to each tensor's
/// *support* (the θ/x slots it depends on), so a fragment carries only its own parameters.
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
    /// Gradient support of the result, and where each operand's support entries land in it.
    var support: [Int]
    var leftSupportMap: [Int]
    var rightSupportMap: [Int]
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
        let parameterCount = fragments.first?.circuits.first?.parameterCount ?? 0
        func slots(_ angle: Angle) -> [Int] {
            var s: [Int] = []
            if let i = angle.thetaIndex { s.append(i) }
            if let j = angle.inputIndex { s.append(parameterCount + j) }
            return s
        }
        fragmentSupport = fragments.map { fragment in
            var set = Set<Int>()
            for circuit in fragment.circuits { for gate in circuit.gates { for a in gate.angles { set.formUnion(slots(a)) } } }
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
        var supports: [[Int]] = fragmentSupport + cutSupport
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
            func strides(_ ls: [Int]) -> [Int: Int] {
                var s: [Int: Int] = [:]
                var stride = 1
                for l in ls.reversed() { s[l] = stride; stride *= dim(l) }
                return s
            }
            let si = strides(li), sj = strides(lj)
            let outDims = outLabels.map(dim), sharedDims = shared.map(dim)
            var start: [Int32] = [0], leftIndex: [Int32] = [], rightIndex: [Int32] = []
            var outDigits = Array(repeating: 0, count: outLabels.count)
            for _ in 0..<size(outLabels) {
                var baseI = 0, baseJ = 0
                for (k, l) in outLabels.enumerated() {
                    if let s = si[l] { baseI += s * outDigits[k] } else { baseJ += sj[l]! * outDigits[k] }
                }
                var sharedDigits = Array(repeating: 0, count: shared.count)
                for _ in 0..<size(shared) {
                    var a = baseI, b = baseJ
                    for (k, l) in shared.enumerated() { a += si[l]! * sharedDigits[k]; b += sj[l]! * sharedDigits[k] }
                    if nonzero[i]?[a] != false && nonzero[j]?[b] != false {
                        leftIndex.append(Int32(a))
                        rightIndex.append(Int32(b))
                    }
                    Self.increment(&sharedDigits, dims: sharedDims)
                }
                start.append(Int32(leftIndex.count))
                Self.increment(&outDigits, dims: outDims)
            }
            let support = Set(supports[i]).union(supports[j]).sorted()
            steps.append(ContractionStep(left: i, right: j, outputSize: size(outLabels), entryStart: start,
                                         leftIndex: leftIndex, rightIndex: rightIndex, support: support,
                                         leftSupportMap: supports[i].map { support.firstIndex(of: $0)! },
                                         rightSupportMap: supports[j].map { support.firstIndex(of: $0)! }))
            labels[i] = nil
            labels[j] = nil
            labels.append(outLabels)
            nonzero.append(nil)
            supports.append(support)
        }
    }

    /// Mixed-radix increment, last digit fastest.
    private static func increment(_ digits: inout [Int], dims: [Int]) {
        var k = digits.count - 1
        while k >= 0 {
            digits[k] += 1
            if digits[k] < dims[k] { return }
            digits[k] = 0
            k -= 1
        }
    }
}

/// A tensor during contraction: values and gradients over its support (`grads[e·|support| + k]`).
struct DualTensor {
    var values: [Double]
    var grads: [Double]
    var supportCount: Int
}

extension ContractionProgram {
    /// Contract one sample: `tensors` holds the fragment tensors then the cut tensors; returns E
    /// and its gradient over the final support (the last step's `support`, or the single
    /// remaining tensor's).
    func run(_ tensors: inout [DualTensor], withGradients: Bool) -> DualTensor {
        for step in steps {
            let a = tensors[step.left], b = tensors[step.right]
            let gs = withGradients ? step.support.count : 0
            let ga = withGradients ? a.supportCount : 0, gb = withGradients ? b.supportCount : 0
            var values = [Double](repeating: 0, count: step.outputSize)
            var grads = [Double](repeating: 0, count: step.outputSize * gs)
            values.withUnsafeMutableBufferPointer { out in
            grads.withUnsafeMutableBufferPointer { outGrad in
            a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
            a.grads.withUnsafeBufferPointer { ag in
            b.grads.withUnsafeBufferPointer { bg in
            step.leftIndex.withUnsafeBufferPointer { li in
            step.rightIndex.withUnsafeBufferPointer { ri in
            step.leftSupportMap.withUnsafeBufferPointer { lm in
            step.rightSupportMap.withUnsafeBufferPointer { rm in
                for o in 0..<step.outputSize {
                    var sum = 0.0
                    let gOut = o * gs
                    for e in Int(step.entryStart[o])..<Int(step.entryStart[o + 1]) {
                        let ia = Int(li[e]), ib = Int(ri[e])
                        let x = av[ia], y = bv[ib]
                        sum += x * y
                        if gs > 0 {
                            // d(xy) = y·dx + x·dy
                            for k in 0..<ga { outGrad[gOut + lm[k]] += y * ag[ia * ga + k] }
                            for k in 0..<gb { outGrad[gOut + rm[k]] += x * bg[ib * gb + k] }
                        }
                    }
                    out[o] = sum
                }
            }}}}}}}}}}
            tensors.append(DualTensor(values: values, grads: grads, supportCount: gs))
        }
        return tensors[tensors.count - 1]
    }

    /// The gradient support of the final scalar.
    var finalSupport: [Int] {
        steps.last?.support ?? (fragmentSupport.first ?? [])
    }
}
