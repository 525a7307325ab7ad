/// Every random draw of a run comes from a generator seeded by (run seed, purpose, counters), so
/// a resumed run redraws exactly what the uninterrupted run drew: the RNG state is a function of
/// the seed and the step, and restoring the step restores it.
import Cutting

public enum Seeds {
    /// Purposes, so that streams for different jobs never coincide.
    public enum Stream: UInt64, Sendable {
        case dataSplit = 1, initialTheta, epochShuffle, trainShots, evaluationShots, gaussianNoise, robustnessShots,
             gradientShots
    }

    /// A well-mixed 64-bit seed from the run seed, a purpose and up to three counters (SplitMix64 finaliser).
    public static func derive(_ seed: UInt64, _ stream: Stream, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0) -> UInt64 {
        var h = seed
        for word in [stream.rawValue, UInt64(bitPattern: Int64(a)), UInt64(bitPattern: Int64(b)), UInt64(bitPattern: Int64(c))] {
            h = mix(h ^ mix(word &+ 0x9E37_79B9_7F4A_7C15))
        }
        return h
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for one purpose and counters.
    public static func generator(_ seed: UInt64, _ stream: Stream, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0) -> Xoshiro256 {
        Xoshiro256(seed: derive(seed, stream, a, b, c))
    }
}

extension Xoshiro256 {
    /// Fisher–Yates shuffle of 0..<count.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        guard count > 1 else { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = min(i, Int(uniform() * Double(i + 1)))
            p.swapAt(i, j)
        }
        return p
    }

    /// A standard normal draw (Box–Muller; one of the pair is discarded to keep draws per call fixed).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform(), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#endif
