/// Which trainable parameters a readout can see. A gate outside the backward light cone of the
/// readout's qubits commutes past everything the readout depends on, so ∂⟨O⟩/∂θ is 0 for its
/// angle whatever θ and x are: such parameters are dead weight the optimiser never moves (a
/// 4-block chain read out on its last qubit trains only the last two blocks). Training says so
/// once, before it starts, instead of letting the user find out from a flat accuracy.
import Circuits

public enum LightCone {
    /// Parameters with no gate inside the backward light cone of `readoutQubits`: walk the
    /// gates from the end; a gate touching a qubit of the cone brings all its qubits in.
    public static func deadParameters(circuit: Circuit, readoutQubits: Set<Int>) -> [Int] {
        var cone = readoutQubits
        var alive = [Bool](repeating: false, count: circuit.parameterCount)
        for gate in circuit.gates.reversed() where gate.qubits.contains(where: cone.contains) {
            cone.formUnion(gate.qubits)
            for angle in gate.angles { if let i = angle.thetaIndex, i < alive.count { alive[i] = true } }
        }
        return alive.indices.filter { !alive[$0] }
    }

    /// The qubits an observable acts on (non-identity factors of any term).
    public static func support(of observable: Observable) -> Set<Int> {
        Set(observable.terms.flatMap { term in zip(term.qubits, term.paulis).filter { $0.1 != .i }.map(\.0) })
    }
}
