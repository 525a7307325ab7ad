/// A communicator and its collective operations, shaped like mpi4py's `comm`:
/// `rank`, `size`, `barrier()`, `broadcast`, `reduce`/`allreduce`, `gather`/`gatherv`.
/// Point-to-point messages are in PointToPoint.swift.
///
/// Buffers passed to C live only for the duration of each (blocking) call, which is all MPI needs.
import CMPI

public final class Communicator: @unchecked Sendable {
    // @unchecked: the handle is an immutable pointer; MPI itself serialises use of a communicator.
    let handle: MPI_Comm

    init(handle: MPI_Comm) { self.handle = handle }

    /// `MPI_COMM_WORLD`, initialising MPI on first use (a singleton world without mpirun).
    public static func world() throws(MPIError) -> Communicator {
        try MPI.initialize()
        return Communicator(handle: cmpi_comm_world())
    }

    /// `MPI_COMM_SELF`: this process alone (mpi4py's `COMM_SELF`), e.g. to time one rank's work
    /// with no other rank taking part.
    public static func selfOnly() throws(MPIError) -> Communicator {
        try MPI.initialize()
        return Communicator(handle: cmpi_comm_self())
    }

    /// This process's rank, 0 ..< size.
    /// The corresponding C function is `MPI_Comm_rank`.
    public var rank: Int {
        var r: Int32 = 0
        MPI_Comm_rank(handle, &r)
        return Int(r)
    }

    /// The number of processes in the communicator.
    /// The corresponding C function is `MPI_Comm_size`.
    public var size: Int {
        var s: Int32 = 0
        MPI_Comm_size(handle, &s)
        return Int(s)
    }

    /// True on rank 0, the conventional root.
    public var isRoot: Bool { rank == 0 }

    /// Block until every rank has called `barrier()`.
    /// The corresponding C function is `MPI_Barrier`.
    public func barrier() throws(MPIError) {
        try check(MPI_Barrier(handle), "MPI_Barrier")
    }

    // MARK: Broadcast

