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
///
/// The adaptive policy adds pre-assigned queues (`Schedule.queues`): a worker runs its queue
/// without asking, reporting each finished chunk (status 3, no reply), and only then requests
/// pool chunks as above. When the pool is empty, rank 0 lets an idle rank *steal* the last
/// unstarted chunk of the queue predicted to finish last (unstarted units ÷ learned speed) and
/// tells the owner at once (a `cancel`: the owner skips the chunk, or abandons it if it had just
/// started it — first result wins either way). Backups of chunks in flight come only after that.
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

    // MARK: Worker (ranks ≠ 0)

    private func work(times: inout RankTimes) throws {
        var cancelled = Set<Int>()
        // Adaptive: this rank's queue first, without asking; rank 0 hears of each finished chunk.
        for chunk in schedule.queues?[world.rank] ?? [] {
            try drainCancels(into: &cancelled, times: &times)
            if cancelled.contains(chunk) { continue }  // stolen before it started
            if try run(chunk, cancelled: &cancelled, times: &times) {
                times.chunks += 1
                let report = [Double(epoch), Double(chunk), 3]
                try times.communicating { try world.send(report, to: 0, tag: Self.requestTag) }
            } else {
                times.cancelled += 1
            }
        }
        var report: [Double] = [Double(epoch), -1, 0]
        while true {
            let message = try times.communicating { () throws -> [Double] in
                try world.send(report, to: 0, tag: Self.requestTag)
                return try world.receiveDoubles(from: 0, tag: Self.assignTag).values
            }
            let assigned = Int(message[1])
            if assigned < 0 { break }
            if message[2] == 1 { times.backups += 1 }
            // A cancel drained earlier (a queued chunk stolen from this rank) is stale now: any
            // cancel of this assignment is sent after it.
            cancelled.remove(assigned)
            let finished = try run(assigned, cancelled: &cancelled, times: &times)
            if finished { times.chunks += 1 } else { times.cancelled += 1 }
            report = [Double(epoch), Double(assigned), finished ? 1 : 2]
        }
    }

    /// Run a chunk's units, stopping early if it is cancelled; true when every unit ran.
    private func run(_ chunk: Int, cancelled: inout Set<Int>, times: inout RankTimes) throws -> Bool {
        try runner.willRunChunk(Array(schedule.chunks[chunk]))
        for unit in schedule.chunks[chunk] {
            try drainCancels(into: &cancelled, times: &times)
            if cancelled.contains(chunk) { return false }
            let finished = try runner.run(unit, times: &times) { polled in
                try drainCancels(into: &cancelled, times: &polled)
                return cancelled.contains(chunk)
            }
            if !finished { return false }
        }
        return true
    }

    /// Receive every pending cancel message of this round into `cancelled`.
    private func drainCancels(into cancelled: inout Set<Int>, times: inout RankTimes) throws {
        while let _ = try times.communicating({ try world.probeIfAvailable(from: 0, tag: Self.cancelTag) }) {
            let message = try times.communicating { try world.receiveDoubles(from: 0, tag: Self.cancelTag).values }
            if Int(message[0]) == epoch { cancelled.insert(Int(message[1])) }
        }
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
        /// Adaptive: each rank's queued chunks not yet reported finished nor stolen. For a worker
        /// the first is (probably) running; rank 0's list holds only chunks it has not started.
        var queued: [[Int]]

        init(scheduler: DynamicScheduler) {
            self.scheduler = scheduler
            let n = scheduler.schedule.chunks.count
            fresh = scheduler.schedule.poolChunks.reversed()  // popLast() takes the first first
            holders = Array(repeating: [], count: n)
            started = Array(repeating: 0, count: n)
            winner = Array(repeating: -1, count: n)
            queued = scheduler.schedule.queues ?? []
            let now = MPI.wallTime()
            for (rank, chunks) in queued.enumerated() {
                for c in chunks { holders[c] = [rank]; started[c] = now }
            }
        }

        var world: Communicator { scheduler.world }
        var allDone: Bool { doneCount == winner.count }

        mutating func run(times: inout RankTimes) throws {
            let workers = world.size - 1
            while true {
                try service(times: &times)
                if own == nil, let next = try nextAssignment(for: 0) {
                    own = (next.chunk, 0)
                    ownCancelled = false
                    try scheduler.runner.willRunChunk(Array(scheduler.schedule.chunks[next.chunk]))
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
                    own = (chunk, next + 1)
                    // Requests are answered while rank 0 sits out its own injected delay.
                    let runner = scheduler.runner
                    _ = try runner.run(units[next], times: &times) { polled in
                        try self.service(times: &polled)
                        return self.ownCancelled
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
                if status == 3 {
                    // A queued chunk finished (adaptive); the worker goes on without a reply.
                    holders[chunk].remove(rank)
                    queued[rank].removeAll { $0 == chunk }
                    try complete(chunk, by: rank, times: &times)
                    continue
                }
                if chunk >= 0 {
                    holders[chunk].remove(rank)
                    if status == 1 { try complete(chunk, by: rank, times: &times) }
                    // An abandoned chunk that nobody finished or holds any more must run again,
                    // or the round would never end.
                    if status == 2 && winner[chunk] < 0 && holders[chunk].isEmpty { fresh.append(chunk) }
                }
                if let next = try nextAssignment(for: rank) {
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

        /// Rank 0's next queued chunk, a fresh chunk, a stolen chunk (adaptive), or (speculative,
        /// adaptive) a backup of the oldest chunk still in flight elsewhere.
        mutating func nextAssignment(for rank: Int) throws -> (chunk: Int, backup: Bool)? {
            if rank == 0, !queued.isEmpty, !queued[0].isEmpty {
                return (queued[0].removeFirst(), false)  // holders[c] already names rank 0
            }
            if let c = fresh.popLast() {
                holders[c].insert(rank)
                started[c] = MPI.wallTime()
                return (c, false)
            }
            if let c = try steal(for: rank) { return (c, false) }
            guard scheduler.schedule.policy.speculates else { return nil }
            let candidates = winner.indices.filter {
                winner[$0] < 0 && !holders[$0].isEmpty && !holders[$0].contains(rank) && !backedUp.contains($0)
            }
            guard let c = candidates.min(by: { started[$0] < started[$1] }) else { return nil }
            backedUp.insert(c)
            holders[c].insert(rank)
            return (c, true)
        }

        /// Adaptive: the last unstarted chunk of the queue predicted to finish last (its
        /// unstarted units ÷ its rank's learned speed), handed to `thief`; the owner is told at
        /// once. A worker's first queued chunk may be running, so it is never taken.
        mutating func steal(for thief: Int) throws -> Int? {
            guard scheduler.schedule.policy == .adaptive, !queued.isEmpty else { return nil }
            var victim: Int?, longest = 0.0
            for (rank, chunks) in queued.enumerated() where rank != thief {
                let unstarted = rank == 0 ? chunks : Array(chunks.dropFirst())
                guard !unstarted.isEmpty else { continue }
                let units = unstarted.reduce(0) { $0 + scheduler.schedule.chunks[$1].count }
                let speed = scheduler.speeds.indices.contains(rank) ? scheduler.speeds[rank] : 1
                let remaining = Double(units) / max(speed, 1e-12)
                if remaining > longest { longest = remaining; victim = rank }
            }
            guard let victim, let c = queued[victim].popLast() else { return nil }
            holders[c] = [thief]
            started[c] = MPI.wallTime()
            if victim != 0 {
                // The owner skips the chunk (or abandons it, had it just started it).
                let message = [Double(scheduler.epoch), Double(c), 0]
                try world.send(message, to: victim, tag: DynamicScheduler.cancelTag)
            }
            return c
        }

        func send(_ chunk: Int, backup: Bool = false, to rank: Int, times: inout RankTimes) throws {
            let message = [Double(scheduler.epoch), Double(chunk), backup ? 1 : 0]
            try times.communicating { try world.send(message, to: rank, tag: DynamicScheduler.assignTag) }
        }
    }
}
