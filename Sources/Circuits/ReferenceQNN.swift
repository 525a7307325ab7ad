/// The reference QNN family of the paper and of Tests/Fixtures (README "The reference QNN
/// family"): RY(x_q) encoding, then per layer RY(θ), RZ(θ) on every qubit and a CNOT chain whose
/// boundary CNOT q(h−1)→q(h), h = n/2, is kept only in the first `crossingLayers` layers.
/// Used by the benchmarks and tests; parameters are laid out as the fixtures' `theta[l][q][k]`.

public enum ReferenceQNN {
    /// Index of θ[layer][qubit][k] (k = 0: RY angle, k = 1: RZ angle) in the flat θ vector.
    public static func thetaIndex(layer: Int, qubit: Int, k: Int, qubits n: Int) -> Int {
        (layer * n + qubit) * 2 + k
    }

    /// The circuit on `qubits` qubits with `layers` layers; `crossingLayers` defaults to all.
    public static func circuit(qubits n: Int, layers: Int, crossingLayers: Int? = nil) -> Circuit {
        let h = n / 2
        let crossing = crossingLayers ?? layers
        var c = Circuit(qubitCount: n)
        for q in 0..<n { c.append(Gate(.ry, [q], [.input(q)])) }
        for l in 0..<layers {
            for q in 0..<n {
                c.append(Gate(.ry, [q], [.theta(thetaIndex(layer: l, qubit: q, k: 0, qubits: n))]))
                c.append(Gate(.rz, [q], [.theta(thetaIndex(layer: l, qubit: q, k: 1, qubits: n))]))
            }
            for q in 0..<(n - 1) where q != h - 1 || l < crossing {
                c.append(Gate(.cx, [q, q + 1]))
            }
        }
        c.parameterCount = 2 * n * layers
        c.inputCount = n
        return c
    }

    /// Partition labels for the family's two halves: "A" on qubits 0..<n/2, "B" on the rest.
    public static func halvesPartition(qubits n: Int) -> String {
        String(repeating: "A", count: n / 2) + String(repeating: "B", count: n - n / 2)
    }
}
