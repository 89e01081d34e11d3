import Foundation
public import TensorCore

extension NPY {
  /// Writes each array as `<directory>/<name>.npy`, all or nothing.
  ///
  /// The directory is created if missing, with any missing parents. Every file is first written
  /// to a temporary name and renamed into place only when all are written; on failure the
  /// temporaries, and every directory this call created, are removed and existing files are left
  /// as they were. Names must be
  /// distinct, non-empty, free of `/` and short enough for a file name; a target that is a directory is refused up front.
  public static func write(_ members: [(name: String, tensor: Tensor)], toDirectory directory: String)
    throws(NumPyIOError)
  {
    func fail(_ message: String) -> NumPyIOError { NumPyIOError(file: directory, kind: .invalidArgument, message) }
    var names = Set<String>()
    for m in members {
      guard !m.name.isEmpty, !m.name.contains("/") else { throw fail("'\(m.name)' is not a file name") }
      guard m.name.utf8.count + 4 <= maxFileNameBytes else {
        throw fail("'\(m.name).npy' is longer than the \(maxFileNameBytes) bytes a file name may have")
      }
      guard names.insert(m.name).inserted else { throw fail("two arrays are named '\(m.name)'") }
    }
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    var created: String?
    if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw fail("exists and is not a directory") }
    } else {
      created = outermostMissing(directory)
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        if let created { try? fm.removeItem(atPath: created) }
        throw NumPyIOError(file: directory, kind: .io, "cannot create the directory (\((error as NSError).localizedDescription))")
      }
    }
    let targets = members.map { (directory as NSString).appendingPathComponent($0.name + ".npy") }
    for t in targets where fm.fileExists(atPath: t, isDirectory: &isDirectory) && isDirectory.boolValue {
      throw fail("'\(t)' is a directory; it would be replaced by an array")
    }
    var temporaries: [String] = []
    var committed = 0
    do throws(NumPyIOError) {
      for (m, t) in zip(members, targets) { temporaries.append(try FileIO.writeTemporary(encode(m.tensor), besides: t)) }
      for (temp, t) in zip(temporaries, targets) {
        try FileIO.commit(temp, to: t)
        committed += 1
      }
    } catch {
      for t in temporaries.dropFirst(committed) { unlink(t) }
      if let created { try? fm.removeItem(atPath: created) }
      throw error
    }
  }

  /// The longest file name (one path component) Linux and macOS file systems accept.
  static let maxFileNameBytes = 255

  /// The outermost folder of `directory` that does not exist yet: the one to remove to undo
  /// creating `directory` with its parents.
  private static func outermostMissing(_ directory: String) -> String {
    var missing = directory
    var parent = (directory as NSString).deletingLastPathComponent
    while !parent.isEmpty, parent != missing, !FileManager.default.fileExists(atPath: parent) {
      missing = parent
      parent = (parent as NSString).deletingLastPathComponent
    }
    return missing
  }
}
