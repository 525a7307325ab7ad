/// `qnncut _mpi-selftest`: exercises every MPI wrapper across real ranks and prints, on rank 0,
/// one JSON object with what each rank observed. The integration tests (Tests/CLITests) run it
/// under `mpirun -np 1/2/3` and compare against values they compute themselves.
/// Hidden: it is a test instrument, not a user command.
import ArgumentParser
import Foundation
import MPI

struct MPISelftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_mpi-selftest", abstract: "Exercise the MPI wrappers (test instrument).",
        shouldDisplay: false)

    @Option(help: "Rank that calls MPI_Abort after the collectives (none by default).")
    var abortRank: Int?

    @Option(help: "Exit code passed to MPI_Abort.")
    var exitCode: Int32 = 42

    @Option(help: "Root rank of the collectives.")
    var root = 0

    struct Payload: Codable, Equatable {
        var name: String
        var values: [Double]
    }

    struct Report: Codable {
        var size: Int
        var root: Int
        /// Sum of the broadcast bytes as each rank received them.
        var broadcastChecksums: [Int64]
        /// The broadcast doubles as rank size-1 received them.
        var broadcastDoubles: [Double]
        /// The broadcast Codable value as each rank decoded it (name only).
        var broadcastNames: [String]
        var reduceSum: [Double]
        var reduceMax: [Double]
        var reduceMin: [Double]
        /// 1 where a rank's allreduce result equals the root's reduce result.
        var allreduceAgrees: [Int64]
        /// Lengths and first byte of what gatherv brought from each rank.
        var gathervLengths: [Int]
        var gathervFirstBytes: [Int]
        /// (source, tag, text) of the messages the root received with any-source.
        var messages: [String]
        /// Ring exchange: the rank each rank heard from.
        var ringHeardFrom: [Int64]
        var wallTimeMonotonic: Bool
    }

    func run() throws {
        MPIJob.run { world in
            let rank = world.rank, size = world.size
            let t0 = MPI.wallTime()

            // Broadcast of bytes: 1000 bytes of a known pattern from the root.
            var bytes: [UInt8] = rank == root ? (0 ..< 1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) } : []
            try world.broadcast(&bytes, root: root)
            let checksum = Int64(bytes.reduce(0) { $0 + Int($1) })

            var doubles: [Double] = rank == root ? [1.5, -2.25, .pi] : []
            try world.broadcast(&doubles, root: root)

            let payload: Payload = try world.broadcast(
                rank == root ? Payload(name: "plan-from-\(root)", values: [1, 2]) : nil, root: root)

            // Reductions of [rank+1, 2(rank+1), -rank].
            let mine = [Double(rank + 1), Double(2 * (rank + 1)), Double(-rank)]
            let sum = try world.reduce(mine, op: .sum, root: root)
            let max = try world.reduce(mine, op: .max, root: root)
            let min = try world.reduce(mine, op: .min, root: root)
            let all = try world.allreduce(mine, op: .sum)
            var rootSum = sum ?? []
            try world.broadcast(&rootSum, root: root)
            let agrees: Int64 = all == rootSum ? 1 : 0

            // Gatherv: rank r contributes r+1 bytes of value r.
            let pieces = try world.gatherv([UInt8](repeating: UInt8(rank), count: rank + 1), root: root)

            // Point-to-point: every non-root rank sends a tagged message to the root.
            var messages: [String] = []
            if rank == root {
                for _ in 0 ..< size - 1 {
                    let (data, status) = try world.receive()
                    messages.append("\(status.source):\(status.tag):\(String(decoding: data, as: UTF8.self))")
                }
                messages.sort()
            } else {
                try world.send(Array("hello from \(rank)".utf8), to: root, tag: 100 + rank)
            }

            // Every hello is received before any ring message exists: the root's any-tag receives
            // above could otherwise take its left neighbour's ring message and leave the ring
            // waiting for it forever.
            try world.barrier()

            // Ring: send to the right, receive from the left; probe first to test probe.
            let right = (rank + 1) % size, left = (rank - 1 + size) % size
            var heard: Int64 = -1
            if size > 1 {
                if rank % 2 == 0 {
                    try world.send([Double(rank)], to: right, tag: 7)
                    let envelope = try world.probe(from: left, tag: 7)
                    heard = Int64(try world.receiveDoubles(envelope)[0])
                } else {
                    // The probe-and-receive form, for the other half of the ring.
                    heard = Int64(try world.receiveDoubles(from: left, tag: 7).values[0])
                    try world.send([Double(rank)], to: right, tag: 7)
                }
            } else {
                heard = Int64(rank)
            }

            let checksums = try world.gather(checksum, root: root)
            let agreements = try world.gather(agrees, root: root)
            let ring = try world.gather(heard, root: root)
            let names = try world.gather(payload.name, root: root)
            // The last rank reports the doubles it received.
            var lastDoubles = doubles
            try world.broadcast(&lastDoubles, root: size - 1)

            if let abortRank, abortRank == rank {
                Log.error("rank \(rank): aborting on purpose with exit code \(exitCode)")
                MPI.abort(exitCode: exitCode)
            }
            try world.barrier()

            if rank == root {
                let report = Report(
                    size: size, root: root,
                    broadcastChecksums: checksums ?? [], broadcastDoubles: lastDoubles,
                    broadcastNames: names ?? [],
                    reduceSum: sum ?? [], reduceMax: max ?? [], reduceMin: min ?? [],
                    allreduceAgrees: agreements ?? [],
                    gathervLengths: (pieces ?? []).map(\.count),
                    gathervFirstBytes: (pieces ?? []).map { Int($0.first ?? 255) },
                    messages: messages, ringHeardFrom: ring ?? [],
                    wallTimeMonotonic: MPI.wallTime() >= t0)
                try JSONOutput.print(report)
            }
        }
    }
}
