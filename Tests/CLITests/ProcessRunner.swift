/// Runs the built `qnncut`, alone or under `mpirun`, for the integration tests.
import Foundation
import TestSupport
import Testing

enum ProcessRunner {
    static func requireBuilt() throws {
        let path = TestEnvironment.qnncutPath
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "qnncut not found at \(path): run `swift build` before `swift test` (or set QNNCUT_BIN)")
    }

    /// Run `qnncut ARGS` directly (a singleton MPI world).
    static func qnncut(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try requireBuilt()
        let result = try ChildProcess.run(TestEnvironment.qnncutPath, arguments,
                                          environment: TestEnvironment.childEnvironment(), timeout: timeout)
        #expect(!result.timedOut, "qnncut \(arguments) timed out after \(timeout) s")
        return result
    }

    /// Run `mpirun --oversubscribe -np N qnncut ARGS`.
    static func mpirun(ranks: Int, _ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try requireBuilt()
        let result = try ChildProcess.run("mpirun", ["--oversubscribe", "-np", "\(ranks)", TestEnvironment.qnncutPath] + arguments,
                                          environment: TestEnvironment.childEnvironment(), timeout: timeout)
        #expect(!result.timedOut, "mpirun -np \(ranks) qnncut \(arguments) timed out after \(timeout) s")
        return result
    }
}
