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
    /// Most of the work pre-assigned in proportion to every rank's speed learned in earlier
    /// rounds (no messages while it runs), the rest a shared pool of shrinking chunks; idle ranks
    /// then steal unstarted chunks from the end of the slowest queue, and only the last chunks
    /// in flight get speculative backups (DynamicScheduler.swift, RankSpeeds.swift).
    case adaptive

    public var isDynamic: Bool { self == .dynamic || self == .speculative || self == .adaptive }
    /// Whether idle ranks may run backup copies of chunks still in flight.
    public var speculates: Bool { self == .speculative || self == .adaptive }
}

/// The chunks of a round and, for the static policies, their owners.
public struct Schedule: Sendable {
    public let policy: SchedulePolicy
    /// Unit indices of each chunk; together they cover every unit exactly once.
    public let chunks: [[Int]]
    /// Owner rank of each chunk (static policies); nil for dynamic policies.
    public let owners: [Int]?
    /// Adaptive policy: the chunks pre-assigned to each rank, in the order it runs them; the
    /// chunks in no queue form the shared pool. Nil for the other policies.
    public let queues: [[Int]]?

    /// - Parameter chunkSize: units per chunk for the dynamic policies; 0 = automatic *guided*
    ///   chunks: each chunk is ⌈remaining / (2·ranks)⌉ units, so early chunks are large (few
    ///   requests) and the last ones single units (a slow rank holds back only a small tail).
    /// - Parameter costs: relative cost of every unit (`CutPlan.unitCosts`), or nil for equal.
    public init(policy: SchedulePolicy, unitCount: Int, ranks: Int, chunkSize: Int = 0, costs: [Double]? = nil) {
        precondition(ranks > 0 && unitCount >= 0)
        precondition(costs == nil || costs!.count == unitCount, "one cost per unit")
        self.policy = policy
        queues = nil
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
        case .dynamic, .speculative, .adaptive:
            chunks = Self.guided(start: 0, end: unitCount, ranks: ranks, chunkSize: chunkSize)
            owners = nil
        }
    }

    /// Chunks of units [start, end): `chunkSize` each, or guided (⌈remaining / 2·ranks⌉).
    static func guided(start: Int, end: Int, ranks: Int, chunkSize: Int) -> [[Int]] {
        var list: [[Int]] = []
        var next = start
        while next < end {
            let remaining = end - next
            let size = chunkSize > 0 ? chunkSize : (remaining + 2 * ranks - 1) / (2 * ranks)
            list.append(Array(next ..< min(next + size, end)))
            next += size
        }
        return list
    }

    /// The adaptive schedule: the first `bulkShare` of the estimated cost (units in order) is
    /// cut into contiguous blocks proportional to `speeds`, each block into shrinking chunks
    /// queued on its rank — 1/`pieceDivisor` of what remains of the block, down to single units
    /// — so that what another rank can steal near the end is small, and so is the chunk a rank
    /// is still running when the others run out of work (the most a late backup duplicates);
    /// the remaining units are the pool, in guided chunks. Every rank computes the same schedule
    /// from the same costs and speeds.
    public init(adaptiveCosts costs: [Double], speeds: [Double], chunkSize: Int = 0,
                bulkShare: Double = 0.8, pieceDivisor: Int = 4) {
        let ranks = speeds.count
        precondition(ranks > 0 && speeds.allSatisfy { $0 > 0 } && pieceDivisor >= 1, "one positive speed per rank")
        policy = .adaptive
        owners = nil
        let total = costs.reduce(0, +), speedSum = speeds.reduce(0, +)
        // Cumulative cost at which each rank's block ends.
        var ends: [Double] = []
        var acc = 0.0
        for s in speeds { acc += s / speedSum; ends.append(acc * bulkShare * total) }
        var blocks = Array(repeating: [Int](), count: ranks)
        var before = 0.0, unit = 0, r = 0
        while unit < costs.count {
            let mid = before + costs[unit] / 2
            while r < ranks && mid >= ends[r] { r += 1 }
            if r == ranks { break }
            blocks[r].append(unit)
            before += costs[unit]
            unit += 1
        }
        var list: [[Int]] = [], queued: [[Int]] = []
        for block in blocks {
            var mine: [Int] = []
            var start = 0
            while start < block.count {
                let size = (block.count - start + pieceDivisor - 1) / pieceDivisor
                mine.append(list.count)
                list.append(Array(block[start ..< start + size]))
                start += size
            }
            queued.append(mine)
        }
        list += Self.guided(start: unit, end: costs.count, ranks: ranks, chunkSize: chunkSize)
        chunks = list
        queues = queued
    }

    /// Chunks in no rank's queue (all chunks but the adaptive policy's pre-assigned ones).
    public var poolChunks: [Int] {
        guard let queues else { return Array(chunks.indices) }
        let queued = Set(queues.flatMap { $0 })
        return chunks.indices.filter { !queued.contains($0) }
    }

    /// Chunk indices a rank owns under a static policy.
    public func ownedChunks(rank: Int) -> [Int] {
        guard let owners else { return [] }
        return owners.indices.filter { owners[$0] == rank }
    }
}
