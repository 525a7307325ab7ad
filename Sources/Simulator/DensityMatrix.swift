/// Noisy fragment values by density matrix: the exact expectation of a signed measurement
/// product under per-gate depolarizing noise and symmetric readout error.
///
/// Why a density matrix and not stochastic Pauli trajectories: a fragment value enters the
/// contraction as an expectation, and shot mode draws its shots from it (`ShotSource.emulated`),
/// so an *exact* noisy value keeps shot noise the only randomness and the standard errors honest.
/// Trajectories would add a second Monte Carlo error that the estimator does not account for. The
/// price is 4^w amplitudes: 16 MiB at 10 qubits, 256 MiB at `maximumQubits` = 12, beyond which we
/// refuse (cut narrower; fragments meant for noisy devices are narrow anyway).
///
/// ρ (d × d, d = 2^w) is stored row-major as interleaved complex doubles, i.e. as a state vector
/// over 2w bits with the row index in the high w bits: U ρ U† is U on row bit q (w + q) and U* on
/// column bit q. A signed Z measurement with readout flip probability r is the linear map
/// ρ ↦ (1 − 2r)(P₀ρP₀ − P₁ρP₁) — the expectation of the recorded ±1 times whatever follows — so
/// after every measurement of a sub-experiment has been applied, the value is Tr ρ.
#if canImport(Glibc)
import Glibc
#endif
import Circuits

/// Depolarizing noise after every one- and two-qubit gate and a symmetric readout error on every
/// measurement — the same parameters as Qiskit Aer's `depolarizing_error(p, 1)`,
/// `depolarizing_error(p, 2)` and `ReadoutError([[1 − r, r], [r, 1 − r]])`.
public struct NoiseModel: Hashable, Sendable, Codable {
    /// λ of E(ρ) = (1 − λ)ρ + λ·Tr_q(ρ) ⊗ I/2 after every one-qubit gate.
    public var depolarizing1: Double
    /// λ of E(ρ) = (1 − λ)ρ + λ·Tr_{q,q'}(ρ) ⊗ I/4 after every two-qubit gate.
    public var depolarizing2: Double
    /// Probability that a measured bit is recorded flipped (both directions).
    public var readout: Double

    public init(depolarizing1: Double = 0, depolarizing2: Double = 0, readout: Double = 0) {
        self.depolarizing1 = depolarizing1
        self.depolarizing2 = depolarizing2
        self.readout = readout
    }

    public var isNoiseless: Bool { depolarizing1 == 0 && depolarizing2 == 0 && readout == 0 }
}

/// One operation of a noisy run: a gate with numeric angles, or a signed Z measurement.
public enum NoisyOperation: Sendable, Equatable {
    case gate(GateKind, qubits: [Int], angles: [Double])
    case measure(qubit: Int)
}

public enum DensityMatrixSimulator {
    /// The widest register simulated (4^12 complex doubles = 256 MiB).
    public static let maximumQubits = 12

    /// E[Π recorded ±1] of the operations on `qubitCount` fresh |0⟩ qubits under `noise`. Three-
    /// qubit gates (`ccx`) get no depolarizing noise (the model names one- and two-qubit gates).
    public static func signedExpectation(qubitCount n: Int, operations: [NoisyOperation], noise: NoiseModel) -> Double {
        precondition(n <= maximumQubits, "DensityMatrixSimulator: \(n) qubits, at most \(maximumQubits)")
        var rho = [Double](repeating: 0, count: 2 << (2 * n))
        rho[0] = 1
        for op in operations {
            switch op {
            case let .gate(kind, qubits, angles):
                if kind == .id && noise.depolarizing1 == 0 { continue }
                applyUnitary(&rho, n: n, matrix: matrix(kind, angles), qubits: qubits)
                if qubits.count == 1, noise.depolarizing1 > 0 { depolarize(&rho, n: n, qubits: qubits, lambda: noise.depolarizing1) }
                if qubits.count == 2, noise.depolarizing2 > 0 { depolarize(&rho, n: n, qubits: qubits, lambda: noise.depolarizing2) }
            case let .measure(q):
                signedMeasure(&rho, n: n, qubit: q, scale: 1 - 2 * noise.readout)
            }
        }
        var trace = 0.0
        let d = 1 << n
        for r in 0..<d { trace += rho[2 * (r * d + r)] }
        return trace
    }

