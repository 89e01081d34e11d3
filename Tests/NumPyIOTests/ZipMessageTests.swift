import Foundation
@testable import NumPyIO
import Testing
import TensorCore

/// Every message the `.npz` reader gives for a damaged archive, each produced by an archive
/// with exactly that fault (laid out byte by byte here) and compared in full.
@Suite struct ZipMessages {
  /// One member as the archive records it; the local header and the directory entry agree
  /// unless a case patches one of them.
  struct Member {
    var name: String
    var payload: [UInt8]
    var method: UInt16 = 0
    var size: UInt32? = nil
    var crc: UInt32? = nil
    var centralExtra: [UInt8] = []
  }

  /// An archive: where its members' local headers and the directory start, and its bytes.
  struct Archive {
    var bytes: [UInt8]
    var locals: [Int]
    var centrals: [Int]
    var directory: Int
    var end: Int

    mutating func put16(_ at: Int, _ v: Int) { for k in 0..<2 { bytes[at + k] = UInt8((v >> (8 * k)) & 0xFF) } }
    mutating func put32(_ at: Int, _ v: Int) { for k in 0..<4 { bytes[at + k] = UInt8((v >> (8 * k)) & 0xFF) } }
    mutating func put64(_ at: Int, _ v: Int) { for k in 0..<8 { bytes[at + k] = UInt8((v >> (8 * k)) & 0xFF) } }
  }

