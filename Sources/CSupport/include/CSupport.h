// CSupport: small stdio details Swift 6 cannot reach (Glibc `stdout`/`stderr` are not importable
// as globals in the Swift 6 language mode). This module provides no stable Swift API.
#ifndef CSUPPORT_H
#define CSUPPORT_H

/// Line-buffer stdout and stderr, so a rank's output survives an abort of the job.
void csupport_line_buffer_stdio(void);
/// Write a string to stderr and flush.
void csupport_write_stderr(const char *text);
/// Write a string to stdout and flush.
void csupport_write_stdout(const char *text);
/// 1 when stderr is a terminal.
int csupport_stderr_isatty(void);
/// 1 when stdout is a terminal (under mpirun, Open MPI gives a rank a terminal on stdout only).
int csupport_stdout_isatty(void);
/// Nonzero: a progress bar may be on stderr's current line; the stop line erases it first.
void csupport_set_signal_clear_line(int clear);

/// Handle SIGINT and SIGTERM: write "qnncut: stopped by SIGINT" (or SIGTERM), then the notice set
/// with `csupport_set_signal_notice` if any, to stderr, and `_exit(128 + signal)`. Async-signal-safe:
/// the handler only calls `write` and `_exit`.
void csupport_install_signal_handlers(void);
/// Nonzero: stop without a line (ranks other than 0, so that a job prints one line, not one per rank).
void csupport_set_signal_quiet(int quiet);
/// A file to remove when a signal stops the process (the run lock's owner file); copied.
void csupport_set_signal_unlink(const char *path);
/// The rest of the stop line (e.g. "; the checkpoint is ..."); copied; NULL clears it.
void csupport_set_signal_notice(const char *notice);

#endif
