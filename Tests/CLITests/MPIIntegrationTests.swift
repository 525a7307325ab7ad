/// Real multi-rank runs of the MPI wrappers: `qnncut _mpi-selftest` under mpirun with 1, 2 and 3
/// ranks (oversubscribed), checked against values computed here; abort exit codes; `qnncut info`.
import Foundation
import Testing

@Suite(.serialized)
struct MPIIntegrationTests {
    struct SelftestReport: Decodable {
        var size: Int
        var root: Int
        var broadcastChecksums: [Int64]
        var broadcastDoubles: [Double]
        var broadcastNames: [String]
        var reduceSum: [Double]
        var reduceMax: [Double]
        var reduceMin: [Double]
        var allreduceAgrees: [Int64]
        var gathervLengths: [Int]
        var gathervFirstBytes: [Int]
        var messages: [String]
        var ringHeardFrom: [Int64]
        var wallTimeMonotonic: Bool
    }

    static func decodeLastLine<T: Decodable>(_ type: T.Type, _ output: String) throws -> T {
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        return try JSONDecoder().decode(T.self, from: Data(line.utf8))
    }

    @Test("collectives and point-to-point agree with the expected values", arguments: [(1, 0), (2, 0), (3, 0), (3, 2)])
    func selftest(ranks: Int, root: Int) throws {
        let result = try ProcessRunner.mpirun(ranks: ranks, ["_mpi-selftest", "--root", "\(root)"])
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        let r = try Self.decodeLastLine(SelftestReport.self, result.stdout)
        let n = Double(ranks)
        let expectedChecksum = Int64((0 ..< 1000).reduce(0) { $0 + Int(UInt8(truncatingIfNeeded: $1 * 7 + 3)) })
        #expect(r.size == ranks)
        #expect(r.root == root)
        #expect(r.broadcastChecksums == Array(repeating: expectedChecksum, count: ranks))
        #expect(r.broadcastDoubles == [1.5, -2.25, .pi])
        #expect(r.broadcastNames == Array(repeating: "plan-from-\(root)", count: ranks))
        #expect(r.reduceSum == [n * (n + 1) / 2, n * (n + 1), -n * (n - 1) / 2])
        #expect(r.reduceMax == [n, 2 * n, 0])
        #expect(r.reduceMin == [1, 2, -(n - 1)])
        #expect(r.allreduceAgrees == Array(repeating: 1, count: ranks))
        #expect(r.gathervLengths == Array(1 ... ranks))
        #expect(r.gathervFirstBytes == Array(0 ..< ranks))
        let expectedMessages = (0 ..< ranks).filter { $0 != root }.map { "\($0):\(100 + $0):hello from \($0)" }.sorted()
        #expect(r.messages == expectedMessages)
        #expect(r.ringHeardFrom == (0 ..< ranks).map { Int64(($0 - 1 + ranks) % ranks) })
        #expect(r.wallTimeMonotonic)
    }

    @Test("an abort on one rank ends the job with its exit code and message", arguments: [2, 3])
    func abortExitCode(ranks: Int) throws {
        let start = Date()
        let result = try ProcessRunner.mpirun(ranks: ranks, ["_mpi-selftest", "--abort-rank", "1", "--exit-code", "42"])
        #expect(result.exitCode == 42)
        #expect(result.stderr.contains("rank 1: aborting on purpose with exit code 42"))
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test("info under mpirun -np 3 prints one JSON object with world size 3")
    func infoJSON() throws {
        let result = try ProcessRunner.mpirun(ranks: 3, ["info", "--json"])
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1, "rank 0 alone prints: \(result.stdout)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["world_size"] as? Int == 3)
        #expect((object?["mpi_library"] as? String)?.contains("Open MPI") == true)
        #expect((object?["hdf5_version"] as? String)?.hasPrefix("1.") == true)
        #expect((object?["ranks_per_host"] as? [String: Int])?.values.reduce(0, +) == 3)
    }

    @Test("info without mpirun is a singleton world")
    func infoSingleton() throws {
        let result = try ProcessRunner.qnncut(["info"])
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("world:  1 rank(s)"))
        #expect(result.stdout.contains("qnncut "))
    }
}
