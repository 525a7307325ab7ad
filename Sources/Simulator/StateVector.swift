/// A single state (B = 1) for tests and tools: apply gates one by one, project, read amplitudes
/// and expectation values.

import Circuits

public struct StateVector: Sendable {
    /// The underlying batch of one.
    public private(set) var batch: StateBatch

    /// |0…0⟩ on `qubitCount` qubits.
    public init(qubitCount: Int) {
        batch = StateBatch(qubitCount: qubitCount, batchSize: 1)
    }

    /// A state with the given amplitudes (basis order, qubit 0 least significant).
    public init(amplitudes: [Complex]) {
        let n = amplitudes.count.trailingZeroBitCount
        precondition(amplitudes.count == 1 << n, "StateVector(amplitudes:): \(amplitudes.count) is not a power of two")
        batch = StateBatch(qubitCount: n, batchSize: 1)
        for (i, z) in amplitudes.enumerated() {
            batch.storage[2 * i] = z.re
            batch.storage[2 * i + 1] = z.im
        }
    }

    public var qubitCount: Int { batch.qubitCount }

    /// Amplitudes in basis order (a copy).
    public var amplitudes: [Complex] { batch.amplitudes(sample: 0) }

    /// Apply one unitary gate with angles bound from `theta` and `input`. Signed measurements
    /// are not unitaries: use `project` or `Simulator.evaluate`.
    public mutating func apply(_ gate: Gate, theta: [Double] = [], input: [Double] = []) {
        precondition(gate.kind.measuredPauli == nil,
                     "StateVector.apply: \(gate.kind) is a signed measurement; use project(qubit:pauli:positive:)")
        precondition(gate.qubits.allSatisfy { $0 >= 0 && $0 < qubitCount },
                     "StateVector.apply: \(gate.kind) on \(gate.qubits) outside \(qubitCount) qubits")
        guard let op = BoundOperation(gate, theta: theta, inputs: [input], derivatives: false) else { return }
        let s = batch.shape
        batch.storage.withUnsafeMutableBufferPointer { op.apply($0.baseAddress!, s) }
    }

    /// Apply every gate of a measurement-free circuit.
    public mutating func apply(_ circuit: Circuit, theta: [Double] = [], input: [Double] = []) {
        precondition(circuit.qubitCount == qubitCount,
                     "StateVector.apply: circuit has \(circuit.qubitCount) qubits, state has \(qubitCount)")
        for g in circuit.gates { apply(g, theta: theta, input: input) }
    }

    /// ψ ← Π±ψ with Π± = (I ± P)/2 on `qubit` (unnormalised).
    public mutating func project(qubit: Int, pauli: Pauli, positive: Bool) {
        precondition(qubit >= 0 && qubit < qubitCount, "StateVector.project: qubit \(qubit) out of range")
        let s = batch.shape
        batch.storage.withUnsafeMutableBufferPointer {
            applyProjector($0.baseAddress!, s, qubit: qubit, pauli: pauli, positive: positive)
        }
    }

    /// ⟨ψ|O|ψ⟩ (not normalised by ⟨ψ|ψ⟩).
    public func expectation(_ observable: Observable) -> Double {
        precondition(observable.terms.allSatisfy { $0.qubits.allSatisfy { $0 < qubitCount } },
                     "StateVector.expectation: observable acts outside \(qubitCount) qubits")
        var acc = 0.0
        let s = batch.shape
        batch.storage.withUnsafeBufferPointer { p in
            for t in observable.terms { Kernels.pauliExpectation(p.baseAddress!, s, PauliMasks(t), into: &acc) }
        }
        return acc
    }

    /// ⟨ψ|ψ⟩.
    public var normSquared: Double {
        var acc = 0.0
        for x in batch.storage { acc += x * x }
        return acc
    }
}
