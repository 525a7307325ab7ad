/// The state layout (documented once, here) and the batch of states every kernel works on.
///
/// Layout: a batch of B states of n qubits is one array of `2 · 2ⁿ · B` Doubles. Amplitude
/// (basis index i, sample b) is the complex number at Double offsets `2(i·B + b)` (real) and
/// `2(i·B + b) + 1` (imaginary): interleaved complex, batch index innermost. Basis index
/// `i = Σ_q bit_q · 2^q`: qubit 0 is the least-significant bit (DESIGN §6).
///
/// Why: interleaved complex keeps the real and imaginary parts on one cache line (split re/im
/// arrays lose 2.5× at 2²⁴ amplitudes), and batch-innermost makes a gate on a tiny state one long
/// contiguous loop over B samples instead of B short ones. B = 1 is the ordinary single state.

public struct StateBatch: Sendable {
    public let qubitCount: Int
    public let batchSize: Int
    /// Interleaved amplitudes; see the layout above.
    public var storage: [Double]

    /// B copies of |0…0⟩.
    public init(qubitCount: Int, batchSize: Int) {
        precondition(qubitCount >= 0 && qubitCount < 40, "StateBatch: qubitCount \(qubitCount) out of range")
        precondition(batchSize >= 1, "StateBatch: batchSize must be at least 1")
        self.qubitCount = qubitCount
        self.batchSize = batchSize
        storage = Array(repeating: 0, count: 2 * (1 << qubitCount) * batchSize)
        for b in 0..<batchSize { storage[2 * b] = 1 }
    }

    /// Number of basis states, 2ⁿ.
    public var dimension: Int { 1 << qubitCount }

    var shape: Shape { Shape(dimension: dimension, batch: batchSize) }

    /// The amplitude of basis state `index` in sample `sample`.
    public func amplitude(_ index: Int, sample: Int = 0) -> Complex {
        let o = 2 * (index * batchSize + sample)
        return Complex(storage[o], storage[o + 1])
    }

    /// All amplitudes of one sample, in basis order.
    public func amplitudes(sample: Int = 0) -> [Complex] {
        (0..<dimension).map { amplitude($0, sample: sample) }
    }

    /// Apply a one-qubit matrix given as packed Doubles (`m00 m01 m10 m11`, each re, im): 8 per
    /// sample when `perSample`, else 8 shared by every sample. The benchmarked kernel.
    public mutating func applyOneQubit(qubit: Int, packed: [Double], perSample: Bool) {
        precondition(qubit >= 0 && qubit < qubitCount, "applyOneQubit: qubit \(qubit) out of range")
        precondition(packed.count == (perSample ? 8 * batchSize : 8), "applyOneQubit: \(packed.count) matrix Doubles")
        let s = shape
        packed.withUnsafeBufferPointer { m in
            storage.withUnsafeMutableBufferPointer { a in
                Kernels.general1(a.baseAddress!, s, qubit: qubit, m.baseAddress!, perSample: perSample)
            }
        }
    }

    /// Apply a two-qubit matrix (local index `bit(first) + 2·bit(second)`) given as 32 packed
    /// Doubles per sample (or 32 shared).
    public mutating func applyTwoQubit(_ first: Int, _ second: Int, packed: [Double], perSample: Bool) {
        precondition(first != second && max(first, second) < qubitCount && min(first, second) >= 0,
                     "applyTwoQubit: qubits (\(first), \(second)) invalid for \(qubitCount) qubits")
        precondition(packed.count == (perSample ? 32 * batchSize : 32), "applyTwoQubit: \(packed.count) matrix Doubles")
        let s = shape
        packed.withUnsafeBufferPointer { m in
            storage.withUnsafeMutableBufferPointer { a in
                Kernels.general2(a.baseAddress!, s, first, second, m.baseAddress!, perSample: perSample)
            }
        }
    }
}

/// The two sizes every kernel needs: number of basis states and batch size.
struct Shape: Sendable {
    var dimension: Int
    var batch: Int
    /// Complex numbers in the whole batch.
    var count: Int { dimension * batch }
}
