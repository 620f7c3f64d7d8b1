// Clean stop on SIGINT/SIGTERM for `genobench run`: the handler only sets a flag (and writes
// a fixed message with write(2), which is async-signal-safe); the runner polls the flag between
// runs. A second signal exits immediately with _exit (also async-signal-safe).
#include "GenoBenchSupport.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal = 0;
static char stop_message[256];
static size_t stop_message_length = 0;
static int stop_immediate_status = 130;

static void on_stop_signal(int sig) {
    if (stop_signal != 0) _exit(stop_immediate_status);
    stop_signal = sig;
    if (stop_message_length > 0) {
        ssize_t ignored = write(STDERR_FILENO, stop_message, stop_message_length);
        (void)ignored;
    }
}

void gb_install_stop_handlers(const char *message, int immediate_status) {
    stop_message_length = 0;
    if (message != NULL) {
        size_t n = strlen(message);
        if (n >= sizeof stop_message) n = sizeof stop_message - 1;
        memcpy(stop_message, message, n);
        stop_message_length = n;
    }
    stop_immediate_status = immediate_status;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int gb_stop_requested(void) { return (int)stop_signal; }
