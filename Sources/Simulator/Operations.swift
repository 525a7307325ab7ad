/// From gates to kernel calls: each gate kind is routed to one kernel family (`Operation`), and
/// per batch its angles are bound to packed per-sample (or shared) matrices (`BoundOperation`).

import Circuits

/// Which kernel runs a gate, and on which qubits.
enum Operation: Sendable {
    case diagonal1(Int)
    case general1(Int)
    case diagonal2(Int, Int)
    case controlled1(control: Int, target: Int)
    case general2(Int, Int)
    case permutation(select: Int, value: Int, flip: Int)
    /// Signed measurement 𝓜_P on a qubit: splits the state into its ± projected branches.
    case measurement(Int, Pauli)

    /// The kernel family for `gate`, or nil when the gate does nothing (id, prepareZPlus).
    init?(_ gate: Gate) {
        let q = gate.qubits
        switch gate.kind {
        case .id, .prepareZPlus: return nil
        case .x: self = .permutation(select: 1 << q[0], value: 0, flip: 1 << q[0])
        case .cx: self = .permutation(select: 1 << q[0] | 1 << q[1], value: 1 << q[0], flip: 1 << q[1])
        case .ccx:
            self = .permutation(select: 1 << q[0] | 1 << q[1] | 1 << q[2], value: 1 << q[0] | 1 << q[1], flip: 1 << q[2])
        case .swap: self = .permutation(select: 1 << q[0] | 1 << q[1], value: 1 << q[0], flip: 1 << q[0] | 1 << q[1])
        case .z, .s, .sdg, .t, .tdg, .rz, .p: self = .diagonal1(q[0])
        case .y, .h, .sx, .sxdg, .rx, .ry, .u2, .u3,
             .prepareZMinus, .prepareXPlus, .prepareXMinus, .prepareYPlus, .prepareYMinus:
            self = .general1(q[0])
        case .cz, .rzz, .crz, .cp: self = .diagonal2(q[0], q[1])
        case .cy, .ch, .crx, .cry: self = .controlled1(control: q[0], target: q[1])
        case .rxx, .ryy: self = .general2(q[0], q[1])
        case .measureX, .measureY, .measureZ: self = .measurement(q[0], gate.kind.measuredPauli!)
        }
    }

    /// True for the two-qubit families (4×4 dense matrices).
    var isTwoQubit: Bool {
        switch self {
        case .diagonal2, .controlled1, .general2: return true
        default: return false
        }
    }

    var isMeasurement: Bool {
        if case .measurement = self { return true }
        return false
    }

    /// Number of Doubles `pack` writes: what the kernel reads of one matrix.
    var packedCount: Int {
        switch self {
        case .diagonal1: return 4
        case .diagonal2, .general1, .controlled1: return 8
        case .general2: return 32
        case .permutation, .measurement: return 0
        }
    }

    /// `pack` into memory: writes `packedCount` Doubles at `out`.
    func pack(_ m: DenseMatrix, to out: UnsafeMutablePointer<Double>) {
        func put(_ k: Int, _ z: Complex) { out[2 * k] = z.re; out[2 * k + 1] = z.im }
        switch self {
        case .diagonal1: put(0, m[0, 0]); put(1, m[1, 1])
        case .diagonal2: for k in 0..<4 { put(k, m[k, k]) }
        case .general1, .general2: m.writePacked(to: out)
        case .controlled1: put(0, m[1, 1]); put(1, m[1, 3]); put(2, m[3, 1]); put(3, m[3, 3])
        case .permutation, .measurement: break
        }
    }

    /// The Doubles this kernel reads from a dense matrix, in kernel order.
    func pack(_ m: DenseMatrix, into out: inout [Double]) {
        func put(_ z: Complex) { out.append(z.re); out.append(z.im) }
        switch self {
        case .diagonal1: put(m[0, 0]); put(m[1, 1])
        case .diagonal2: for k in 0..<4 { put(m[k, k]) }
        case .general1, .general2: m.appendPacked(to: &out)
        case .controlled1: put(m[1, 1]); put(m[1, 3]); put(m[3, 1]); put(m[3, 3])
        case .permutation, .measurement: break
        }
    }
}

/// ∂U/∂(one angle) for a batch, and where the chain rule sends it.
struct BoundDerivative: Sendable {
    var angle: Angle
    var perSample: Bool
    /// Dense 2×2 (8 Doubles) or 4×4 (32 Doubles) per sample, or one shared.
    var packed: [Double]
}

/// One operation with its angles bound for a batch of samples.
struct BoundOperation: Sendable {
    var operation: Operation
    /// One matrix per sample when an angle depends on the input; otherwise one shared matrix.
    var perSample: Bool
    var forward: [Double]
    var inverse: [Double]
    var derivatives: [BoundDerivative]

