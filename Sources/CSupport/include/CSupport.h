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

#endif
