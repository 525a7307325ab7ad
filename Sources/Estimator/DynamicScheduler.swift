/// The dynamic and speculative policies: rank 0 coordinates *and* works.
///
/// Protocol (all messages are `[epoch, chunk, status]` doubles on dedicated tags; the epoch numbers
/// every dynamic round of the process, whatever estimator runs it, so a late `cancel` of an
/// earlier round can never be mistaken for one of this round):
/// * a worker sends `request` with the chunk it just completed (status 1), abandoned (status 2),
///   or nothing (status 0, first request), and waits for `assign`: a chunk, or −1 = round over;
/// * rank 0 answers requests between its own work units (and during injected delays), so a
///   worker never waits longer than one unit of rank 0's work;
/// * when no fresh chunk is left, the speculative policy hands an idle rank a *backup* of the
///   oldest chunk still in flight; the first completion wins, and rank 0 sends `cancel` to the
///   other holder, which abandons the chunk at its next unit boundary;
/// * at the end rank 0 broadcasts the winner of every chunk, and every rank zeroes the units of
///   chunks it touched but did not win — so each unit is counted exactly once in the reduction.
import MPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct DynamicScheduler {
    static let requestTag = 9101
    static let assignTag = 9102
    static let cancelTag = 9103

    let world: Communicator
    let schedule: Schedule
    /// The estimator's round (straggler draws depend on it).
    let round: Int
    /// Process-wide number of this dynamic round (message matching). Every rank runs the same
    /// sequence of collective rounds, so the counters agree across ranks.
    let epoch: Int
    let straggler: StragglerInjection

    private static let epochs = Mutex(0)

    /// The next epoch number of this process.
    static func nextEpoch() -> Int {
        epochs.withLock { value in
            value += 1
            return value
        }
    }
    /// Evaluate one unit into the rank's local table; returns the seconds it took.
    let evaluate: (Int) throws -> Double

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

    // MARK: Worker (ranks ≠ 0)

    private func work(times: inout RankTimes) throws {
        var report: [Double] = [Double(epoch), -1, 0]
        while true {
            let message = try times.communicating { () throws -> [Double] in
                try world.send(report, to: 0, tag: Self.requestTag)
                return try world.receiveDoubles(from: 0, tag: Self.assignTag).values
            }
            let assigned = Int(message[1])
            if assigned < 0 { break }
            if message[2] == 1 { times.backups += 1 }
            var cancelled = false
            for unit in schedule.chunks[assigned] {
                if try isCancelled(assigned, times: &times) { cancelled = true; break }
                let elapsed = try evaluate(unit)
                times.busy += elapsed
                times.units += 1
                let pause = straggler.delay(rank: world.rank, round: round, unit: unit, elapsed: elapsed)
                if pause > 0 {
                    var polled = times
                    let slept = try wait(pause) { try isCancelled(assigned, times: &polled) }
                    times = polled
                    times.injectedDelay += slept.elapsed
                    if slept.stopped { cancelled = true; break }
                }
            }
            if cancelled { times.cancelled += 1 } else { times.chunks += 1 }
            report = [Double(epoch), Double(assigned), cancelled ? 2 : 1]
        }
    }

    /// Drain pending cancel messages; true if one names `chunk` in this round.
    private func isCancelled(_ chunk: Int, times: inout RankTimes) throws -> Bool {
        var hit = false
        while let _ = try times.communicating({ try world.probeIfAvailable(from: 0, tag: Self.cancelTag) }) {
            let message = try times.communicating { try world.receiveDoubles(from: 0, tag: Self.cancelTag).values }
            if Int(message[0]) == epoch && Int(message[1]) == chunk { hit = true }
        }
        return hit
    }

    /// Spend `seconds` of injected delay, calling `poll` meanwhile; stops early when `poll`
    /// returns true. Returns whether it stopped early and the seconds spent. The delay spins
    /// rather than sleeps: sleeps overshoot by tens of microseconds, which would make a "4×
    /// slower" rank far slower on short units, and a slow processor keeps its core busy anyway.
    func wait(_ seconds: Double, poll: () throws -> Bool) throws -> (stopped: Bool, elapsed: Double) {
        let start = MPI.wallTime()
        while MPI.wallTime() - start < seconds {
            if try poll() { return (true, MPI.wallTime() - start) }
        }
        return (false, MPI.wallTime() - start)
    }

    // MARK: Coordinator (rank 0)

    struct Coordinator {
        let scheduler: DynamicScheduler
        var fresh: [Int]
        var holders: [Set<Int>]
        var started: [Double]
        var backedUp: Set<Int> = []
        var winner: [Int]
        var doneCount = 0
        var parked: [Int] = []
        var stopped: Set<Int> = []
        /// Rank 0's own chunk and how far it got.
        var own: (chunk: Int, next: Int)?
        var ownCancelled = false

        init(scheduler: DynamicScheduler) {
            self.scheduler = scheduler
            let n = scheduler.schedule.chunks.count
            fresh = Array((0 ..< n).reversed())  // popLast() takes chunk 0 first
            holders = Array(repeating: [], count: n)
            started = Array(repeating: 0, count: n)
            winner = Array(repeating: -1, count: n)
        }

        var world: Communicator { scheduler.world }
        var allDone: Bool { doneCount == winner.count }

        mutating func run(times: inout RankTimes) throws {
            let workers = world.size - 1
            while true {
                try service(times: &times)
                if own == nil, let next = nextAssignment(for: 0) {
                    own = (next.chunk, 0)
                    ownCancelled = false
                    if next.backup { times.backups += 1 }
                }
                if let (chunk, next) = own {
                    let units = scheduler.schedule.chunks[chunk]
                    if ownCancelled || next == units.count {
                        if ownCancelled { times.cancelled += 1 } else { times.chunks += 1; try complete(chunk, by: 0, times: &times) }
                        holders[chunk].remove(0)
                        own = nil
                        continue
                    }
                    let unit = units[next]
                    let elapsed = try scheduler.evaluate(unit)
                    times.busy += elapsed
                    times.units += 1
                    own = (chunk, next + 1)
                    let pause = scheduler.straggler.delay(rank: 0, round: scheduler.round, unit: unit, elapsed: elapsed)
                    if pause > 0 {
                        let waiter = scheduler
                        var polled = times
                        let slept = try waiter.wait(pause) {
                            try self.service(times: &polled)
                            return self.ownCancelled
                        }
                        times = polled
                        times.injectedDelay += slept.elapsed
                    }
                } else if allDone && stopped.count == workers {
                    return
                } else {
                    // Nothing to do but answer requests: block until one arrives (idle time).
                    _ = try world.probe(tag: DynamicScheduler.requestTag)
                }
            }
        }

        /// Answer every pending request.
        mutating func service(times: inout RankTimes) throws {
            while let envelope = try times.communicating({ try world.probeIfAvailable(tag: DynamicScheduler.requestTag) }) {
                let message = try times.communicating {
                    try world.receiveDoubles(from: envelope.source, tag: DynamicScheduler.requestTag).values
                }
                let rank = envelope.source
                let chunk = Int(message[1]), status = Int(message[2])
                if chunk >= 0 {
                    holders[chunk].remove(rank)
                    if status == 1 { try complete(chunk, by: rank, times: &times) }
                    // An abandoned chunk that nobody finished or holds any more must run again,
                    // or the round would never end.
                    if status == 2 && winner[chunk] < 0 && holders[chunk].isEmpty { fresh.append(chunk) }
                }
                if let next = nextAssignment(for: rank) {
                    try send(next.chunk, backup: next.backup, to: rank, times: &times)
                } else if allDone {
                    try send(-1, to: rank, times: &times)
                    stopped.insert(rank)
                } else {
                    parked.append(rank)
                }
            }
        }

        mutating func complete(_ chunk: Int, by rank: Int, times: inout RankTimes) throws {
            guard winner[chunk] < 0 else { return }  // a backup already won
            winner[chunk] = rank
            doneCount += 1
            for other in holders[chunk] where other != rank {
                if other == 0 { ownCancelled = true } else {
                    let message = [Double(scheduler.epoch), Double(chunk), 0]
                    try times.communicating { try world.send(message, to: other, tag: DynamicScheduler.cancelTag) }
                }
            }
            if allDone {
                for waiting in parked {
                    try send(-1, to: waiting, times: &times)
                    stopped.insert(waiting)
                }
                parked.removeAll()
            }
        }

        /// A fresh chunk, or (speculative) a backup of the oldest chunk still in flight elsewhere.
        mutating func nextAssignment(for rank: Int) -> (chunk: Int, backup: Bool)? {
            if let c = fresh.popLast() {
                holders[c].insert(rank)
                started[c] = MPI.wallTime()
                return (c, false)
            }
            guard scheduler.schedule.policy == .speculative else { return nil }
            let candidates = winner.indices.filter {
                winner[$0] < 0 && !holders[$0].isEmpty && !holders[$0].contains(rank) && !backedUp.contains($0)
            }
            guard let c = candidates.min(by: { started[$0] < started[$1] }) else { return nil }
            backedUp.insert(c)
            holders[c].insert(rank)
            return (c, true)
        }

        func send(_ chunk: Int, backup: Bool = false, to rank: Int, times: inout RankTimes) throws {
            let message = [Double(scheduler.epoch), Double(chunk), backup ? 1 : 0]
            try times.communicating { try world.send(message, to: rank, tag: DynamicScheduler.assignTag) }
        }
    }
}
