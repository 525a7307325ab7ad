/// What `qnncut analyze` reports about one run: plan size, per-query stage times, reconstruction
/// share, training time and accuracy, robustness, injected stragglers and per-rank utilisation —
/// computed from the rows of one `TraceRun`. Times in the summary are milliseconds per query
/// unless a name says seconds.
import Foundation
import TraceSchema

/// One rank's summed seconds over the run, and the share of its time spent simulating.
struct RankUtilisation: Codable, Equatable {
    var rank: Int
    var busy_s = 0.0, idle_s = 0.0, comm_s = 0.0, delay_s = 0.0
    /// busy / (busy + idle + comm + delay).
    var busy_share = 0.0

    /// Sums a rank's rows over the run.
    static func perRank(_ rows: [TraceRun.Rank]) -> [RankUtilisation] {
        var byRank: [Int: RankUtilisation] = [:]
        for r in rows {
            var u = byRank[Int(r.rank)] ?? RankUtilisation(rank: Int(r.rank))
            u.busy_s += r.busy_s; u.idle_s += r.idle_s; u.comm_s += r.comm_s; u.delay_s += r.delay_s
            byRank[Int(r.rank)] = u
        }
        return byRank.keys.sorted().map { rank in
            var u = byRank[rank]!
            let all = u.busy_s + u.idle_s + u.comm_s + u.delay_s
            u.busy_share = all > 0 ? u.busy_s / all : 0
            return u
        }
    }
}

/// Test accuracy under one perturbation of the robustness sweep.
struct RobustnessPoint: Codable, Equatable {
    var attack: String
    var strength: Double
    var testAccuracy: Double

    /// The `robustness.kind` column's values (docs/hdf5-schema.md).
    static let attackNames = TraceSchema.attackNames
}

struct RunSummary: Codable, Equatable {
    /// The trace file (the last one, for a resumed run).
    var run: String
    /// What the run names among the runs analysed together: its config name, plus what tells it
    /// apart from runs of the same config (`RunIdentity.labels`). Charts' legends use it.
    var label: String
    /// The task the run belongs to: its config name without the cut suffix (`RunIdentity.task`).
    var task: String
    /// Files read for the run (more than 1 for a resumed training run).
    var segments: Int
    var config: String?
    /// Cuts of the run's plans (the largest, if observables were cut differently); nil if the run
    /// was killed before it recorded its plan.
    var cuts: Int?
    /// QPD terms and unique sub-experiments per query, averaged over the run's queries.
    var terms: Double
    var subexperiments: Double
    var ranks: Int
    var policy: String
    var queries: Int
    var rounds: Int
    var perQueryMs: QueryTimes
    var queryKinds: [QueryKindTimes]
    /// reconstruct_s / total_s per query.
    var reconstructionShare: Spread
    /// Σ of the optimiser steps' wall seconds (nil for runs without training steps).
    var trainingSeconds: Double?
    var steps: Int
    /// Test accuracy at the end of the last finished epoch.
    var finalTestAccuracy: Double?
    var robustness: [RobustnessPoint]
    /// Ranks that spent injected straggler delay, and the seconds they spent.
    var stragglerRanks: [Int]
    var injectedDelaySeconds: Double
    var rankUtilisation: [RankUtilisation]
    /// One-off seconds of the run, summed over its plans: `partition_s` (cut search),
    /// `plan_broadcast_s`, `plan_derive_s`, `plan_agree_s` (see docs/hdf5-schema.md).
    var setupSeconds: [String: Double]

    init(_ run: TraceRun) {
        self.run = run.path
        label = RunIdentity.baseLabel(run)
        task = RunIdentity.task(run)
        segments = run.segments
        config = run.configName
        cuts = run.plans.map(\.cuts).max()
        let sized = run.queries.compactMap { q in run.plans.indices.contains(Int(q.observable)) ? run.plans[Int(q.observable)] : nil }
        terms = sized.isEmpty ? 0 : Double(sized.map(\.terms).reduce(0, +)) / Double(sized.count)
        subexperiments = sized.isEmpty ? 0 : Double(sized.map(\.subexperiments).reduce(0, +)) / Double(sized.count)
        ranks = run.plans.first?.ranks ?? run.worldSize
        policy = run.plans.first?.policy ?? "?"
        queries = run.queries.count
        rounds = run.batches.count
        perQueryMs = QueryTimes(run.queries)
        queryKinds = QueryKindTimes.split(run)
        reconstructionShare = Spread(run.queries.filter { $0.total_s > 0 }.map { $0.reconstruct_s / $0.total_s })
        trainingSeconds = run.steps.isEmpty ? nil : run.steps.reduce(0) { $0 + $1.seconds }
        steps = run.steps.count
        finalTestAccuracy = run.epochs.last?.test_accuracy
        robustness = run.robustness.map {
            RobustnessPoint(attack: RobustnessPoint.attackNames[Int($0.kind)] ?? "kind \($0.kind)", strength: $0.strength,
                            testAccuracy: $0.test_accuracy)
        }
        rankUtilisation = RankUtilisation.perRank(run.ranks)
        stragglerRanks = rankUtilisation.filter { $0.delay_s > 0 }.map(\.rank)
        injectedDelaySeconds = rankUtilisation.reduce(0) { $0 + $1.delay_s }
        setupSeconds = run.plans.reduce(into: [:]) { sums, plan in
            for (key, seconds) in plan.setup { sums[key, default: 0] += seconds }
        }
    }
}
