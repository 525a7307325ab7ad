/// The statistics `qnncut analyze` reports per query: mean, median and p95 (numpy's linear
/// quantiles), per stage, and per kind of round (gradient or forward-only).
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
    /// Waiting for the slowest rank (traces of schema 2; zeros before).
    var wait: Spread
    var reconstruct: Spread

    init(_ queries: [TraceRun.Query]) {
        total = Spread(queries.map { 1000 * $0.total_s })
        generate = Spread(queries.map { 1000 * $0.generate_s })
        execute = Spread(queries.map { 1000 * $0.execute_s })
        wait = Spread(queries.map { 1000 * $0.wait_s })
        reconstruct = Spread(queries.map { 1000 * $0.reconstruct_s })
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
