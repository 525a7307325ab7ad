#include "CSupport.h"
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void csupport_line_buffer_stdio(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}
void csupport_write_stderr(const char *text) { fputs(text, stderr); fflush(stderr); }
void csupport_write_stdout(const char *text) { fputs(text, stdout); fflush(stdout); }
int csupport_stderr_isatty(void) { return isatty(fileno(stderr)); }
int csupport_stdout_isatty(void) { return isatty(fileno(stdout)); }

/* The notice is replaced rarely (once per run) and read by the handler: a pointer swap keeps the
   handler from ever seeing a half-written string; the old copy is leaked on purpose. */
static char *volatile signal_notice = NULL;

void csupport_set_signal_notice(const char *notice) {
    signal_notice = notice ? strdup(notice) : NULL;
}

static void write_all(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t n = write(STDERR_FILENO, text, length);
        if (n <= 0) return;
        text += n;
        length -= (size_t)n;
    }
}

static volatile sig_atomic_t signal_quiet = 0;
static char *volatile signal_unlink_path = NULL;

void csupport_set_signal_unlink(const char *path) { signal_unlink_path = path ? strdup(path) : NULL; }

void csupport_set_signal_quiet(int quiet) { signal_quiet = quiet; }

static volatile sig_atomic_t signal_clear_line = 0;

void csupport_set_signal_clear_line(int clear) { signal_clear_line = clear; }

/* Under a launcher (mpirun, srun) the stop line reaches the terminal only through the launcher,
   which relays a rank's output from its event loop — and, stopping the job itself, may exit
   before it has read a rank's last line if that rank is already gone. Rank 0 therefore stays
   a moment after writing it. Decided at install time: getenv is not async-signal-safe. */
static volatile sig_atomic_t signal_linger_ms = 0;

static void stop_handler(int signal_number) {
    const char *owner = signal_unlink_path;
    if (owner) unlink(owner);
    if (signal_quiet) _exit(128 + signal_number);
    if (signal_clear_line) write_all("\r\033[2K");
    write_all(signal_number == SIGINT ? "qnncut: stopped by SIGINT" : "qnncut: stopped by SIGTERM");
    const char *notice = signal_notice;
    if (notice) write_all(notice);
    write_all("\n");
    if (signal_linger_ms > 0) {
        struct timespec pause = { signal_linger_ms / 1000, (long)(signal_linger_ms % 1000) * 1000000L };
        nanosleep(&pause, NULL);
    }
    _exit(128 + signal_number);
}

void csupport_install_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = stop_handler;
    /* One stop line: a SIGTERM from the launcher while the SIGINT handler lingers waits. */
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK") || getenv("SLURM_PROCID"))
        signal_linger_ms = 300;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A parent may have started us with these signals blocked (the mask is inherited through
       fork and exec): the handler would then never run. */
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &stops, NULL);
}
