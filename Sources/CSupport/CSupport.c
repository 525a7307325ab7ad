#include "CSupport.h"
#include <stdio.h>
#include <unistd.h>

void csupport_line_buffer_stdio(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}
void csupport_write_stderr(const char *text) { fputs(text, stderr); fflush(stderr); }
void csupport_write_stdout(const char *text) { fputs(text, stdout); fflush(stdout); }
int csupport_stderr_isatty(void) { return isatty(fileno(stderr)); }
