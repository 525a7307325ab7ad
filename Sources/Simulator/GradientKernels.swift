/// Read-only kernels for the adjoint pass: Re⟨λ|D|ψ⟩ per sample for a local (non-unitary)
/// matrix D = ∂U/∂angle, without materialising D|ψ⟩.

import Circuits

extension Kernels {
    /// acc[b] += Re Σ conj(λ)·(Dψ) over qubit q, D a 2×2 (8 packed Doubles per sample or shared).
    static func element1(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape, qubit q: Int,
                         _ d: UnsafePointer<Double>, perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch, stride = 1 << q
        if b == 1 && stride >= 2 {
            acc[0] += pairedElement1(lambda, psi, count: s.count, partner: stride, d)
            return
        }
        if b == 1 {
            // Qubit 0 of one state: pair t ↦ (2t, 2t + 1).
            let d00 = load(d), d01 = load(d + 2), d10 = load(d + 4), d11 = load(d + 6)
            acc[0] += unorderedSum(count: s.dimension / 2) { t in
                let o0 = 4 &* t, o1 = o0 &+ 2
                let a0 = load(psi + o0), a1 = load(psi + o1)
                return realInner(load(lambda + o0), d00 * a0 + d01 * a1)
                    + realInner(load(lambda + o1), d10 * a0 + d11 * a1)
            }
            return
        }
        // Batched: per-sample sums; the matrix is per sample, or one set of constants (so the
        // loop over samples vectorises).
        @inline(__always) func sweep(_ matrix: (Int) -> Matrix2x2) {
            withLocalSums(b, adding: acc) { sums in
                var base = 0
                while base < s.dimension {
                    for i in base..<(base + stride) {
                        let o0 = 2 &* i &* b, o1 = 2 &* (i &+ stride) &* b
                        for k in 0..<b {
                            let (m0, m1) = matrix(k).times(load(psi + o0 + 2 &* k), load(psi + o1 + 2 &* k))
                            sums[k] += realInner(load(lambda + o0 + 2 &* k), m0) + realInner(load(lambda + o1 + 2 &* k), m1)
                        }
                    }
                    base += 2 * stride
                }
            }
        }
        if perSample {
            sweep { Matrix2x2(d + 8 &* $0) }
        } else {
            let shared = Matrix2x2(d)
            sweep { _ in shared }
        }
    }

    /// Re Σ conj(λ)·(Dψ) for one state, qubit stride ≥ 2: two neighbouring amplitudes per SIMD4
    /// (re, im, re, im). Complex products use z·a = Re z·a + Im z·(−a.im, a.re); the lane-wise
    /// products λ∘m summed over all lanes give Σ Re(conj λ·m), with the sum kept in a vector so
    /// it is not bound by the add latency of one running scalar.
    static func pairedElement1(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, count: Int, partner: Int,
                               _ d: UnsafePointer<Double>) -> Double {
        typealias V = SIMD4<Double>
        let sign = V(-1, 1, -1, 1)
        let d00r = V(repeating: d[0]), d00i = V(repeating: d[1]) * sign
        let d01r = V(repeating: d[2]), d01i = V(repeating: d[3]) * sign
        let d10r = V(repeating: d[4]), d10i = V(repeating: d[5]) * sign
        let d11r = V(repeating: d[6]), d11i = V(repeating: d[7]) * sign
        @inline(__always) func swapped(_ v: V) -> V { V(v[1], v[0], v[3], v[2]) }
        @inline(__always) func at(_ p: UnsafePointer<Double>, _ j: Int) -> V {
            UnsafeRawPointer(p + 2 &* j).loadUnaligned(as: V.self)
        }
        var sum0 = V(), sum1 = V()
        var block = 0
        while block < count {
            for j in stride(from: block, to: block + partner, by: 2) {
                let a0 = at(psi, j), a1 = at(psi, j &+ partner)
                let s0 = swapped(a0), s1 = swapped(a1)
                let m0: V = d00r * a0 + d00i * s0 + d01r * a1 + d01i * s1
                let m1: V = d10r * a0 + d10i * s0 + d11r * a1 + d11i * s1
                sum0 += at(lambda, j) * m0
                sum1 += at(lambda, j &+ partner) * m1
            }
            block += 2 * partner
        }
        return (sum0 + sum1).sum()
    }

