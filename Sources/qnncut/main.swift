import CSupport

#if canImport(Glibc)
import Glibc
#endif

// Line-buffer stdout so that a rank's output survives an abort of the job (platform notes).
csupport_line_buffer_stdio()
// Signals end a training run with a notice instead of silence (Support/Signals.swift).
Signals.install()
// Parse errors use the one error format too: `qnncut: error: <where>: <what>`, exit code 1, and a
// pointer to the help (help and --version still print and exit 0).
do {
    var command = try QNNCut.parseAsRoot()
    try command.run()
} catch {
    let code = QNNCut.exitCode(for: error)
    if code.isSuccess { QNNCut.exit(withError: error) }
    let message = QNNCut.message(for: error)
    let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
    let first = text.split(separator: "\n").first.map(String.init) ?? text
    Log.error(first.count <= ErrorFormat.maxLength ? first : String(first.prefix(ErrorFormat.maxLength - 1)) + "…")
    // The usage lines ArgumentParser would print after its own "Error:" line.
    let usage = QNNCut.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
        .drop { !$0.hasPrefix("Usage:") }.joined(separator: "\n")
    csupport_write_stderr(usage.isEmpty ? "See 'qnncut --help'.\n" : usage + "\n")
    exit(1)
}
