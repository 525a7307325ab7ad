/// Reading an HDF5 file we did not write in a child process first (see `TraceReader.read`).
///
/// The child is this very binary running the hidden `_read-files` instrument on the one file,
/// with `QNNCUT_READ_IN_PROCESS=1` so that it reads directly instead of probing again. What the
/// child concludes does not matter — the caller reads the file again and refuses it with the
/// proper message — only whether it survives: killed by a signal, or still reading after
/// `timeout` seconds, means the file is damaged in a way that would take this process down.
import Foundation

enum ReadProbe {
    static let environmentKey = "QNNCUT_READ_IN_PROCESS"

    /// Throws `failure(reason)` when reading `path` kills or hangs a child.
    static func survives(_ path: String, kind: String, timeout: Double = 60,
                         failure: (String) -> Error) throws {
        let environment = ProcessInfo.processInfo.environment
        if environment[environmentKey] != nil { return }  // this is the child
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["_read-files", kind, path]
        child.environment = environment.merging([environmentKey: "1", "SWIFT_BACKTRACE": "enable=no"]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        do { try child.run() } catch { return }  // cannot spawn: read in-process as before
        let deadline = Date().addingTimeInterval(timeout)
        while child.isRunning && Date() < deadline { usleep(2_000) }
        if child.isRunning {
            child.terminate()
            child.waitUntilExit()
            throw failure("damaged: reading it did not finish within \(Int(timeout)) s")
        }
        if child.terminationReason == .uncaughtSignal {
            throw failure("damaged: the HDF5 library crashed reading it (signal \(child.terminationStatus))")
        }
    }
}