    /// acc[b] += Re Σ conj(λ)·(Dψ) over qubits (q0, q1), D a 4×4 (32 packed Doubles per sample or
    /// shared), local index k = bit(q0) + 2·bit(q1).
    static func element2(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape, _ q0: Int, _ q1: Int,
                         _ d: UnsafePointer<Double>, perSample: Bool, into acc: UnsafeMutablePointer<Double>) {
        let b = s.batch
        let dStride = perSample ? 32 : 0
        let o1 = (1 << q0) * b, o2 = (1 << q1) * b, o3 = o1 + o2
        let lo = min(q0, q1)
        withLocalSums(b, adding: acc) { sums in
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
                    sums[k] += realInner(load(lambda + 2 &* j), rowTimesA(0))
                        + realInner(load(lambda + 2 &* (j &+ o1)), rowTimesA(1))
                        + realInner(load(lambda + 2 &* (j &+ o2)), rowTimesA(2))
                        + realInner(load(lambda + 2 &* (j &+ o3)), rowTimesA(3))
                }
            }
        }
        }
    }
}

extension Kernels {
    /// acc[b] += ½ Im⟨λ_b|G|ψ_b⟩ for a Pauli G on qubit q. For U = exp(−itG/2), ∂U/∂t = −(i/2)·G·U,
    /// so this is Re⟨λ|∂U|ψ_before⟩ read from ψ_after = Uψ_before: a Pauli costs a fraction of
    /// the dense derivative's 2×2 products.
    static func generatorElement1(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape,
                                  qubit q: Int, pauli: Pauli, into acc: UnsafeMutablePointer<Double>) {
        switch pauli {
        case .x: generatorSweep(lambda, psi, s, qubit: q, into: acc) { a0, a1 in (a1, a0) }
        case .y: generatorSweep(lambda, psi, s, qubit: q, into: acc) { a0, a1 in
            (Complex(a1.im, -a1.re), Complex(-a0.im, a0.re))   // (−i a₁, i a₀)
        }
        case .z: generatorSweep(lambda, psi, s, qubit: q, into: acc) { a0, a1 in (a0, -a1) }
        case .i: break
        }
    }

    /// One backward step of a rotation exp(−itG/2) on a tiny single state, in one pass over the
    /// amplitude pairs of `qubit`: returns ½ Im⟨λ|G|ψ⟩ (= Re⟨λ|∂U|U†ψ⟩, as `generatorElement1`),
    /// then ψ ← U†ψ and, when `updateLambda`, λ ← U†λ, with U† packed as its kernel reads it
    /// (diagonal (d₀, d₁) for G = Z, else the full 2×2).
    static func tinyRotationStep(psi: Amplitudes, lambda: Amplitudes, dimension: Int, qubit q: Int, generator: Pauli,
                                 inverse m: UnsafePointer<Double>, updateLambda: Bool) -> Double {
        switch generator {
        case .x: return rotationStep(psi, lambda, dimension, q, m, updateLambda) { a0, a1 in (a1, a0) }
        case .y: return rotationStep(psi, lambda, dimension, q, m, updateLambda) { a0, a1 in
            (Complex(a1.im, -a1.re), Complex(-a0.im, a0.re))
        }
        case .z: return diagonalRotationStep(psi, lambda, dimension, q, m, updateLambda)
        case .i: return 0
        }
    }

    @inline(__always)
    private static func rotationStep(_ psi: Amplitudes, _ lambda: Amplitudes, _ dimension: Int, _ q: Int,
                                     _ m: UnsafePointer<Double>, _ updateLambda: Bool,
                                     _ generator: (Complex, Complex) -> (Complex, Complex)) -> Double {
        let m00 = load(m), m01 = load(m + 2), m10 = load(m + 4), m11 = load(m + 6)
        var sum0 = 0.0, sum1 = 0.0
        for t in 0..<(dimension &>> 1) {
            let i0 = insertZeroBit(t, q), i1 = i0 | (1 &<< q)
            let p0 = psi + 2 &* i0, p1 = psi + 2 &* i1, l0 = lambda + 2 &* i0, l1 = lambda + 2 &* i1
            let a0 = load(p0), a1 = load(p1), b0 = load(l0), b1 = load(l1)
            let (g0, g1) = generator(a0, a1)
            sum0 += b0.re * g0.im - b0.im * g0.re
            sum1 += b1.re * g1.im - b1.im * g1.re
            store(p0, m00 * a0 + m01 * a1)
            store(p1, m10 * a0 + m11 * a1)
            if updateLambda {
                store(l0, m00 * b0 + m01 * b1)
                store(l1, m10 * b0 + m11 * b1)
            }
        }
        return 0.5 * (sum0 + sum1)
    }

