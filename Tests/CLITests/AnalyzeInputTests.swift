/// What `qnncut analyze` accepts and refuses: files of interrupted runs load (every flushed row);
/// a non-HDF5 file, someone else's HDF5, a newer schema version, a checkpoint and a truncated
/// trace each give exactly one line on stderr, naming the file, and a non-zero exit.
import Foundation
import HDF5
import TestSupport
import Testing
import TraceSchema

@Suite(.serialized)
struct AnalyzeInputTests {
    /// - Parameter writtenHere: the file was written by this test process. Its HDF5 lock can leak
    ///   into a child that another suite spawned meanwhile (HDF5 does not open files close-on-exec),
    ///   so analyze reads it without locking, as it would a file being written.
    static func expectOneLineRefusal(_ path: String, mentioning words: [String], writtenHere: Bool = false,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let environment = TestEnvironment.childEnvironment(writtenHere ? ["HDF5_USE_FILE_LOCKING": "FALSE"] : [:])
        let result = try ChildProcess.run(TestEnvironment.qnncutPath, ["analyze", path], environment: environment)
        #expect(result.exitCode != 0, "analyze \(path) should fail", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(path), "the message names the file: \(result.stderr)", sourceLocation: sourceLocation)
        for word in words {
            #expect(result.stderr.contains(word), "'\(word)' missing from: \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("a text file, a foreign HDF5 file, another schema and a newer version are refused in one line")
    func foreignFiles() throws {
        let fixtures = try AnalyzeFixtures.get()
        let text = fixtures.folder + "/notes.h5"
        try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        try Self.expectOneLineRefusal(text, mentioning: ["not a readable HDF5 file"])

        let foreign = fixtures.folder + "/foreign.h5"
        let f = try File.create(foreign)
        try f.createDataset("data", values: [1.0, 2.0])
        try f.close()
        try Self.expectOneLineRefusal(foreign, mentioning: ["not a qnncut traces file"], writtenHere: true)

        let other = fixtures.folder + "/other-schema.h5"
        let o = try File.create(other)
        try o.setAttribute("schema", "someone-else")
        try o.setAttribute("schema_version", 1)
        try o.close()
        try Self.expectOneLineRefusal(other, mentioning: ["someone-else"], writtenHere: true)

        let newer = fixtures.folder + "/newer.h5"
        try FileManager.default.copyItem(atPath: fixtures.estimateTraces[0], toPath: newer)
        let n = try File.open(newer, mode: .readWrite)
        try n.setAttribute("schema_version", TraceSchema.version + 1)
        try n.close()
        try Self.expectOneLineRefusal(newer, mentioning: ["schema_version \(TraceSchema.version + 1)"], writtenHere: true)

        try Self.expectOneLineRefusal(fixtures.trainingFolder + "/checkpoint.h5", mentioning: ["qnncut-checkpoint"])
        try Self.expectOneLineRefusal(fixtures.folder + "/missing.h5", mentioning: ["no such file"])
    }

    @Test("a trace truncated to half its bytes is refused in one line")
    func truncatedFile() throws {
        let fixtures = try AnalyzeFixtures.get()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixtures.trainingFolder + "/traces.h5"))
        let truncated = fixtures.folder + "/truncated.h5"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        try Self.expectOneLineRefusal(truncated, mentioning: [])
        // One bad file among good ones fails the whole command: no partial table.
        let mixed = try ProcessRunner.qnncut(["analyze", fixtures.estimateTraces[0], truncated])
        #expect(mixed.exitCode != 0 && mixed.stdout.isEmpty)
    }

    @Test("a killed training run's traces load; after --resume, its attempts read as one run")
    func killedAndResumedTrainingRun() throws {
        let fixtures = try AnalyzeFixtures.get()
        let folder = fixtures.folder + "/killed"
        let config = AnalyzeFixtures.repositoryRoot + "/configs/iris.yaml"
        let child = try ChildProcess(TestEnvironment.qnncutPath, [
            "train", config, "--set", "training.epochs=200", "--output", folder], environment: TestEnvironment.childEnvironment())
        let deadline = Date().addingTimeInterval(120)
        while !child.stderr.contains("epoch 2:") && child.poll() == nil && Date() < deadline { usleep(50_000) }
        try #require(child.poll() == nil, "training ended before it could be killed: \(child.stderr)")
        child.kill()
        _ = child.wait(timeout: 10)
        let killed = try ProcessRunner.qnncut(["analyze", folder + "/traces.h5", "--format", "json"])
        try #require(killed.exitCode == 0, "\(killed.stderr)")
        let partial = try #require(try AnalyzeJSON.decode(killed.stdout).runs.first)
        #expect(partial.steps >= 2)  // two epochs finished, each of at least one step
        #expect(partial.robustness.isEmpty)
        #expect(partial.finalTestAccuracy != nil)
        #expect(partial.queries > 0)

        // Resume to three epochs: traces.h5 is new, the killed attempt's is traces.segment-1.h5.
        let resumed = try ProcessRunner.qnncut(["train", config, "--set", "training.epochs=3", "--output", folder, "--resume"],
                                               timeout: 300)
        try #require(resumed.exitCode == 0, "\(resumed.stderr)")
        let segment = folder + "/traces.segment-1.h5"
        try #require(FileManager.default.fileExists(atPath: segment))
        // Named alone or with its segment, the run is the same single run.
        for arguments in [[folder + "/traces.h5"], [folder + "/traces.h5", segment]] {
            let result = try ProcessRunner.qnncut(["analyze"] + arguments + ["--format", "json"])
            try #require(result.exitCode == 0, "\(result.stderr)")
            let runs = try AnalyzeJSON.decode(result.stdout).runs
            try #require(runs.count == 1)
            let run = runs[0]
            #expect(run.segments == 2)
            let fullTraining = try #require(try AnalyzeJSON.decode(
                AnalyzeTests.analyze([fixtures.trainingFolder + "/traces.h5", "--format", "json"]).stdout).runs.first)
            #expect(run.steps == fullTraining.steps / 2 * 3, "steps of 3 epochs, each counted once")
            let rowCounts = try [segment, folder + "/traces.h5"].map { path in
                let file = try File.open(path)
                defer { try? file.close() }
                return try file.openDataset("queries").shape()[0]
            }
            #expect(run.queries == rowCounts.reduce(0, +))
            #expect(run.robustness.count == fullTraining.robustness.count)
        }
    }

    @Test("an estimate run whose rank died mid-run loads with the rounds it flushed")
    func failedEstimateRun() throws {
        let fixtures = try AnalyzeFixtures.get()
        let path = fixtures.folder + "/failed.h5"
        let (circuit, inputs) = try DistributedEstimateTests.writeInputs()
        let failed = try ProcessRunner.mpirun(ranks: 2, [
            "estimate", circuit, "--observable", "Z3", "--observable", "Z4", "--theta", DistributedEstimateTests.theta,
            "--inputs", inputs, "--partition", "AAABBB", "--trace", path, "--inject-failure-rank", "1"], timeout: 60)
        try #require(failed.exitCode != 0)
        let result = try ProcessRunner.qnncut(["analyze", path, "--format", "json"])
        try #require(result.exitCode == 0, "\(result.stderr)")
        let run = try #require(try AnalyzeJSON.decode(result.stdout).runs.first)
        #expect(run.queries == 3)
        #expect(run.cuts >= 2)
    }
}
