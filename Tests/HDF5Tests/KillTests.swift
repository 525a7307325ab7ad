/// Crash safety: `qnncut _hdf5-writer` appends and flushes batches of rows until SIGKILLed at a
/// random moment; every row of every batch it reported flushed must then read back intact.
import Foundation
import HDF5
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

/// The `qnncut` executable built next to this test bundle (`swift build` before `swift test`).
private func qnncutPath() throws -> String {
    let testExecutable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    var folder = URL(fileURLWithPath: testExecutable).deletingLastPathComponent()
    // On Linux the test bundle is an executable directly in the build folder; step out of a
    // bundle directory if there ever is one.
    if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
    return folder.appendingPathComponent("qnncut").path
}

/// Shown when the writer does not run: the usual cause is a qnncut without the hidden command.
private let registrationHint =
    "(is HDF5WriterSelftest in the subcommands of Sources/qnncut/QNNCut.swift?)"

/// Starts `qnncut _hdf5-writer` on `path`, its stdout and stderr piped.
private func launchWriter(_ qnncut: String, _ path: String, rowsPerBatch: Int, batches: Int? = nil) throws
    -> (Process, Pipe, Pipe)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: qnncut)
    process.arguments =
        ["_hdf5-writer", path, "--rows-per-batch", "\(rowsPerBatch)"] + (batches.map { ["--batches", "\($0)"] } ?? [])
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
}

private func requireQNNCut() throws -> String {
    let qnncut = try qnncutPath()
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

        let (process, out, err) = try launchWriter(qnncut, path, rowsPerBatch: rowsPerBatch)
        // A writer that never prints must not hang the suite.
        let watchdog = DispatchWorkItem { [pid = process.processIdentifier] in kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)

        var seen = ""
        var flushedLines = 0
        while flushedLines < killAfter {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the writer exited
            seen += String(decoding: chunk, as: UTF8.self)
            flushedLines = seen.split(separator: "\n").filter { $0.hasPrefix("flushed ") }.count
        }
        // A random pause so the kill lands anywhere in the append/flush cycle.
        usleep(UInt32.random(in: 0...3000, using: &generator))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        watchdog.cancel()
        seen += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        let reported = seen.split(separator: "\n").compactMap { line in
            line.hasPrefix("flushed ") ? Int(line.dropFirst("flushed ".count)) : nil
        }
        try #require(
            process.terminationReason == .uncaughtSignal,
            "the writer exited by itself (status \(process.terminationStatus)) before being killed \(registrationHint): \(stderr)")
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
        #expect(try runCommand("/usr/bin/h5dump", ["-H", path]).status == 0)
    }

    @Test func aFileAnotherProcessIsWritingIsReportedAsLocked() throws {
        let qnncut = try requireQNNCut()
        let scratch = try ScratchFolder()
        let path = scratch.file("busy.h5")
        let (process, out, err) = try launchWriter(qnncut, path, rowsPerBatch: 1)
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        let first = out.fileHandleForReading.availableData
        try #require(
            String(decoding: first, as: UTF8.self).hasPrefix("flushed"),
            "writer did not start \(registrationHint): \(String(decoding: err.fileHandleForReading.availableData, as: UTF8.self))")
        let started = Date()
        let error = #expect(throws: HDF5Error.self) { try File.open(path) }
        #expect(error?.description.hasPrefix("H5Fopen failed for \(path): the file is locked") == true)
        // A real conflict is retried for about a second, not forever.
        #expect(Date().timeIntervalSince(started) < 5)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try File.open(path).contains("rows"))
    }
}