  static func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * $0)) & 0xFF) } }
  static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

  static func archive(_ members: [Member]) -> Archive {
    var bytes: [UInt8] = []
    var locals: [Int] = []
    for m in members {
      locals.append(bytes.count)
      let name = Array(m.name.utf8)
      bytes += le32(0x0403_4B50) + le16(20) + le16(0) + le16(Int(m.method)) + le16(0) + le16(0)
      bytes += le32(Int(m.crc ?? Zlib.crc32(m.payload))) + le32(m.payload.count) + le32(Int(m.size ?? UInt32(m.payload.count)))
      bytes += le16(name.count) + le16(0) + name + m.payload
    }
    let directory = bytes.count
    var centrals: [Int] = []
    for (m, local) in zip(members, locals) {
      centrals.append(bytes.count)
      let name = Array(m.name.utf8)
      bytes += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(Int(m.method)) + le16(0) + le16(0)
      bytes += le32(Int(m.crc ?? Zlib.crc32(m.payload))) + le32(m.payload.count) + le32(Int(m.size ?? UInt32(m.payload.count)))
      bytes += le16(name.count) + le16(m.centralExtra.count) + le16(0) + le16(0) + le16(0) + le32(0) + le32(local)
      bytes += name + m.centralExtra
    }
    let end = bytes.count
    bytes += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
    bytes += le32(end - directory) + le32(directory) + le16(0)
    return Archive(bytes: bytes, locals: locals, centrals: centrals, directory: directory, end: end)
  }

  static let npy = NPY.encode(Tensor(uncheckedShape: [3], storage: .float32([1, 2, 3])))
  static let a = Member(name: "a.npy", payload: npy)
  static let b = Member(name: "b.npy", payload: npy)

  /// The archive of `members` with `patch` applied.
  static func damaged(_ members: [Member], _ patch: (inout Archive) -> Void = { _ in }) -> [UInt8] {
    var z = archive(members)
    patch(&z)
    return z.bytes
  }

  static func deflated(_ data: [UInt8]) -> [UInt8] { (try? Zlib.deflate(data)) ?? [] }

  static var cases: [(what: String, bytes: [UInt8], message: String)] {
    let one = archive([a])
    let hundred = [UInt8](repeating: 7, count: 100)
    let packed = deflated(hundred)
    return [
      ("ten bytes", [UInt8](repeating: 0, count: 10), "not a zip archive (10 bytes, too short for an end-of-directory record)"),
      (
        "members overlap",
        damaged([a, b]) { z in
          z.put32(z.locals[0] + 18, npy.count + 10)
          z.put32(z.centrals[0] + 20, npy.count + 10)
        },
        "members 'a.npy' and 'b.npy' overlap in the archive; each member must have its own data"
      ),
      (
        "bzip2", damaged([Member(name: "a.npy", payload: npy, method: 12)]),
        "member 'a.npy' uses compression method 12; expected stored (0) or deflate (8)"
      ),
      (
        "stored sizes differ", damaged([Member(name: "a.npy", payload: npy, size: UInt32(npy.count + 1))]),
        "stored member 'a.npy' has size \(npy.count + 1) but \(npy.count) bytes stored"
      ),
      (
        "implausible size", damaged([Member(name: "a.npy", payload: [UInt8](repeating: 0, count: 10), method: 8, size: 11345)]),
        "member 'a.npy': implausible size 11345 for 10 deflated bytes"
      ),
      (
        "wrong CRC", damaged([Member(name: "a.npy", payload: npy, crc: 1)]),
        "member 'a.npy': CRC-32 mismatch, the data is damaged"
      ),
      (
        "directory entry damaged", damaged([a]) { z in z.put32(z.centrals[0], 0) },
        "central directory entry 0 is missing or damaged at offset \(one.directory)"
      ),
      (
        "directory entry too long", damaged([a]) { z in z.put16(z.centrals[0] + 28, 100) },
        "central directory entry 0 runs past the directory"
      ),
      ("encrypted", damaged([a]) { z in z.put16(z.centrals[0] + 8, 1) }, "member 'a.npy' is encrypted"),
      (
        "zip64 extra too short",
        damaged([Member(name: "a.npy", payload: npy, size: 0xFFFF_FFFF, centralExtra: [1, 0, 0, 0])]),
        "member 'a.npy': zip64 extra field is too short"
      ),
      (
        "local header elsewhere", damaged([a]) { z in z.put32(z.centrals[0] + 42, 1) },
        "member 'a.npy': local header missing at offset 1"
      ),
      (
        "local header too long", damaged([a]) { z in z.put16(z.locals[0] + 28, 0xFFFF) },
        "member 'a.npy': local header runs past the data"
      ),
      (
        "zip64 record missing",
        damaged([a]) { z in
          z.put32(z.end - 20, 0x0706_4B50)
          z.put64(z.end - 12, 1 << 40)
        },
        "zip64 end-of-central-directory record missing or damaged"
      ),
      (
        "directory outside", damaged([a]) { z in z.put32(z.end + 16, 100_000) },
        "central directory (offset 100000, \(one.end - one.directory) bytes) lies outside the \(one.bytes.count)-byte archive"
      ),
      (
        "too many members", damaged([a]) { z in z.put16(z.end + 10, 5) },
        "directory claims 5 members in \(one.end - one.directory) bytes"
      ),
      (
        "deflated data longer", damaged([Member(name: "a.npy", payload: packed, method: 8, size: 50)]),
        "deflated data is longer than the 50 bytes the directory says"
      ),
      (
        "deflate stream cut", damaged([Member(name: "a.npy", payload: Array(packed.prefix(2)), method: 8, size: 100)]),
        "cannot inflate: the stream ends early"
      ),
      (
        "not deflate data", damaged([Member(name: "a.npy", payload: [UInt8](repeating: 0xFF, count: 10), method: 8, size: 100)]),
        "cannot inflate: corrupt deflate data (zlib code -3)"
      ),
      (
        "deflated data shorter", damaged([Member(name: "a.npy", payload: packed, method: 8, size: 200)]),
        "inflated to 100 bytes, the directory says 200"
      ),
      ("not an array", damaged([Member(name: "notes.txt", payload: npy)]), "member 'notes.txt' is not a .npy array"),
    ]
  }

  @Test func eachFaultHasItsMessage() throws {
    for c in Self.cases {
      let error = caught { try NPZ.decode(c.bytes, source: "x.npz") } as? NumPyIOError
      #expect(error?.description == "x.npz: " + c.message, "\(c.what)")
    }
  }

  /// The memory-mapped reader gives the same messages, and its own for what it inflates.
  @Test func theMappedReaderSaysTheSame() throws {
    let dir = NSTemporaryDirectory() + "onnxgrad-zip-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/x.npz"
    let npy = Self.npy
    func mappedError(_ bytes: [UInt8], maxBytes: Int = 1 << 30) throws -> String? {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      return (caught { try NPZ.mapped(path, maxBytes: maxBytes) } as? NumPyIOError)?.description
    }
    #expect(try mappedError(Self.damaged([Member(name: "a.npy", payload: npy, crc: 1)])) == "\(path): member 'a.npy': CRC-32 mismatch, the data is damaged")
    #expect(try mappedError(Self.damaged([Member(name: "notes.txt", payload: npy)])) == "\(path): member 'notes.txt' is not a .npy array")
    let packed = Self.deflated(npy)
    #expect(
      try mappedError(Self.damaged([Member(name: "a.npy", payload: packed, method: 8, size: UInt32(npy.count), crc: Zlib.crc32(npy))]), maxBytes: 10)
        == "\(path): the deflated members decompress to \(npy.count) bytes, more than the 10 this run may use; raise --max-memory if the archive is genuine")
  }

  @Test func anArrayWithoutANameIsNotWritten() throws {
    let error = caught { try NPZ.encode([(name: "", tensor: Tensor.scalar(1, dtype: .float32))], compressed: false, source: "y.npz") } as? NumPyIOError
    #expect(error?.description == "y.npz: empty member name; every array needs a name")
  }
}
