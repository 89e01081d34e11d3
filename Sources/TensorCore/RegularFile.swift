#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole reads of files a user names: models, external weights and input arrays.
///
/// The type check is made on the open descriptor (`fstat`), so it sees the file a path leads
/// to through any chain of symbolic links, relative or absolute, and cannot race with a rename.
public enum RegularFile {
  /// Why a read failed, worded to follow "cannot read '<path>': ".
  public struct Failure: Error, Sendable {
    public let reason: String
  }

  /// The complete contents of the regular file `path` leads to.
  ///
  /// Refuses directories, devices, FIFOs and sockets without blocking on them (the open is
  /// non-blocking), and files larger than `maxBytes`. `what` names the kind of file expected in
  /// the refusal ("an ONNX model", "a .npy or .npz file").
  public static func read(_ path: String, expecting what: String, maxBytes: Int = .max) throws(Failure) -> [UInt8] {
    let (fd, size) = try open(path, expecting: what)
    defer { close(fd) }
    guard size <= maxBytes else {
      throw Failure(reason: "the file's \(size) bytes are more than the \(maxBytes) this run may read into memory")
    }
    var out = [UInt8](repeating: 0, count: size)
    var filled = 0
    while true {
      if filled == out.count { out.append(contentsOf: repeatElement(0, count: max(1 << 16, out.count / 2))) }
      let n = out.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress.map { $0 + filled }, $0.count - filled) }
      if n < 0 {
        if errno == EINTR { continue }
        throw Failure(reason: "read failed: \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      filled += n
      guard filled <= maxBytes else {
        throw Failure(reason: "the file grew past the \(maxBytes) bytes this run may read into memory")
      }
    }
    out.removeLast(out.count - filled)
    return out
  }

  /// Opens the regular file `path` leads to for reading: its descriptor (the caller closes it)
  /// and size. Refuses directories, devices, FIFOs and sockets without blocking on them.
  public static func open(_ path: String, expecting what: String) throws(Failure) -> (fd: Int32, size: Int) {
    let fd = systemOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else {
      let code = errno
      throw Failure(reason: code == ENOENT ? "no such file" : String(cString: strerror(code)))
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let code = errno
      close(fd)
      throw Failure(reason: "cannot stat: \(String(cString: strerror(code)))")
    }
    let type = info.st_mode & S_IFMT
    guard type == S_IFREG else {
      close(fd)
      throw Failure(
        reason: type == S_IFDIR ? "it is a directory, expected \(what)" : "not a regular file (a device, FIFO or socket), expected \(what)")
    }
    return (fd, Int(info.st_size))
  }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}
