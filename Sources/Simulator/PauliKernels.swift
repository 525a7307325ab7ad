/// Pauli strings on the batched layout: expectation values read in place, and O|ψ⟩ for the
/// adjoint pass.
///
/// A Pauli string P acts on a basis state as P|i⟩ = i^{n_Y} (−1)^{|i ∧ (Y∪Z)|} |i ⊕ (X∪Y)⟩
/// (Y|b⟩ = i(−1)^b|1−b⟩, Z|b⟩ = (−1)^b|b⟩, X|b⟩ = |1−b⟩), so ⟨ψ|P|ψ⟩ is one pass over the state
/// pairing index i with i ⊕ flip; no copy is needed.

import Circuits

/// The bit masks of one Pauli string.
struct PauliMasks: Sendable {
    var coefficient: Double
    /// Qubits with X or Y: the basis index is XORed with this.
    var flip: Int
    /// Qubits with Y or Z: each set bit of i here contributes a −1.
    var phase: Int
    /// i^{n_Y} as a complex number.
    var yPhase: Complex

    init(_ p: PauliString) {
        coefficient = p.coefficient
        var flip = 0, phase = 0, ys = 0
        for (q, pauli) in zip(p.qubits, p.paulis) {
            switch pauli {
            case .i: break
            case .x: flip |= 1 << q
            case .y: flip |= 1 << q; phase |= 1 << q; ys += 1
            case .z: phase |= 1 << q
            }
        }
        self.flip = flip
        self.phase = phase
        yPhase = [Complex.one, .i, Complex(-1), Complex(0, -1)][ys % 4]
    }
}

extension Kernels {
    /// acc[b] += coefficient · ⟨ψ_b|P|ψ_b⟩ (real: P is Hermitian).
    static func pauliExpectation(_ psi: UnsafePointer<Double>, _ s: Shape, _ p: PauliMasks,
                                 into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch
        if p.flip == 0 {
            // Diagonal string: Σ_i sign(i) |ψ_i|².
            for i in 0..<s.dimension {
                let sign = (i & p.phase).nonzeroBitCount & 1 == 0 ? p.coefficient : -p.coefficient
                let row = psi + 2 * i * b
                for k in 0..<b { acc[k] += sign * load(row + 2 &* k).magnitudeSquared }
            }
            return
        }
        // General string: Re(i^{n_Y} Σ_i sign(i) conj(ψ[i ⊕ flip]) ψ[i]).
        let c = p.coefficient * p.yPhase
        for i in 0..<s.dimension {
            let sign = (i & p.phase).nonzeroBitCount & 1 == 0 ? 1.0 : -1.0
            let row = psi + 2 * i * b, partner = psi + 2 * (i ^ p.flip) * b
            for k in 0..<b {
                let z = load(partner + 2 &* k).conjugate * load(row + 2 &* k)
                acc[k] += sign * (c.re * z.re - c.im * z.im)
            }
        }
    }

    /// λ ← Σ_t c_t P_t ψ (λ is overwritten).
    static func applyPauliSum(_ psi: UnsafePointer<Double>, _ s: Shape, _ terms: [PauliMasks], into lambda: Amplitudes) {
        lambda.update(repeating: 0, count: 2 * s.count)
        let b = s.batch
        for p in terms {
            let c = p.coefficient * p.yPhase
            for i in 0..<s.dimension {
                let sign = (i & p.phase).nonzeroBitCount & 1 == 0 ? 1.0 : -1.0
                let factor = sign * c
                let src = psi + 2 * i * b, dst = lambda + 2 * (i ^ p.flip) * b
                for k in 0..<b { store(dst + 2 &* k, load(dst + 2 &* k) + factor * load(src + 2 &* k)) }
            }
        }
    }
}