    @inline(__always)
    private static func diagonalRotationStep(_ psi: Amplitudes, _ lambda: Amplitudes, _ dimension: Int, _ q: Int,
                                             _ d: UnsafePointer<Double>, _ updateLambda: Bool) -> Double {
        let d0 = load(d), d1 = load(d + 2)
        var sum0 = 0.0, sum1 = 0.0
        for t in 0..<(dimension &>> 1) {
            let i0 = insertZeroBit(t, q), i1 = i0 | (1 &<< q)
            let p0 = psi + 2 &* i0, p1 = psi + 2 &* i1, l0 = lambda + 2 &* i0, l1 = lambda + 2 &* i1
            let a0 = load(p0), a1 = load(p1), b0 = load(l0), b1 = load(l1)
            // G = Z: (g₀, g₁) = (ψ₀, −ψ₁)
            sum0 += b0.re * a0.im - b0.im * a0.re
            sum1 -= b1.re * a1.im - b1.im * a1.re
            store(p0, d0 * a0)
            store(p1, d1 * a1)
            if updateLambda {
                store(l0, d0 * b0)
                store(l1, d1 * b1)
            }
        }
        return 0.5 * (sum0 + sum1)
    }

    /// acc[b] += ½ Σ_pairs Im(conj(λ₀)g₀ + conj(λ₁)g₁) with (g₀, g₁) = `apply(ψ₀, ψ₁)`.
    @inline(__always)
    private static func generatorSweep(_ lambda: UnsafePointer<Double>, _ psi: UnsafePointer<Double>, _ s: Shape,
                                       qubit q: Int, into acc: UnsafeMutablePointer<Double>,
                                       _ apply: (Complex, Complex) -> (Complex, Complex)) {
        let b = s.batch
        @inline(__always) func imInner(_ l: Complex, _ z: Complex) -> Double { l.re * z.im - l.im * z.re }
        if b == 1 {
            acc[0] += 0.5 * unorderedSum(count: s.dimension &>> 1) { t in
                let i0 = insertZeroBit(t, q), i1 = i0 | (1 &<< q)
                let (g0, g1) = apply(load(psi + 2 &* i0), load(psi + 2 &* i1))
                return imInner(load(lambda + 2 &* i0), g0) + imInner(load(lambda + 2 &* i1), g1)
            }
            return
        }
        withLocalSums(b, adding: acc) { sums in
            for t in 0..<(s.dimension &>> 1) {
                let i0 = insertZeroBit(t, q), i1 = i0 | (1 &<< q)
                let r0 = 2 &* i0 &* b, r1 = 2 &* i1 &* b
                for k in 0..<b {
                    let o0 = r0 &+ 2 &* k, o1 = r1 &+ 2 &* k
                    let (g0, g1) = apply(load(psi + o0), load(psi + o1))
                    sums[k] += 0.5 * (imInner(load(lambda + o0), g0) + imInner(load(lambda + o1), g1))
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

/// Run `body` with B zeroed per-sample sums in fresh local memory, then add them to `acc`.
/// Local memory cannot alias the state, so the compiler keeps the per-sample loop vectorised
/// instead of reloading `acc` after every store to the state.
@inline(__always)
func withLocalSums(_ count: Int, adding acc: UnsafeMutablePointer<Double>,
                   _ body: (UnsafeMutablePointer<Double>) -> Void) {
    withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { buffer in
        let sums = buffer.baseAddress!
        sums.initialize(repeating: 0, count: count)
        body(sums)
        for k in 0..<count { acc[k] += sums[k] }
    }
}

/// A 2×2 complex matrix read from 8 packed Doubles.
struct Matrix2x2 {
    var m00, m01, m10, m11: Complex

    @inline(__always) init(_ p: UnsafePointer<Double>) {
        m00 = load(p)
        m01 = load(p + 2)
        m10 = load(p + 4)
        m11 = load(p + 6)
    }

    /// (m₀₀a₀ + m₀₁a₁, m₁₀a₀ + m₁₁a₁).
    @inline(__always) func times(_ a0: Complex, _ a1: Complex) -> (Complex, Complex) {
        (m00 * a0 + m01 * a1, m10 * a0 + m11 * a1)
    }
}
