/// Dense gate matrices and their angle derivatives, following Qiskit's conventions exactly
/// (global phases included, DESIGN §6).
///
/// Every unitary gate kind has one dense matrix here: 2×2 for one qubit, 4×4 for two. Two-qubit
/// matrices use the *local index* `k = bit(qubits[0]) + 2·bit(qubits[1])`, i.e. the first listed
/// qubit is the low bit, as in Qiskit; so for controlled gates the control (listed first) is bit 0.
/// The kernels take what they need from these matrices (a diagonal, a controlled block, or all of
/// it), so each matrix is written exactly once.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Circuits

/// A dense row-major complex matrix of dimension 2 or 4, stored inline (no heap allocation:
/// binding a batch builds thousands of these).
public struct DenseMatrix: Sendable {
    public let dimension: Int
    private var storage: InlineArray<16, Complex>

    /// A zero matrix.
    public init(dimension: Int) {
        precondition(dimension == 2 || dimension == 4, "DenseMatrix: dimension \(dimension) is not 2 or 4")
        self.dimension = dimension
        storage = InlineArray(repeating: .zero)
    }

    public init(dimension: Int, entries: [Complex]) {
        precondition(entries.count == dimension * dimension, "DenseMatrix: \(entries.count) entries for dimension \(dimension)")
        self.init(dimension: dimension)
        for k in entries.indices { storage[k] = entries[k] }
    }

    /// Row-major entries.
    public var entries: [Complex] { (0..<(dimension * dimension)).map { storage[$0] } }

    public static func identity(_ dimension: Int) -> DenseMatrix {
        var m = DenseMatrix(dimension: dimension)
        for k in 0..<dimension { m[k, k] = .one }
        return m
    }

    /// diag(d₀, d₁).
    public static func diagonal(_ d0: Complex, _ d1: Complex) -> DenseMatrix {
        DenseMatrix(d0, .zero, .zero, d1)
    }

    /// The 2×2 matrix [[m₀₀, m₀₁], [m₁₀, m₁₁]].
    public init(_ m00: Complex, _ m01: Complex, _ m10: Complex, _ m11: Complex) {
        self.init(dimension: 2)
        storage[0] = m00
        storage[1] = m01
        storage[2] = m10
        storage[3] = m11
    }

    public subscript(row: Int, column: Int) -> Complex {
        get { storage[row * dimension + column] }
        set { storage[row * dimension + column] = newValue }
    }

    /// The matrix product `self · other`.
    public static func * (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
        precondition(a.dimension == b.dimension)
        let d = a.dimension
        var c = DenseMatrix(dimension: d)
        for r in 0..<d {
            for col in 0..<d {
                var s = Complex.zero
                for k in 0..<d { s += a[r, k] * b[k, col] }
                c[r, col] = s
            }
        }
        return c
    }

    public static func * (s: Complex, a: DenseMatrix) -> DenseMatrix {
        var m = a
        for k in 0..<(a.dimension * a.dimension) { m.storage[k] = s * a.storage[k] }
        return m
    }

    public static func + (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
        var m = a
        for k in 0..<(a.dimension * a.dimension) { m.storage[k] = a.storage[k] + b.storage[k] }
        return m
    }

    /// The conjugate transpose U†.
    public var adjoint: DenseMatrix {
        var m = self
        for r in 0..<dimension { for c in 0..<dimension { m[r, c] = self[c, r].conjugate } }
        return m
    }

    /// Append the entries as (re, im) Doubles, row-major.
    func appendPacked(to out: inout [Double]) {
        for k in 0..<(dimension * dimension) {
            out.append(storage[k].re)
            out.append(storage[k].im)
        }
    }

    /// Write the entries as (re, im) Doubles, row-major: 2·dimension² Doubles at `out`.
    func writePacked(to out: UnsafeMutablePointer<Double>) {
        for k in 0..<(dimension * dimension) {
            out[2 * k] = storage[k].re
            out[2 * k + 1] = storage[k].im
        }
    }

    /// `high ⊗ low`: `low` acts on local bit 0 (the first listed qubit), `high` on bit 1.
    public static func kron(high: DenseMatrix, low: DenseMatrix) -> DenseMatrix {
        precondition(high.dimension == 2 && low.dimension == 2)
        var m = DenseMatrix(dimension: 4)
        for r in 0..<4 {
            for c in 0..<4 { m[r, c] = high[r >> 1, c >> 1] * low[r & 1, c & 1] }
        }
        return m
    }

    /// The 4×4 matrix applying `target` to local bit 1 when local bit 0 (the control) is 1.
    public static func controlled(_ target: DenseMatrix) -> DenseMatrix {
        var m = DenseMatrix.identity(4)
        for r in 0..<2 { for c in 0..<2 { m[1 + 2 * r, 1 + 2 * c] = target[r, c] } }
        return m
    }

