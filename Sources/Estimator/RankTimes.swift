/// Where one rank's time went during one round, for the `ranks` table of the trace.
import MPI

public struct RankTimes: Hashable, Sendable, Codable {
    public var rank: Int
    /// Seconds simulating work units.
    public var busy = 0.0
    /// Seconds inside MPI calls of the round (requests, broadcasts, the reduction).
    public var communication = 0.0
    /// Seconds of injected straggler delay.
    public var injectedDelay = 0.0
    /// Seconds waiting for the other ranks: at the barrier after this rank's execute phase, and
    /// (rank 0 under the dynamic policies) blocked inside it with no chunk left to run while the
    /// others finish theirs.
    public var wait = 0.0
    /// The rest of the round's wall time (waiting for work inside the execute phase).
    public var idle = 0.0
    public var units = 0
    /// Estimated cost (`CutPlan.unitCosts`) of the units this rank evaluated: what the adaptive
    /// policy divides by `busy + injectedDelay` to learn the rank's speed.
    public var cost = 0.0
    /// Per fragment: seconds this rank spent on the fragment's units and their model cost
    /// (`CostModel` calibrates the schedules' unit costs with them).
    public var fragmentSeconds: [Double] = []
    public var fragmentModelCost: [Double] = []
    public var chunks = 0
    /// Chunks this rank ran as a speculative backup of another rank's chunk.
    public var backups = 0
    /// Chunks this rank abandoned because another rank finished them first.
    public var cancelled = 0
    /// Wall seconds of this rank's execute phase (its work, delays and scheduling messages), less
    /// the time rank 0 of a dynamic round sat blocked with nothing to run (that is `wait`).
    public var executeSeconds = 0.0
    /// Seconds this rank has spent compiling unit circuits so far in the run (cumulative: the
    /// first round carries nearly all of it).
    public var compile = 0.0

    public init(rank: Int) { self.rank = rank }

    /// The row as doubles, for one `MPI_Gather` per round (JSON rows cost rank 0 tens of
    /// microseconds each to decode: milliseconds per round at 256 ranks). `fragments` fixes the
    /// length of the per-fragment arrays, so every rank's row has the same size.
    func packed(fragments: Int) -> [Double] {
        func pad(_ a: [Double]) -> [Double] { Array((a + Array(repeating: 0, count: fragments)).prefix(fragments)) }
        return [Double(rank), busy, communication, injectedDelay, wait, idle, Double(units), cost, Double(chunks),
                Double(backups), Double(cancelled), executeSeconds, compile] + pad(fragmentSeconds) + pad(fragmentModelCost)
    }

    static func packedCount(fragments: Int) -> Int { 13 + 2 * fragments }

    init(packed p: ArraySlice<Double>, fragments: Int) {
        let v = Array(p)
        rank = Int(v[0])
        busy = v[1]; communication = v[2]; injectedDelay = v[3]; wait = v[4]; idle = v[5]
        units = Int(v[6]); cost = v[7]; chunks = Int(v[8]); backups = Int(v[9]); cancelled = Int(v[10])
        executeSeconds = v[11]; compile = v[12]
        fragmentSeconds = Array(v[13 ..< 13 + fragments])
        fragmentModelCost = Array(v[13 + fragments ..< 13 + 2 * fragments])
    }

    /// Time `body` and add the seconds to `communication`.
    mutating func communicating<T>(_ body: () throws -> T) rethrows -> T {
        let t0 = MPI.wallTime()
        defer { communication += MPI.wallTime() - t0 }
        return try body()
    }
}
