#ifndef OG_FILE_CLEANUP_H
#define OG_FILE_CLEANUP_H

/* Files and folders to remove if the process is ended by SIGINT, SIGTERM or SIGHUP before it
 * finishes writing them: temporary output files and the folders a run created for its output.
 *
 * The handler is async-signal-safe: paths are copied into static slots when registered, and the
 * handler only calls unlink, rmdir, sigaction and raise. After cleaning up it re-raises the
 * signal with its default action, so the exit status still says which signal ended the run. */

/* Installs the handlers (once; later calls do nothing) for the signals not already ignored,
 * unblocks them on the calling thread, and ignores SIGPIPE, so writing to a closed pipe is an
 * error the caller sees (EPIPE) instead of a silent death. */
void og_cleanup_install(void);

/* Registers `path` (a file to unlink, or with is_folder an empty folder to rmdir; folders are
 * removed after files, the latest registered first). Returns a slot for og_cleanup_forget, or
 * -1 when every slot is taken or the path is too long (the path is then not cleaned up). */
int og_cleanup_register(const char *path, int is_folder);

/* Forgets a slot from og_cleanup_register (a negative slot is ignored). */
void og_cleanup_forget(int slot);

/* Blocks (1) or unblocks (0) the handled signals on the calling thread: a commit that renames
 * several files runs with them blocked, so it finishes whole. While blocked, a handled signal
 * that other threads of the process receive is deferred too, and acted on (clean-up, then the
 * signal's default action) when the commit unblocks. */
void og_cleanup_block_signals(int block);

#endif