    /// Broadcast raw bytes from `root`: on the root `bytes` is sent, elsewhere it is replaced.
    /// The size travels first, so receivers need not know it.
    /// The corresponding C function is `MPI_Bcast`.
    public func broadcast(_ bytes: inout [UInt8], root: Int = 0) throws(MPIError) {
        var count = [Int64(bytes.count)]
        try broadcastRaw(&count, datatype: cmpi_int64(), root: root)
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(count[0])) }
        try broadcastRaw(&bytes, datatype: cmpi_byte(), root: root)
    }

    /// Broadcast doubles from `root`: on the root `values` is sent, elsewhere it is replaced.
    /// The corresponding C function is `MPI_Bcast`.
    public func broadcast(_ values: inout [Double], root: Int = 0) throws(MPIError) {
        var count = [Int64(values.count)]
        try broadcastRaw(&count, datatype: cmpi_int64(), root: root)
        if rank != root { values = [Double](repeating: 0, count: Int(count[0])) }
        try broadcastRaw(&values, datatype: cmpi_double(), root: root)
    }

    /// Broadcast a `Codable` value from `root` (JSON on the wire; meant for plans and configs,
    /// not hot loops). The root passes the value; other ranks pass nil and receive it.
    /// The corresponding C function is `MPI_Bcast`.
    public func broadcast<T: Codable>(_ value: T?, root: Int = 0) throws(MPIError) -> T {
        var bytes: [UInt8] = []
        if rank == root {
            guard let value else { throw MPIError(call: "MPI_Bcast", message: "the root passed no value to broadcast") }
            bytes = try WireCoding.encode(value)
        }
        try broadcast(&bytes, root: root)
        if rank == root, let value { return value }
        return try WireCoding.decode(T.self, from: bytes)
    }

    private func broadcastRaw<T>(_ buffer: inout [T], datatype: MPI_Datatype, root: Int) throws(MPIError) {
        try checkRoot(root, "MPI_Bcast")
        let count = buffer.count
        guard count <= Int(Int32.max) else { throw MPIError(call: "MPI_Bcast", message: "\(count) elements exceed MPI's Int32 count") }
        let code = buffer.withUnsafeMutableBytes { raw in
            MPI_Bcast(raw.baseAddress, Int32(count), datatype, Int32(root), handle)
        }
        try check(code, "MPI_Bcast")
    }

    // MARK: Reductions

    /// The element-wise reduction operators.
    public enum ReduceOperation: Sendable {
        case sum, max, min
        var handle: MPI_Op {
            switch self {
            case .sum: return cmpi_op_sum()
            case .max: return cmpi_op_max()
            case .min: return cmpi_op_min()
            }
        }
    }

    /// Element-wise reduction of equal-length arrays to `root` (a tree reduction inside MPI).
    /// Returns the result on the root and nil elsewhere.
    /// The corresponding C function is `MPI_Reduce`.
    public func reduce(_ values: [Double], op: ReduceOperation = .sum, root: Int = 0) throws(MPIError) -> [Double]? {
        try reduce(values[...], op: op, root: root)
    }

    /// `reduce` of a slice, without copying it first.
    /// The corresponding C function is `MPI_Reduce`.
    public func reduce(_ values: ArraySlice<Double>, op: ReduceOperation = .sum, root: Int = 0) throws(MPIError) -> [Double]? {
        try checkRoot(root, "MPI_Reduce")
        try checkCount(values.count, "MPI_Reduce")
        var result = [Double](repeating: 0, count: rank == root ? values.count : 0)
        let code = values.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { recv in
                MPI_Reduce(send.baseAddress, recv.baseAddress, Int32(values.count), cmpi_double(),
                           op.handle, Int32(root), handle)
            }
        }
        try check(code, "MPI_Reduce")
        return rank == root ? result : nil
    }

    /// `reduce` into the caller's own buffer: on `root`, `values` is both input and result
    /// (`MPI_IN_PLACE`, so the root never holds a second copy of a large table); elsewhere
    /// `values` is only sent and left unchanged.
    /// The corresponding C function is `MPI_Reduce` with `MPI_IN_PLACE`.
    public func reduceInPlace(_ values: inout [Double], op: ReduceOperation = .sum, root: Int = 0) throws(MPIError) {
        try checkRoot(root, "MPI_Reduce")
        try checkCount(values.count, "MPI_Reduce")
        let count = Int32(values.count)
        let code: Int32
        if rank == root {
            code = values.withUnsafeMutableBytes { buffer in
                MPI_Reduce(cmpi_in_place(), buffer.baseAddress, count, cmpi_double(), op.handle, Int32(root), handle)
            }
        } else {
            code = values.withUnsafeBytes { send in
                MPI_Reduce(send.baseAddress, nil, count, cmpi_double(), op.handle, Int32(root), handle)
            }
        }
        try check(code, "MPI_Reduce")
    }

    /// Element-wise reduction whose result every rank receives.
    /// The corresponding C function is `MPI_Allreduce`.
    public func allreduce(_ values: [Double], op: ReduceOperation = .sum) throws(MPIError) -> [Double] {
        try checkCount(values.count, "MPI_Allreduce")
        var result = [Double](repeating: 0, count: values.count)
        let code = values.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { recv in
                MPI_Allreduce(send.baseAddress, recv.baseAddress, Int32(values.count), cmpi_double(),
                              op.handle, handle)
            }
        }
        try check(code, "MPI_Allreduce")
        return result
    }

    /// Element-wise reduction of equal-length arrays whose result is split among the ranks:
    /// rank r receives the `counts[r]` elements after those of ranks 0..<r. Bandwidth-optimal
    /// MPI libraries implement it without ever assembling the whole result on one rank.
    /// The corresponding C function is `MPI_Reduce_scatter`.
    public func reduceScatter(_ values: [Double], counts: [Int], op: ReduceOperation = .sum) throws(MPIError) -> [Double] {
        guard counts.count == size, counts.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }),
              counts.reduce(0, +) == values.count else {
            throw MPIError(call: "MPI_Reduce_scatter", message: "counts \(counts.count) for \(size) rank(s), summing to \(counts.reduce(0, +)) of \(values.count) element(s), each within Int32")
        }
        var result = [Double](repeating: 0, count: counts[rank])
        let counts32 = counts.map { Int32($0) }
        let code = values.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { recv in
                counts32.withUnsafeBufferPointer { c in
                    MPI_Reduce_scatter(send.baseAddress, recv.baseAddress, c.baseAddress, cmpi_double(), op.handle, handle)
                }
            }
        }
        try check(code, "MPI_Reduce_scatter")
        return result
    }

    // MARK: Gather

    /// Gather equal-length arrays of doubles at `root`, rank after rank (one collective, no
    /// length exchange). Returns the concatenation on the root and nil elsewhere.
    /// The corresponding C function is `MPI_Gather`.
    public func gather(_ values: [Double], root: Int = 0) throws(MPIError) -> [Double]? {
        try checkRoot(root, "MPI_Gather")
        guard values.count * size <= Int(Int32.max) else {
            throw MPIError(call: "MPI_Gather", message: "\(values.count) × \(size) elements exceed MPI's Int32 count")
        }
        var result = [Double](repeating: 0, count: rank == root ? values.count * size : 0)
        let code = values.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { recv in
                MPI_Gather(send.baseAddress, Int32(values.count), cmpi_double(),
                           recv.baseAddress, Int32(values.count), cmpi_double(), Int32(root), handle)
            }
        }
        try check(code, "MPI_Gather")
        return rank == root ? result : nil
    }

    /// Gather one byte buffer of any length from every rank to `root`, in rank order.
    /// Returns the buffers on the root and nil elsewhere.
    /// The corresponding C functions are `MPI_Gather` (the lengths) and `MPI_Gatherv`.
    public func gatherv(_ bytes: [UInt8], root: Int = 0) throws(MPIError) -> [[UInt8]]? {
        try checkRoot(root, "MPI_Gatherv")
        let isRoot = rank == root
        let lengths = try gather(Int64(bytes.count), root: root)
        var counts: [Int32] = []
        var displacements: [Int32] = []
        var total = 0
        if let lengths {
            for length in lengths {
                guard total + Int(length) <= Int(Int32.max) else {
                    throw MPIError(call: "MPI_Gatherv", message: "gathered size exceeds MPI's Int32 count")
                }
                counts.append(Int32(length))
                displacements.append(Int32(total))
                total += Int(length)
            }
        }
        var received = [UInt8](repeating: 0, count: total)
        let code = bytes.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { recv in
                counts.withUnsafeBufferPointer { c in
                    displacements.withUnsafeBufferPointer { d in
                        MPI_Gatherv(send.baseAddress, Int32(bytes.count), cmpi_byte(),
                                    recv.baseAddress, c.baseAddress, d.baseAddress, cmpi_byte(),
                                    Int32(root), handle)
                    }
                }
            }
        }
        try check(code, "MPI_Gatherv")
        guard isRoot else { return nil }
        return zip(counts, displacements).map { count, offset in
            Array(received[Int(offset) ..< Int(offset) + Int(count)])
        }
    }

    /// Gather one integer from every rank to `root`, in rank order (nil elsewhere).
    /// The corresponding C function is `MPI_Gather`.
    public func gather(_ value: Int64, root: Int = 0) throws(MPIError) -> [Int64]? {
        try checkRoot(root, "MPI_Gather")
        var send = [value]
        var received = [Int64](repeating: 0, count: rank == root ? size : 0)
        let code = send.withUnsafeMutableBytes { s in
            received.withUnsafeMutableBytes { r in
                MPI_Gather(s.baseAddress, 1, cmpi_int64(), r.baseAddress, 1, cmpi_int64(), Int32(root), handle)
            }
        }
        try check(code, "MPI_Gather")
        return rank == root ? received : nil
    }

    /// Gather a `Codable` value from every rank to `root`, in rank order (nil elsewhere).
    public func gather<T: Codable>(_ value: T, root: Int = 0) throws(MPIError) -> [T]? {
        let parts = try gatherv(try WireCoding.encode(value), root: root)
        guard let parts else { return nil }
        var values: [T] = []
        for part in parts { values.append(try WireCoding.decode(T.self, from: part)) }
        return values
    }

    func checkRoot(_ root: Int, _ call: String) throws(MPIError) {
        guard root >= 0 && root < size else {
            throw MPIError(call: call, message: "root \(root) is not a rank of a communicator of size \(size)")
        }
    }
}

