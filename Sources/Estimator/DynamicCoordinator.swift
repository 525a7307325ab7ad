/// Rank 0's side of a dynamic round (DynamicScheduler.swift has the protocol): hand out chunks on
/// request — fresh ones, unstarted chunks stolen from the rank predicted to finish last, backups
/// of late chunks — decide the winner of every chunk, and run chunks of its own between messages.
import MPI

extension DynamicScheduler {
    struct Coordinator {
        let scheduler: DynamicScheduler
        /// Pool chunks nobody holds yet, largest last (`popLast` takes the first and largest).
        var fresh: [Int]
        /// Per chunk: the ranks holding it, each with the id of its assignment (what a cancel or
        /// a report names, so that neither can be mistaken for a later assignment of the chunk).
        var holders: [[Int: Int]]
        var started: [Double]
        var backedUp: Set<Int> = []
        var winner: [Int]
        var doneCount = 0
        var parked: [Int] = []
        var stopped: Set<Int> = []
        var nextID = 1
        /// Rank 0's own chunk and how far it got.
        var own: (chunk: Int, next: Int)?
        var ownCancelled = false
        /// Each rank's chunks in hand, in the order it runs them: its adaptive queue, then every
        /// chunk assigned to it, until reported finished or abandoned, stolen or won elsewhere.
        /// For a worker the first is (probably) running; rank 0's list holds only chunks it has
        /// not started (its current one is `own`).
        var queued: [[Int]]

        init(scheduler: DynamicScheduler) {
            self.scheduler = scheduler
            let n = scheduler.schedule.chunks.count
            fresh = scheduler.schedule.poolChunks.reversed()
            holders = Array(repeating: [:], count: n)
            started = Array(repeating: 0, count: n)
            winner = Array(repeating: -1, count: n)
            queued = scheduler.schedule.queues ?? Array(repeating: [], count: scheduler.world.size)
            let now = MPI.wallTime()
            for (rank, chunks) in queued.enumerated() {
                for c in chunks { holders[c] = [rank: DynamicScheduler.queuedID(c)]; started[c] = now }
            }
        }

        var world: Communicator { scheduler.world }
        var allDone: Bool { doneCount == winner.count }

        mutating func run(times: inout RankTimes) throws {
            let workers = world.size - 1
            var nextService = 0.0
            while true {
                // Between its own units rank 0 looks for messages at most every poll interval:
                // each look is an MPI_Iprobe, and units can be a few microseconds long.
                let now = MPI.wallTime()
                if own == nil || now >= nextService {
                    try service(times: &times)
                    nextService = now + UnitRunner.pollInterval
                }
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
                        holders[chunk][0] = nil
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
                    // Nothing to run: block until a message arrives. This is waiting for the
                    // other ranks' chunks, booked as wait (never as execute).
                    let blocked = MPI.wallTime()
                    _ = try world.probe(tag: DynamicScheduler.requestTag)
                    times.wait += MPI.wallTime() - blocked
                }
            }
        }

        /// Answer every pending message: reports, and requests (idle, prefetch).
        mutating func service(times: inout RankTimes) throws {
            while let envelope = try times.communicating({ try world.probeIfAvailable(tag: DynamicScheduler.requestTag) }) {
                let message = try times.communicating { try world.receiveDoubles(envelope) }
                let rank = envelope.source
                let chunk = Int(message[1]), id = Int(message[3])
                switch Kind(rawValue: Int(message[2])) {
                case .finished:
                    release(chunk, by: rank, id: id)
                    try complete(chunk, by: rank, times: &times)
                case .abandoned:
                    release(chunk, by: rank, id: id)
                    // An abandoned chunk that nobody finished or holds any more must run again,
                    // or the round would never end.
                    if winner[chunk] < 0 && holders[chunk].isEmpty { fresh.append(chunk) }
                case .prefetch:
                    if let c = takeFresh(for: rank) {
                        try send(c, to: rank, times: &times)
                    } else {
                        try send(DynamicScheduler.noneNow, to: rank, times: &times)
                    }
                case .idle:
                    if let next = try nextAssignment(for: rank) {
                        try send(next.chunk, backup: next.backup, to: rank, times: &times)
                    } else if allDone {
                        try send(DynamicScheduler.roundOver, to: rank, times: &times)
                        stopped.insert(rank)
                    } else {
                        parked.append(rank)
                    }
                case nil:
                    preconditionFailure("dynamic round: message kind \(message[2]) from rank \(rank)")
                }
            }
        }

        /// `rank` no longer holds `chunk` under assignment `id` (a report of an older assignment
        /// of the same chunk changes nothing).
        mutating func release(_ chunk: Int, by rank: Int, id: Int) {
            guard holders[chunk][rank] == id else { return }
            holders[chunk][rank] = nil
            queued[rank].removeAll { $0 == chunk }
        }

