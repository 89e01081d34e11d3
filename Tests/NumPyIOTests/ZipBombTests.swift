import NumPyIO
import TensorCore
import Testing

/// Archives that claim far more data than they hold are refused before anything is inflated
/// (issue 9: a 196 KB `.npz` listing one 200 MB deflate stream many times cost 0.4 GB per entry).
@Suite struct ZipBombTests {
  /// A deflated archive of one 4 MiB all-zero float32 array: a few KB on disk.
  static func oneBigMember() throws -> [UInt8] {
    let zeros = Tensor(uncheckedShape: [1 << 20], storage: .float32(Array(repeating: 0, count: 1 << 20)))
    return try NPZ.encode([(name: "a", tensor: zeros)], compressed: true)
  }

  static func le32(_ b: [UInt8], _ at: Int) -> Int {
    Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
  }
  static func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) {
    for k in 0..<4 { b[at + k] = UInt8((v >> (8 * k)) & 0xFF) }
  }
  static func put16(_ b: inout [UInt8], _ at: Int, _ v: Int) {
    for k in 0..<2 { b[at + k] = UInt8((v >> (8 * k)) & 0xFF) }
  }

  /// `archive` (one member, no archive comment) with its directory entry listed `copies` times,
  /// every copy pointing at the same local header and data.
  static func repeatingTheDirectoryEntry(_ archive: [UInt8], copies: Int) -> [UInt8] {
    let eocd = archive.count - 22
    let directoryOffset = le32(archive, eocd + 16)
    let entry = Array(archive[directoryOffset..<eocd])
    var out = Array(archive[..<directoryOffset])
    for _ in 0..<copies { out += entry }
    var end = Array(archive[eocd...])
    put16(&end, 8, copies)
    put16(&end, 10, copies)
    put32(&end, 12, entry.count * copies)
    put32(&end, 16, directoryOffset)
    return out + end
  }

  static func refused(_ bytes: [UInt8], maxBytes: Int = ShapeSize.memoryBudget, mentioning words: [String]) {
    #expect {
      try NPZ.decode(bytes, source: "bomb.npz", maxBytes: maxBytes)
    } throws: { error in
      let text = "\(error)"
      let ok = error is NumPyIOError && words.allSatisfy(text.contains)
      if !ok { Issue.record("got: \(text)") }
      return ok
    }
  }

  @Test func theUnmodifiedArchiveReads() throws {
    let members = try NPZ.decode(Self.oneBigMember(), source: "one.npz")
    #expect(members.map(\.name) == ["a"])
    #expect(members.first?.tensor.shape == [1 << 20])
  }

  @Test func oneStreamListedManyTimesIsRefused() throws {
    let bomb = Self.repeatingTheDirectoryEntry(try Self.oneBigMember(), copies: 64)
    #expect(bomb.count < 64 * 1024)
    Self.refused(bomb, mentioning: ["members 'a.npy' and 'a.npy' overlap"])
  }

  @Test func aLocalHeaderThatDisagreesWithTheDirectoryIsRefused() throws {
    var archive = try Self.oneBigMember()
    // The local header's uncompressed size (offset 22 of the first local header).
    Self.put32(&archive, 22, Self.le32(archive, 22) + 1)
    Self.refused(archive, mentioning: ["member 'a.npy'", "local header's size", "disagrees with the directory's"])
  }

  @Test func aDifferentNameInTheLocalHeaderIsRefused() throws {
    var archive = try Self.oneBigMember()
    archive[30] = UInt8(ascii: "b")
    Self.refused(archive, mentioning: ["local header's name ('b.npy')", "directory's ('a.npy')"])
  }

  @Test func declaredSizesPastTheBudgetAreRefusedBeforeInflating() throws {
    Self.refused(
      try Self.oneBigMember(), maxBytes: 1 << 20,
      mentioning: ["decompress to more than the 1048576 bytes", "'a.npy'", "--max-memory"])
  }
}
