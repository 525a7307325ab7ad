/// `analyze` and trace schema 2: the wait column and the one-off setup costs are reported, and a
/// version-1 trace (whose reconstruct_s still held the waiting) is read with wait = 0.
import Foundation
import HDF5
import TestSupport
import Testing

@Suite(.serialized)
struct AnalyzeSchemaVersionTests {
    @Test("a straggler's waiting shows as wait; setup costs are reported; a version-1 trace reads with wait 0")
    func waitAndSetup() throws {
        let fixtures = try AnalyzeFixtures.get()
        let straggler = fixtures.stragglerTrace
        let result = try ProcessRunner.qnncut(["analyze", straggler, "--format", "json"])
        try #require(result.exitCode == 0, "\(result.stderr)")
        let run = try #require(AnalyzeJSON.decode(result.stdout).runs.first)
        // Rank 1 sleeps 2 ms after each of its units; rank 0 waits for it in the barrier.
        #expect((run.perQueryMs.wait?.median ?? 0) > 0.5, "wait \(String(describing: run.perQueryMs.wait))")
        #expect((run.perQueryMs.wait?.median ?? 0) > 5 * (run.perQueryMs.reconstruct.median ?? .infinity))
        let setup = try #require(run.setupSeconds)
        #expect(setup["partition_s"] != nil && setup["plan_broadcast_s"] != nil && setup["plan_derive_s"] != nil)

        // The same file declared version 1: read by the version-1 columns, so no wait.
        let old = fixtures.folder + "/schema-1.h5"
        try? FileManager.default.removeItem(atPath: old)
        try FileManager.default.copyItem(atPath: straggler, toPath: old)
        let file = try File.open(old, mode: .readWrite)
        try file.setAttribute("schema_version", 1)
        try file.close()
        let oldResult = try ProcessRunner.qnncut(["analyze", old, "--format", "json"])
        try #require(oldResult.exitCode == 0, "\(oldResult.stderr)")
        let oldRun = try #require(AnalyzeJSON.decode(oldResult.stdout).runs.first)
        #expect(oldRun.perQueryMs.wait?.median == 0)
        #expect(oldRun.queries == run.queries)
    }
}