    /// Row-major matrix of a gate (index k = Σ bit(qubits[i])·2^i), as complex entries.
    static func matrix(_ kind: GateKind, _ angles: [Double]) -> [Complex] {
        if kind == .ccx {
            // Toffoli: controls qubits[0], qubits[1] (bits 0, 1), target bit 2.
            var m = [Complex](repeating: .zero, count: 64)
            for k in 0..<8 { let image = (k & 3) == 3 ? k ^ 4 : k; m[image * 8 + k] = .one }
            return m
        }
        return kind.denseMatrix(angles).entries
    }

    /// ρ ↦ UρU†: U on the row bits (w + q), U* on the column bits (q).
    static func applyUnitary(_ rho: inout [Double], n: Int, matrix u: [Complex], qubits: [Int]) {
        applyToBits(&rho, bits: qubits.map { $0 + n }, matrix: u)
        applyToBits(&rho, bits: qubits, matrix: u.map(\.conjugate))
    }

    /// A 2^k × 2^k matrix on bits `bits` of the 2w-bit vector `v` (interleaved complex).
    static func applyToBits(_ v: inout [Double], bits: [Int], matrix m: [Complex]) {
        let k = bits.count, dim = 1 << k
        let total = v.count / 2
        var offsets = [Int](repeating: 0, count: dim)
        for j in 0..<dim { for (i, b) in bits.enumerated() where j >> i & 1 == 1 { offsets[j] |= 1 << b } }
        let mask = bits.reduce(0) { $0 | 1 << $1 }
        var re = [Double](repeating: 0, count: dim), im = re
        v.withUnsafeMutableBufferPointer { p in
            for base in 0..<total where base & mask == 0 {
                for j in 0..<dim { re[j] = p[2 * (base | offsets[j])]; im[j] = p[2 * (base | offsets[j]) + 1] }
                for row in 0..<dim {
                    var sr = 0.0, si = 0.0
                    for col in 0..<dim {
                        let a = m[row * dim + col]
                        sr += a.re * re[col] - a.im * im[col]
                        si += a.re * im[col] + a.im * re[col]
                    }
                    p[2 * (base | offsets[row])] = sr
                    p[2 * (base | offsets[row]) + 1] = si
                }
            }
        }
    }

    /// ρ ↦ (1 − λ)ρ + λ·Tr_Q(ρ) ⊗ I/2^|Q| for the qubits Q: entries whose row and column agree
    /// on Q mix with the other entries of their diagonal block; the rest shrink by 1 − λ.
    static func depolarize(_ rho: inout [Double], n: Int, qubits: [Int], lambda: Double) {
        let k = qubits.count, dim = 1 << k
        var rowOffsets = [Int](repeating: 0, count: dim), columnOffsets = rowOffsets
        for j in 0..<dim {
            for (i, q) in qubits.enumerated() where j >> i & 1 == 1 {
                rowOffsets[j] |= 1 << (q + n)
                columnOffsets[j] |= 1 << q
            }
        }
        let mask = qubits.reduce(0) { $0 | 1 << $1 | 1 << ($1 + n) }
        let total = rho.count / 2
        rho.withUnsafeMutableBufferPointer { p in
            for base in 0..<total where base & mask == 0 {
                var sumRe = 0.0, sumIm = 0.0
                for j in 0..<dim {
                    let i = base | rowOffsets[j] | columnOffsets[j]
                    sumRe += p[2 * i]; sumIm += p[2 * i + 1]
                }
                for a in 0..<dim {
                    for b in 0..<dim {
                        let i = base | rowOffsets[a] | columnOffsets[b]
                        p[2 * i] *= 1 - lambda
                        p[2 * i + 1] *= 1 - lambda
                        if a == b {
                            p[2 * i] += lambda * sumRe / Double(dim)
                            p[2 * i + 1] += lambda * sumIm / Double(dim)
                        }
                    }
                }
            }
        }
    }

    /// ρ ↦ scale·(P₀ρP₀ − P₁ρP₁) on `qubit`.
    static func signedMeasure(_ rho: inout [Double], n: Int, qubit q: Int, scale: Double) {
        let rowBit = 1 << (q + n), columnBit = 1 << q
        for i in 0..<(rho.count / 2) {
            let r = i & rowBit != 0, c = i & columnBit != 0
            let factor = r != c ? 0 : r ? -scale : scale
            rho[2 * i] *= factor
            rho[2 * i + 1] *= factor
        }
    }
}
