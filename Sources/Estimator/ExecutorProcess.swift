/// A long-lived child process spoken to in lines: requests on its stdin, answers on its stdout,
/// its stderr passed through. Started with `posix_spawn` (not Foundation's `Process`: once MPI is
/// initialised OpenMPI owns SIGCHLD, and `Process` would never see the child exit) in a process
/// group of its own, so that a shell command's grandchildren end with it; without the
/// `OMPI_*`/`PMIX_*`/`OPAL_*`/`ORTE_*` variables MPI put into our environment (a child that runs
/// MPI itself would otherwise try to join this job). Every read has a deadline.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ExecutorProcessError: Error, CustomStringConvertible {
    var description: String
}

final class ExecutorProcess {
    let command: String
    let pid: pid_t
    private var input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []
    private var reaped: Int32?
    /// Longest answer line accepted (counts for a few thousand circuits fit many times over).
    static let maximumLineBytes = 64 << 20

    /// Start `/bin/sh -c command` with `extraEnvironment` added to ours (less MPI's variables).
    init(command: String, extraEnvironment: [String: String]) throws {
        self.command = command
        // A write to a child that has exited must be an error we report, not a SIGPIPE that
        // kills the rank.
        signal(SIGPIPE, SIG_IGN)
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw ExecutorProcessError(description: "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
        }
        environment.merge(extraEnvironment) { $1 }
        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        close(toChild[0])
        close(fromChild[1])
        guard code == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw ExecutorProcessError(description: "cannot start /bin/sh: \(String(cString: strerror(code)))")
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
    }

    /// Write one line (a newline is appended).
    func send(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExecutorProcessError(description: exitDescription(fallback: "cannot write to it (\(String(cString: strerror(errno))))"))
            }
            offset += n
        }
    }

    /// Read one line, waiting at most `timeout` seconds in all.
    func receive(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if buffer.count > Self.maximumLineBytes {
                throw ExecutorProcessError(description: "an answer line is longer than \(Self.maximumLineBytes >> 20) MiB")
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                throw ExecutorProcessError(description: "no answer within \(Self.seconds(timeout)) s (the executor's timeout); the executor was killed")
            }
            var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&descriptor, 1, Int32(min(remaining * 1000, 1000).rounded(.up)))
            if ready < 0 && errno != EINTR {
                throw ExecutorProcessError(description: "poll failed: \(String(cString: strerror(errno)))")
            }
            if ready <= 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ExecutorProcessError(description: "cannot read from it: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                let partial = buffer.isEmpty ? "" : " after an unterminated line"
                throw ExecutorProcessError(description: exitDescription(fallback: "it closed its output\(partial)"))
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// "it exited with status N" / "it was killed by signal S" once the child has ended (waiting a
    /// second for it), else `fallback`.
    private func exitDescription(fallback: String) -> String {
        let deadline = Date().addingTimeInterval(1)
        while reaped == nil && Date() < deadline {
            if poll() != nil { break }
            usleep(10_000)
        }
        guard let status = reaped else { return fallback }
        return status >= 128 ? "it was killed by signal \(status - 128)" : "it exited with status \(status)"
    }

    /// The exit status (128 + signal when killed) once the child has ended, else nil.
    @discardableResult
    private func poll() -> Int32? {
        if let reaped { return reaped }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7f
        reaped = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return reaped
    }

    /// Close its input (a well-behaved executor exits at end of input), give it `grace` seconds,
    /// then kill its process group.
    func stop(grace: Double) {
        if input >= 0 { close(input); input = -1 }
        let deadline = Date().addingTimeInterval(grace)
        while poll() == nil && Date() < deadline { usleep(10_000) }
        if poll() == nil {
            Glibc.kill(-pid, SIGKILL)
            Glibc.kill(pid, SIGKILL)
            let hard = Date().addingTimeInterval(5)
            while poll() == nil && Date() < hard { usleep(10_000) }
        }
    }

    /// Kill at once (after a timeout or a protocol error: its state is unknown).
    func kill() {
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        stop(grace: 0)
    }

    deinit {
        stop(grace: 2)
        close(output)
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(s)
    }
}
