/// Crash safety: `qnncut _hdf5-writer` appends and flushes batches of rows until SIGKILLed at a
/// random moment; every row of every batch it reported flushed must then read back intact.
import Foundation
import HDF5
import TestSupport
import Testing

/// Mirrors `HDF5WriterSelftest.Row` (Sources/qnncut/Hidden/HDF5WriterSelftest.swift); fields are
/// matched by name, so a different Swift declaration order here is fine.
private struct WriterRow: Equatable {
    var label: FixedString<12>
    var value: Double
    var index: Int64
    var batch: Int32

    init(index: Int, rowsPerBatch: Int) {
        self.index = Int64(index)
        batch = Int32(index / rowsPerBatch)
        value = Double(index) * 0.25 - 3.0
        label = FixedString("row-\(index)")
    }

    static let layout = try! CompoundLayout<WriterRow>([
        .field("index", \.index), .field("batch", \.batch), .field("value", \.value), .field("label", \.label),
    ])
}

/// Shown when the writer does not run: the usual cause is a qnncut without the hidden command.
private let registrationHint =
    "(is HDF5WriterSelftest in the subcommands of Sources/qnncut/QNNCut.swift?)"

/// Starts `qnncut _hdf5-writer` on `path`; its output goes to files the test polls.
private func launchWriter(_ qnncut: String, _ path: String, rowsPerBatch: Int, batches: Int? = nil) throws
    -> ChildProcess
{
    try ChildProcess(
        qnncut,
        ["_hdf5-writer", path, "--rows-per-batch", "\(rowsPerBatch)"] + (batches.map { ["--batches", "\($0)"] } ?? []),
        environment: TestEnvironment.childEnvironment())
}

/// The "flushed K" lines the writer has printed so far.
private func flushedReports(_ writer: ChildProcess) -> [Int] {
    writer.stdout.split(separator: "\n").compactMap { line in
        line.hasPrefix("flushed ") ? Int(line.dropFirst("flushed ".count)) : nil
    }
}

private func requireQNNCut() throws -> String {
    let qnncut = TestEnvironment.qnncutPath
    try #require(
        FileManager.default.isExecutableFile(atPath: qnncut),
        "qnncut not found at \(qnncut): run `swift build` (same --scratch-path) before `swift test`")
    return qnncut
}

@Suite(.serialized) struct KillTests {
    @Test(arguments: 0..<8)
    func everyFlushedRowSurvivesSIGKILL(trial: Int) throws {
        let qnncut = try requireQNNCut()
        let scratch = try ScratchFolder("kill\(trial)")
        let path = scratch.file("traces.h5")
        let rowsPerBatch = 37
        var generator = SystemRandomNumberGenerator()
        let killAfter = Int.random(in: 2...12, using: &generator)

        let writer = try launchWriter(qnncut, path, rowsPerBatch: rowsPerBatch)
        // A writer that never prints (or stops printing) must not hang the suite.
        let deadline = Date().addingTimeInterval(60)
        while flushedReports(writer).count < killAfter && writer.poll() == nil && Date() < deadline {
            usleep(1_000)
        }
        // A random pause so the kill lands anywhere in the append/flush cycle.
        usleep(UInt32.random(in: 0...3000, using: &generator))
        writer.kill(SIGKILL)
        let status = writer.wait(timeout: 10)
        let reported = flushedReports(writer)
        let stderr = writer.stderr
        try #require(
            status == 128 + SIGKILL,
            "the writer exited by itself (status \(status.map(String.init) ?? "none")) before being killed \(registrationHint): \(stderr)")
        let lastFlushed = try #require(reported.last, "the writer reported no flush; stderr: \(stderr)")
        #expect(reported == Array(1...lastFlushed))
        #expect(lastFlushed >= killAfter)

        let file = try File.open(path)
        #expect(try file.attribute("rows_per_batch", as: Int.self) == rowsPerBatch)
        let table = try file.openTable("rows", layout: WriterRow.layout)
        #expect(table.count >= lastFlushed * rowsPerBatch, "\(table.count) rows after \(lastFlushed) flushed batches")
        let rows = try table.readAll()
        let expected = (0..<rows.count).map { WriterRow(index: $0, rowsPerBatch: rowsPerBatch) }
        #expect(rows == expected)
        // Readable by the HDF5 tools too, without h5clear.
        #expect(try runCommand("/usr/bin/h5dump", ["-H", path]).exitCode == 0)
    }

    @Test func aFileAnotherProcessIsWritingIsReportedAsLocked() throws {
        let qnncut = try requireQNNCut()
        let scratch = try ScratchFolder()
        let path = scratch.file("busy.h5")
        let writer = try launchWriter(qnncut, path, rowsPerBatch: 1)
        let deadline = Date().addingTimeInterval(30)
        while flushedReports(writer).isEmpty && writer.poll() == nil && Date() < deadline { usleep(1_000) }
        try #require(!flushedReports(writer).isEmpty, "writer did not start \(registrationHint): \(writer.stderr)")
        let started = Date()
        let error = #expect(throws: HDF5Error.self) { try File.open(path) }
        #expect(error?.description.hasPrefix("H5Fopen failed for \(path): the file is locked") == true)
        // A real conflict is retried for about a second, not forever.
        #expect(Date().timeIntervalSince(started) < 5)
        writer.kill(SIGKILL)
        _ = writer.wait(timeout: 10)
        #expect(try File.open(path).contains("rows"))
    }
}
