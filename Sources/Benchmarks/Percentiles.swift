/// Order statistics of repeated timings: benchmarks report medians and p95 over rounds, never
/// means (a preempted round on a shared machine would move a mean, not a median).

/// The median (nearest rank; 0 for an empty list).
public func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// Nearest-rank percentile, p in [0, 1] (0 for an empty list).
public func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
