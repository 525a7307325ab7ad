/// Gate fusion for forward passes: every run of one-qubit gates on a qubit (between the
/// multi-qubit operations and measurements that touch it) becomes one 2×2 operation.
///
/// Why: a QNN fragment is mostly RY(x)·RY(θ)·RZ(θ) runs; fused, a 16-amplitude state sees one
/// pass per run instead of two or three, and the branches after a measurement replay fewer
/// passes. The product of a run is formed per call from its members' bound matrices (8 complex
/// multiplications, far cheaper than a pass over the state). Fusion changes rounding only
/// (~1e-16 relative): products are associated differently from gate-by-gate application.
/// Forward passes always run the fused operations (so a value does not depend on whether
/// gradients were asked for); the adjoint pass needs every gate's own derivative, so backward
/// sweeps run the unfused ones, from the state the fused forward pass reached.

extension PreparedCircuit {
    /// The forward operation list: `operations` with one-qubit runs fused. Runs are cut at every
    /// operation touching the qubit, and all pending runs are emitted before a measurement (so
    /// work before the measurement is not replayed in each branch). Returns the list and the
    /// member indices (into `operations`) of the fused entries.
    static func fuse(_ operations: [PreparedOperation], qubitCount: Int, shared: inout Int, perSample: inout Int,
                     constants: inout [Double]) -> (forward: [PreparedOperation], members: [Int]) {
        var forward: [PreparedOperation] = []
        var members: [Int] = []
        forward.reserveCapacity(operations.count)
        members.reserveCapacity(operations.count)
        // Pending runs as linked lists (no array per qubit: preparing is a per-call cost for
        // callers of `Simulator.evaluate`): the last member of each qubit's run, its length, and
        // for each member the previous one.
        var last = Array(repeating: -1, count: qubitCount)
        var length = Array(repeating: 0, count: qubitCount)
        var previous = Array(repeating: -1, count: operations.count)

        func flush(_ q: Int) {
            let count = length[q]
            guard count > 0 else { return }
            length[q] = 0
            guard count > 1 else {
                forward.append(operations[last[q]])
                return
            }
            let start = members.count
            members.append(contentsOf: repeatElement(0, count: count))
            var allDiagonal = true, dependsOnInput = false, isBound = false
            var m = last[q]
            for slot in stride(from: start + count - 1, through: start, by: -1) {
                members[slot] = m
                if case .diagonal1 = operations[m].operation {} else { allDiagonal = false }
                dependsOnInput = dependsOnInput || operations[m].dependsOnInput
                isBound = isBound || operations[m].isBound
                m = previous[m]
            }
            var op = PreparedOperation(
                operation: allDiagonal ? .diagonal1(q) : .general1(q), kind: operations[members[start]].kind,
                angleStart: 0, angleCount: 0, dependsOnInput: dependsOnInput, isBound: isBound, derivativeCount: 0,
                sharedOffset: 0, perSampleOffset: 0, memberStart: start, memberCount: count)
            if isBound {
                op.sharedOffset = shared
                op.perSampleOffset = perSample
                if dependsOnInput { perSample += op.boundCount } else { shared += op.boundCount }
            } else {
                // All members constant: the product is constant too (forward, then its inverse).
                op.sharedOffset = constants.count
                let packed = op.packedCount
                constants.append(contentsOf: repeatElement(0, count: 2 * packed))
                constants.withUnsafeMutableBufferPointer { pool in
                    let base = pool.baseAddress!
                    var product = Matrix2x2.identity
                    for m in members[start..<(start + count)] {
                        product = product.leftMultiplied(by: base + operations[m].sharedOffset, operations[m].operation)
                    }
                    product.writePacked(diagonal: allDiagonal, to: base + op.sharedOffset)
                    product.adjoint.writePacked(diagonal: allDiagonal, to: base + op.sharedOffset + packed)
                }
            }
            forward.append(op)
        }

        for index in operations.indices {
            switch operations[index].operation {
            case .general1(let q), .diagonal1(let q):
                previous[index] = length[q] > 0 ? last[q] : -1
                last[q] = index
                length[q] += 1
                continue
            case .measurement:
                for q in 0..<qubitCount { flush(q) }
            case .diagonal2(let q0, let q1), .general2(let q0, let q1), .controlled1(let q0, let q1):
                flush(q0)
                flush(q1)
            case .permutation(let select, _, let flip):
                var touched = select | flip
                while touched != 0 {
                    flush(touched.trailingZeroBitCount)
                    touched &= touched - 1
                }
            }
            forward.append(operations[index])
        }
        for q in 0..<qubitCount { flush(q) }
        return (forward, members)
    }