extension Communicator {
    /// Run `body` on `root` only and give its value to every rank. If it throws, every rank throws
    /// an `AgreedFailure` carrying the root's message — no rank is left waiting in a collective.
    /// Use it for everything only rank 0 should do (read input files, build a plan).
    /// The corresponding C function is `MPI_Bcast`.
    public func rootDecides<T: Codable>(root: Int = 0, _ body: () throws -> T) throws -> T {
        var outcome: Outcome<T>?
        if rank == root {
            do { outcome = Outcome(value: try body()) } catch { outcome = Outcome(error: "\(error)") }
        }
        let received = try broadcast(outcome, root: root)
        guard let value = received.value else { throw AgreedFailure(received.error ?? "rank \(root) sent no value") }
        return value
    }
}

extension Communicator {
    /// MPI counts are 32-bit: refuse larger buffers with an error instead of a trap.
    func checkCount(_ count: Int, _ call: String) throws(MPIError) {
        guard count <= Int(Int32.max) else {
            throw MPIError(call: call, message: "\(count) elements exceed MPI's Int32 count")
        }
    }

    /// `rootDecides` for a value that already is bytes (a plan blueprint): no JSON on the wire,
    /// and no broadcast at all in a world of one. The root's error reaches every rank as an
    /// `AgreedFailure`.
    /// The corresponding C function is `MPI_Bcast`.
    public func rootDecidesBytes(root: Int = 0, _ body: () throws -> [UInt8]) throws -> [UInt8] {
        var message: [UInt8] = []
        if rank == root {
            do { message = [1] + (try body()) } catch { message = [0] + Array("\(error)".utf8) }
        }
        if size > 1 { try broadcast(&message, root: root) }
        guard let status = message.first else { throw AgreedFailure("rank \(root) sent nothing") }
        guard status == 1 else { throw AgreedFailure(String(decoding: message.dropFirst(), as: UTF8.self)) }
        return Array(message.dropFirst())
    }

    /// Collective: true on every rank iff every rank passed the same value — one
    /// `MPI_Allreduce(MAX)` of (v, −v), v split into four exact 16-bit pieces, so the cost does
    /// not grow with the number of ranks beyond the reduction tree's depth.
    /// The corresponding C function is `MPI_Allreduce`.
    public func allAgree(on value: UInt64) throws(MPIError) -> Bool {
        let pieces = (0..<4).map { Double((value >> (16 * UInt64($0))) & 0xffff) }
        if size == 1 { return true }
        let extremes = try allreduce(pieces + pieces.map { -$0 }, op: .max)
        return (0..<4).allSatisfy { extremes[$0] == -extremes[$0 + 4] }
    }
}

/// A value or the reason there is none, as broadcast by `rootDecides`.
struct Outcome<T: Codable>: Codable {
    var value: T?
    var error: String?
}
