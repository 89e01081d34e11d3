#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and atomic whole-file writes over POSIX calls, with errors that name the file.
enum FileIO {
  private static func systemError(_ path: String, _ action: String, _ code: Int32) -> NumPyIOError {
    NumPyIOError(file: path, kind: .io, "cannot \(action): \(String(cString: strerror(code)))")
  }

  /// The complete contents of the file at `path`.
  static func readAll(_ path: String) throws(NumPyIOError) -> [UInt8] {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; anything but a regular file is refused.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw systemError(path, "open for reading", errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw systemError(path, "stat", errno) }
    guard (info.st_mode & S_IFMT) != S_IFDIR else {
      throw NumPyIOError(file: path, kind: .io, "cannot read: it is a directory, expected a file")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw NumPyIOError(file: path, kind: .io, "cannot read: not a regular file (a device, FIFO or socket), expected a .npy or .npz file")
    }
    var out: [UInt8] = []
    out.reserveCapacity(max(0, Int(info.st_size)))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw systemError(path, "read", errno)
      }
      if n == 0 { return out }
      out.append(contentsOf: chunk[0..<n])
    }
  }

  /// Writes `bytes` to a temporary file next to `path`, flushes it, and renames it over `path`.
  ///
  /// On any failure the temporary file is removed and `path` is untouched.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(NumPyIOError) {
    let temp = try writeTemporary(bytes, besides: path)
    try commit(temp, to: path)
  }

  /// Renames a temporary file from `writeTemporary` over `path`; removes it if that fails.
  static func commit(_ temp: String, to path: String) throws(NumPyIOError) {
    guard rename(temp, path) == 0 else {
      let code = errno
      unlink(temp)
      throw systemError(path, "rename the temporary file into place", code)
    }
  }

  /// Writes and flushes `bytes` to a new hidden temporary file in `path`'s folder and returns
  /// its path; on failure nothing is left behind.
  static func writeTemporary(_ bytes: [UInt8], besides path: String) throws(NumPyIOError) -> String {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !base.isEmpty else {
      throw NumPyIOError(file: path, kind: .io, "cannot write: the path names a directory, expected a file name")
    }
    let temp = "\(directory).\(base).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw systemError(path, "create a temporary file in its folder", errno) }
    var closed = false
    do throws(NumPyIOError) {
      var written = 0
      while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, $0.count - written) }
        if n < 0 {
          if errno == EINTR { continue }
          throw systemError(path, "write", errno)
        }
        written += n
      }
      guard fsync(fd) == 0 else { throw systemError(path, "flush", errno) }
      closed = true
      guard close(fd) == 0 else { throw systemError(path, "close", errno) }
      return temp
    } catch {
      if !closed { close(fd) }
      unlink(temp)
      throw error
    }
  }
}
