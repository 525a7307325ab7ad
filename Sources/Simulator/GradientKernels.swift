/// Read-only kernels for the adjoint pass: Re⟨λ|D|ψ⟩ per sample for a local (non-unitary)
/// matrix D = ∂U/∂angle, without materialising D|ψ⟩.

extension Kernels {
    /// acc[b] += Re Σ conj(λ)·(Dψ) over qubit q, D a 2×2 (8 packed Doubles per sample or shared).
    static func element1(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape, qubit q: Int,
                         _ d: UnsafePointer<Double>, perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch, stride = 1 << q
        if b == 1 {
            // One state: pair t ↦ (j, j + 2^q) with j = t with a 0 inserted at bit q.
            let d00 = load(d), d01 = load(d + 2), d10 = load(d + 4), d11 = load(d + 6)
            acc[0] += unorderedSum(count: s.dimension / 2) { t in
                let j = ((t >> q) << (q + 1)) | (t & (stride - 1))
                let o0 = 2 &* j, o1 = 2 &* (j | stride)
                let a0 = load(psi + o0), a1 = load(psi + o1)
                return realInner(load(lambda + o0), d00 * a0 + d01 * a1)
                    + realInner(load(lambda + o1), d10 * a0 + d11 * a1)
            }
            return
        }
        let dStride = perSample ? 8 : 0
        var base = 0
        while base < s.dimension {
            for i in base..<(base + stride) {
                let o0 = 2 &* i &* b, o1 = 2 &* (i &+ stride) &* b
                for k in 0..<b {
                    let dk = d + k &* dStride
                    let a0 = load(psi + o0 + 2 &* k), a1 = load(psi + o1 + 2 &* k)
                    acc[k] += realInner(load(lambda + o0 + 2 &* k), load(dk) * a0 + load(dk + 2) * a1)
                        + realInner(load(lambda + o1 + 2 &* k), load(dk + 4) * a0 + load(dk + 6) * a1)
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
        let o1 = (1 << q0) * b, o2 = (1 << q1) * b, o3 = o1 + o2
        let lo = min(q0, q1)
        forEachBase(dimension: s.dimension, lo: lo, hi: max(q0, q1), runLength: 1 << lo) { i in
            for row in stride(from: i * b, to: (i + (1 << lo)) * b, by: b) {
                for k in 0..<b {
                    let dk = d + k &* dStride
                    let j = row &+ k
                    let a0 = load(psi + 2 &* j), a1 = load(psi + 2 &* (j &+ o1))
                    let a2 = load(psi + 2 &* (j &+ o2)), a3 = load(psi + 2 &* (j &+ o3))
                    @inline(__always) func rowTimesA(_ r: Int) -> Complex {
                        load(dk + 8 * r) * a0 + load(dk + 8 * r + 2) * a1 + load(dk + 8 * r + 4) * a2 + load(dk + 8 * r + 6) * a3
                    }
                    acc[k] += realInner(load(lambda + 2 &* j), rowTimesA(0))
                        + realInner(load(lambda + 2 &* (j &+ o1)), rowTimesA(1))
                        + realInner(load(lambda + 2 &* (j &+ o2)), rowTimesA(2))
                        + realInner(load(lambda + 2 &* (j &+ o3)), rowTimesA(3))
                }
            }
        }
    }
}

/// Re(conj(l)·m).
@inline(__always) func realInner(_ l: Complex, _ m: Complex) -> Double { l.re * m.re + l.im * m.im }

/// Σ_{t < count} f(t) with four independent partial sums: a single running sum is bound by the
/// floating-point add latency (~4× slower), and LLVM may not reorder it for us.
@inline(__always)
func unorderedSum(count: Int, _ f: (Int) -> Double) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var t = 0
    while t &+ 4 <= count {
        s0 += f(t)
        s1 += f(t &+ 1)
        s2 += f(t &+ 2)
        s3 += f(t &+ 3)
        t &+= 4
    }
    while t < count {
        s0 += f(t)
        t &+= 1
    }
    return (s0 + s1) + (s2 + s3)
}
