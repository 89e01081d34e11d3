internal import CFileCleanup
import Foundation
public import TensorCore

/// Where `ArrayStreamWriter` puts its arrays.
public enum ArrayDestination: Sendable, Equatable {
  /// One `.npy` file (exactly one array).
  case npy(String)
  /// `<directory>/<name>.npy` for each array; the directory and missing parents are created.
  case directory(String)
  /// A `.npz` archive of stored (uncompressed) `<name>.npy` members, zip64 where sizes need it.
  case npz(String)

  public var path: String {
    switch self {
    case .npy(let p), .directory(let p), .npz(let p): p
    }
  }
}

/// Arrays of known final shapes written chunk by chunk of rows (axis 0) straight into their
/// files, so no whole result is ever held in memory; all are committed together or none.
///
/// Files are created with their final size under short hidden temporary names beside their
/// targets and renamed into place by `commit()` once every byte is written and flushed. Until
/// then `abort()` (also run when the writer is dropped uncommitted) removes the temporaries and
/// every folder the writer created; existing files at the targets are never touched before the
/// rename. Temporaries and created folders are also registered with `CFileCleanup`, so a run
/// ended by SIGINT, SIGTERM or SIGHUP (where the tool installed its handler) leaves nothing
/// either; the renames of a commit run with those signals blocked, so a commit happens whole.
public final class ArrayStreamWriter {
  /// One array: its name (file name without `.npy`), dtype and final shape.
  public struct Member: Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]

    public init(name: String, dtype: DType, shape: [Int]) {
      self.name = name
      self.dtype = dtype
      self.shape = shape
    }
  }

  /// Where one member's bytes go: a file descriptor, the offset of its first data byte, and how
  /// many data bytes it takes.
  private struct Slot {
    var fd: Int32
    var dataOffset: Int
    var dataBytes: Int
    var written = 0
    /// The running CRC-32 of the member's `.npy` bytes (`.npz` only).
    var crc: UInt32 = 0
    var record: ZipWriter.MemberRecord?
  }

  public let destination: ArrayDestination
  public let members: [Member]
  private var slots: [Slot] = []
  /// Temporary file → final path, in commit order.
  private var files: [(temp: String, target: String, fd: Int32)] = []
  private var createdFolder: String?
  /// Slots in the signal-time cleanup registry.
  private var cleanupSlots: [Int32] = []
  private var directoryOffset = 0
  private var finished = false
  private let forceZip64: Bool

  /// Creates the temporary files for `members` at `destination`; throws (leaving nothing
  /// behind) when a name is unusable, a shape overflows, or a file cannot be created.
  public convenience init(_ destination: ArrayDestination, members: [Member]) throws(NumPyIOError) {
    try self.init(destination, members: members, forceZip64: false)
  }

  /// `forceZip64` writes zip64 records even for small archives (for tests).
  init(_ destination: ArrayDestination, members: [Member], forceZip64: Bool) throws(NumPyIOError) {
    self.destination = destination
    self.members = members
    self.forceZip64 = forceZip64
    do throws(NumPyIOError) {
      try Self.checkNames(members, destination)
      switch destination {
      case .npy(let path):
        try openNPY(members[0], path: path)
      case .directory(let directory):
        try prepareDirectory(directory)
        for m in members { try openNPY(m, path: (directory as NSString).appendingPathComponent(m.name + ".npy")) }
      case .npz(let path):
        try openNPZ(path)
      }
    } catch {
      abort()
      throw error
    }
  }

  deinit { abort() }

  /// Writes the next rows of every member: `chunks[i]` holds member i's next rows (its shape is
  /// the member's with any row count on axis 0; a member of rank 0 comes whole).
  public func append(_ chunks: [Tensor]) throws(NumPyIOError) {
    guard !finished, chunks.count == members.count else {
      throw fail(.invalidArgument, "internal: \(chunks.count) arrays appended to a writer of \(members.count)")
    }
    for (i, chunk) in chunks.enumerated() {
      let m = members[i]
      guard chunk.dtype == m.dtype, chunk.shape.dropFirst() == m.shape.dropFirst() || chunk.shape == m.shape else {
        throw fail(.invalidArgument, "internal: rows of \(chunk.dtype)\(chunk.shape) appended to '\(m.name)' \(m.dtype)\(m.shape)")
      }
      let slot = slots[i]
      let path = target(of: i)
      let crc: UInt32 = try NPYElements.withEncodedBytes(chunk.storage) { (bytes) throws(NumPyIOError) -> UInt32 in
        guard slot.written + bytes.count <= slot.dataBytes else {
          throw fail(.invalidArgument, "internal: more rows appended to '\(m.name)' than its shape \(m.shape) holds")
        }
        let offset = slot.dataOffset + slot.written
        try FileIO.writeAll(bytes, to: slot.fd, at: offset, path: path)
        og_start_writeback(slot.fd, Int64(offset), Int64(bytes.count))
        return slot.record == nil ? slot.crc : Zlib.crc32(bytes, continuing: slot.crc)
      }
      slots[i].crc = crc
      slots[i].written += chunk.count * chunk.dtype.byteSize
    }
  }

  /// Checks that every row was written, finishes the archive's records, flushes, and renames
  /// every file into place.
  public func commit() throws(NumPyIOError) {
    do throws(NumPyIOError) {
      for (i, s) in slots.enumerated() where s.written != s.dataBytes {
        throw fail(.invalidArgument, "internal: '\(members[i].name)' got \(s.written) of its \(s.dataBytes) data bytes")
      }
      if case .npz = destination { try writeDirectoryRecords() }
      for f in files { try FileIO.finish(f.fd, path: f.target) }
      files = files.map { ($0.temp, $0.target, -1) }
      og_cleanup_block_signals(1)
      defer { og_cleanup_block_signals(0) }
      for f in files { try FileIO.commit(f.temp, to: f.target) }
      finished = true
      forgetCleanup()
    } catch {
      abort()
      throw error
    }
  }

  /// Removes every temporary file and created folder (nothing once committed).
  public func abort() {
    guard !finished else { return }
    finished = true
    for f in files {
      if f.fd >= 0 { close(f.fd) }
      unlink(f.temp)
    }
    files = []
    if let createdFolder { try? FileManager.default.removeItem(atPath: createdFolder) }
    forgetCleanup()
  }

  private func registerCleanup(_ path: String, folder: Bool) {
    let slot = og_cleanup_register(path, folder ? 1 : 0)
    if slot >= 0 { cleanupSlots.append(slot) }
  }

  private func forgetCleanup() {
    for slot in cleanupSlots { og_cleanup_forget(slot) }
    cleanupSlots = []
  }

  private func fail(_ kind: NumPyIOError.Kind, _ message: String) -> NumPyIOError {
    NumPyIOError(file: destination.path, kind: kind, message)
  }

  private func target(of member: Int) -> String {
    switch destination {
    case .npy(let p), .npz(let p): p
    case .directory(let d): (d as NSString).appendingPathComponent(members[member].name + ".npy")
    }
  }

  private static func dataBytes(_ m: Member, _ destination: ArrayDestination) throws(NumPyIOError) -> Int {
    guard let count = ShapeSize.count(m.shape), let bytes = ShapeSize.bytes(count: count, byteSize: m.dtype.byteSize) else {
      throw NumPyIOError(file: destination.path, kind: .invalidArgument, "array '\(m.name)' of shape \(m.shape) is too large")
    }
    return bytes
  }

  private static func checkNames(_ members: [Member], _ destination: ArrayDestination) throws(NumPyIOError) {
    func fail(_ message: String) -> NumPyIOError { NumPyIOError(file: destination.path, kind: .invalidArgument, message) }
    if case .npy = destination, members.count != 1 {
      throw fail("\(members.count) arrays are written here; give a directory or a .npz file")
    }
    var names = Set<String>()
    for m in members {
      guard !m.name.isEmpty, !m.name.contains("/") else { throw fail("'\(m.name)' is not a file name") }
      guard m.name.utf8.count + 4 <= NPY.maxFileNameBytes else {
        throw fail("'\(m.name).npy' is longer than the \(NPY.maxFileNameBytes) bytes a file name may have")
      }
      guard names.insert(m.name).inserted else { throw fail("two arrays are named '\(m.name)'") }
    }
  }

  private func prepareDirectory(_ directory: String) throws(NumPyIOError) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw fail(.invalidArgument, "exists and is not a directory") }
    } else {
      let outermost = NPY.outermostMissing(directory)
      createdFolder = outermost
      var chain = [directory]
      while let last = chain.last, last != outermost, !last.isEmpty {
        chain.append((last as NSString).deletingLastPathComponent)
      }
      for folder in chain.reversed() { registerCleanup(folder, folder: true) }
      for folder in chain.reversed() where mkdir(folder, 0o777) != 0 && errno != EEXIST {
        throw fail(.io, "cannot create the directory '\(folder)': \(String(cString: strerror(errno)))")
      }
    }
    for m in members {
      let t = (directory as NSString).appendingPathComponent(m.name + ".npy")
      if fm.fileExists(atPath: t, isDirectory: &isDirectory) && isDirectory.boolValue {
        throw fail(.invalidArgument, "'\(t)' is a directory; it would be replaced by an array")
      }
    }
  }

  /// A temporary `.npy` file for `m` with its header written and its final size set.
  private func openNPY(_ m: Member, path: String) throws(NumPyIOError) {
    let header = NPYHeader.encode(descr: NPY.descr(for: m.dtype), shape: m.shape)
    let bytes = try Self.dataBytes(m, destination)
    let (fd, temp) = try FileIO.createTemporary(besides: path)
    files.append((temp, path, fd))
    registerCleanup(temp, folder: false)
    try FileIO.writeAll(header, to: fd, at: 0, path: path)
    guard ftruncate(fd, off_t(header.count + bytes)) == 0 else {
      throw NumPyIOError(file: path, kind: .io, "cannot set the file's size: \(String(cString: strerror(errno)))")
    }
    slots.append(Slot(fd: fd, dataOffset: header.count, dataBytes: bytes))
  }

  /// One temporary archive laid out in full: each member's local header (written at commit,
  /// when its CRC is known), `.npy` header and data, then the directory.
  private func openNPZ(_ path: String) throws(NumPyIOError) {
    let (fd, temp) = try FileIO.createTemporary(besides: path)
    files.append((temp, path, fd))
    registerCleanup(temp, folder: false)
    var offset = 0
    for m in members {
      let header = NPYHeader.encode(descr: NPY.descr(for: m.dtype), shape: m.shape)
      let bytes = try Self.dataBytes(m, destination)
      let name: [UInt8]
      do { name = try ZipWriter.checkedName(m.name + ".npy") } catch { throw fail(.invalidArgument, error.message) }
      let size = UInt64(header.count + bytes)
      let record = ZipWriter.MemberRecord(
        name: name, crc: 0, size: size, compressedSize: size, offset: UInt64(offset), deflated: false,
        forceZip64: forceZip64)
      let npyStart = offset + ZipWriter.localHeaderLength(record)
      try FileIO.writeAll(header, to: fd, at: npyStart, path: path)
      var slot = Slot(fd: fd, dataOffset: npyStart + header.count, dataBytes: bytes, record: record)
      slot.crc = Zlib.crc32(header)
      slots.append(slot)
      offset = npyStart + Int(size)
    }
    directoryOffset = offset
  }

  private func writeDirectoryRecords() throws(NumPyIOError) {
    guard let fd = files.first?.fd else { return }
    let path = destination.path
    var central: [UInt8] = []
    for s in slots {
      guard var record = s.record else { continue }
      record.crc = s.crc
      try FileIO.writeAll(ZipWriter.localHeader(record), to: fd, at: Int(record.offset), path: path)
      central += ZipWriter.centralEntry(record)
    }
    central += ZipWriter.end(
      count: UInt64(slots.count), directoryOffset: UInt64(directoryOffset), directorySize: UInt64(central.count),
      forceZip64: forceZip64)
    try FileIO.writeAll(central, to: fd, at: directoryOffset, path: path)
  }
}