        mutating func complete(_ chunk: Int, by rank: Int, times: inout RankTimes) throws {
            guard winner[chunk] < 0 else { return }  // a backup already won
            winner[chunk] = rank
            doneCount += 1
            for (other, id) in holders[chunk] where other != rank {
                queued[other].removeAll { $0 == chunk }
                if other == 0 { ownCancelled = true } else { try cancel(chunk, id: id, at: other, times: &times) }
            }
            if allDone {
                for waiting in parked {
                    try send(DynamicScheduler.roundOver, to: waiting, times: &times)
                    stopped.insert(waiting)
                }
                parked.removeAll()
            }
        }

        /// Rank 0's next queued chunk, a fresh chunk, a stolen chunk, or (speculative, adaptive)
        /// a backup of the oldest chunk still in flight elsewhere.
        mutating func nextAssignment(for rank: Int) throws -> (chunk: Int, backup: Bool)? {
            if rank == 0, !queued[0].isEmpty {
                return (queued[0].removeFirst(), false)  // holders[c] already names rank 0
            }
            if let c = takeFresh(for: rank) { return (c, false) }
            if let c = try steal(for: rank) { return (c, false) }
            guard scheduler.schedule.policy.speculates else { return nil }
            let candidates = winner.indices.filter {
                winner[$0] < 0 && !holders[$0].isEmpty && holders[$0][rank] == nil && !backedUp.contains($0)
            }
            guard let c = candidates.min(by: { started[$0] < started[$1] }) else { return nil }
            backedUp.insert(c)
            holders[c][rank] = newID()
            return (c, true)
        }

        /// The next fresh chunk for `rank`. A known-slow rank (adaptive: under half the fastest
        /// rank's learned speed) takes the pool's smallest chunk, not its largest: a large one
        /// would become the round's tail.
        mutating func takeFresh(for rank: Int) -> Int? {
            guard let c = isSlow(rank) ? (fresh.isEmpty ? nil : fresh.removeFirst()) : fresh.popLast() else { return nil }
            holders[c][rank] = newID()
            started[c] = MPI.wallTime()
            return c
        }

        func isSlow(_ rank: Int) -> Bool {
            let speeds = scheduler.speeds
            guard speeds.indices.contains(rank), let fastest = speeds.max() else { return false }
            return speeds[rank] < 0.5 * fastest
        }

        /// The last unstarted chunk in the hand predicted to finish last (its unstarted units ÷
        /// its rank's learned speed, 1 without the adaptive policy): an adaptive queue's tail or a
        /// prefetched chunk, handed to `thief`; the owner is told at once. A worker's first chunk
        /// in hand may be running, so it is never taken.
        mutating func steal(for thief: Int) throws -> Int? {
            var victim: Int?, longest = 0.0
            for (rank, chunks) in queued.enumerated() where rank != thief {
                let unstarted = rank == 0 ? chunks[...] : chunks.dropFirst()
                guard !unstarted.isEmpty else { continue }
                let units = unstarted.reduce(0) { $0 + scheduler.schedule.chunks[$1].count }
                let speed = scheduler.speeds.indices.contains(rank) ? scheduler.speeds[rank] : 1
                let remaining = Double(units) / max(speed, 1e-12)
                if remaining > longest { longest = remaining; victim = rank }
            }
            guard let victim, let c = queued[victim].popLast() else { return nil }
            let lost = holders[c][victim]
            holders[c] = [thief: newID()]
            started[c] = MPI.wallTime()
            // The owner skips the chunk (or abandons it, had it just started it).
            if victim != 0, let lost { try cancel(c, id: lost, at: victim) }
            return c
        }

        mutating func newID() -> Int {
            defer { nextID += 1 }
            return nextID
        }

        func cancel(_ chunk: Int, id: Int, at rank: Int) throws {
            let message = [Double(scheduler.epoch), Double(chunk), Double(id)]
            try world.send(message, to: rank, tag: DynamicScheduler.cancelTag)
        }

        func cancel(_ chunk: Int, id: Int, at rank: Int, times: inout RankTimes) throws {
            try times.communicating { try cancel(chunk, id: id, at: rank) }
        }

        /// Answer a worker's request: a chunk (which joins the worker's hand, under the id of its
        /// assignment), or `roundOver` / `noneNow`.
        mutating func send(_ chunk: Int, backup: Bool = false, to rank: Int, times: inout RankTimes) throws {
            let id = chunk >= 0 ? holders[chunk][rank] ?? 0 : 0
            if chunk >= 0 { queued[rank].append(chunk) }
            let message = [Double(scheduler.epoch), Double(chunk), backup ? 1 : 0, Double(id)]
            try times.communicating { try world.send(message, to: rank, tag: DynamicScheduler.assignTag) }
        }
    }
}
