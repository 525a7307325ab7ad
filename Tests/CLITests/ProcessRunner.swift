/// Runs the built `qnncut` binary, alone or under `mpirun`, for the integration tests.
///
/// The binary is found next to the running test bundle (`swift build` runs before `swift test`),
/// or at `$QNNCUT_BIN`. Children get an environment without the `OMPI_*`/`PMIX_*` variables that a
/// singleton MPI_Init in this test process may have added (a child mpirun that inherits them fails
/// silently), plus the settings mpirun needs as root on a loopback-only machine.
import Foundation
import Testing

struct ProcessResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

enum QNNCutBinary {
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["QNNCUT_BIN"] { return p }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // .build/<triple>/debug/DistributedEstimatorPackageTests.xctest → .build/<triple>/debug/qnncut
        return exe.deletingLastPathComponent().appendingPathComponent("qnncut").path
    }

    static func requireBuilt() throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record("qnncut binary not found at \(path): run `swift build` before `swift test` (or set QNNCUT_BIN)")
            throw CancellationError()
        }
    }
}

enum ProcessRunner {
    /// Environment for child processes: ours, minus MPI singleton leftovers, plus root/loopback settings.
    static var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
        }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        env["OMPI_MCA_btl"] = "self,vader"
        env["OMPI_MCA_oob_tcp_if_include"] = "lo"
        env["SWIFT_BACKTRACE"] = "enable=no"
        return env
    }

    /// Run an executable to completion (with a timeout) and capture its output.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = childEnvironment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        let outData = LockedData(), errData = LockedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout) s")
        }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(exitCode: process.terminationStatus,
                             stdout: String(decoding: outData.get(), as: UTF8.self),
                             stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// Run `qnncut ARGS` directly (a singleton MPI world).
    static func qnncut(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try QNNCutBinary.requireBuilt()
        return try run(QNNCutBinary.path, arguments, timeout: timeout)
    }

    /// Run `mpirun --oversubscribe -np N qnncut ARGS`.
    static func mpirun(ranks: Int, _ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try QNNCutBinary.requireBuilt()
        return try run("/usr/bin/env", ["mpirun", "--oversubscribe", "-np", "\(ranks)", QNNCutBinary.path] + arguments,
                       timeout: timeout)
    }
}

final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
