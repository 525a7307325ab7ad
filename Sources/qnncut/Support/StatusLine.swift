/// The one-line live status (a progress bar) at the bottom of stderr, shared by everything that
/// writes to stderr on rank 0 while it is shown.
///
/// Under `mpirun` a rank's stderr is a pipe even in a terminal (Open MPI gives it a terminal on
/// stdout only) and Open MPI forwards partial lines as they come, so the bar is drawn on stderr
/// whenever stdout *or* stderr is a terminal (or `--progress` says so). A heartbeat thread
/// redraws it four times a second with the time spent in the current phase, so a slow first
/// step, an evaluation or a checkpoint never looks like a hang. `Log` lines erase it first and
/// redraw it after; the C stop handler erases it before its line (`csupport_set_signal_clear_line`).
import CSupport
import Foundation

final class StatusLine: @unchecked Sendable {
    static let shared = StatusLine()

    /// Guards everything below; the heartbeat thread and the main thread both draw.
    private let lock = NSLock()
    private var active = false
    private var shown = false
    private var text = ""
    private var fraction: Double?
    private var since = Date().timeIntervalSince1970
    private var tick = 0
    private var heartbeat: Thread?

    /// Whether a bar should be drawn: `--progress`/`--no-progress` decide, else a terminal on
    /// stdout or stderr.
    static func wanted(_ forced: Bool?) -> Bool {
        if let forced { return forced }
        if csupport_stderr_isatty() == 1 { return true }
        guard csupport_stdout_isatty() == 1 else { return false }
        // Open MPI gives a rank a terminal on stdout even when mpirun's output goes to a file:
        // under mpirun, draw only when the launcher's own stderr is a terminal.
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil else { return true }
        return launcherStderrIsTerminal()
    }

    /// Whether the parent process's (mpirun's) stderr is a terminal, from /proc (Linux).
    static func launcherStderrIsTerminal() -> Bool {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/fd/2")) ?? ""
        return target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty")
    }

    /// Shows the bar from now on, with its first text.
    func start(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        active = true
        csupport_set_signal_clear_line(1)
        set(text, fraction: nil)
        guard heartbeat == nil else { return }
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                lock.lock()
                if active { tick += 1; draw() }
                lock.unlock()
            }
        }
        thread.name = "qnncut-status"
        heartbeat = thread
        thread.start()
    }

    /// New text (a step done, a new phase); `fraction` (0...1) fills the bar. The clock shown
    /// after the text restarts: it says how long the work since the last update has taken.
    func update(_ text: String, fraction: Double?) {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return }
        set(text, fraction: fraction)
    }

    /// Writes `line` (ending in a newline) above the bar.
    func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        erase()
        csupport_write_stderr(line)
        if active { draw() }
    }

    /// Erases the bar for good (the run ended, or is about to print its summary or an error).
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        erase()
        active = false
        csupport_set_signal_clear_line(0)
    }

    var isActive: Bool {
        lock.lock()
        defer { lock.unlock() }
        return active
    }

    // MARK: - Under the lock

    private func set(_ text: String, fraction: Double?) {
        since = Date().timeIntervalSince1970
        self.text = text
        self.fraction = fraction ?? self.fraction
        draw()
    }

    private func draw() {
        let width = 24
        let filled = max(0, min(width, Int((fraction ?? 0) * Double(width))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let spinner = ["|", "/", "-", "\\"][tick % 4]
        let seconds = Date().timeIntervalSince1970 - since
        csupport_write_stderr("\r\u{1B}[2K[\(bar)] \(text) \(spinner) \(String(format: "%.1fs", seconds))")
        shown = true
    }

    private func erase() {
        if shown { csupport_write_stderr("\r\u{1B}[2K") }
        shown = false
    }
}
