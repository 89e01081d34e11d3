import Foundation
@testable import NumPyIO
import Testing
import TensorCore

@Suite struct NPZTests {
  @Test("np.savez / np.savez_compressed archives read back as NumPy loads them", arguments: Fixtures.manifest?.npz ?? [])
  func readsNumPyArchive(_ archive: Fixtures.Archive) throws {
    let members = try NPZ.read(Fixtures.path(archive.file))
    #expect(members.map(\.name) == archive.members.map(\.name))
    for (got, want) in zip(members, archive.members) {
      let problem = mismatch(got.tensor, want.expected)
      #expect(problem == nil, "\(archive.file)[\(want.name)]: \(problem ?? "")")
    }
  }

  @Test func damagedArchivesThrow() throws {
    for (file, fragment) in [("bad_truncated.npz", "end-of-central-directory"), ("bad_crc.npz", "CRC-32 mismatch")] {
      let error = caught { try NPZ.read(Fixtures.path(file)) } as? NumPyIOError
      #expect(error?.kind == .badArchive, "\(file)")
      #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "no error")")
    }
    let npy = caught { try NPZ.read(Fixtures.path("f4_2x3.npy")) } as? NumPyIOError
    #expect(npy?.description.contains("looks like a .npy file") == true)
  }

  static let sample: [(name: String, tensor: Tensor)] = [
    ("x", Tensor(uncheckedShape: [3, 2], storage: .float32([1, -2, 3.5, .nan, -0.0, .infinity]))),
    ("jacobian", Tensor(uncheckedShape: [2, 2, 3], storage: .float64((0..<12).map { Double($0) / 3 }))),
    ("n", Tensor(uncheckedShape: [], storage: .int64([-9]))),
    ("empty", Tensor(uncheckedShape: [0, 4], storage: .float64([]))),
  ]

  @Test("encode then decode gives back every member", arguments: [false, true])
  func roundTrip(compressed: Bool) throws {
    let bytes = try NPZ.encode(Self.sample, compressed: compressed)
    let back = try NPZ.decode(bytes, source: "t.npz")
    #expect(back.map(\.name) == Self.sample.map(\.name))
    for (b, s) in zip(back, Self.sample) {
      #expect(b.tensor.shape == s.tensor.shape && b.tensor.dtype == s.tensor.dtype)
      #expect(bitPatterns(b.tensor) == bitPatterns(s.tensor))
    }
  }

  @Test func membersAreNpSaveBytesStoredOrDeflated() throws {
    let stored = try NPZ.encode(Self.sample, compressed: false)
    let deflated = try NPZ.encode(Self.sample, compressed: true)
    // Stored members are the .npy bytes verbatim after a local header; deflate changes them.
    let npy = NPY.encode(Self.sample[1].tensor)
    #expect(stored.firstRange(of: npy) != nil)
    #expect(deflated.firstRange(of: npy) == nil)
    #expect(stored[8] == 0 && deflated[8] == 8)  // method of the first member
  }

  @Test("the zip64 records we write read back", arguments: [false, true])
  func zip64RoundTrip(compressed: Bool) throws {
    let bytes = try NPZ.encode(Self.sample, compressed: compressed, source: "z.npz", forceZip64: true)
    #expect(bytes.firstRange(of: [0x50, 0x4B, 0x06, 0x06]) != nil)  // zip64 end of central directory
    let back = try NPZ.decode(bytes, source: "z.npz")
    #expect(back.map(\.name) == Self.sample.map(\.name))
    #expect(back.map(\.tensor.shape) == Self.sample.map(\.tensor.shape))
  }

  @Test func duplicateOrEmptyNamesAreRefused() {
    let t = Tensor.scalar(1, dtype: .float64)
    let duplicate = caught { try NPZ.encode([("a", t), ("b", t), ("a", t)]) } as? NumPyIOError
    #expect(duplicate?.kind == .invalidArgument)
    #expect(duplicate?.description.contains("duplicate member name 'a'") == true)
    let empty = caught { try NPZ.encode([("", t)]) } as? NumPyIOError
    #expect(empty?.kind == .invalidArgument)
  }

  @Test func writeAndReadFile() throws {
    let dir = try TempDir()
    let path = dir.path + "/out.npz"
    try NPZ.write(Self.sample, to: path, compressed: true)
    let back = try NPZ.read(path)
    #expect(back.map(\.name) == Self.sample.map(\.name))
    #expect(back[1].tensor == Self.sample[1].tensor)
  }
}
