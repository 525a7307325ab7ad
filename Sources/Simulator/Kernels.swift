/// The gate kernels: one loop per gate-kind family, over the layout of StateBatch.swift.
///
/// Families: general 2×2 (one qubit), diagonal 1q and 2q, controlled 2×2, general 4×4, and
/// permutations (x, cx, ccx, swap as one masked swap). Matrices arrive packed as Doubles
/// (re, im per entry, row-major), either one per sample (`perSample`, stride = matrix size) or
/// one shared by all samples. A shared matrix lets the batch be treated as extra low-order
/// "qubits": the partner of complex index j is j + 2^q·B, and the inner loop runs over a
/// contiguous run of 2^q·B complex numbers with no per-sample bookkeeping.

typealias Amplitudes = UnsafeMutablePointer<Double>

@inline(__always) func load(_ p: UnsafePointer<Double>) -> Complex { Complex(p[0], p[1]) }
@inline(__always) func load(_ p: Amplitudes) -> Complex { Complex(p[0], p[1]) }
@inline(__always) func store(_ p: Amplitudes, _ z: Complex) {
    p[0] = z.re
    p[1] = z.im
}

/// Calls `body(i)` for every basis index i whose bits `lo` and `hi` (lo < hi) are both 0; with
/// `runLength` = 2^lo it calls it once per contiguous run of such indices, at the run's start.
@inline(__always)
func forEachBase(dimension: Int, lo: Int, hi: Int, runLength: Int = 1, _ body: (Int) -> Void) {
    let loBit = 1 << lo, hiBit = 1 << hi
    var outer = 0
    while outer < dimension {
        var mid = outer
        while mid < outer + hiBit {
            for i in stride(from: mid, to: mid + loBit, by: runLength) { body(i) }
            mid += 2 * loBit
        }
        outer += 2 * hiBit
    }
}

/// t with a 0 inserted at bit q: the t-th basis index whose bit q is clear.
@inline(__always) func insertZeroBit(_ t: Int, _ q: Int) -> Int {
    let low = (1 &<< q) &- 1
    return ((t & ~low) &<< 1) | (t & low)
}

enum Kernels {
    /// Single states up to this many amplitudes (n ≤ 6) take flat loops over pairs: for a
    /// 16-amplitude fragment state the run-structured loops spend more on loop setup than on
    /// arithmetic.
    static let tinyDimension = 64

    // MARK: One qubit

    /// ψ ← M ψ on qubit q: (a₀, a₁) ← (m₀₀a₀ + m₀₁a₁, m₁₀a₀ + m₁₁a₁) for every pair of
    /// amplitudes differing only in bit q.
    static func general1(_ a: Amplitudes, _ s: Shape, qubit q: Int, _ m: UnsafePointer<Double>, perSample: Bool) {
        if s.batch == 1 && s.dimension <= tinyDimension {
            // Tiny single state: one flat loop over the pairs beats runs of length 2^q.
            let m00 = load(m), m01 = load(m + 2), m10 = load(m + 4), m11 = load(m + 6)
            for t in 0..<(s.dimension &>> 1) {
                let i0 = insertZeroBit(t, q), i1 = i0 | (1 &<< q)
                let p0 = a + 2 &* i0, p1 = a + 2 &* i1
                let a0 = load(p0), a1 = load(p1)
                store(p0, m00 * a0 + m01 * a1)
                store(p1, m10 * a0 + m11 * a1)
            }
            return
        }
        if !perSample || s.batch == 1 {
            let m00 = load(m), m01 = load(m + 2), m10 = load(m + 4), m11 = load(m + 6)
            let half = (1 << q) * s.batch          // complex distance between partners
            var block = 0
            while block < s.count {
                // A counted loop over indices (wrapping arithmetic, no overflow traps) is what
                // LLVM vectorises; a pointer-bumping while loop is not (measured: 3x slower).
                for j in block..<(block + half) {
                    let p0 = a + 2 &* j, p1 = a + 2 &* (j &+ half)
                    let a0 = load(p0), a1 = load(p1)
                    store(p0, m00 * a0 + m01 * a1)
                    store(p1, m10 * a0 + m11 * a1)
                }
                block += 2 * half
            }
        } else {
            let b = s.batch, stride = 1 << q
            var base = 0
            while base < s.dimension {
                for i in base..<(base + stride) {
                    let row0 = a + 2 * i * b, row1 = a + 2 * (i + stride) * b
                    for k in 0..<b {
                        let mk = m + 8 &* k
                        let p0 = row0 + 2 &* k, p1 = row1 + 2 &* k
                        let a0 = load(p0), a1 = load(p1)
                        store(p0, load(mk) * a0 + load(mk + 2) * a1)
                        store(p1, load(mk + 4) * a0 + load(mk + 6) * a1)
                    }
                }
                base += 2 * stride
            }
        }
    }

