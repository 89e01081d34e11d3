import TensorCore

/// Reading and writing NumPy `.npz` archives: a zip of `<name>.npy` members.
public enum NPZ {
  /// The archive bytes: stored members like `np.savez`, or deflated like `np.savez_compressed`.
  ///
  /// Throws when a name is empty or repeated. Sizes past 4 GiB get zip64 records.
  public static func encode(
    _ members: [(name: String, tensor: Tensor)], compressed: Bool = false
  ) throws(NumPyIOError) -> [UInt8] {
    try encode(members, compressed: compressed, source: "npz archive")
  }

  /// Writes ``encode(_:compressed:)`` to `path` atomically (temporary file, then rename).
  public static func write(
    _ members: [(name: String, tensor: Tensor)], to path: String, compressed: Bool = false
  ) throws(NumPyIOError) {
    try FileIO.writeAtomically(encode(members, compressed: compressed, source: path), to: path)
  }

  /// The arrays of an `.npz` file in archive order, names without the `.npy` suffix.
  ///
  /// `maxBytes` bounds what the members may decompress to in all (by default the machine's
  /// physical memory); an archive that declares more is refused before anything is inflated.
  public static func read(_ path: String, maxBytes: Int = ShapeSize.memoryBudget) throws(NumPyIOError)
    -> [(name: String, tensor: Tensor)]
  {
    try decode(FileIO.readAll(path), source: path, maxBytes: maxBytes)
  }

  /// The arrays of the `.npz` file at `path`, each read by rows like a `.npy` file: stored
  /// members (`np.savez`) straight from the file's memory map, deflated ones
  /// (`np.savez_compressed`) inflated into memory, which `maxBytes` bounds in all. Every
  /// member's CRC-32 is checked first (a pass over a map releases its pages as it goes).
  public static func mapped(_ path: String, maxBytes: Int = ShapeSize.memoryBudget) throws(NumPyIOError)
    -> [(name: String, array: NPYMappedFile)]
  {
    let store = try ByteStore(mapping: path)
    func fail(_ message: String) -> NumPyIOError { NumPyIOError(file: path, kind: .badArchive, message) }
    let members: [ZipReader.Entry]
    do { members = try ZipReader.locatedMembers(store.bytes) } catch { throw fail(error.message) }
    let inflated = members.filter { $0.method == 8 }.reduce(0) { $0 &+ Int($1.size) }
    guard inflated <= maxBytes else {
      throw fail("the deflated members decompress to \(inflated) bytes, more than the \(maxBytes) this run may use; raise --max-memory if the archive is genuine")
    }
    var result: [(name: String, array: NPYMappedFile)] = []
    for m in members {
      guard m.name.hasSuffix(".npy") else { throw fail("member '\(m.name)' is not a .npy array") }
      let source = "\(path)[\(m.name)]"
      if m.method == 0 {
        var crc: UInt32 = 0
        var at = m.dataStart
        while at < m.dataStart + Int(m.size) {
          let n = min(1 << 24, m.dataStart + Int(m.size) - at)
          crc = Zlib.crc32(UnsafeRawBufferPointer(rebasing: store.bytes[at..<(at + n)]), continuing: crc)
          store.release(from: at, length: n)
          at += n
        }
        guard crc == m.crc else { throw fail("member '\(m.name)': CRC-32 mismatch, the data is damaged") }
        result.append((String(m.name.dropLast(4)), try NPYMappedFile(store, start: m.dataStart, count: Int(m.size), source: source)))
      } else {
        let data: [UInt8]
        do { data = try ZipReader.memberData(store.bytes, m) } catch { throw fail(error.message) }
        let owned = ByteStore(copying: data)
        result.append((String(m.name.dropLast(4)), try NPYMappedFile(owned, start: 0, count: owned.count, source: source)))
      }
    }
    return result
  }

  /// The arrays of `.npz` bytes; `source` names them in errors, `maxBytes` as in ``read(_:maxBytes:)``.
  public static func decode(_ bytes: [UInt8], source: String, maxBytes: Int = ShapeSize.memoryBudget)
    throws(NumPyIOError) -> [(name: String, tensor: Tensor)]
  {
    let files: [(name: String, data: [UInt8])]
    do {
      files = try ZipReader.members(bytes, maxTotalSize: UInt64(max(0, maxBytes)))
    } catch {
      throw NumPyIOError(file: source, kind: .badArchive, error.message)
    }
    var result: [(name: String, tensor: Tensor)] = []
    for file in files {
      guard file.name.hasSuffix(".npy") else {
        throw NumPyIOError(file: source, kind: .badArchive, "member '\(file.name)' is not a .npy array")
      }
      let tensor = try NPY.decode(file.data, source: "\(source)[\(file.name)]")
      result.append((String(file.name.dropLast(4)), tensor))
    }
    return result
  }

  static func encode(
    _ members: [(name: String, tensor: Tensor)], compressed: Bool, source: String, forceZip64: Bool = false
  ) throws(NumPyIOError) -> [UInt8] {
    var seen = Set<String>()
    for (name, _) in members {
      guard !name.isEmpty else {
        throw NumPyIOError(file: source, kind: .invalidArgument, "empty member name; every array needs a name")
      }
      guard seen.insert(name).inserted else {
        throw NumPyIOError(file: source, kind: .invalidArgument, "duplicate member name '\(name)'")
      }
    }
    do {
      return try ZipWriter.encode(
        members.map { ("\($0.name).npy", NPY.encode($0.tensor)) }, compressed: compressed, forceZip64: forceZip64)
    } catch {
      throw NumPyIOError(file: source, kind: .invalidArgument, error.message)
    }
  }
}
