/// The reliability suite's case counter: every bad input, fuzz input, kill trial and failure case
/// is one case; `ReliabilityTests.tally` (run last) prints `reliability: N passed, M failed`.
import Synchronization
import Testing

enum Tally {
    private static let counts = Mutex((passed: 0, failed: 0))

    /// Record one case: `problems` empty means it passed; each problem becomes a test issue.
    static func record(_ name: String, _ problems: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        counts.withLock { problems.isEmpty ? ($0.passed += 1) : ($0.failed += 1) }
        for p in problems { Issue.record("\(name): \(p)", sourceLocation: sourceLocation) }
    }

    /// Record `count` cases that all passed (fuzz inputs that ended in a value or a clean error).
    static func recordPassed(_ count: Int) { counts.withLock { $0.passed += count } }

    /// Run a group of cases; an error thrown out of it (set-up failed) counts as one failed case.
    static func group(_ name: String, _ body: () throws -> Void) rethrows {
        do { try body() } catch {
            counts.withLock { $0.failed += 1 }
            print("reliability group \(name): stopped by \(error)")
            throw error
        }
    }

    static var line: String {
        counts.withLock { "reliability: \($0.passed) passed, \($0.failed) failed" }
    }
    static var failed: Int { counts.withLock { $0.failed } }
}

/// Collects the problems of one case.
struct CaseCheck {
    var problems: [String] = []
    mutating func expect(_ ok: Bool, _ message: @autoclosure () -> String) {
        if !ok { problems.append(message()) }
    }
}
