/// Point-to-point messages of bytes, with tags and any-source receives (mpi4py's
/// `send`/`recv`/`probe`). Used for dynamic scheduling (work requests) and for trace rows.
import CMPI

/// Where a received message came from and how it was tagged.
public struct MessageStatus: Sendable, Equatable {
    public var source: Int
    public var tag: Int
    public var byteCount: Int
}

extension Communicator {
    /// Match any sender in `receive`/`probe`.
    public static let anySource = Int(cmpi_any_source())
    /// Match any tag in `receive`/`probe`.
    public static let anyTag = Int(cmpi_any_tag())

    /// Send bytes to rank `destination` with `tag` (blocking; returns when the buffer is reusable).
    /// The corresponding C function is `MPI_Send`.
    public func send(_ bytes: [UInt8], to destination: Int, tag: Int = 0) throws(MPIError) {
        try checkRoot(destination, "MPI_Send")
        let code = bytes.withUnsafeBytes { raw in
            MPI_Send(raw.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(destination), Int32(tag), handle)
        }
        try check(code, "MPI_Send")
    }

    /// Send doubles to rank `destination` as bytes (straight from the array's storage: the
    /// dynamic schedules send a few doubles per message, thousands of times per round).
    public func send(_ values: [Double], to destination: Int, tag: Int = 0) throws(MPIError) {
        try checkRoot(destination, "MPI_Send")
        let bytes = values.count * MemoryLayout<Double>.size
        guard bytes <= Int(Int32.max) else { throw MPIError(call: "MPI_Send", message: "\(bytes) bytes exceed MPI's Int32 count") }
        let code = values.withUnsafeBytes { raw in
            MPI_Send(raw.baseAddress, Int32(bytes), cmpi_byte(), Int32(destination), Int32(tag), handle)
        }
        try check(code, "MPI_Send")
    }

    /// Block until a message matching `source`/`tag` is available; returns its envelope without
    /// receiving it. The corresponding C function is `MPI_Probe`.
    public func probe(from source: Int = Communicator.anySource, tag: Int = Communicator.anyTag) throws(MPIError) -> MessageStatus {
        var status = MPI_Status()
        try check(MPI_Probe(Int32(source), Int32(tag), handle, &status), "MPI_Probe")
        return try envelope(status)
    }

    /// Non-blocking check for a matching message: its envelope, or nil when none has arrived.
    /// The corresponding C function is `MPI_Iprobe`.
    public func probeIfAvailable(from source: Int = Communicator.anySource, tag: Int = Communicator.anyTag) throws(MPIError) -> MessageStatus? {
        var status = MPI_Status()
        var flag: Int32 = 0
        try check(MPI_Iprobe(Int32(source), Int32(tag), handle, &flag, &status), "MPI_Iprobe")
        return flag != 0 ? try envelope(status) : nil
    }

    /// Receive one message of any length matching `source`/`tag`.
    /// The corresponding C functions are `MPI_Probe` and `MPI_Recv`.
    public func receive(from source: Int = Communicator.anySource, tag: Int = Communicator.anyTag) throws(MPIError) -> (bytes: [UInt8], status: MessageStatus) {
        let status = try probe(from: source, tag: tag)
        var bytes = [UInt8](repeating: 0, count: status.byteCount)
        let code = bytes.withUnsafeMutableBytes { raw in
            // Receive exactly the probed message: its concrete source and tag.
            MPI_Recv(raw.baseAddress, Int32(status.byteCount), cmpi_byte(), Int32(status.source),
                     Int32(status.tag), handle, cmpi_status_ignore())
        }
        try check(code, "MPI_Recv")
        return (bytes, status)
    }

    /// Receive a message of doubles.
    /// The corresponding C functions are `MPI_Probe` and `MPI_Recv`.
    public func receiveDoubles(from source: Int = Communicator.anySource, tag: Int = Communicator.anyTag) throws(MPIError) -> (values: [Double], status: MessageStatus) {
        let status = try probe(from: source, tag: tag)
        return (try receiveDoubles(status), status)
    }

    /// Receive, as doubles, exactly the message `envelope` describes (as `probe` or
    /// `probeIfAvailable` returned it): no second probe, and the doubles land in their array
    /// directly. The corresponding C function is `MPI_Recv`.
    public func receiveDoubles(_ envelope: MessageStatus) throws(MPIError) -> [Double] {
        let size = MemoryLayout<Double>.size
        guard envelope.byteCount % size == 0 else {
            throw MPIError(call: "MPI_Recv", message: "message of \(envelope.byteCount) bytes is not a whole number of doubles")
        }
        var values = [Double](repeating: 0, count: envelope.byteCount / size)
        let code = values.withUnsafeMutableBytes { raw in
            // The probed message itself: its concrete source and tag.
            MPI_Recv(raw.baseAddress, Int32(envelope.byteCount), cmpi_byte(), Int32(envelope.source),
                     Int32(envelope.tag), handle, cmpi_status_ignore())
        }
        try check(code, "MPI_Recv")
        return values
    }

    private func envelope(_ status: MPI_Status) throws(MPIError) -> MessageStatus {
        var status = status
        var count: Int32 = 0
        try check(MPI_Get_count(&status, cmpi_byte(), &count), "MPI_Get_count")
        return MessageStatus(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), byteCount: Int(count))
    }
}
