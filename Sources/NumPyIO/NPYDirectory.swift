import Foundation
public import TensorCore

extension NPY {
  /// Writes each array as `<directory>/<name>.npy`, all or nothing.
  ///
  /// The directory is created if missing, with any missing parents. Every file is first written
  /// to a temporary name and renamed into place only when all are written; on failure the
  /// temporaries, and every directory this call created, are removed and existing files are left
  /// as they were. Names must be distinct, non-empty, free of `/` and short enough for a file
  /// name; a target that is a directory is refused up front.
  public static func write(_ members: [(name: String, tensor: Tensor)], toDirectory directory: String)
    throws(NumPyIOError)
  {
    let writer = try ArrayStreamWriter(
      .directory(directory), members: members.map { .init(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) })
    try writer.append(members.map(\.tensor))
    try writer.commit()
  }

  /// The longest file name (one path component) Linux and macOS file systems accept.
  static let maxFileNameBytes = 255

  /// The outermost folder of `directory` that does not exist yet: the one to remove to undo
  /// creating `directory` with its parents.
  static func outermostMissing(_ directory: String) -> String {
    var missing = directory
    var parent = (directory as NSString).deletingLastPathComponent
    while !parent.isEmpty, parent != missing, !FileManager.default.fileExists(atPath: parent) {
      missing = parent
      parent = (parent as NSString).deletingLastPathComponent
    }
    return missing
  }
}