    /// Like `controlled`, but zero (not identity) on the control-0 block: the derivative of a
    /// controlled gate whose target depends on an angle.
    static func controlledDerivative(_ target: DenseMatrix) -> DenseMatrix {
        var m = DenseMatrix(dimension: 4)
        for r in 0..<2 { for c in 0..<2 { m[1 + 2 * r, 1 + 2 * c] = target[r, c] } }
        return m
    }
}

/// The Paulis as 2×2 matrices.
enum PauliMatrix {
    static let i = DenseMatrix.identity(2)
    static let x = DenseMatrix(.zero, .one, .one, .zero)
    static let y = DenseMatrix(.zero, Complex(0, -1), Complex(0, 1), .zero)
    static let z = DenseMatrix.diagonal(.one, Complex(-1))
}

extension GateKind {
    /// True for the kinds that are unitaries (everything but signed measurements).
    var isUnitary: Bool { measuredPauli == nil }

    /// The dense matrix of this gate for angle values `a` (Qiskit conventions). Not defined for
    /// `ccx` (use the permutation kernel) or measurements.
    func denseMatrix(_ a: [Double]) -> DenseMatrix { denseMatrix(AngleValues(a)) }

    /// ∂U/∂a[index] for angle values `a`.
    func denseDerivative(_ a: [Double], index: Int) -> DenseMatrix { denseDerivative(AngleValues(a), index: index) }

    /// `denseMatrix` for angle values held inline (no array: a prepared circuit binds without
    /// allocating).
    func denseMatrix(_ a: AngleValues) -> DenseMatrix {
        let h = 1 / 2.0.squareRoot()
        switch self {
        case .id, .prepareZPlus: return .identity(2)
        case .x, .prepareZMinus: return PauliMatrix.x
        case .y: return PauliMatrix.y
        case .z: return PauliMatrix.z
        case .h, .prepareXPlus: return DenseMatrix(Complex(h), Complex(h), Complex(h), Complex(-h))
        case .s: return .diagonal(.one, .i)
        case .sdg: return .diagonal(.one, Complex(0, -1))
        case .t: return .diagonal(.one, .phase(.pi / 4))
        case .tdg: return .diagonal(.one, .phase(-.pi / 4))
        case .sx: return DenseMatrix(Complex(0.5, 0.5), Complex(0.5, -0.5), Complex(0.5, -0.5), Complex(0.5, 0.5))
        case .sxdg: return DenseMatrix(Complex(0.5, -0.5), Complex(0.5, 0.5), Complex(0.5, 0.5), Complex(0.5, -0.5))
        case .prepareXMinus: return GateKind.h.denseMatrix(AngleValues()) * PauliMatrix.x          // X then H
        case .prepareYPlus: return GateKind.s.denseMatrix(AngleValues()) * GateKind.h.denseMatrix(AngleValues())   // H then S
        case .prepareYMinus: return GateKind.sdg.denseMatrix(AngleValues()) * GateKind.h.denseMatrix(AngleValues()) // H then S†
        case .rx: return rotation(PauliMatrix.x, a[0])
        case .ry: return rotation(PauliMatrix.y, a[0])
        case .rz: return rotation(PauliMatrix.z, a[0])
        case .p: return .diagonal(.one, .phase(a[0]))
        case .u2: return u3Matrix(.pi / 2, a[0], a[1])
        case .u3: return u3Matrix(a[0], a[1], a[2])
        case .cx: return .controlled(PauliMatrix.x)
        case .cy: return .controlled(PauliMatrix.y)
        case .cz: return .controlled(PauliMatrix.z)
        case .ch: return .controlled(GateKind.h.denseMatrix(AngleValues()))
        case .swap:
            var m = DenseMatrix(dimension: 4)
            m[0, 0] = .one; m[1, 2] = .one; m[2, 1] = .one; m[3, 3] = .one
            return m
        case .rxx: return rotation(.kron(high: PauliMatrix.x, low: PauliMatrix.x), a[0])
        case .ryy: return rotation(.kron(high: PauliMatrix.y, low: PauliMatrix.y), a[0])
        case .rzz: return rotation(.kron(high: PauliMatrix.z, low: PauliMatrix.z), a[0])
        case .crx: return .controlled(rotation(PauliMatrix.x, a[0]))
        case .cry: return .controlled(rotation(PauliMatrix.y, a[0]))
        case .crz: return .controlled(rotation(PauliMatrix.z, a[0]))
        case .cp: return .controlled(.diagonal(.one, .phase(a[0])))
        case .ccx, .measureX, .measureY, .measureZ:
            preconditionFailure("GateKind.denseMatrix: \(self) has no 2x2/4x4 unitary")
        }
    }

