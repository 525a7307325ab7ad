/// What the adaptive policy learns across rounds: each rank's throughput, in estimated unit cost
/// (`CutPlan.unitCosts`) per second of its own time — simulation plus any slowdown it suffered
/// (an injected delay, a noisy neighbour). Rank 0 updates it from the rank rows of every round
/// and sends it with the next round's header, so every rank builds the same schedule.
///
/// Smoothing: an exponentially weighted mean with weight `alpha` = 0.5 on the newest round. A
/// rank that becomes 4× slower is given ≤ 62.5 % of its old share after one round, 40 % after
/// two; one that recovers is back above 90 % of its share after four rounds. What the estimate
/// gets wrong meanwhile is absorbed by the pool and by stealing, not waited for. A straggler that
/// strikes units at random (`--straggler-probability`) moves the mean by its expected slowdown
/// only; one slow for whole rounds at random misleads the round after each slow one (measured
/// +2–4 %, `bench stragglers --random-rounds`: docs/performance.md).
public struct RankSpeeds: Sendable, Equatable {
    public static let alpha = 0.5
    /// Relative speeds (only ratios matter); all 1 before the first round.
    public private(set) var values: [Double]
    private var observed: [Bool]

    public init(ranks: Int) {
        values = Array(repeating: 1, count: ranks)
        observed = Array(repeating: false, count: ranks)
    }

    /// Fold in one round's rows (cost done and seconds spent per rank).
    public mutating func update(_ rows: [RankTimes]) {
        for row in rows where row.rank >= 0 && row.rank < values.count {
            let seconds = row.busy + row.injectedDelay
            guard row.cost > 0, seconds > 0 else { continue }
            let speed = row.cost / seconds
            values[row.rank] = observed[row.rank] ? Self.alpha * speed + (1 - Self.alpha) * values[row.rank] : speed
            observed[row.rank] = true
        }
        // Ranks never measured take the mean of the others, so they are neither starved nor flooded.
        let known = values.indices.filter { observed[$0] }
        if !known.isEmpty {
            let mean = known.map { values[$0] }.reduce(0, +) / Double(known.count)
            for r in values.indices where !observed[r] { values[r] = mean }
        }
    }
}