    /// ψ ← diag(d₀, d₁) ψ on qubit q (packed: d₀, d₁ per sample).
    static func diagonal1(_ a: Amplitudes, _ s: Shape, qubit q: Int, _ d: UnsafePointer<Double>, perSample: Bool) {
        let b = s.batch
        if b == 1 && s.dimension <= tinyDimension {
            // Tiny single state: one flat loop per half; a factor of exactly 1 is skipped.
            let d0 = load(d), d1 = load(d + 2)
            if d0 != .one {
                for t in 0..<(s.dimension &>> 1) {
                    let p = a + 2 &* insertZeroBit(t, q)
                    store(p, d0 * load(p))
                }
            }
            if d1 != .one {
                for t in 0..<(s.dimension &>> 1) {
                    let p = a + 2 &* (insertZeroBit(t, q) | (1 &<< q))
                    store(p, d1 * load(p))
                }
            }
            return
        }
        if !perSample || b == 1 {
            // Shared: runs of 2^q·B amplitudes alternate between bit q = 0 (×d₀) and 1 (×d₁).
            let d0 = load(d), d1 = load(d + 2)
            let half = (1 << q) * b
            var block = 0
            while block < s.count {
                if d0 != .one { scale(a, from: block, count: half, by: d0) }
                if d1 != .one { scale(a, from: block + half, count: half, by: d1) }
                block += 2 * half
            }
            return
        }
        let stride = 1 << q
        var base = 0
        while base < s.dimension {
            for half in 0..<2 {
                let start = base + half * stride
                for i in start..<(start + stride) {
                    let row = a + 2 &* i &* b
                    for k in 0..<b {
                        let p = row + 2 &* k
                        store(p, load(d + 4 &* k + 2 &* half) * load(p))
                    }
                }
            }
            base += 2 * stride
        }
    }

    /// a[j] ← z·a[j] for `count` consecutive complex numbers from `start`.
    @inline(__always)
    static func scale(_ a: Amplitudes, from start: Int, count: Int, by z: Complex) {
        for j in start..<(start + count) {
            let p = a + 2 &* j
            store(p, z * load(p))
        }
    }

    // MARK: Two qubits

    /// ψ ← diag(d₀…d₃) ψ on qubits (q0, q1), local index k = bit(q0) + 2·bit(q1).
    static func diagonal2(_ a: Amplitudes, _ s: Shape, _ q0: Int, _ q1: Int, _ d: UnsafePointer<Double>, perSample: Bool) {
        let b = s.batch
        if !perSample || b == 1 {
            // Shared: each run of |00⟩ amplitudes has |01⟩, |10⟩, |11⟩ partner runs.
            // Inline (not arrays): no heap allocation per gate.
            let dk: InlineArray<4, Complex> = [load(d), load(d + 2), load(d + 4), load(d + 6)]
            let offsets: InlineArray<4, Int> = [0, (1 << q0) * b, (1 << q1) * b, ((1 << q0) + (1 << q1)) * b]
            let lo = min(q0, q1)
            forEachBase(dimension: s.dimension, lo: lo, hi: max(q0, q1), runLength: 1 << lo) { i in
                for k in 0..<4 where dk[k] != .one {
                    scale(a, from: i * b + offsets[k], count: (1 << lo) * b, by: dk[k])
                }
            }
            return
        }
        for i in 0..<s.dimension {
            let k = ((i >> q0) & 1) | (((i >> q1) & 1) << 1)
            let row = a + 2 &* i &* b
            for j in 0..<b {
                let p = row + 2 &* j
                store(p, load(d + j &* 8 + 2 &* k) * load(p))
            }
        }
    }

    /// ψ ← M ψ on the target when the control bit is 1 (M packed as a 2×2 per sample).
    static func controlled1(_ a: Amplitudes, _ s: Shape, control c: Int, target t: Int, _ m: UnsafePointer<Double>, perSample: Bool) {
        let b = s.batch
        let mStride = perSample ? 8 : 0
        let cBit = 1 << c, tBit = 1 << t
        forEachBase(dimension: s.dimension, lo: min(c, t), hi: max(c, t)) { i in
            let row0 = a + 2 * (i | cBit) * b, row1 = a + 2 * (i | cBit | tBit) * b
            for k in 0..<b {
                let mk = m + k &* mStride
                let p0 = row0 + 2 &* k, p1 = row1 + 2 &* k
                let a0 = load(p0), a1 = load(p1)
                store(p0, load(mk) * a0 + load(mk + 2) * a1)
                store(p1, load(mk + 4) * a0 + load(mk + 6) * a1)
            }
        }
    }

