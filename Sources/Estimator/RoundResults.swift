/// What a run learns from the estimator: the seconds of each stage of a round, the one-off setup
/// costs, one round's result at rank 0, and rank 0's CPU time per kind of round.
import Cutting

/// Seconds per stage. For a batch these are wall-clock seconds of the round at rank 0 and they
/// add up to its total: `generate` (the header broadcast), `execute` (rank 0's own work units),
/// `wait` (rank 0 waiting for the slowest rank to finish executing: load imbalance and
/// stragglers — never work, never reconstruction) and `reconstruct` (the reduction once every rank
/// has arrived, and the contraction).
public struct StageTimes: Hashable, Sendable, Codable {
    public var partition = 0.0
    public var generate = 0.0
    public var execute = 0.0
    public var wait = 0.0
    public var reconstruct = 0.0
    public var total: Double { partition + generate + execute + wait + reconstruct }

    public init(partition: Double = 0, generate: Double = 0, execute: Double = 0, wait: Double = 0,
                reconstruct: Double = 0) {
        self.partition = partition
        self.generate = generate
        self.execute = execute
        self.wait = wait
        self.reconstruct = reconstruct
    }

    /// The same times divided by `count` (per query of a batch).
    public func divided(by count: Int) -> StageTimes {
        let d = Double(max(count, 1))
        return StageTimes(partition: partition / d, generate: generate / d, execute: execute / d, wait: wait / d,
                          reconstruct: reconstruct / d)
    }
}

/// The one-off costs of a run: deciding the plan at rank 0, broadcasting the decision, and
/// every rank deriving the plan from it.
public struct SetupTimes: Hashable, Sendable, Codable {
    /// Cut finding and validation (rank 0): the `partition` stage of DESIGN §2.
    public var planBuild = 0.0
    /// Broadcasting the blueprint (O(circuit + cuts) bytes) to every rank.
    public var planBroadcast = 0.0
    /// Deriving fragments, settings and units from the blueprint: the slowest rank's seconds
    /// (rank 0 derives nothing: it built the plan).
    public var planDerive = 0.0
    /// Comparing the plan digests of every rank (one `MPI_Allreduce`).
    public var planAgree = 0.0
    /// Size of the broadcast blueprint in bytes.
    public var blueprintBytes = 0
}

/// What rank 0 learns from one round.
public struct BatchResult: Sendable {
    public var round: Int
    public var estimate: CutEstimate
    /// Stage seconds of the whole batch (partition is 0: it is a one-off, see `SetupTimes`).
    public var stages: StageTimes
    /// Inside `stages.reconstruct`: the reduction (every rank has arrived: pure communication)
    /// and the contraction at rank 0.
    public var reduceSeconds: Double
    public var contractSeconds: Double
    public var ranks: [RankTimes]
    public var chunkCount: Int
    /// The stitched fragment values, with `Stitching.fullTable` (sampled estimates draw from
    /// them); nil with partial sums, where no rank ever holds the whole table.
    public var table: FragmentValueTable?
    /// The slowest rank's execute phase (= `stages.execute + stages.wait` up to the barrier's own
    /// latency): the round's critical path of work.
    public var slowestExecute: Double
    /// Shot mode's draws beside the exact values (nil for an exact round); `estimate.values`
    /// holds what the caller should use either way.
    public var sampling: SampledValues? = nil

    /// Per query: the standard error of `estimate.values` (0 in an exact round).
    public var standardErrors: [Double] { sampling?.standardErrors ?? estimate.values.map { _ in 0 } }
    /// Per query: the exact value (equal to `estimate.values` in an exact round).
    public var exactValues: [Double] { sampling?.exactValues ?? estimate.values }
}

/// CPU seconds of rank 0's thread in rounds, by kind, for the gradient-cost ratio. CPU time,
/// not wall time, because a shared, oversubscribed machine preempts long rounds more often than
/// short ones; run with one rank to count all the compute (with more ranks, rank 0's share plus
/// its MPI polling).
public struct RoundCPUTimes: Sendable {
    public var forwardSeconds = 0.0, forwardQueries = 0
    public var gradientSeconds = 0.0, gradientQueries = 0

    public var forwardSecondsPerQuery: Double { forwardQueries > 0 ? forwardSeconds / Double(forwardQueries) : 0 }
    public var gradientSecondsPerQuery: Double { gradientQueries > 0 ? gradientSeconds / Double(gradientQueries) : 0 }
}
