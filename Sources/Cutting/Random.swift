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

/// P(K = k) for K ~ Binomial(n, p) without cancellation (C. Loader, "Fast and accurate computation
/// of binomial probabilities", 2000): log P = stirlerr(n) − stirlerr(k) − stirlerr(n−k)
/// − bd0(k, np) − bd0(n−k, nq) + ½·log(n / (2π·k·(n−k))). Naive `lgamma` differences lose the
/// digits of lgamma(n) — 1e-9 relative at n = 10⁶.
enum BinomialTerms {
    /// For 0 < k < n.
    static func probability(of k: Int, trials n: Int, probability p: Double) -> Double {
        let x = Double(k), total = Double(n)
        let logP = stirlerr(total) - stirlerr(x) - stirlerr(total - x)
            - bd0(x, total * p) - bd0(total - x, total * (1 - p))
            + 0.5 * log(total / (2 * Double.pi * x * (total - x)))
        return exp(logP)
    }

    /// log(n!) − [(n + ½)·log n − n + ½·log 2π]: the error of Stirling's formula.
    static func stirlerr(_ n: Double) -> Double {
        guard n > 15 else { return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * Double.pi) }
        let nn = n * n
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// x·log(x/m) + m − x, summed as a series when x ≈ m (where the direct form cancels).
    static func bd0(_ x: Double, _ m: Double) -> Double {
        guard abs(x - m) < 0.1 * (x + m) else { return x * log(x / m) + m - x }
        let v = (x - m) / (x + m)
        var sum = (x - m) * v
        var term = 2 * x * v
        var j = 1.0
        while true {
            term *= v * v
            let next = sum + term / (2 * j + 1)
            if next == sum { return next }
            sum = next
            j += 1
        }
    }
}
