import Foundation

/// Writes `text` and a newline to standard output, unbuffered. A failed write (a full disk, a
/// closed pipe) ends the run: the error goes to stderr and the exit status is 1.
///
/// Shadows `Swift.print` for strings in this module, so no summary line can be lost unnoticed.
func print(_ text: String) {
  guard writeAll(text + "\n", to: STDOUT_FILENO) else {
    note("error: cannot write to standard output: \(String(cString: strerror(errno)))")
    exit(1)
  }
}

/// Writes one line to stderr (a failing stderr is ignored: there is nowhere left to report it).
func note(_ line: String) {
  _ = writeAll(line + "\n", to: STDERR_FILENO)
}

/// Writes every byte of `text` to `fd`, retrying interrupted and partial writes; false on failure.
private func writeAll(_ text: String, to fd: Int32) -> Bool {
  var bytes = Array(text.utf8)
  return bytes.withUnsafeMutableBytes { buffer in
    var done = 0
    while done < buffer.count {
      let n = write(fd, buffer.baseAddress.map { $0 + done }, buffer.count - done)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      done += n
    }
    return true
  }
}
