/// Pauli strings on the batched layout: expectation values read in place, and O|ψ⟩ for the
/// adjoint pass.
///
/// A Pauli string P acts on a basis state as P|i⟩ = i^{n_Y} (−1)^{|i ∧ (Y∪Z)|} |i ⊕ (X∪Y)⟩
/// (Y|b⟩ = i(−1)^b|1−b⟩, Z|b⟩ = (−1)^b|b⟩, X|b⟩ = |1−b⟩), so ⟨ψ|P|ψ⟩ is one pass over the state
/// pairing index i with i ⊕ flip; no copy is needed. Below the lowest qubit P touches, sign and
/// partner offset are constant, so the loops run over contiguous runs of 2^low·B amplitudes.

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
        switch ys % 4 {
        case 0: yPhase = .one
        case 1: yPhase = .i
        case 2: yPhase = Complex(-1)
        default: yPhase = Complex(0, -1)
        }
    }

    /// Basis states per run on which sign and partner offset are constant.
    func runLength(dimension: Int) -> Int {
        let touched = flip | phase
        return touched == 0 ? dimension : 1 << touched.trailingZeroBitCount
    }

    /// (−1)^{|i ∧ phase|}.
    @inline(__always) func sign(_ i: Int) -> Double { (i & phase).nonzeroBitCount & 1 == 0 ? 1 : -1 }
}

extension Kernels {
    /// acc[b] += coefficient · ⟨ψ_b|P|ψ_b⟩ = Re(c·i^{n_Y} Σ_i sign(i) conj(ψ[i ⊕ flip]) ψ[i]).
    static func pauliExpectation(_ psi: UnsafePointer<Double>, _ s: Shape, _ p: PauliMasks,
                                 into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch
        let c = p.coefficient * p.yPhase
        if b == 1 {
            acc[0] += unorderedSum(count: s.dimension) { i in
                let z = load(psi + 2 &* (i ^ p.flip)).conjugate * load(psi + 2 &* i)
                return p.sign(i) * (c.re * z.re - c.im * z.im)
            }
            return
        }
        withLocalSums(b, adding: acc) { sums in
            for i in 0..<s.dimension {
                let sign = p.sign(i)
                let row = psi + 2 &* i &* b, partner = psi + 2 &* (i ^ p.flip) &* b
                for k in 0..<b {
                    let z = load(partner + 2 &* k).conjugate * load(row + 2 &* k)
                    sums[k] += sign * (c.re * z.re - c.im * z.im)
                }
            }
        }
    }

    /// λ ← Σ_t c_t P_t ψ (λ is overwritten).
    static func applyPauliSum(_ psi: UnsafePointer<Double>, _ s: Shape, _ terms: [PauliMasks], into lambda: Amplitudes) {
        lambda.initialize(repeating: 0, count: 2 * s.count)   // Doubles are trivial: valid whether or not λ held values
        let b = s.batch
        for p in terms {
            let run = p.runLength(dimension: s.dimension)
            let c = p.coefficient * p.yPhase
            for i in stride(from: 0, to: s.dimension, by: run) {
                let factor = p.sign(i) * c
                let src = psi + 2 &* i &* b, dst = lambda + 2 &* (i ^ p.flip) &* b
                for j in 0..<(run * b) {
                    store(dst + 2 &* j, load(dst + 2 &* j) + factor * load(src + 2 &* j))
                }
            }
        }
    }
}
