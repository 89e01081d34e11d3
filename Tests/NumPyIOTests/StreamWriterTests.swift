import Foundation
import Testing

@testable import NumPyIO
import TensorCore

/// `ArrayStreamWriter`: arrays written in row chunks read back exactly as written whole.
@Suite struct StreamWriterTests {
  let a = Tensor(uncheckedShape: [5, 2], storage: .float32((0..<10).map { Float($0) * 0.5 }))
  let b = Tensor(uncheckedShape: [5, 2, 3], storage: .float64((0..<30).map { Double($0) / 3 }))
  let i = Tensor(uncheckedShape: [5], storage: .int64([3, -1, 4, 1, -5]))

  func members() -> [ArrayStreamWriter.Member] {
    [a, b, i].enumerated().map { .init(name: ["a", "b", "i"][$0.offset], dtype: $0.element.dtype, shape: $0.element.shape) }
  }

  /// Writes a, b and i in chunks of rows 0..<2, 2..<3, 3..<5.
  func writeInChunks(_ writer: ArrayStreamWriter) throws {
    for rows in [0..<2, 2..<3, 3..<5] { try writer.append([a, b, i].map { try $0.rows(rows) }) }
  }

  @Test(arguments: [false, true])
  func archivesInChunksEqualArchivesWrittenWhole(zip64: Bool) throws {
    let dir = try TempDir()
    let path = dir.path + "/s.npz"
    let writer = try ArrayStreamWriter(.npz(path), members: members(), forceZip64: zip64)
    try writeInChunks(writer)
    try writer.commit()
    let read = try NPZ.read(path)
    #expect(read.map(\.name) == ["a", "b", "i"])
    #expect(read.map(\.tensor) == [a, b, i])
    #expect(dir.contents == ["s.npz"])
    if !zip64 {
      #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == (try NPZ.encode([("a", a), ("b", b), ("i", i)])))
    }
  }

  @Test func directoriesAndFilesInChunksEqualWholeArrays() throws {
    let dir = try TempDir()
    let writer = try ArrayStreamWriter(.directory(dir.path + "/out/deeper"), members: members())
    try writeInChunks(writer)
    try writer.commit()
    for (name, t) in [("a", a), ("b", b), ("i", i)] {
      #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/out/deeper/\(name).npy"))) == NPY.encode(t))
    }
    let single = try ArrayStreamWriter(.npy(dir.path + "/b.npy"), members: [members()[1]])
    for rows in [0..<4, 4..<5] { try single.append([try b.rows(rows)]) }
    try single.commit()
    #expect(try NPY.read(dir.path + "/b.npy") == b)
  }

  @Test func anUnfinishedWriterLeavesNothing() throws {
    let dir = try TempDir()
    try Data("OLD".utf8).write(to: URL(fileURLWithPath: dir.path + "/s.npz"))
    do {
      let writer = try ArrayStreamWriter(.npz(dir.path + "/s.npz"), members: members())
      try writer.append([a, b, i].map { try $0.rows(0..<2) })
      #expect(throws: NumPyIOError.self) { try writer.commit() }
    }
    do {
      let writer = try ArrayStreamWriter(.directory(dir.path + "/new/sub"), members: members())
      try writer.append([a, b, i].map { try $0.rows(0..<2) })
    }
    #expect(dir.contents == ["s.npz"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/s.npz")) == Data("OLD".utf8))
  }

  @Test func tooManyRowsAreRefused() throws {
    let dir = try TempDir()
    let writer = try ArrayStreamWriter(.npy(dir.path + "/a.npy"), members: [members()[0]])
    try writer.append([a])
    #expect(throws: NumPyIOError.self) { try writer.append([try a.rows(0..<1)]) }
  }
}

/// `NPZ.mapped`: every member of NumPy's archives (stored, deflated, zip64) read by rows equals
/// the member `NPZ.read` decodes whole, and damage is still refused.
@Suite struct MappedArchiveTests {
  @Test(arguments: ["stored.npz", "compressed.npz", "zip64.npz"])
  func mappedMembersEqualDecodedMembers(_ file: String) throws {
    let path = Fixtures.path(file)
    let whole = try NPZ.read(path)
    let mapped = try NPZ.mapped(path)
    #expect(mapped.map(\.name) == whole.map(\.name))
    for (m, w) in zip(mapped, whole) {
      #expect(try m.array.rows(0..<m.array.rowCount) == w.tensor, "\(file)[\(m.name)]")
      if m.array.readsByRows && m.array.rowCount > 1 {
        let split = try [m.array.rows(0..<1), m.array.rows(1..<m.array.rowCount)]
        #expect(split.map(\.count).reduce(0, +) == w.tensor.count)
      }
    }
  }

  @Test func aDamagedStoredMemberIsRefusedByItsCRC() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("stored.npz"))))
    bytes[bytes.count / 3] ^= 0xFF
    let dir = try TempDir()
    let path = dir.path + "/damaged.npz"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: NumPyIOError.self) { try NPZ.mapped(path) }
  }
}
