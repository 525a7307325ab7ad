/// Every random draw of a run comes from a generator seeded by (run seed, purpose, counters), so
/// a resumed run redraws exactly what the uninterrupted run drew: the RNG state is a function of
/// the seed and the step, and restoring the step restores it.

public enum Seeds {
    /// Purposes, so that streams for different jobs never coincide.
    public enum Stream: UInt64, Sendable {
        case dataSplit = 1, initialTheta, epochShuffle, trainShots, evaluationShots, gaussianNoise, robustnessShots,
             estimateShots
    }

    /// A well-mixed 64-bit seed from the run seed, a purpose and up to three counters (SplitMix64 finaliser).
    public static func derive(_ seed: UInt64, _ stream: Stream, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0) -> UInt64 {
        var h = seed
        for word in [stream.rawValue, UInt64(bitPattern: Int64(a)), UInt64(bitPattern: Int64(b)), UInt64(bitPattern: Int64(c))] {
            h = SplitMix64.mix(h ^ SplitMix64.mix(word &+ SplitMix64.increment))
        }
        return h
    }

    /// A generator for one purpose and counters.
    public static func generator(_ seed: UInt64, _ stream: Stream, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0) -> Xoshiro256 {
        Xoshiro256(seed: derive(seed, stream, a, b, c))
    }
}
