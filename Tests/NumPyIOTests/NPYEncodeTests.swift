import NumPyIO
import Testing
import TensorCore

@Suite struct NPYEncodeTests {
  @Test("encode writes exactly the bytes np.save wrote", arguments: Fixtures.manifest?.golden ?? [])
  func matchesNpSave(_ g: Fixtures.Golden) throws {
    let golden = try Fixtures.bytes(g.file)
    let encoded = NPY.encode(try Fixtures.goldenTensor(g))
    #expect(encoded.count == golden.count)
    if let i = zip(encoded, golden).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
      Issue.record("\(g.file): first difference at byte \(i)")
    }
    let identical = encoded == golden
    #expect(identical, "\(g.file): encode differs from np.save")
  }

  @Test("decode(encode(t)) == t for every fixture NumPy wrote", arguments: Fixtures.readable)
  func roundTrip(_ c: Fixtures.Case) throws {
    let t = try NPY.read(Fixtures.path(c.file))
    let back = try NPY.decode(NPY.encode(t), source: "roundtrip")
    #expect(back.dtype == t.dtype)
    #expect(back.shape == t.shape)
    #expect(bitPatterns(back) == bitPatterns(t))
  }

  @Test("C-order little-endian f4/f8/i8 fixtures re-encode to NumPy's exact bytes", arguments: Fixtures.readable)
  func reencodesNumPyBytes(_ c: Fixtures.Case) throws {
    let bytes = try Fixtures.bytes(c.file)
    let header = String(decoding: bytes.prefix(128), as: UTF8.self)
    let native = ["'<f4'", "'<f8'", "'<i8'"].contains { header.contains("{'descr': \($0), 'fortran_order': False") }
    guard bytes[6] == 1, native else { return }
    #expect(NPY.encode(try NPY.decode(bytes, source: c.file)) == bytes)
  }

  @Test func dataStartsOnA64ByteBoundaryEndingInNewline() throws {
    for shape in [[], [0], [7], [100, 2], [1_000_000_000, 0], Array(repeating: 1, count: 30)] {
      let bytes = NPY.encode(Tensor.filled(1, shape: shape, dtype: .float32))
      let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      let dataStart = 10 + headerLength
      #expect(dataStart % 64 == 0)
      #expect(bytes[dataStart - 1] == 0x0A)
      #expect(bytes.count == dataStart + 4 * shape.reduce(1, *))
    }
  }
}
