/// What `qnncut analyze` reports about one run: plan size, per-query stage times, reconstruction
/// share, training time and accuracy, robustness, injected stragglers and per-rank utilisation —
/// computed from the rows of one `TraceRun`. Times in the summary are milliseconds per query
/// unless a name says seconds.
import Foundation

/// Mean, median and 95th percentile of a sample (nil fields when the sample is empty).
struct Spread: Codable, Equatable {
    var mean: Double?
    var median: Double?
    var p95: Double?

    init(_ values: [Double]) {
        let sorted = values.sorted()
        mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
        median = Self.quantile(sorted, 0.5)
        p95 = Self.quantile(sorted, 0.95)
    }

    /// The q-quantile with linear interpolation between order statistics (numpy's and pandas'
    /// default), so the numbers match the h5py/pandas example in docs/hdf5-schema.md.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * q
        let lower = Int(h.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}

/// Per-query milliseconds in total and per stage (partition is a one-off, reported per plan).
struct QueryTimes: Codable, Equatable {
    var total: Spread
    var generate: Spread
    var execute: Spread
    var reconstruct: Spread

    init(_ queries: [TraceRun.Query]) {
        total = Spread(queries.map { 1000 * $0.total_s })
        generate = Spread(queries.map { 1000 * $0.generate_s })
        execute = Spread(queries.map { 1000 * $0.execute_s })
        reconstruct = Spread(queries.map { 1000 * $0.reconstruct_s })
    }
}

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

/// Per-query time of one kind of round: "gradient" (values and ∂E/∂θ: training steps, FGSM) or
/// "forward" (values only: evaluation, robustness, estimate without --gradients).
struct QueryKindTimes: Codable, Equatable {
    var kind: String
    var queries: Int
    var perQueryMs: Spread
    var reconstructionShare: Spread

    static func split(_ run: TraceRun) -> [QueryKindTimes] {
        var gradients: [String: Bool] = [:]
        for b in run.batches { gradients["\(b.step)/\(b.round)"] = b.gradients != 0 }
        let byKind = Dictionary(grouping: run.queries) { q in gradients["\(q.step)/\(q.round)"] == true ? "gradient" : "forward" }
        return ["gradient", "forward"].compactMap { kind in
            guard let queries = byKind[kind] else { return nil }
            return QueryKindTimes(kind: kind, queries: queries.count, perQueryMs: Spread(queries.map { 1000 * $0.total_s }),
                                  reconstructionShare: Spread(queries.filter { $0.total_s > 0 }.map { $0.reconstruct_s / $0.total_s }))
        }
    }
}

/// Test accuracy under one perturbation of the robustness sweep.
struct RobustnessPoint: Codable, Equatable {
    var attack: String
    var strength: Double
    var testAccuracy: Double
}

struct RunSummary: Codable, Equatable {
    var run: String
    /// Files read for the run (more than 1 for a resumed training run).
    var segments: Int
    var config: String?
    /// Cuts of the run's plans (the largest, if observables were cut differently).
    var cuts: Int
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

    init(_ run: TraceRun) {
        self.run = run.path
        segments = run.segments
        config = run.configName
        cuts = run.plans.map(\.cuts).max() ?? 0
        let planOf = { (q: TraceRun.Query) in run.plans.indices.contains(Int(q.observable)) ? run.plans[Int(q.observable)] : nil }
        let sized = run.queries.compactMap(planOf)
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
            RobustnessPoint(attack: ["clean", "gaussian", "fgsm"].indices.contains(Int($0.kind))
                                ? ["clean", "gaussian", "fgsm"][Int($0.kind)] : "kind \($0.kind)",
                            strength: $0.strength, testAccuracy: $0.test_accuracy)
        }
        rankUtilisation = RankUtilisation.perRank(run.ranks)
        stragglerRanks = rankUtilisation.filter { $0.delay_s > 0 }.map(\.rank)
        injectedDelaySeconds = rankUtilisation.reduce(0) { $0 + $1.delay_s }
    }
}

/// Runs of one cut count, pooled: the rows of the paper's table.
struct CutGroup: Codable, Equatable {
    var cuts: Int
    var runs: [String]
    var subexperiments: Double
    var perQueryMs: Spread
    var reconstructionShare: Spread
    /// Mean final test accuracy of the group's training runs.
    var testAccuracy: Double?
    var trainingSeconds: Double?

    static func groups(_ runs: [(TraceRun, RunSummary)]) -> [CutGroup] {
        Dictionary(grouping: runs, by: { $0.1.cuts }).sorted { $0.key < $1.key }.map { cuts, members in
            let queries = members.flatMap { $0.0.queries }
            let accuracies = members.compactMap { $0.1.finalTestAccuracy }
            let times = members.compactMap { $0.1.trainingSeconds }
            return CutGroup(
                cuts: cuts, runs: members.map { $0.1.run },
                subexperiments: members.map { $0.1.subexperiments }.reduce(0, +) / Double(members.count),
                perQueryMs: Spread(queries.map { 1000 * $0.total_s }),
                reconstructionShare: Spread(queries.filter { $0.total_s > 0 }.map { $0.reconstruct_s / $0.total_s }),
                testAccuracy: accuracies.isEmpty ? nil : accuracies.reduce(0, +) / Double(accuracies.count),
                trainingSeconds: times.isEmpty ? nil : times.reduce(0, +) / Double(times.count))
        }
    }
}

/// A run with injected stragglers next to the runs without, of the same cuts and rank count:
/// what the straggler cost per query and in training time.
struct StragglerComparison: Codable, Equatable {
    var run: String
    var cuts: Int
    var ranks: Int
    var policy: String
    var stragglerRanks: [Int]
    var injectedDelaySeconds: Double
    var perQueryMs: Double?
    var baselinePerQueryMs: Double?
    var trainingSeconds: Double?
    var baselineTrainingSeconds: Double?
    /// (run − baseline) / baseline, in percent.
    var perQuerySlowdownPercent: Double?
    var trainingSlowdownPercent: Double?

    private static func percent(_ x: Double?, _ base: Double?) -> Double? {
        guard let x, let base, base > 0 else { return nil }
        return 100 * (x - base) / base
    }

    static func comparisons(_ summaries: [RunSummary]) -> [StragglerComparison] {
        summaries.filter { !$0.stragglerRanks.isEmpty }.map { s in
            let baseline = summaries.filter { $0.stragglerRanks.isEmpty && $0.cuts == s.cuts && $0.ranks == s.ranks }
            let perQuery = baseline.compactMap { $0.perQueryMs.total.mean }
            let training = baseline.compactMap(\.trainingSeconds)
            let perQueryMean = perQuery.isEmpty ? nil : perQuery.reduce(0, +) / Double(perQuery.count)
            let trainingMean = training.isEmpty ? nil : training.reduce(0, +) / Double(training.count)
            return StragglerComparison(
                run: s.run, cuts: s.cuts, ranks: s.ranks, policy: s.policy, stragglerRanks: s.stragglerRanks,
                injectedDelaySeconds: s.injectedDelaySeconds, perQueryMs: s.perQueryMs.total.mean,
                baselinePerQueryMs: perQueryMean, trainingSeconds: s.trainingSeconds, baselineTrainingSeconds: trainingMean,
                perQuerySlowdownPercent: percent(s.perQueryMs.total.mean, perQueryMean),
                trainingSlowdownPercent: percent(s.trainingSeconds, trainingMean))
        }
    }
}
