import Foundation
public import TensorCore

extension NPY {
  /// Writes each array as `<directory>/<name>.npy`, all or nothing.
  ///
  /// The directory is created if missing. Every file is first written to a temporary name and
  /// renamed into place only when all are written; on failure the temporaries, and a directory
  /// this call created, are removed and existing files are left as they were. Names must be
  /// distinct, non-empty and free of `/`; a target that is a directory is refused up front.
  public static func write(_ members: [(name: String, tensor: Tensor)], toDirectory directory: String)
    throws(NumPyIOError)
  {
    func fail(_ message: String) -> NumPyIOError { NumPyIOError(file: directory, kind: .invalidArgument, message) }
    var names = Set<String>()
    for m in members {
      guard !m.name.isEmpty, !m.name.contains("/") else { throw fail("'\(m.name)' is not a file name") }
      guard names.insert(m.name).inserted else { throw fail("two arrays are named '\(m.name)'") }
    }
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    var created = false
    if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw fail("exists and is not a directory") }
    } else {
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw NumPyIOError(file: directory, kind: .io, "cannot create the directory (\((error as NSError).localizedDescription))")
      }
      created = true
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
      if created { try? fm.removeItem(atPath: directory) }
      throw error
    }
  }
}
