internal import CFileCleanup

/// The signal handlers that remove temporary outputs (`ArrayStreamWriter`'s) when a run is
/// ended by SIGINT, SIGTERM or SIGHUP; the handler then re-raises the signal with its default
/// action. Installing also ignores SIGPIPE, so a closed pipe is a write error, not a silent exit.
///
/// The command-line tool installs them at start; a library user's process keeps its own
/// handlers unless it calls `install()`.
public enum SignalCleanup {
  public static func install() { og_cleanup_install() }
}
