/// A small seeded PRNG for reproducible sampling (no Foundation randomness): SplitMix64 expands
/// the seed, xoshiro256** generates; plus exact binomial draws for shot emulation.
import Foundation

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable, Codable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        var expand = SplitMix64(seed: seed)
        state = (0..<4).map { _ in expand.next() }
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

    /// A Binomial(n, p) draw by inversion, O(1 + min(n·p(1−p), √(n·p(1−p)))) expected work: with
    /// the rarer outcome at probability r, small n·r counts geometric waiting times (exact); larger
    /// n·r inverts the distribution walking outward from the mode, where the probabilities are
    /// largest, so the walk takes about one standard deviation of steps. The probability at the
    /// mode comes from Loader's saddle-point form (`BinomialTerms`), accurate to a few ulps, and
    /// its neighbours from the ratio recurrence. (A shot-mode query draws millions of shots;
    /// counting them one rare outcome at a time cost most of a training run.)
    public mutating func binomial(trials n: Int, probability p: Double) -> Int {
        let p = min(max(p, 0), 1)
        if p == 0 || n == 0 { return 0 }
        if p == 1 { return n }
        let rare = min(p, 1 - p)
        let count = Double(n) * rare < 16 ? rareCountByWaitingTimes(n, rare) : rareCountFromTheMode(n, rare)
        return p <= 0.5 ? count : n - count
    }

    /// Successes of n trials with probability r: the count of geometric waiting times that fit.
    private mutating func rareCountByWaitingTimes(_ n: Int, _ r: Double) -> Int {
        let logMiss = log1p(-r)
        var count = 0
        var position = 0
        while true {
            // Trials up to and including the next success: ⌈log U / log(1−r)⌉, U ∈ (0, 1].
            let u = 1 - uniform()
            position += max(1, Int(min((log(u) / logMiss).rounded(.up), Double(n + 1))))
            if position > n { break }
            count += 1
        }
        return count
    }

    /// Successes of n trials with probability r ≤ ½, by inversion in the fixed order m, m+1,
    /// m−1, m+2, m−2, … from the mode m: subtract probabilities from U until it is used up.
    private mutating func rareCountFromTheMode(_ n: Int, _ r: Double) -> Int {
        let q = 1 - r, odds = r / q
        let mode = min(n, Int((Double(n + 1) * r).rounded(.down)))
        let atMode = BinomialTerms.probability(of: mode, trials: n, probability: r)
        while true {
            var u = uniform() - atMode
            if u < 0 { return mode }
            var up = mode, down = mode, above = atMode, below = atMode
            while up < n || down > 0 {
                if up < n {
                    above *= Double(n - up) / Double(up + 1) * odds
                    up += 1
                    u -= above
                    if u < 0 { return up }
                }
                if down > 0 {
                    below *= Double(down) / Double(n - down + 1) / odds
                    down -= 1
                    u -= below
                    if u < 0 { return down }
                }
            }
            // Rounding left U beyond the summed probabilities (≈1e-12): draw U again.
        }
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