    /// Bind the fused operations of `forwardOperations` from their members' matrices (already
    /// bound or constant) for a chunk of `batch` samples.
    func bindFused(batch b: Int, binding: UnsafeMutablePointer<Double>, constants: UnsafePointer<Double>) {
        operations.withUnsafeBufferPointer { ops in
            forwardOperations.withUnsafeBufferPointer { forward in
                fusedMembers.withUnsafeBufferPointer { members in
                    for f in forward.indices where forward[f].isFused && forward[f].isBound {
                        let op = forward[f]
                        let copies = op.perSample(batch: b) ? b : 1
                        let diagonal = if case .diagonal1 = op.operation { true } else { false }
                        for k in 0..<copies {
                            @inline(__always) func matrix(_ m: Int) -> (UnsafePointer<Double>, Operation) {
                                let member = ops[members[m]]
                                guard member.isBound else { return (constants + member.sharedOffset, member.operation) }
                                let memberCopy = member.perSample(batch: b) ? k : 0
                                return (UnsafePointer(binding + member.bindingOffset(batch: b) + memberCopy * member.packedCount),
                                        member.operation)
                            }
                            let (first, firstOperation) = matrix(op.memberStart)
                            var product = Matrix2x2(packed: first, firstOperation)
                            for m in (op.memberStart + 1)..<(op.memberStart + op.memberCount) {
                                let (next, operation) = matrix(m)
                                product = product.leftMultiplied(by: next, operation)
                            }
                            product.writePacked(diagonal: diagonal, to: binding + op.bindingOffset(batch: b) + k * op.packedCount)
                        }
                    }
                }
            }
        }
    }
}

extension Matrix2x2 {
    static let identity = Matrix2x2(.one, .zero, .zero, .one)

    init(_ m00: Complex, _ m01: Complex, _ m10: Complex, _ m11: Complex) {
        self.m00 = m00
        self.m01 = m01
        self.m10 = m10
        self.m11 = m11
    }

    /// A one-qubit matrix packed as `operation`'s kernel reads it: diagonal (d₀, d₁) or full.
    @inline(__always)
    init(packed p: UnsafePointer<Double>, _ operation: Operation) {
        if case .diagonal1 = operation {
            self.init(load(p), .zero, .zero, load(p + 2))
        } else {
            self.init(p)
        }
    }

    /// N·self for N packed as `operation`'s kernel reads it: diagonal (d₀, d₁) or the full 2×2.
    @inline(__always)
    func leftMultiplied(by n: UnsafePointer<Double>, _ operation: Operation) -> Matrix2x2 {
        if case .diagonal1 = operation {
            let d0 = load(n), d1 = load(n + 2)
            return Matrix2x2(d0 * m00, d0 * m01, d1 * m10, d1 * m11)
        }
        let n00 = load(n), n01 = load(n + 2), n10 = load(n + 4), n11 = load(n + 6)
        return Matrix2x2(n00 * m00 + n01 * m10, n00 * m01 + n01 * m11, n10 * m00 + n11 * m10, n10 * m01 + n11 * m11)
    }

    var adjoint: Matrix2x2 { Matrix2x2(m00.conjugate, m10.conjugate, m01.conjugate, m11.conjugate) }

    /// Packed as a one-qubit kernel reads it: (d₀, d₁) when `diagonal`, else the full 2×2.
    @inline(__always)
    func writePacked(diagonal: Bool, to out: UnsafeMutablePointer<Double>) {
        if diagonal {
            store(out, m00)
            store(out + 2, m11)
        } else {
            store(out, m00)
            store(out + 2, m01)
            store(out + 4, m10)
            store(out + 6, m11)
        }
    }
}
