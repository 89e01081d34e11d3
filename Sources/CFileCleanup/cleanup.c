#include "file_cleanup.h"

#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#define SLOTS 256

static char paths[SLOTS][PATH_MAX];
static int folder[SLOTS];
/* 0: free, 1: being written, 2: registered. */
static atomic_int state[SLOTS];
static atomic_int installed;
static const int handled[] = {SIGINT, SIGTERM, SIGHUP};

/* Nonzero while a commit runs: a handled signal that reaches any thread then is held in
 * `deferred_signal` and acted on when the commit ends, so the commit happens whole even when
 * the kernel hands the signal to a thread other than the committing one. */
static atomic_int committing;
static atomic_int deferred_signal;

static void clean_up_and_reraise(int signal_number);

static void remove_registered(int signal_number) {
    if (atomic_load(&committing)) {
        atomic_store(&deferred_signal, signal_number);
        return;
    }
    clean_up_and_reraise(signal_number);
}

static void clean_up_and_reraise(int signal_number) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = SLOTS - 1; i >= 0; i--) {
            if (atomic_load(&state[i]) != 2 || folder[i] != pass) continue;
            if (pass == 0) unlink(paths[i]); else rmdir(paths[i]);
        }
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal_number, &fallback, NULL);
    raise(signal_number);
}

void og_cleanup_install(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = remove_registered;
    sigemptyset(&action.sa_mask);
    for (unsigned i = 0; i < sizeof handled / sizeof handled[0]; i++) sigaddset(&action.sa_mask, handled[i]);
    for (unsigned i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        /* A signal the parent set to be ignored (nohup, a background job) stays ignored. */
        struct sigaction previous;
        if (sigaction(handled[i], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
        sigaction(handled[i], &action, NULL);
    }
    /* A parent may hand down these signals blocked; the run must be interruptible. */
    og_cleanup_block_signals(0);
    signal(SIGPIPE, SIG_IGN);
}

int og_cleanup_register(const char *path, int is_folder) {
    size_t length = strlen(path);
    if (length >= PATH_MAX) return -1;
    for (int i = 0; i < SLOTS; i++) {
        int expected = 0;
        if (!atomic_compare_exchange_strong(&state[i], &expected, 1)) continue;
        memcpy(paths[i], path, length + 1);
        folder[i] = is_folder ? 1 : 0;
        atomic_store(&state[i], 2);
        return i;
    }
    return -1;
}

void og_cleanup_forget(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    atomic_store(&state[slot], 0);
}

void og_cleanup_block_signals(int block) {
    sigset_t set;
    sigemptyset(&set);
    for (unsigned i = 0; i < sizeof handled / sizeof handled[0]; i++) sigaddset(&set, handled[i]);
    if (block) {
        atomic_store(&committing, 1);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        return;
    }
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    atomic_store(&committing, 0);
    int pending = atomic_exchange(&deferred_signal, 0);
    if (pending) clean_up_and_reraise(pending);
}
