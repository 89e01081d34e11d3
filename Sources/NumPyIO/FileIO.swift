import TensorCore

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

  /// The complete contents of the regular file `path` leads to (through any links).
  static func readAll(_ path: String) throws(NumPyIOError) -> [UInt8] {
    do {
      return try RegularFile.read(path, expecting: "a .npy or .npz file")
    } catch {
      throw NumPyIOError(file: path, kind: .io, "cannot read: \(error.reason)")
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
    let (fd, temp) = try createTemporary(besides: path)
    do throws(NumPyIOError) {
      try writeAll(bytes, to: fd, at: 0, path: path)
      try finish(fd, path: path)
      return temp
    } catch {
      unlink(temp)
      throw error
    }
  }

  /// Creates a new hidden temporary file in `path`'s folder, open for writing: its descriptor
  /// and path. The name is short whatever the target's length, so a name near the file-name
  /// limit still works.
  static func createTemporary(besides path: String) throws(NumPyIOError) -> (fd: Int32, path: String) {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !base.isEmpty else {
      throw NumPyIOError(file: path, kind: .io, "cannot write: the path names a directory, expected a file name")
    }
    let temp = "\(directory).onnxgrad-\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw systemError(path, "create a temporary file in its folder", errno) }
    return (fd, temp)
  }

  /// Writes all of `bytes` at `offset` of `fd` (retrying short and interrupted writes); `path`
  /// names the target in errors.
  static func writeAll(_ bytes: [UInt8], to fd: Int32, at offset: Int, path: String) throws(NumPyIOError) {
    try bytes.withUnsafeBytes { raw in Result { () throws(NumPyIOError) in try writeAll(raw, to: fd, at: offset, path: path) } }
      .get()
  }

  /// Writes every byte of `bytes` to `fd` at `offset` (retrying short writes and EINTR).
  static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, at offset: Int, path: String) throws(NumPyIOError) {
    var written = 0
    while written < bytes.count {
      let n = pwrite(fd, bytes.baseAddress.map { $0 + written }, bytes.count - written, off_t(offset + written))
      if n < 0 {
        if errno == EINTR { continue }
        throw systemError(path, "write", errno)
      }
      written += n
    }
  }

  /// Flushes `fd` to the device and closes it; closes it on failure too.
  static func finish(_ fd: Int32, path: String) throws(NumPyIOError) {
    guard fsync(fd) == 0 else {
      let code = errno
      close(fd)
      throw systemError(path, "flush", code)
    }
    guard close(fd) == 0 else { throw systemError(path, "close", errno) }
  }
}