    /// `denseDerivative` for angle values held inline.
    func denseDerivative(_ a: AngleValues, index: Int) -> DenseMatrix {
        switch self {
        case .rx: return rotationDerivative(PauliMatrix.x, a[0])
        case .ry: return rotationDerivative(PauliMatrix.y, a[0])
        case .rz: return rotationDerivative(PauliMatrix.z, a[0])
        case .p: return .diagonal(.zero, Complex.i * .phase(a[0]))
        case .u2: return u3MatrixDerivative(.pi / 2, a[0], a[1], index: index + 1)
        case .u3: return u3MatrixDerivative(a[0], a[1], a[2], index: index)
        case .rxx: return rotationDerivative(.kron(high: PauliMatrix.x, low: PauliMatrix.x), a[0])
        case .ryy: return rotationDerivative(.kron(high: PauliMatrix.y, low: PauliMatrix.y), a[0])
        case .rzz: return rotationDerivative(.kron(high: PauliMatrix.z, low: PauliMatrix.z), a[0])
        case .crx: return .controlledDerivative(rotationDerivative(PauliMatrix.x, a[0]))
        case .cry: return .controlledDerivative(rotationDerivative(PauliMatrix.y, a[0]))
        case .crz: return .controlledDerivative(rotationDerivative(PauliMatrix.z, a[0]))
        case .cp: return .controlledDerivative(.diagonal(.zero, Complex.i * .phase(a[0])))
        default: preconditionFailure("GateKind.denseDerivative: \(self) has no angles")
        }
    }
}

/// Up to three angle values of one gate, inline.
struct AngleValues {
    private var storage: (Double, Double, Double)

    init(_ a0: Double = 0, _ a1: Double = 0, _ a2: Double = 0) { storage = (a0, a1, a2) }

    init(_ a: [Double]) {
        precondition(a.count <= 3, "AngleValues: \(a.count) angles, at most 3")
        self.init(a.count > 0 ? a[0] : 0, a.count > 1 ? a[1] : 0, a.count > 2 ? a[2] : 0)
    }

    subscript(index: Int) -> Double {
        get {
            switch index {
            case 0: return storage.0
            case 1: return storage.1
            default: return storage.2
            }
        }
        set {
            switch index {
            case 0: storage.0 = newValue
            case 1: storage.1 = newValue
            default: storage.2 = newValue
            }
        }
    }
}

/// exp(−i t G/2) = cos(t/2)·I − i sin(t/2)·G for an involutory generator G (G² = I).
func rotation(_ g: DenseMatrix, _ t: Double) -> DenseMatrix {
    DenseMatrix.identity(g.dimension).scaled(cos(t / 2)) + Complex(0, -sin(t / 2)) * g
}

/// d/dt exp(−i t G/2) = −½ sin(t/2)·I − ½ i cos(t/2)·G.
func rotationDerivative(_ g: DenseMatrix, _ t: Double) -> DenseMatrix {
    DenseMatrix.identity(g.dimension).scaled(-0.5 * sin(t / 2)) + Complex(0, -0.5 * cos(t / 2)) * g
}

/// Qiskit's U(θ,φ,λ) = [[cos(θ/2), −e^{iλ} sin(θ/2)], [e^{iφ} sin(θ/2), e^{i(φ+λ)} cos(θ/2)]].
func u3Matrix(_ theta: Double, _ phi: Double, _ lambda: Double) -> DenseMatrix {
    let c = cos(theta / 2), s = sin(theta / 2)
    return DenseMatrix(Complex(c), -s * Complex.phase(lambda),
        s * Complex.phase(phi), c * Complex.phase(phi + lambda))
}

/// ∂U(θ,φ,λ)/∂(θ, φ or λ) for index 0, 1 or 2.
func u3MatrixDerivative(_ theta: Double, _ phi: Double, _ lambda: Double, index: Int) -> DenseMatrix {
    let c = cos(theta / 2), s = sin(theta / 2)
    let eL = Complex.phase(lambda), eP = Complex.phase(phi), ePL = Complex.phase(phi + lambda)
    switch index {
    case 0:
        return DenseMatrix(Complex(-s / 2), (-c / 2) * eL, (c / 2) * eP, (-s / 2) * ePL)
    case 1:
        return DenseMatrix(.zero, .zero, Complex.i * (s * eP), Complex.i * (c * ePL))
    default:
        return DenseMatrix(.zero, Complex.i * (-s * eL), .zero, Complex.i * (c * ePL))
    }
}

extension DenseMatrix {
    func scaled(_ s: Double) -> DenseMatrix { Complex(s) * self }
}
