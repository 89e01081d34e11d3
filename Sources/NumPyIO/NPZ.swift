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
