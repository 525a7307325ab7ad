/// Read-only kernels for the adjoint pass: Re⟨λ|D|ψ⟩ per sample for a local (non-unitary)
/// matrix D = ∂U/∂angle, without materialising D|ψ⟩.

extension Kernels {
    /// acc[b] += Re Σ conj(λ)·(Dψ) over qubit q, D a 2×2 (8 packed Doubles per sample or shared).
    static func element1(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape, qubit q: Int,
                         _ d: UnsafePointer<Double>, perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch, stride = 1 << q
        let dStride = perSample ? 8 : 0
        var base = 0
        while base < s.dimension {
            for i in base..<(base + stride) {
                let o0 = 2 * i * b, o1 = 2 * (i + stride) * b
                for k in 0..<b {
                    let dk = d + k &* dStride
                    let a0 = load(psi + o0 + 2 &* k), a1 = load(psi + o1 + 2 &* k)
                    let m0 = load(dk) * a0 + load(dk + 2) * a1
                    let m1 = load(dk + 4) * a0 + load(dk + 6) * a1
                    let l0 = load(lambda + o0 + 2 &* k), l1 = load(lambda + o1 + 2 &* k)
                    acc[k] += l0.re * m0.re + l0.im * m0.im + l1.re * m1.re + l1.im * m1.im
                }
            }
            base += 2 * stride
        }
    }

    /// acc[b] += Re Σ conj(λ)·(Dψ) over qubits (q0, q1), D a 4×4 (32 packed Doubles per sample or
    /// shared), local index k = bit(q0) + 2·bit(q1).
    static func element2(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape, _ q0: Int, _ q1: Int,
                         _ d: UnsafePointer<Double>, perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch
        let dStride = perSample ? 32 : 0
        let bit0 = 1 << q0, bit1 = 1 << q1
        forEachBase(dimension: s.dimension, lo: min(q0, q1), hi: max(q0, q1)) { i in
            let offsets = (2 * i * b, 2 * (i | bit0) * b, 2 * (i | bit1) * b, 2 * (i | bit0 | bit1) * b)
            for k in 0..<b {
                let dk = d + k &* dStride
                let a0 = load(psi + offsets.0 + 2 &* k), a1 = load(psi + offsets.1 + 2 &* k)
                let a2 = load(psi + offsets.2 + 2 &* k), a3 = load(psi + offsets.3 + 2 &* k)
                var sum = 0.0
                for (row, o) in [offsets.0, offsets.1, offsets.2, offsets.3].enumerated() {
                    let r = dk + 8 * row
                    let m = load(r) * a0 + load(r + 2) * a1 + load(r + 4) * a2 + load(r + 6) * a3
                    let l = load(lambda + o + 2 &* k)
                    sum += l.re * m.re + l.im * m.im
                }
                acc[k] += sum
            }
        }
    }
}
