/// The circuit model shared by the reader, the simulator and the cutter.
///
/// A circuit is built once and *rebound* per query: every gate angle is an affine function of at
/// most one trainable parameter θ_i and at most one input feature x_j (`a·θ_i + b·x_j + c`), so the
/// structure never changes when parameters do, and ∂angle/∂θ_i, ∂angle/∂x_j are known constants.

/// An angle `constant + thetaScale·θ[thetaIndex] + inputScale·x[inputIndex]`.
public struct Angle: Hashable, Sendable, Codable {
    public var constant: Double
    /// Index into the trainable parameter vector θ, or nil.
    public var thetaIndex: Int?
    public var thetaScale: Double
    /// Index into the input feature vector x, or nil.
    public var inputIndex: Int?
    public var inputScale: Double

    public init(constant: Double = 0, thetaIndex: Int? = nil, thetaScale: Double = 1,
                inputIndex: Int? = nil, inputScale: Double = 1) {
        self.constant = constant
        self.thetaIndex = thetaIndex
        self.thetaScale = thetaIndex == nil ? 0 : thetaScale
        self.inputIndex = inputIndex
        self.inputScale = inputIndex == nil ? 0 : inputScale
    }

    /// A fixed angle.
    public static func constant(_ value: Double) -> Angle { Angle(constant: value) }
    /// `scale·θ[index]`.
    public static func theta(_ index: Int, scale: Double = 1) -> Angle {
        Angle(thetaIndex: index, thetaScale: scale)
    }
    /// `scale·x[index]`.
    public static func input(_ index: Int, scale: Double = 1) -> Angle {
        Angle(inputIndex: index, inputScale: scale)
    }

    /// True when the angle depends on neither θ nor x.
    public var isConstant: Bool { thetaIndex == nil && inputIndex == nil }

    /// The value for a parameter vector and an input vector.
    @inlinable
    public func value(theta: [Double], input: [Double]) -> Double {
        var v = constant
        if let i = thetaIndex { v += thetaScale * theta[i] }
        if let j = inputIndex { v += inputScale * input[j] }
        return v
    }
}

/// A single-qubit Pauli operator.
public enum Pauli: UInt8, Hashable, Sendable, Codable, CaseIterable {
    case i = 0, x = 1, y = 2, z = 3
}

/// Every operation a circuit can hold. Matrices follow Qiskit (see DESIGN §6).
public enum GateKind: String, Hashable, Sendable, Codable, CaseIterable {
    // one qubit, no angle
    case id, x, y, z, h, s, sdg, t, tdg, sx, sxdg
    // one qubit, angles
    case rx, ry, rz, p, u2, u3
    // two qubits
    case cx, cy, cz, ch, swap, rxx, ryy, rzz, crx, cry, crz, cp
    // three qubits
    case ccx
    /// Signed mid-circuit measurement of a Pauli (𝓜_P, DESIGN §3): the state is split into its
    /// ±1 projected branches and the expectation values are subtracted. Used by the cutter.
    case measureX, measureY, measureZ
    /// Reset the qubit (assumed |0⟩ at this point, as at the start of a fragment) to an
    /// eigenstate of a Pauli: |0⟩, |1⟩, |+⟩, |−⟩, |+i⟩, |−i⟩. Used by wire cuts.
    case prepareZPlus, prepareZMinus, prepareXPlus, prepareXMinus, prepareYPlus, prepareYMinus

    /// Number of qubits the gate acts on.
    public var arity: Int {
        switch self {
        case .cx, .cy, .cz, .ch, .swap, .rxx, .ryy, .rzz, .crx, .cry, .crz, .cp: return 2
        case .ccx: return 3
        default: return 1
        }
    }

    /// Number of angle parameters.
    public var angleCount: Int {
        switch self {
        case .rx, .ry, .rz, .p, .rxx, .ryy, .rzz, .crx, .cry, .crz, .cp: return 1
        case .u2: return 2
        case .u3: return 3
        default: return 0
        }
    }

    /// The Pauli measured by a signed measurement, or nil.
    public var measuredPauli: Pauli? {
        switch self {
        case .measureX: return .x
        case .measureY: return .y
        case .measureZ: return .z
        default: return nil
        }
    }
}

/// One operation on explicit qubits with (possibly parameterised) angles.
public struct Gate: Hashable, Sendable, Codable {
    public var kind: GateKind
    /// Qubit indices; for controlled gates the control(s) come first, as in Qiskit.
    public var qubits: [Int]
    public var angles: [Angle]

    public init(_ kind: GateKind, _ qubits: [Int], _ angles: [Angle] = []) {
        precondition(qubits.count == kind.arity, "\(kind) acts on \(kind.arity) qubit(s)")
        precondition(angles.count == kind.angleCount, "\(kind) takes \(kind.angleCount) angle(s)")
        self.kind = kind
        self.qubits = qubits
        self.angles = angles
    }
}

/// An ordered list of gates on `qubitCount` qubits, with `parameterCount` trainable parameters θ
/// and `inputCount` input features x.
public struct Circuit: Hashable, Sendable, Codable {
    public var qubitCount: Int
    public var gates: [Gate]
    public var parameterCount: Int
    public var inputCount: Int

    public init(qubitCount: Int, gates: [Gate] = [], parameterCount: Int = 0, inputCount: Int = 0) {
        self.qubitCount = qubitCount
        self.gates = gates
        self.parameterCount = parameterCount
        self.inputCount = inputCount
    }

    /// Append a gate, growing `parameterCount`/`inputCount` to cover the indices it uses.
    public mutating func append(_ gate: Gate) {
        precondition(gate.qubits.allSatisfy { $0 >= 0 && $0 < qubitCount }, "qubit out of range")
        for a in gate.angles {
            if let i = a.thetaIndex { parameterCount = max(parameterCount, i + 1) }
            if let j = a.inputIndex { inputCount = max(inputCount, j + 1) }
        }
        gates.append(gate)
    }
}
