/// What `qnncut analyze` reports across runs: runs pooled by task and cut count (the paper's
/// table: an Iris and an MNIST run of 2 cuts are two rows, not one average), and each run with
/// injected stragglers against the runs of the same cuts and ranks without one.
import Foundation

/// Runs of one task and cut count, pooled: the rows of the paper's table.
struct RunGroup: Codable, Equatable {
    /// `RunIdentity.task`: the config name without its cut suffix (e.g. `iris`, `mnist`).
    var task: String
    var cuts: Int
    var runs: [String]
    var subexperiments: Double
    var perQueryMs: Spread
    var reconstructionShare: Spread
    /// Mean final test accuracy of the group's training runs.
    var testAccuracy: Double?
    var trainingSeconds: Double?

    struct Key: Hashable, Comparable {
        var task: String
        var cuts: Int
        static func < (a: Key, b: Key) -> Bool { (a.task, a.cuts) < (b.task, b.cuts) }
    }

    /// "iris, 2 cuts".
    var name: String { "\(task), \(cuts) cut\(cuts == 1 ? "" : "s")" }

    /// Runs grouped by task and cut count, by task then cuts. A run killed before it recorded its
    /// plan has no cut count to be grouped by.
    static func grouped(_ runs: [(TraceRun, RunSummary)]) -> [(key: Key, members: [(TraceRun, RunSummary)])] {
        Dictionary(grouping: runs.filter { $0.1.cuts != nil }, by: { Key(task: $0.1.task, cuts: $0.1.cuts!) })
            .sorted { $0.key < $1.key }.map { (key: $0.key, members: $0.value) }
    }

    static func groups(_ runs: [(TraceRun, RunSummary)]) -> [RunGroup] {
        grouped(runs).map { key, members in
            let queries = members.flatMap { $0.0.queries }
            let accuracies = members.compactMap { $0.1.finalTestAccuracy }
            let times = members.compactMap { $0.1.trainingSeconds }
            return RunGroup(
                task: key.task, cuts: key.cuts, runs: members.map { $0.1.run },
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
    var cuts: Int?
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
            let baseline = summaries.filter { $0.stragglerRanks.isEmpty && $0.task == s.task && $0.cuts == s.cuts && $0.ranks == s.ranks }
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
