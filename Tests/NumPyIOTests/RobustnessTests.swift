import NumPyIO
import Testing
import TensorCore

/// Truncated and corrupted bytes must give errors, never traps.
@Suite struct RobustnessTests {
  static let files = ["f4_2x3.npy", "fortran_i2_2x3x4.npy", "v3_f4_2x2.npy", "scalar_f8.npy", "u8_3.npy", "f2_10.npy"]

  @Test("every strict prefix of a .npy file is refused", arguments: files)
  func prefixesThrow(_ file: String) throws {
    let bytes = try Fixtures.bytes(file)
    for n in 0..<bytes.count {
      let error = caught { try NPY.decode(Array(bytes.prefix(n)), source: file) }
      #expect(error is NumPyIOError, "\(file) cut to \(n) bytes decoded")
    }
  }

  @Test("every strict prefix of a .npz file is refused", arguments: ["stored.npz", "compressed.npz", "zip64.npz"])
  func npzPrefixesThrow(_ file: String) throws {
    let bytes = try Fixtures.bytes(file)
    for n in 0..<bytes.count {
      #expect(caught { try NPZ.decode(Array(bytes.prefix(n)), source: file) } is NumPyIOError)
    }
  }

  @Test("random byte corruption gives a tensor or a NumPyIOError", arguments: files + ["compressed.npz", "zip64.npz"])
  func corruptionNeverTraps(_ file: String) throws {
    let bytes = try Fixtures.bytes(file)
    var rng = SplitMix(seed: UInt64(file.utf8.count) &* 7919)
    for _ in 0..<400 {
      var damaged = bytes
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
      }
      let error = file.hasSuffix(".npz")
        ? caught { try NPZ.decode(damaged, source: file) } : caught { try NPY.decode(damaged, source: file) }
      #expect(error == nil || error is NumPyIOError)
    }
  }

  @Test func hugeShapesAreRefusedBeforeAllocating() {
    for shape in ["(9223372036854775807, 2)", "(4294967296, 4294967296)", "(99999999999999999999,)", "(10000000000,)"] {
      let text = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }\n"
      var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count), 0]
      bytes += Array(text.utf8)
      let error = caught { try NPY.decode(bytes, source: "big.npy") } as? NumPyIOError
      #expect(error?.kind == .truncated || error?.kind == .badHeader, "\(shape): \(String(describing: error))")
    }
  }

  @Test func deeplyNestedHeaderIsRefused() {
    let text = String(repeating: "(", count: 5000) + "\n"
    var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0]
    let n = UInt32(text.utf8.count)
    bytes += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0]
    bytes += Array(text.utf8)
    #expect((caught { try NPY.decode(bytes, source: "deep.npy") } as? NumPyIOError)?.kind == .badHeader)
  }
}

/// A small deterministic generator so failures reproduce.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A version-2 header may declare up to 4 GiB; past 1 MiB it is refused before it is parsed.
@Test func aHugeHeaderIsRefusedBeforeParsing() {
  let length = 2 << 20
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
  bytes += [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
  bytes += [UInt8](repeating: 0x20, count: length)
  let error = #expect(throws: NumPyIOError.self) { try NPY.decode(bytes, source: "huge-header.npy") }
  #expect(error?.description == "huge-header.npy: bad header: 2097152 bytes long, more than the 1048576 a .npy header may have here")
}
