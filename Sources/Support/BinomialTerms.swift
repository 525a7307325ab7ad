/// Binomial probabilities without cancellation, for the sampler in Xoshiro256.swift.
import Foundation

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
