/// Who evaluates which work units in a round. Work units are the plan's (fragment, setting,
/// observable) sub-experiments, each evaluated for the whole batch of samples at once (the
/// simulator is batched, sample index innermost). Units are grouped into chunks: the grain of
/// dynamic scheduling, of speculative backups, and of "first result wins".

/// The scheduling policies of DESIGN §4.
public enum SchedulePolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Contiguous blocks of units, one per rank, fixed in advance.
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

    /// - Parameter chunkSize: units per chunk for the dynamic policies (0 = automatic: about eight
    ///   chunks per rank, so a slow rank holds back at most a small tail).
    public init(policy: SchedulePolicy, unitCount: Int, ranks: Int, chunkSize: Int = 0) {
        precondition(ranks > 0 && unitCount >= 0)
        self.policy = policy
        switch policy {
        case .static:
            // Rank r gets units [r·n/R, (r+1)·n/R): sizes differ by at most one.
            chunks = (0 ..< ranks).map { r in Array(r * unitCount / ranks ..< (r + 1) * unitCount / ranks) }
            owners = Array(0 ..< ranks)
        case .cyclic:
            chunks = (0 ..< ranks).map { r in Array(stride(from: r, to: unitCount, by: ranks)) }
            owners = Array(0 ..< ranks)
        case .dynamic, .speculative:
            let size = chunkSize > 0 ? chunkSize : max(1, unitCount / (8 * ranks))
            chunks = stride(from: 0, to: unitCount, by: size).map { Array($0 ..< min($0 + size, unitCount)) }
            owners = nil
        }
    }

    /// Chunk indices a rank owns under a static policy.
    public func ownedChunks(rank: Int) -> [Int] {
        guard let owners else { return [] }
        return owners.indices.filter { owners[$0] == rank }
    }
}
