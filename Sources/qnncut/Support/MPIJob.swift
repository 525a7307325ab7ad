/// Runs a subcommand's body as an MPI job: initialise, run, finalize — and on failure print one
/// clear line and leave with a non-zero exit code instead of a stack trace or a hung job.
import CSupport
import MPI

enum MPIJob {
    /// Run `body` with the world communicator, then finalize MPI.
    ///
    /// An error thrown on every rank (bad input found before any collective) ends the job cleanly
    /// with exit code 1, the message printed once by rank 0. An error on some ranks only cannot be
    /// finalized safely (the others may wait in a collective), so it aborts the whole job, naming
    /// the rank; mpirun then exits with the same code within seconds.
    static func run(_ body: (Communicator) throws -> Void) -> Never {
        let world: Communicator
        do { world = try Communicator.world() } catch {
            Log.error(ErrorFormat.line(for: error))
            exit(1)
        }
        if !world.isRoot { Signals.quiet() }
        // Every rank takes part; rank 0 tells a person at a terminal (never a pipe or a log).
        if let note = try? Oversubscription.note(world), StatusLine.wanted(nil) { Log.info(note) }
        do {
            try body(world)
        } catch {
            fail(world, error)
        }
        do { try MPI.finalize() } catch { Log.error("\(error)") ; exit(1) }
        exit(0)
    }

    private static func fail(_ world: Communicator, _ error: Error) -> Never {
        let message = ErrorFormat.line(for: error)
        if world.size == 1 || error is AgreedFailure {
            // Every rank has this error: rank 0 says it once, and the job ends cleanly.
            if world.rank == 0 { Log.error(message) }
            try? MPI.finalize()
            exit(1)
        }
        Log.error("rank \(world.rank): \(message)")
        MPI.abort(exitCode: 1)
    }
}

/// Diagnostics go to stderr, results to stdout.
enum Log {
    // Through the status line, which erases a progress bar first (and redraws it after).
    static func error(_ message: String) {
        StatusLine.shared.stop()
        csupport_write_stderr("qnncut: error: \(message)\n")
    }
    static func warning(_ message: String) { StatusLine.shared.write("qnncut: warning: \(message)\n") }
    static func info(_ message: String) { StatusLine.shared.write("qnncut: \(message)\n") }
}

#if canImport(Glibc)
import Glibc
#endif
