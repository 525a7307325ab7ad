/// One gate of a `PreparedCircuit`: its kernel, where its matrices are on every call, and how
/// its angles are bound — with direct formulas for the rotations QNNs are made of, so that binding
/// a gate is a sin, a cos and a few stores.
///
/// Matrices of gates whose angles are all constant are packed once, at prepare time, into the
/// circuit's constant pool. Gates with an angle that depends on θ or x are *bound* per call into
/// a binding area laid out at prepare time:
///
///     [forward × copies][inverse × copies][∂/∂angle_j × copies, for each non-constant angle j]
///
/// with `copies` = B when an angle depends on the input and the chunk has B > 1 samples, else 1.
/// Inverses and derivatives are only read by the adjoint pass, so only bound with gradients.
/// A fused operation (see GateFusion.swift) has only `[forward × copies]`.
/// An operation's block starts at `sharedOffset + perSampleOffset·B` Doubles (prefix sums over
/// the earlier bound operations), so no offset table is built per call.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Circuits

struct PreparedOperation: Sendable {
    var operation: Operation
    var kind: GateKind
    /// The gate's angles are `angleCount` entries from `angleStart` in `PreparedCircuit.angles`.
    var angleStart: Int
    var angleCount: Int
    /// Some angle depends on the input: one matrix per sample in a chunk of more than one.
    var dependsOnInput: Bool
    /// Some angle depends on θ or x: bound per call, and has derivatives.
    var isBound: Bool
    /// Angles with a derivative (the non-constant ones), in angle order.
    var derivativeCount: Int
    /// Constant operations: forward matrix at `sharedOffset` in the constant pool, inverse right
    /// after it. Bound operations: see the file comment.
    var sharedOffset: Int
    var perSampleOffset: Int
    /// A fused run of one-qubit gates (forward passes only, GateFusion.swift): its matrix is the
    /// product of the operations `PreparedCircuit.fusedMembers[memberStart..<memberStart + memberCount]`;
    /// 0 for an ordinary operation.
    var memberStart = 0
    var memberCount = 0

    /// Doubles of one packed forward (or inverse) matrix.
    var packedCount: Int { operation.packedCount }
    /// Doubles of one dense derivative: 2×2 or 4×4 complex.
    var denseCount: Int { operation.isTwoQubit ? 32 : 8 }
    /// Doubles of one copy of the bound block: forward, inverse and every derivative.
    var boundCount: Int {
        if isFused { return packedCount }
        return 2 * packedCount + (rotation == nil ? derivativeCount * denseCount : 0)
    }

    var isFused: Bool { memberCount > 0 }

    var isMeasurement: Bool { operation.isMeasurement }

    /// The Pauli G and qubit of a one-qubit rotation exp(−itG/2) (rx, ry, rz): its derivative is
    /// read with `Kernels.generatorElement1`, so it has no bound dense derivative.
    var rotation: (generator: Pauli, qubit: Int)? {
        switch (kind, operation) {
        case (.rx, .general1(let q)): return (.x, q)
        case (.ry, .general1(let q)): return (.y, q)
        case (.rz, .diagonal1(let q)): return (.z, q)
        default: return nil
        }
    }

    /// Matrices are per sample in a chunk of `batch` samples.
    @inline(__always) func perSample(batch: Int) -> Bool { dependsOnInput && batch > 1 }

    /// Start of this bound operation's block in the binding area for a chunk of `batch` samples.
    @inline(__always) func bindingOffset(batch: Int) -> Int { sharedOffset + perSampleOffset * batch }
}

/// Writing one gate's matrices for one set of angle values.
enum MatrixBinding {
    /// The forward matrix (packed for `operation`'s kernel) and, when given, the inverse, for the
    /// one-angle gates with direct formulas (rx, ry, rz, p) at angle `t`; for p also the dense
    /// ∂U/∂t when `derivative` is given (rotations need none: `Kernels.generatorElement1`).
    /// Returns false, writing nothing, for every other kind.
    ///
    /// The formulas give exactly the entries of `GateKind.denseMatrix` and `denseDerivative`
    /// (cI − i s G has entries c, ±s, ±i s and zeros; the adjoint only conjugates and transposes),
    /// so a prepared circuit binds what the per-call binding binds.
    @inline(__always)
    static func writeOneAngle(_ kind: GateKind, _ t: Double, forward f: UnsafeMutablePointer<Double>,
                              inverse: UnsafeMutablePointer<Double>?, derivative d: UnsafeMutablePointer<Double>?) -> Bool {
        switch kind {
        case .rx:
            // [[c, −is], [−is, c]]; inverse [[c, is], [is, c]]
            let c = cos(t / 2), s = sin(t / 2)
            (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]) = (c, 0, 0, -s, 0, -s, c, 0)
            if let r = inverse { (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) = (c, 0, 0, s, 0, s, c, 0) }
            return true
        case .ry:
            // [[c, −s], [s, c]]; inverse [[c, s], [−s, c]]
            let c = cos(t / 2), s = sin(t / 2)
            (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]) = (c, 0, -s, 0, s, 0, c, 0)
            if let r = inverse { (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) = (c, 0, s, 0, -s, 0, c, 0) }
            return true
        case .rz:
            // diag(c − is, c + is); inverse diag(c + is, c − is)
            let c = cos(t / 2), s = sin(t / 2)
            (f[0], f[1], f[2], f[3]) = (c, -s, c, s)
            if let r = inverse { (r[0], r[1], r[2], r[3]) = (c, s, c, -s) }
            return true
        case .p:
            // diag(1, e^{iλ}); inverse diag(1, e^{−iλ}); derivative diag(0, i e^{iλ})
            let c = cos(t), s = sin(t)
            (f[0], f[1], f[2], f[3]) = (1, 0, c, s)
            if let r = inverse { (r[0], r[1], r[2], r[3]) = (1, 0, c, -s) }
            if let d { (d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]) = (0, 0, 0, 0, 0, 0, -s, c) }
            return true
        default:
            return false
        }
    }

    /// Forward and inverse matrices of any gate kind from its dense matrix.
    @inline(__always)
    static func writeDense(_ kind: GateKind, _ operation: Operation, _ v: AngleValues,
                           forward f: UnsafeMutablePointer<Double>, inverse r: UnsafeMutablePointer<Double>) {
        let m = kind.denseMatrix(v)
        operation.pack(m, to: f)
        operation.pack(m.adjoint, to: r)
    }

    /// Dense ∂U/∂v[index] of any gate kind (8 or 32 Doubles).
    @inline(__always)
    static func writeDenseDerivative(_ kind: GateKind, _ v: AngleValues, index: Int, to d: UnsafeMutablePointer<Double>) {
        kind.denseDerivative(v, index: index).writePacked(to: d)
    }
}
