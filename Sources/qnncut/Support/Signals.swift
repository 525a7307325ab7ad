/// SIGINT and SIGTERM (Ctrl-C, `kill`, `timeout`, Slurm's preemption warning) end `qnncut` with one
/// line on stderr and exit code 128 + signal, instead of an exit code 1 and silence.
///
/// A stop at any moment is safe for a training run — checkpoints are replaced atomically and the
/// trace is readable up to its last flush, exactly as after SIGKILL (README, Guarantees) — so the
/// handler does not wait for the step to finish: it says where the checkpoint is and how to
/// continue, and leaves at once — under a launcher (mpirun, srun) 0.3 s after its line, so that the
/// launcher, tearing the job down, still relays the line to the terminal. The handler itself is in
/// C (`CSupport`): it may only call async-signal-safe functions.
import CSupport

enum Signals {
    /// Install the handlers (once, at start-up).
    static func install() { csupport_install_signal_handlers() }

    /// Ranks other than 0 stop without a line (rank 0 speaks for the job).
    static func quiet() { csupport_set_signal_quiet(1) }

    /// From now on a stop also names the checkpoint and the command that resumes the run.
    static func noteTrainingRun(checkpoint: String, resumeCommand: String) {
        csupport_set_signal_notice("; the checkpoint \(checkpoint) holds the last completed step (if any); continue with: \(resumeCommand)")
    }
}
