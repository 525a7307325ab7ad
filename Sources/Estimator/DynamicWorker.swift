/// A worker's side of a dynamic round (ranks ≠ 0; the protocol is in DynamicScheduler.swift):
/// run the chunks in hand — the adaptive queue, then what rank 0 assigns — asking for the next
/// one while the last one runs, and skip or abandon whatever rank 0 cancels.
import MPI

extension DynamicScheduler {
    /// A chunk in a worker's hand, with the id of its assignment.
    struct Held {
        var chunk: Int
        var id: Int
    }

    func work(times: inout RankTimes) throws {
        var hand = (schedule.queues?[world.rank] ?? []).map { Held(chunk: $0, id: Self.queuedID($0)) }
        /// Ids of cancelled assignments.
        var cancelled = Set<Int>()
        /// A request awaits its answer (at most one at a time, so answers need no matching).
        var asking = false
        var over = false

        func send(_ held: Held?, _ kind: Kind, times: inout RankTimes) throws {
            let message = [Double(epoch), Double(held?.chunk ?? -1), Double(kind.rawValue), Double(held?.id ?? 0)]
            try times.communicating { try world.send(message, to: 0, tag: Self.requestTag) }
        }
        /// Take rank 0's answer into the hand.
        func receive(times: inout RankTimes) throws {
            let message = try times.communicating { try world.receiveDoubles(from: 0, tag: Self.assignTag).values }
            asking = false
            let assigned = Int(message[1])
            if assigned == Self.roundOver { over = true }
            guard assigned >= 0 else { return }
            if message[2] == 1 { times.backups += 1 }
            hand.append(Held(chunk: assigned, id: Int(message[3])))
        }

        while true {
            try drainCancels(into: &cancelled, times: &times)
            if asking, try times.communicating({ try world.probeIfAvailable(from: 0, tag: Self.assignTag) }) != nil {
                try receive(times: &times)
            }
            guard !hand.isEmpty else {
                if over { return }
                if !asking {
                    try send(nil, .idle, times: &times)
                    asking = true
                }
                try receive(times: &times)
                continue
            }
            let held = hand.removeFirst()
            if cancelled.contains(held.id) { continue }  // stolen before it started
            if hand.isEmpty && !asking && !over {
                try send(nil, .prefetch, times: &times)
                asking = true
            }
            let finished = try run(held, cancelled: &cancelled, times: &times)
            if finished { times.chunks += 1 } else { times.cancelled += 1 }
            try send(held, finished ? .finished : .abandoned, times: &times)
        }
    }

    /// Run a chunk's units, stopping early if it is cancelled; true when every unit ran.
    private func run(_ held: Held, cancelled: inout Set<Int>, times: inout RankTimes) throws -> Bool {
        try runner.willRunChunk(Array(schedule.chunks[held.chunk]))
        for unit in schedule.chunks[held.chunk] {
            try drainCancels(into: &cancelled, times: &times)
            if cancelled.contains(held.id) { return false }
            let finished = try runner.run(unit, times: &times) { polled in
                try drainCancels(into: &cancelled, times: &polled)
                return cancelled.contains(held.id)
            }
            if !finished { return false }
        }
        return true
    }

    /// Receive every pending cancel message of this round into `cancelled` (assignment ids).
    private func drainCancels(into cancelled: inout Set<Int>, times: inout RankTimes) throws {
        while let envelope = try times.communicating({ try world.probeIfAvailable(from: 0, tag: Self.cancelTag) }) {
            let message = try times.communicating { try world.receiveDoubles(envelope) }
            if Int(message[0]) == epoch { cancelled.insert(Int(message[2])) }
        }
    }
}
