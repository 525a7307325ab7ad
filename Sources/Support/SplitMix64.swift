/// SplitMix64 (Steele, Lea & Flood 2014): the one 64-bit mixing function every seed, stream and
/// straggler draw in qnncut goes through. Its outputs are stored in checkpoints (RNG states) and
/// decide which units a straggler delays, so it must never change.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The golden-ratio increment of the generator.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The next output: advance by the increment, then finalise.
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.finalize(state)
    }

    /// One generator step from `x` without keeping state: `finalize(x + increment)`. Chaining
    /// `mix(h ^ word)` over a sequence of words hashes them into one well-spread value.
    public static func mix(_ x: UInt64) -> UInt64 { finalize(x &+ increment) }

    /// Stafford's "Mix13" finaliser: a bijection on UInt64 with full avalanche.
    public static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
