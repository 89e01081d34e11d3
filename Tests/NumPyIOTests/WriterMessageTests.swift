import Foundation
import NumPyIO
import TensorCore
import Testing

/// Every message a result writer gives for a destination it cannot use, each produced by one
/// write with exactly that problem and compared in full; nothing is left behind.
@Suite struct WriterMessages {
  static let a = ArrayStreamWriter.Member(name: "a", dtype: .float32, shape: [2])
  static let b = ArrayStreamWriter.Member(name: "b", dtype: .float32, shape: [2])

  static func folder() throws -> String {
    let dir = NSTemporaryDirectory() + "onnxgrad-writer-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func message(_ destination: ArrayDestination, _ members: [ArrayStreamWriter.Member]) -> String? {
    (caught { try ArrayStreamWriter(destination, members: members) } as? NumPyIOError)?.description
  }

  @Test func eachUnusableDestinationHasItsMessage() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = dir + "/file"
    try Data([1]).write(to: URL(fileURLWithPath: file))
    try FileManager.default.createDirectory(atPath: dir + "/out/a.npy", withIntermediateDirectories: true)
    let slash = ArrayStreamWriter.Member(name: "x/y", dtype: .float32, shape: [2])
    let cases: [(ArrayDestination, [ArrayStreamWriter.Member], String)] = [
      (.npy(dir + "/r.npy"), [Self.a, Self.b], "\(dir)/r.npy: 2 arrays are written here; give a directory or a .npz file"),
      (.npz(dir + "/r.npz"), [slash], "\(dir)/r.npz: 'x/y' is not a file name"),
      (.npz(dir + "/r.npz"), [Self.a, Self.a], "\(dir)/r.npz: two arrays are named 'a'"),
      (.directory(file), [Self.a], "\(file): exists and is not a directory"),
      (.directory(file + "/sub"), [Self.a], "\(file)/sub: cannot create the directory '\(file)/sub': Not a directory"),
      (.directory(dir + "/out"), [Self.a], "\(dir)/out: '\(dir)/out/a.npy' is a directory; it would be replaced by an array"),
      (.npy(dir + "/"), [Self.a], "\(dir)/: cannot write: the path names a directory, expected a file name"),
      (.npy(dir + "/missing/r.npy"), [Self.a], "\(dir)/missing/r.npy: cannot create a temporary file in its folder: No such file or directory"),
    ]
    for (destination, members, expected) in cases {
      #expect(Self.message(destination, members) == expected)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["file", "out"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["a.npy"])
  }
}

/// The messages of whole-file reads, each produced by a file with that problem.
@Suite struct ReadMessages {
  static func reason(_ path: String, maxBytes: Int = .max) -> String? {
    do {
      _ = try RegularFile.read(path, expecting: "a .npy file", maxBytes: maxBytes)
      return nil
    } catch {
      return error.reason
    }
  }

  @Test func eachUnreadableFileHasItsMessage() throws {
    let dir = try WriterMessages.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: dir + "/ten"))
    #expect(Self.reason(dir + "/ten", maxBytes: 4) == "the file's 10 bytes are more than the 4 this run may read into memory")
    #expect(Self.reason("/dev/null") == "not a regular file (a device, FIFO or socket), expected a .npy file")
    #expect(Self.reason(dir) == "it is a directory, expected a .npy file")
    #expect(Self.reason(dir + "/none") == "no such file")
    // /proc files say they are empty and then hold more.
    #expect(Self.reason("/proc/self/status", maxBytes: 10) == "the file grew past the 10 bytes this run may read into memory")
  }

  /// A result larger than the file system allows is refused when its file is sized, before
  /// anything is computed into it.
  @Test func aResultTooLargeForTheFileSystemIsRefused() throws {
    let dir = try WriterMessages.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let huge = ArrayStreamWriter.Member(name: "a", dtype: .float64, shape: [1 << 58])
    let message = WriterMessages.message(.npy(dir + "/r.npy"), [huge])
    #expect(message?.hasPrefix("\(dir)/r.npy: cannot set the file's size: ") == true, "\(String(describing: message))")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
  }
}
