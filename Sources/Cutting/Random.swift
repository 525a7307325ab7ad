/// A small seeded PRNG for reproducible sampling (no Foundation randomness): SplitMix64 expands
/// the seed, xoshiro256** generates; plus exact Bernoulli/binomial draws for shot emulation.
import Foundation

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable, Codable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        var x = seed
        state = (0..<4).map { _ in
            // SplitMix64 step.
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// An estimate of a ±1 observable with mean `value` from `shots` shots: the mean of the shot
    /// outcomes, whose count of +1s is Binomial(shots, (1 + value)/2).
    public mutating func shotEstimate(of value: Double, shots n: Int) -> Double {
        let plus = binomial(trials: n, probability: (1 + value) / 2)
        return Double(2 * plus - n) / Double(n)
    }

    /// An exact Binomial(n, p) draw: count successes by geometric waiting times with the rarer
    /// outcome, O(n·min(p, 1−p) + 1) expected work.
    public mutating func binomial(trials n: Int, probability p: Double) -> Int {
        let p = min(max(p, 0), 1)
        if p == 0 || n == 0 { return 0 }
        if p == 1 { return n }
        let rare = min(p, 1 - p)
        let logMiss = log1p(-rare)
        var count = 0
        var position = 0
        while true {
            // Trials up to and including the next rare outcome: ⌈log U / log(1−p)⌉, U ∈ (0, 1].
            let u = 1 - uniform()
            position += max(1, Int(min((log(u) / logMiss).rounded(.up), Double(n + 1))))
            if position > n { break }
            count += 1
        }
        return p <= 0.5 ? count : n - count
    }
}
