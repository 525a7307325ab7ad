/// The binomial sampler behind shot emulation: moments, the exact distribution (χ²) on both draw
/// paths, and the accuracy of the probability at the mode.
import Testing
import Foundation
@testable import Support

@Suite struct BinomialTests {
    @Test func binomialDrawsHaveTheRightMoments() {
        var rng = Xoshiro256(seed: 7)
        for (n, p) in [(10, 0.3), (1000, 0.5), (5000, 0.97), (50, 0.0), (50, 1.0), (200_000, 0.1), (3_000_000, 0.999)] {
            let draws = (0..<2000).map { _ in Double(rng.binomial(trials: n, probability: p)) }
            let mean = draws.reduce(0, +) / 2000
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1999
            let expectedVariance = Double(n) * p * (1 - p)
            #expect(abs(mean - Double(n) * p) <= 5 * (expectedVariance / 2000).squareRoot() + 1e-12, "n \(n) p \(p) mean \(mean)")
            #expect(expectedVariance == 0 ? variance == 0 : abs(variance / expectedVariance - 1) < 0.15, "n \(n) p \(p) var \(variance)")
        }
    }

    /// Both draw paths — waiting times (n·r < 16) and inversion from the mode — against the exact
    /// distribution: a χ² goodness-of-fit test on 40 000 seeded draws each.
    @Test(arguments: [(30, 0.4), (40, 0.45), (200, 0.9), (2000, 0.5)])
    func binomialDrawsFollowTheDistribution(n: Int, p: Double) {
        var rng = Xoshiro256(seed: 11)
        let draws = 40_000
        var counts = [Int](repeating: 0, count: n + 1)
        for _ in 0..<draws { counts[rng.binomial(trials: n, probability: p)] += 1 }
        // Exact P(k) by the recurrence from P(0) = (1−p)^n, in log space.
        var logP = [Double](repeating: 0, count: n + 1)
        logP[0] = Double(n) * log1p(-p)
        for k in 1...n { logP[k] = logP[k - 1] + log(Double(n - k + 1) / Double(k)) + log(p / (1 - p)) }
        // Bins with expected count ≥ 5; the rest pooled into one.
        var chiSquare = 0.0, bins = 0, pooledExpected = 0.0, pooledObserved = 0
        for k in 0...n {
            let expected = Double(draws) * exp(logP[k])
            if expected >= 5 {
                chiSquare += (Double(counts[k]) - expected) * (Double(counts[k]) - expected) / expected
                bins += 1
            } else {
                pooledExpected += expected
                pooledObserved += counts[k]
            }
        }
        if pooledExpected >= 5 {
            chiSquare += (Double(pooledObserved) - pooledExpected) * (Double(pooledObserved) - pooledExpected) / pooledExpected
            bins += 1
        }
        let freedom = Double(bins - 1)
        #expect(chiSquare < freedom + 5 * (2 * freedom).squareRoot(), "n \(n) p \(p): χ² \(chiSquare) with \(freedom) degrees of freedom")
    }

    /// The probability at the mode (Loader's form) is accurate: P(k) over all k sums to 1.
    @Test func binomialProbabilitiesSumToOne() {
        for (n, p) in [(100, 0.3), (10_000, 0.5), (1_000_000, 0.02), (50_000_000, 0.4)] {
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            let mode = Int(Double(n + 1) * p)
            let range = max(1, mode - Int(40 * sigma)) ... min(n - 1, mode + Int(40 * sigma))
            let sum = range.reduce(0.0) { $0 + BinomialTerms.probability(of: $1, trials: n, probability: p) }
                + (range.lowerBound == 1 ? pow(1 - p, Double(n)) : 0) + (range.upperBound == n - 1 ? pow(p, Double(n)) : 0)
            #expect(abs(sum - 1) < 1e-12, "n \(n) p \(p): Σ P(k) = \(sum)")
        }
    }
}