    /// Bind `gate` for the samples `inputs` (all sharing `theta`).
    init?(_ gate: Gate, theta: [Double], inputs: ArraySlice<[Double]>, derivatives wantDerivatives: Bool) {
        guard let operation = Operation(gate) else { return nil }
        self.operation = operation
        let dependsOnInput = gate.angles.contains { $0.inputIndex != nil }
        perSample = dependsOnInput && inputs.count > 1
        forward = []
        inverse = []
        derivatives = []
        switch operation {
        case .permutation, .measurement: return
        default: break
        }
        let samples: [[Double]] = perSample ? Array(inputs) : [inputs.first ?? []]
        // One angle buffer reused for every sample: binding a batch must not allocate per sample.
        var values = [Double](repeating: 0, count: gate.angles.count)
        func bindAngles(_ x: [Double]) {
            for k in gate.angles.indices { values[k] = gate.angles[k].value(theta: theta, input: x) }
        }
        let doubles = 2 * (operation.isTwoQubit ? 16 : 4)
        forward.reserveCapacity(samples.count * doubles)
        inverse.reserveCapacity(samples.count * doubles)
        for x in samples {
            bindAngles(x)
            let m = gate.kind.denseMatrix(values)
            operation.pack(m, into: &forward)
            operation.pack(m.adjoint, into: &inverse)
        }
        guard wantDerivatives else { return }
        for (j, angle) in gate.angles.enumerated() where !angle.isConstant {
            var packed: [Double] = []
            packed.reserveCapacity(samples.count * doubles)
            for x in samples {
                bindAngles(x)
                gate.kind.denseDerivative(values, index: j).appendPacked(to: &packed)
            }
            derivatives.append(BoundDerivative(angle: angle, perSample: perSample, packed: packed))
        }
    }

    /// Apply U (or U† when `inverse`) to a batch.
    func apply(_ a: Amplitudes, _ s: Shape, inverse useInverse: Bool = false) {
        let matrices = useInverse ? inverse : forward
        matrices.withUnsafeBufferPointer { mb in
            operation.apply(a, s, mb.baseAddress ?? UnsafePointer(bitPattern: 8)!, perSample: perSample)
        }
    }

    /// acc[b] += Re⟨λ_b|D|ψ_b⟩ for derivative `d` of this operation.
    func accumulate(_ d: BoundDerivative, lambda: UnsafePointer<Double>, psi: UnsafePointer<Double>, _ s: Shape,
                    into acc: UnsafeMutablePointer<Double>) {
        d.packed.withUnsafeBufferPointer { db in
            operation.accumulate(lambda: lambda, psi: psi, s, db.baseAddress!, perSample: d.perSample, into: acc)
        }
    }
}

extension Operation {
    /// Run this kernel on a batch with matrices `m` packed as `pack` writes them (one per sample
    /// when `perSample`, else one shared).
    @inline(__always)
    func apply(_ a: Amplitudes, _ s: Shape, _ m: UnsafePointer<Double>, perSample: Bool) {
        switch self {
        case .diagonal1(let q): Kernels.diagonal1(a, s, qubit: q, m, perSample: perSample)
        case .general1(let q): Kernels.general1(a, s, qubit: q, m, perSample: perSample)
        case .diagonal2(let q0, let q1): Kernels.diagonal2(a, s, q0, q1, m, perSample: perSample)
        case .controlled1(let c, let t): Kernels.controlled1(a, s, control: c, target: t, m, perSample: perSample)
        case .general2(let q0, let q1): Kernels.general2(a, s, q0, q1, m, perSample: perSample)
        case .permutation(let select, let value, let flip): Kernels.maskedSwap(a, s, select: select, value: value, flip: flip)
        case .measurement: preconditionFailure("Operation.apply: a measurement is not a unitary")
        }
    }

    /// acc[b] += Re⟨λ_b|D|ψ_b⟩ for a dense derivative D (8 or 32 Doubles per sample, or shared).
    @inline(__always)
    func accumulate(lambda: UnsafePointer<Double>, psi: UnsafePointer<Double>, _ s: Shape, _ d: UnsafePointer<Double>,
                    perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        switch self {
        case .diagonal1(let q), .general1(let q):
            Kernels.element1(lambda, psi, s, qubit: q, d, perSample: perSample, into: acc)
        case .diagonal2(let q0, let q1), .general2(let q0, let q1):
            Kernels.element2(lambda, psi, s, q0, q1, d, perSample: perSample, into: acc)
        case .controlled1(let c, let t):
            Kernels.element2(lambda, psi, s, c, t, d, perSample: perSample, into: acc)
        case .permutation, .measurement: break
        }
    }
}

/// Π± = (I ± P)/2 on one qubit, as the kernel that applies it (projectors are Hermitian).
func applyProjector(_ a: Amplitudes, _ s: Shape, qubit q: Int, pauli: Pauli, positive: Bool) {
    let sg = positive ? 0.5 : -0.5
    // Packed on the stack: a projection happens at every branch of every call.
    func run(_ m: (Double, Double, Double, Double, Double, Double, Double, Double), diagonal: Bool) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 8) { buffer in
            let p = buffer.baseAddress!
            (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]) = m
            if diagonal {
                Kernels.diagonal1(a, s, qubit: q, p, perSample: false)
            } else {
                Kernels.general1(a, s, qubit: q, p, perSample: false)
            }
        }
    }
    switch pauli {
    case .z:
        // diag(1, 0) or diag(0, 1)
        run(positive ? (1, 0, 0, 0, 0, 0, 0, 0) : (0, 0, 1, 0, 0, 0, 0, 0), diagonal: true)
    case .x:
        run((0.5, 0, sg, 0, sg, 0, 0.5, 0), diagonal: false)
    case .y:
        // (I ± Y)/2 = ½[[1, ∓i], [±i, 1]]
        run((0.5, 0, 0, -sg, 0, sg, 0.5, 0), diagonal: false)
    case .i:
        break
    }
}
