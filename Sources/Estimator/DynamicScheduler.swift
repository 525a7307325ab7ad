/// The dynamic policies (dynamic, speculative, adaptive): rank 0 coordinates *and* works; the
/// worker's side is DynamicWorker.swift, rank 0's DynamicCoordinator.swift.
///
/// Protocol (all messages are a few doubles on dedicated tags, starting with the epoch, which
/// numbers every dynamic round of the process, whatever estimator runs it, so a late `cancel` of
/// an earlier round can never be mistaken for one of this round; every assignment of a chunk to
/// a rank has an id, which cancels and reports name, so neither is mistaken for a later
/// assignment of the same chunk — a cancel and an assignment travel on different tags, and a
/// prefetched assignment is taken in later than a cancel sent after it):
/// * a worker *reports* every chunk it finished or abandoned (no reply), and *requests* work:
///   `idle` when it has nothing left to run, answered with a chunk, or −1 = round over (a
///   request rank 0 cannot serve yet waits, parked, until it can); and `prefetch` as it starts
///   its last chunk in hand, answered at once with a fresh chunk or −2 = none now — so the next
///   chunk travels while the current one runs and a worker rarely waits for rank 0, which
///   answers only between its own work units (a 12-qubit unit takes milliseconds);
/// * when no fresh chunk is left, the speculative policies hand an idle rank a *backup* of the
///   oldest chunk still in flight; the first completion wins, and rank 0 sends `cancel` to the
///   other holder, which abandons the chunk at its next unit boundary;
/// * at the end rank 0 broadcasts the winner of every chunk, and every rank zeroes the units of
///   chunks it touched but did not win — so each unit is counted exactly once in the reduction.
///
/// The adaptive policy adds pre-assigned queues (`Schedule.queues`): a worker runs its queue
/// without asking and only then draws on the pool (a rank slower than half the fastest gets the
/// pool's smallest chunks). When the pool is empty, rank 0 lets an idle rank *steal* the last
/// unstarted chunk (queued or prefetched) of the rank predicted to finish last (unstarted units
/// ÷ learned speed) and tells the owner at once (a `cancel`: the owner skips the chunk, or
/// abandons it if it had just started it — first result wins either way). Backups of chunks in
/// flight come only after that.
import MPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct DynamicScheduler {
    static let requestTag = 9101
    static let assignTag = 9102
    static let cancelTag = 9103

    /// What a worker's message on `requestTag` says (its third double).
    enum Kind: Int {
        /// Nothing left to run: send work (waits for an answer).
        case idle = 0
        /// About to run the last chunk in hand: send a fresh chunk if there is one (answered at once).
        case prefetch = 1
        /// The chunk ran to the end (no answer).
        case finished = 2
        /// The chunk was cancelled part-way (no answer).
        case abandoned = 3
    }
    /// `assign` answers besides a chunk index.
    static let roundOver = -1
    static let noneNow = -2
    /// The assignment id of a chunk pre-assigned in an adaptive queue (assigned ones count from 1).
    static func queuedID(_ chunk: Int) -> Int { -1 - chunk }

    let world: Communicator
    let schedule: Schedule
    /// Process-wide number of this dynamic round (message matching). Every rank runs the same
    /// sequence of collective rounds, so the counters agree across ranks.
    let epoch: Int
    /// Runs one unit and its injected delay (UnitRunner.swift).
    let runner: UnitRunner
    /// Adaptive policy: every rank's learned speed (steal decisions); empty otherwise.
    var speeds: [Double] = []

    private static let epochs = Mutex(0)

    /// The next epoch number of this process.
    static func nextEpoch() -> Int {
        epochs.withLock { value in
            value += 1
            return value
        }
    }
    /// Run the round; returns the winning rank of every chunk (the same on every rank).
    func run(times: inout RankTimes) throws -> [Int] {
        let winners: [Int]
        if world.rank == 0 {
            var coordinator = Coordinator(scheduler: self)
            try coordinator.run(times: &times)
            winners = coordinator.winner
        } else {
            try work(times: &times)
            winners = []
        }
        var table = winners.map(Double.init)
        try times.communicating { try world.broadcast(&table, root: 0) }
        return table.map { Int($0) }
    }
}
