/// Child processes for the integration tests, without Foundation's `Process`.
///
/// Why not `Process`: once this test process has called `MPI_Init` (the singleton-world tests),
/// OpenMPI owns SIGCHLD handling, and `Process` never learns that its child exited — the child
/// stays a zombie and `waitUntilExit()` hangs. Here the child is started with `posix_spawn`, its
/// output goes to files (no pipe can fill up), and we poll `waitpid(WNOHANG)` with a deadline.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The output of a finished command.
public struct ProcessResult: Sendable {
    /// The exit code, or 128 + signal number when the child was killed by a signal.
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
}

public final class ChildProcess {
    public let pid: pid_t
    public let executable: String
    public let arguments: [String]
    private let outputFolder: String
    private var exitCode: Int32?

    /// Start `executable ARGS` with exactly `environment`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        self.executable = executable
        self.arguments = arguments
        outputFolder = NSTemporaryDirectory() + "child-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFolder + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, outputFolder + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // Children start with SIGINT/SIGTERM at their defaults and nothing blocked, as from a
        // shell: the test runner's own dispositions (inherited through exec) would otherwise
        // make a Ctrl-C test meaningless.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var child: pid_t = 0
        let code = posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw NSError(domain: "ChildProcess", code: Int(code), userInfo: [
                NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(code)))"])
        }
        pid = child
    }

    /// What the child has written to stdout so far.
    public var stdout: String { read("stdout") }
    /// What the child has written to stderr so far.
    public var stderr: String { read("stderr") }

    /// The exit code if the child has ended (reaping it), else nil.
    public func poll() -> Int32? {
        if let exitCode { return exitCode }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        // Decode the wait status by hand: the W* macros do not import into Swift.
        let signal = status & 0x7f
        exitCode = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return exitCode
    }

    /// Wait for the child to end, up to `timeout` seconds; nil if it is still running.
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let code = poll() { return code }
            usleep(10_000)
        }
        return poll()
    }

    /// Send a signal to the child (SIGKILL by default).
    public func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }

    /// Wait (killing on timeout) and collect the output.
    public func finish(timeout: TimeInterval) -> ProcessResult {
        var timedOut = false
        var code = wait(timeout: timeout)
        if code == nil {
            timedOut = true
            kill(SIGKILL)
            code = wait(timeout: 10)
        }
        return ProcessResult(exitCode: code ?? -1, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOfFile: outputFolder + "/" + name, encoding: .utf8)) ?? ""
    }

    deinit {
        if poll() == nil { kill(SIGKILL); _ = wait(timeout: 5) }
        try? FileManager.default.removeItem(atPath: outputFolder)
    }

    /// Run to completion and return the output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           timeout: TimeInterval = 120) throws -> ProcessResult {
        try ChildProcess(executable, arguments, environment: environment).finish(timeout: timeout)
    }
}