    /// ψ ← M ψ for a general 4×4 M on qubits (q0, q1), local index k = bit(q0) + 2·bit(q1).
    static func general2(_ a: Amplitudes, _ s: Shape, _ q0: Int, _ q1: Int, _ m: UnsafePointer<Double>, perSample: Bool) {
        let b = s.batch
        let mStride = perSample && b > 1 ? 32 : 0
        // Complex offsets of the |01⟩, |10⟩, |11⟩ partners of a |00⟩ amplitude.
        let o1 = (1 << q0) * b, o2 = (1 << q1) * b, o3 = o1 + o2
        // Indices with both bits clear come in contiguous runs of 2^lo basis states (2^lo·B
        // complex numbers); with a shared matrix each run is one flat, vectorisable loop.
        let run = (1 << min(q0, q1)) * b
        @inline(__always) func update(_ j: Int, _ mk: UnsafePointer<Double>) {
            let p0 = a + 2 &* j, p1 = a + 2 &* (j &+ o1), p2 = a + 2 &* (j &+ o2), p3 = a + 2 &* (j &+ o3)
            let a0 = load(p0), a1 = load(p1), a2 = load(p2), a3 = load(p3)
            store(p0, load(mk) * a0 + load(mk + 2) * a1 + load(mk + 4) * a2 + load(mk + 6) * a3)
            store(p1, load(mk + 8) * a0 + load(mk + 10) * a1 + load(mk + 12) * a2 + load(mk + 14) * a3)
            store(p2, load(mk + 16) * a0 + load(mk + 18) * a1 + load(mk + 20) * a2 + load(mk + 22) * a3)
            store(p3, load(mk + 24) * a0 + load(mk + 26) * a1 + load(mk + 28) * a2 + load(mk + 30) * a3)
        }
        forEachBase(dimension: s.dimension, lo: min(q0, q1), hi: max(q0, q1), runLength: 1 << min(q0, q1)) { i in
            let start = i * b
            if mStride == 0 {
                // Shared matrix: entries in registers (a pointer could alias the state).
                let (m00, m01, m02, m03) = (load(m), load(m + 2), load(m + 4), load(m + 6))
                let (m10, m11, m12, m13) = (load(m + 8), load(m + 10), load(m + 12), load(m + 14))
                let (m20, m21, m22, m23) = (load(m + 16), load(m + 18), load(m + 20), load(m + 22))
                let (m30, m31, m32, m33) = (load(m + 24), load(m + 26), load(m + 28), load(m + 30))
                for j in start..<(start + run) {
                    let p0 = a + 2 &* j, p1 = a + 2 &* (j &+ o1), p2 = a + 2 &* (j &+ o2), p3 = a + 2 &* (j &+ o3)
                    let a0 = load(p0), a1 = load(p1), a2 = load(p2), a3 = load(p3)
                    store(p0, m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3)
                    store(p1, m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3)
                    store(p2, m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3)
                    store(p3, m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3)
                }
            } else {
                for row in stride(from: start, to: start + run, by: b) {
                    for k in 0..<b { update(row &+ k, m + k &* mStride) }
                }
            }
        }
    }

    // MARK: Permutations

    /// Swap amplitude i with i ⊕ flip for every i with `i & select == value` (all samples).
    /// x(t): select t, value 0, flip t.  cx(c,t): select c|t, value c, flip t.
    /// ccx(c1,c2,t): select c1|c2|t, value c1|c2, flip t.  swap(a,b): select a|b, value a, flip a|b.
    /// Below the lowest selected bit nothing is selected or flipped, so whole runs of
    /// 2^low·B complex numbers move together.
    static func maskedSwap(_ a: Amplitudes, _ s: Shape, select: Int, value: Int, flip: Int) {
        let run = 1 << select.trailingZeroBitCount
        precondition(flip & (run - 1) == 0, "Kernels.maskedSwap: flip bits below the lowest selected bit")
        let doubles = 2 * run * s.batch
        for i in stride(from: 0, to: s.dimension, by: run) where i & select == value {
            let p = a + 2 &* i &* s.batch, r = a + 2 &* (i ^ flip) &* s.batch
            for k in 0..<doubles {
                let t = p[k]
                p[k] = r[k]
                r[k] = t
            }
        }
    }
}
