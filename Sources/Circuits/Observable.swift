/// Pauli observables: weighted sums of Pauli strings with explicit qubits.
///
/// Text forms (parsed by `Observable.parse`, see ObservableParser.swift): explicit qubits
/// `"Z0 Z3"`, Qiskit little-endian labels `"IIZ"` (rightmost character = qubit 0), and weighted
/// sums `"0.5*Z0 Z1 + 0.25*X2"`.

/// `coefficient · P_{q0} ⊗ P_{q1} ⊗ …` with `qubits` strictly ascending and no identities
/// (an empty string is the identity).
public struct PauliString: Hashable, Sendable, Codable {
    public var coefficient: Double
    public var qubits: [Int]
    public var paulis: [Pauli]

    public init(coefficient: Double = 1, qubits: [Int], paulis: [Pauli]) {
        precondition(qubits.count == paulis.count)
        // Normalise: ascending qubits, identities dropped.
        let pairs = zip(qubits, paulis).filter { $0.1 != .i }.sorted { $0.0 < $1.0 }
        self.coefficient = coefficient
        self.qubits = pairs.map(\.0)
        self.paulis = pairs.map(\.1)
    }

    /// The Pauli acting on `qubit` (identity when absent).
    public func pauli(on qubit: Int) -> Pauli {
        if let k = qubits.firstIndex(of: qubit) { return paulis[k] }
        return .i
    }
}

/// A real linear combination of Pauli strings on `qubitCount` qubits.
public struct Observable: Hashable, Sendable, Codable {
    public var qubitCount: Int
    public var terms: [PauliString]

    public init(qubitCount: Int, terms: [PauliString]) {
        self.qubitCount = qubitCount
        self.terms = terms
    }

    /// Z on one qubit.
    public static func z(_ qubit: Int, qubitCount: Int) -> Observable {
        Observable(qubitCount: qubitCount, terms: [PauliString(qubits: [qubit], paulis: [.z])])
    }
}
