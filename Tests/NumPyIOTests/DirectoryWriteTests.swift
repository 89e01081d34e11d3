import Foundation
import NumPyIO
import TensorCore
import Testing

/// `NPY.write(_:toDirectory:)`: all files or none, and existing files survive a failure.
@Suite struct DirectoryWriteTests {
  let a = Tensor(uncheckedShape: [2], storage: .float32([1, 2]))
  let b = Tensor(uncheckedShape: [2, 2], storage: .float64([1, 2, 3, 4]))
  /// Longer than a file-name component may be (255 bytes): writing it fails mid-way.
  let unwritable = String(repeating: "n", count: 300)

  @Test func writesEveryArrayAndCreatesTheDirectory() throws {
    let dir = try TempDir()
    let out = dir.path + "/new/sub"
    try NPY.write([(name: "a", tensor: a), (name: "b", tensor: b)], toDirectory: out)
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).sorted() == ["a.npy", "b.npy"])
    #expect(try NPY.read(out + "/a.npy") == a)
    #expect(try NPY.read(out + "/b.npy") == b)
  }

  @Test func aFailureLeavesExistingFilesAndNoTemporaries() throws {
    let dir = try TempDir()
    try Data("OLD".utf8).write(to: URL(fileURLWithPath: dir.path + "/a.npy"))
    #expect(throws: NumPyIOError.self) {
      try NPY.write([(name: "a", tensor: a), (name: unwritable, tensor: b)], toDirectory: dir.path)
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/a.npy")) == Data("OLD".utf8))
    #expect(dir.contents == ["a.npy"])
  }

  @Test func aFailureRemovesEveryFolderItCreated() throws {
    let dir = try TempDir()
    // a and b are created, then the last component is too long to create.
    let out = dir.path + "/a/b/" + unwritable
    #expect(throws: NumPyIOError.self) { try NPY.write([(name: "x", tensor: a)], toDirectory: out) }
    #expect(dir.contents.isEmpty)
  }

  @Test func namesNearTheFileNameLimitAreWritten() throws {
    let dir = try TempDir()
    let long = String(repeating: "u", count: 251)
    try NPY.write([(name: long, tensor: a)], toDirectory: dir.path)
    #expect(dir.contents == [long + ".npy"])
    try NPY.write(b, to: dir.path + "/" + long + ".npy")
    #expect(try NPY.read(dir.path + "/" + long + ".npy") == b)
    #expect(dir.contents == [long + ".npy"])
  }

  @Test func aNameTooLongForAFileIsRefusedBeforeWriting() throws {
    let dir = try TempDir()
    let error = #expect(throws: NumPyIOError.self) {
      try NPY.write([(name: "a", tensor: a), (name: String(repeating: "v", count: 252), tensor: b)], toDirectory: dir.path + "/new")
    }
    #expect(error?.description.contains("is longer than the 255 bytes a file name may have") == true)
    #expect(dir.contents.isEmpty)
  }

  @Test func aFailureRemovesTheDirectoryItCreated() throws {
    let dir = try TempDir()
    let out = dir.path + "/made"
    #expect(throws: NumPyIOError.self) {
      try NPY.write([(name: "a", tensor: a), (name: unwritable, tensor: b)], toDirectory: out)
    }
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(dir.contents.isEmpty)
  }

  @Test func aTargetThatIsADirectoryIsRefusedBeforeWriting() throws {
    let dir = try TempDir()
    try FileManager.default.createDirectory(atPath: dir.path + "/b.npy", withIntermediateDirectories: false)
    #expect(throws: NumPyIOError.self) {
      try NPY.write([(name: "a", tensor: a), (name: "b", tensor: b)], toDirectory: dir.path)
    }
    #expect(dir.contents == ["b.npy"])
  }

  @Test func badNamesAreRefused() throws {
    let dir = try TempDir()
    for names in [["a", "a"], [""], ["x/y"]] {
      #expect(throws: NumPyIOError.self) {
        try NPY.write(names.map { (name: $0, tensor: a) }, toDirectory: dir.path + "/out")
      }
    }
    #expect(dir.contents.isEmpty)
  }
}
