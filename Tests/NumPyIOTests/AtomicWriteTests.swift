import Foundation
import NumPyIO
import Testing
import TensorCore

/// A fresh directory under the system temp folder, removed on deinit.
final class TempDir {
  let path: String
  init() throws {
    path = NSTemporaryDirectory() + "npyio-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }
  var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

@Suite struct AtomicWriteTests {
  let tensor = Tensor(uncheckedShape: [2, 3], storage: .float64([1, 2, 3, 4, 5, 6]))

  @Test func writeLeavesOnlyTheFile() throws {
    let dir = try TempDir()
    try NPY.write(tensor, to: dir.path + "/a.npy")
    #expect(dir.contents == ["a.npy"])
    #expect(try NPY.read(dir.path + "/a.npy") == tensor)
    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/a.npy"))) == NPY.encode(tensor))
  }

  @Test func overwritesAnExistingFile() throws {
    let dir = try TempDir()
    let path = dir.path + "/a.npy"
    try Data("old".utf8).write(to: URL(fileURLWithPath: path))
    try NPY.write(tensor, to: path)
    #expect(try NPY.read(path) == tensor)
    #expect(dir.contents == ["a.npy"])
  }

  @Test func missingDirectoryThrowsAndLeavesNothing() throws {
    let dir = try TempDir()
    let path = dir.path + "/missing/a.npy"
    let error = caught { try NPY.write(tensor, to: path) } as? NumPyIOError
    #expect(error?.kind == .io)
    #expect(error?.description.hasPrefix(path + ": ") == true)
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(dir.contents.isEmpty)
  }

  @Test func failedRenameLeavesNoTemporaryFile() throws {
    let dir = try TempDir()
    let target = dir.path + "/taken"
    try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
    let error = caught { try NPY.write(tensor, to: target) } as? NumPyIOError
    #expect(error?.kind == .io)
    #expect(dir.contents == ["taken"])
    #expect((try? FileManager.default.contentsOfDirectory(atPath: target)) == ["inside"])
  }

  @Test func failedNPZWriteDoesNotClobberExistingFile() throws {
    let dir = try TempDir()
    let path = dir.path + "/keep.npz"
    let old = Data("previous contents".utf8)
    try old.write(to: URL(fileURLWithPath: path))
    let error = caught { try NPZ.write([("a", tensor), ("a", tensor)], to: path) } as? NumPyIOError
    #expect(error?.kind == .invalidArgument)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old)
    #expect(dir.contents == ["keep.npz"])
  }

  @Test func pathEndingInSlashIsRefused() throws {
    let dir = try TempDir()
    let error = caught { try NPY.write(tensor, to: dir.path + "/") } as? NumPyIOError
    #expect(error?.kind == .io)
    #expect(dir.contents.isEmpty)
  }
}
