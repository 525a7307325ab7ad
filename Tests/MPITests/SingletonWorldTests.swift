/// The MPI wrappers in a singleton world (this test process, started without mpirun).
/// Multi-rank behaviour is tested for real in Tests/CLITests/MPIIntegrationTests.swift.
import MPI
import Testing

@Suite(.serialized)
struct SingletonWorldTests {
    let world: Communicator

    init() throws { world = try Communicator.world() }

    @Test func rankAndSize() throws {
        #expect(world.rank == 0)
        #expect(world.size == 1)
        #expect(world.isRoot)
        try world.barrier()
        try MPI.initialize()  // idempotent
        #expect(MPI.isInitialized)
    }

    @Test func broadcastRoundTrips() throws {
        var bytes: [UInt8] = [1, 2, 3, 250]
        try world.broadcast(&bytes)
        #expect(bytes == [1, 2, 3, 250])
        var doubles = [0.5, -1e300, .pi]
        try world.broadcast(&doubles)
        #expect(doubles == [0.5, -1e300, .pi])
        struct Plan: Codable, Equatable { var cuts: [Int]; var name: String }
        let plan: Plan = try world.broadcast(Plan(cuts: [3, 5], name: "p"))
        #expect(plan == Plan(cuts: [3, 5], name: "p"))
    }

    @Test func reductionsOfOneRankAreIdentity() throws {
        let values = [1.0, -2.0, 3.5]
        #expect(try world.reduce(values, op: .sum) == values)
        #expect(try world.reduce(values, op: .max) == values)
        #expect(try world.reduce(values, op: .min) == values)
        #expect(try world.allreduce(values, op: .sum) == values)
        #expect(try world.reduce([], op: .sum) == [])
    }

    @Test func gatherCollectsOwnContribution() throws {
        #expect(try world.gatherv([9, 8, 7]) == [[9, 8, 7]])
        #expect(try world.gather(Int64(41)) == [41])
        #expect(try world.gather("host") == ["host"])
    }

    @Test func sendToSelfAndReceiveWithAnySource() throws {
        try world.send(Array("ping".utf8), to: 0, tag: 11)
        let envelope = try world.probeIfAvailable(tag: 11)
        #expect(envelope?.source == 0 && envelope?.tag == 11 && envelope?.byteCount == 4)
        let (bytes, status) = try world.receive()
        #expect(String(decoding: bytes, as: UTF8.self) == "ping")
        #expect(status.tag == 11)
        try world.send([2.5, -1], to: 0, tag: 12)
        #expect(try world.receiveDoubles(from: 0, tag: 12).values == [2.5, -1])
        #expect(try world.probeIfAvailable() == nil)
    }

    @Test func invalidRootIsASwiftErrorNamingTheCall() throws {
        #expect {
            _ = try world.reduce([1], root: 3)
        } throws: { error in
            "\(error)".contains("MPI_Reduce") && "\(error)".contains("root 3")
        }
    }

    @Test func libraryErrorsAreReturnedNotFatal() throws {
        // A negative tag other than MPI_ANY_TAG is invalid: with MPI_ERRORS_RETURN the library
        // reports it, and the wrapper turns it into an MPIError naming the call.
        #expect {
            _ = try world.probeIfAvailable(from: 0, tag: -5)
        } throws: { error in
            guard let e = error as? MPIError else { return false }
            return e.call == "MPI_Iprobe" && e.code != nil && !e.message.isEmpty
        }
    }

    @Test func versionsAndClock() throws {
        #expect(try MPI.libraryVersion().contains("Open MPI"))
        #expect(try MPI.standardVersion().major >= 3)
        #expect(try !MPI.processorName().isEmpty)
        let t0 = MPI.wallTime()
        #expect(MPI.wallTime() >= t0)
    }
}
