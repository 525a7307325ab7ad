/// Shot-mode estimates with a matched budget, reproducible across processes: one query spends
/// `shots` shots in total over the sub-experiments it uses. With `termSamples` = 0 every QPD term
/// keeps its exact coefficient c_t (only shot noise remains; affordable while 6^k is small);
/// otherwise N terms are drawn ∝ |c_t| (each cut independently), each draw weighted
/// sign(c_t)·γ/N (QPD Monte Carlo noise on top). Shots go to sub-experiments ∝ the |weight| they
/// carry (at least one each); a sub-experiment's ±1 shots are Binomial draws from its exact value
/// (the table). All of this is `CutPlan.sampledEstimate` with `exactThreshold` 0 (enumerate) or
/// 1 (draw every term); it sums in sorted order, so the draws are a function of the seed alone,
/// which `--resume` needs.
import Cutting

public struct MatchedShotSampler: Sendable {
    public var shots: Int
    public var termSamples: Int

    public init(shots: Int, termSamples: Int) {
        self.shots = shots
        self.termSamples = termSamples
    }

    /// The sampling options of one query.
    public func options(seed: UInt64) -> SamplingOptions {
        SamplingOptions(termSamples: termSamples, exactThreshold: termSamples == 0 ? 0 : 1, shots: shots, seed: seed)
    }

    /// The estimate, its standard error (delta-method shot noise plus QPD Monte Carlo) and the
    /// shots spent (the budget, up to rounding of the per-sub-experiment split).
    /// `shots` ≥ 1 and `termSamples` ≥ 0 are the caller's to check (the training config does):
    /// with them `sampledEstimate` has nothing to throw, so a throw here is a programming error.
    public func estimate(plan: CutPlan, table: FragmentValueTable, sample: Int, theta: [Double], input: [Double],
                         seed: UInt64) -> (value: Double, standardError: Double, shotsUsed: Int) {
        precondition(shots >= 1 && termSamples >= 0,
                     "MatchedShotSampler.estimate: shots must be ≥ 1 and termSamples ≥ 0, got \(shots) and \(termSamples)")
        do {
            let s = try plan.sampledEstimate(table, sample: sample, theta: theta, input: input, options: options(seed: seed))
            return (s.value, s.standardError, s.shotsUsed)
        } catch {
            preconditionFailure("MatchedShotSampler.estimate: \(error)")
        }
    }
}
