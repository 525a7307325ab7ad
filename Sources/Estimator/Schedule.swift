/// Who evaluates which work units in a round. Work units are the plan's (fragment, setting,
/// observable) sub-experiments, each evaluated for the whole batch of samples at once (the
/// simulator is batched, sample index innermost). Units are grouped into chunks: the grain of
/// dynamic scheduling, of speculative backups, and of "first result wins".

/// The scheduling policies of DESIGN §4.
public enum SchedulePolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Contiguous blocks of units, one per rank, fixed in advance; with unit costs the blocks
    /// hold equal shares of the estimated cost rather than equal counts.
    case `static`
    /// Units dealt round-robin, fixed in advance.
    case cyclic
    /// Chunks handed out on request by rank 0 (which also works between requests).
    case dynamic
    /// Dynamic, plus backup copies of late chunks on idle ranks; the first result wins.
    case speculative

    public var isDynamic: Bool { self == .dynamic || self == .speculative }
}

/// The chunks of a round and, for the static policies, their owners.
public struct Schedule: Sendable {
    public let policy: SchedulePolicy
    /// Unit indices of each chunk; together they cover every unit exactly once.
    public let chunks: [[Int]]
    /// Owner rank of each chunk (static policies); nil for dynamic policies.
    public let owners: [Int]?

    /// - Parameter chunkSize: units per chunk for the dynamic policies; 0 = automatic *guided*
    ///   chunks: each chunk is ⌈remaining / (2·ranks)⌉ units, so early chunks are large (few
    ///   requests) and the last ones single units (a slow rank holds back only a small tail).
    /// - Parameter costs: relative cost of every unit (`CutPlan.unitCosts`), or nil for equal.
    public init(policy: SchedulePolicy, unitCount: Int, ranks: Int, chunkSize: Int = 0, costs: [Double]? = nil) {
        precondition(ranks > 0 && unitCount >= 0)
        precondition(costs == nil || costs!.count == unitCount, "one cost per unit")
        self.policy = policy
        switch policy {
        case .static:
            if let costs {
                // Rank r gets the units whose cost midpoint falls in [r·T/R, (r+1)·T/R): contiguous
                // blocks of (nearly) equal estimated cost.
                let total = costs.reduce(0, +)
                var blocks = Array(repeating: [Int](), count: ranks)
                var before = 0.0
                for u in 0..<unitCount {
                    let mid = before + costs[u] / 2
                    blocks[min(ranks - 1, total > 0 ? Int(mid / total * Double(ranks)) : u * ranks / max(unitCount, 1))].append(u)
                    before += costs[u]
                }
                chunks = blocks
            } else {
                // Rank r gets units [r·n/R, (r+1)·n/R): sizes differ by at most one.
                chunks = (0 ..< ranks).map { r in Array(r * unitCount / ranks ..< (r + 1) * unitCount / ranks) }
            }
            owners = Array(0 ..< ranks)
        case .cyclic:
            chunks = (0 ..< ranks).map { r in Array(stride(from: r, to: unitCount, by: ranks)) }
            owners = Array(0 ..< ranks)
        case .dynamic, .speculative:
            var list: [[Int]] = []
            var start = 0
            while start < unitCount {
                let remaining = unitCount - start
                let size = chunkSize > 0 ? chunkSize : (remaining + 2 * ranks - 1) / (2 * ranks)
                list.append(Array(start ..< min(start + size, unitCount)))
                start += size
            }
            chunks = list
            owners = nil
        }
    }

    /// Chunk indices a rank owns under a static policy.
    public func ownedChunks(rank: Int) -> [Int] {
        guard let owners else { return [] }
        return owners.indices.filter { owners[$0] == rank }
    }
}
