/// Shot mode, in one place: how a round's exact fragment values become what a device would have
/// measured. `estimate --samples/--shots`, training, evaluation and the robustness sweep all go
/// through `DistributedEstimator.evaluate(…, sampling: .shots(…))`, and the trace records what
/// the caller got (`queries.value`) beside the exact value it was drawn from (`exact_value`).
///
/// A query spends `shots` shots in total over the sub-experiments it uses (a matched budget).
/// With `termSamples` 0 every QPD term keeps its exact coefficient (only shot noise remains);
/// otherwise that many terms are drawn ∝ |c_t| (`CutPlan.sampledEstimate`). Gradients come from
/// per-fragment parameter shift: every unit's shifted circuits are "run" with the unit's share of
/// the budget (`CutPlan.measureShiftedCircuits`) and contracted like adjoint derivatives. With an
/// executor the same code reads the shifted circuits' measured means instead of drawing them.
///
/// One seed scheme: the caller gives one seed per query (training derives them from the run
/// seed, the purpose, the step and the query, so a resumed run redraws the same shots); the
/// values draw from that seed and the gradients from `SplitMix64.mix(seed ^ gradientStream)`.
/// The Binomial draws stand in for a device's measurements and are outside the four stages; the
/// gradient's contraction is reconstruction and is booked there.
import Cutting
import MPI
import Support

/// A matched per-query shot budget.
public struct ShotMode: Hashable, Sendable, Codable {
    /// Shots per query over all the sub-experiments it uses (≥ 1).
    public var shots: Int
    /// QPD terms drawn per query; 0 keeps every term exactly (affordable while 6^k is small).
    public var termSamples: Int

    public init(shots: Int, termSamples: Int = 0) {
        precondition(shots >= 1 && termSamples >= 0, "ShotMode: shots must be ≥ 1 and termSamples ≥ 0, got \(shots) and \(termSamples)")
        self.shots = shots
        self.termSamples = termSamples
    }

    /// The sampling options of one query's values.
    public func options(seed: UInt64) -> SamplingOptions {
        SamplingOptions(termSamples: termSamples, exactThreshold: termSamples == 0 ? 0 : 1, shots: shots, seed: seed)
    }

    /// Mixed into a query's seed for its gradient draws (independent of its value draws).
    static let gradientStream: UInt64 = 0x5EED_0F_9AD1_E175

    /// Rank 0, after a round stitched with `.fullTable`: replace the exact values (and, for a
    /// parameter-shift round, the gradients) with sampled ones; keep the exact values beside them.
    /// `source` says what the table holds: exact values to draw shots from, or (an executor's)
    /// measured means, which the same estimator combines with the same standard errors.
    func sample(_ result: inout BatchResult, plan: CutPlan, theta: [Double], inputs: [[Double]],
                seeds: [UInt64], source: ShotSource) throws {
        guard let table = result.table else { preconditionFailure("shot mode runs with Stitching.fullTable") }
        precondition(seeds.count == inputs.count, "shot mode needs one seed per query")
        let exact = result.estimate.values
        var values = exact, errors = exact.map { _ in 0.0 }, spent = exact.map { _ in 0 }
        for (q, input) in inputs.enumerated() {
            let s = try plan.sampledEstimate(table, sample: q, theta: theta, input: input, options: options(seed: seeds[q]),
                                             shots: source)
            values[q] = s.value
            errors[q] = s.standardError
            spent[q] = s.shotsUsed
        }
        result.estimate.values = values
        // Measured means are not exact values: an executor's round has none to keep.
        result.sampling = SampledValues(exactValues: source == .measured ? values.map { _ in .nan } : exact,
                                        standardErrors: errors, shots: spent, gradientShots: exact.map { _ in 0 })
        guard table.method.shifts.any else { return }
        // Measured: an executor ran the shifted circuits (ExternalExecutor), nothing is drawn.
        var measured = try plan.measureShiftedCircuits(table, theta: theta, inputs: inputs, shots: shots,
                                                       seeds: seeds.map { SplitMix64.mix($0 ^ Self.gradientStream) },
                                                       source: source)
        if source == .measured {
            // The unshifted circuits were measured once, for the value; a unit the value's
            // allocation left out (sampled terms) was measured for the gradient alone.
            for (q, input) in inputs.enumerated() {
                let forValue = try plan.shotAllocation(theta: theta, input: input, options: options(seed: seeds[q]))
                for (u, n) in try plan.gradientShotAllocation(theta: theta, input: input, shots: shots) where forValue[u] == nil {
                    measured.shotsUsed[q] += n
                }
            }
        }
        let t0 = MPI.wallTime()
        let contracted = try plan.reconstruct(measured.table, theta: theta, inputs: inputs)
        let seconds = MPI.wallTime() - t0
        result.estimate.thetaGradients = contracted.thetaGradients
        // Without shifted input angles the x columns would hold only the coefficients' share.
        result.estimate.inputGradients = table.method.shifts.inputs ? contracted.inputGradients : []
        result.stages.reconstruct += seconds
        result.contractSeconds += seconds
        result.sampling?.gradientShots = measured.shotsUsed
    }
}

/// How a round's values are produced.
public enum Sampling: Sendable {
    /// The contraction's exact values (and adjoint gradients).
    case exact
    /// Shot-mode draws from the exact fragment values, one seed per query.
    case shots(ShotMode, seeds: [UInt64])

    var isExact: Bool { if case .exact = self { return true } else { return false } }
}

/// What shot mode adds to a round's result (rank 0).
public struct SampledValues: Sendable {
    /// The exact values the draws came from (`estimate.values` holds the draws).
    public var exactValues: [Double]
    /// Per query: delta-method shot noise plus the QPD Monte Carlo variance.
    public var standardErrors: [Double]
    /// Per query: shots the value spent (the budget up to rounding of its split).
    public var shots: [Int]
    /// Per query: shots the parameter-shift gradient spent (0 without gradients).
    public var gradientShots: [Int]
}
