import Foundation
import NumPyIO
import Testing
import TensorCore

@Suite struct NPYReadTests {
  @Test func manifestLoads() throws {
    let manifest = try #require(Fixtures.manifest, "Fixtures/manifest.json is missing or unreadable")
    #expect(Fixtures.readable.count >= 30)
    #expect(Fixtures.malformed.count >= 15)
    #expect(manifest.npz.count >= 3)
    #expect(manifest.golden.count >= 5)
  }

  @Test("NumPy-written .npy files decode to what NumPy loads", arguments: Fixtures.readable)
  func readsFixture(_ c: Fixtures.Case) throws {
    let expected = try #require(c.expected)
    let t = try NPY.read(Fixtures.path(c.file))
    let problem = mismatch(t, expected)
    #expect(problem == nil, "\(c.file): \(problem ?? "")")
  }

  @Test("malformed or refused files throw the right error", arguments: Fixtures.malformed)
  func refusesFixture(_ c: Fixtures.Case) throws {
    let path = Fixtures.path(c.file)
    let error = try #require(caught { try NPY.read(path) } as? NumPyIOError, "\(c.file) decoded without error")
    #expect(error.kind.rawValue == c.error)
    #expect(error.description.hasPrefix(path + ": "))
    #expect(error.description.contains(c.contains ?? "\u{0}"), "\(error.description)")
  }

  @Test func messagesSayWhatWasExpectedAndFound() throws {
    let truncated = try #require(caught { try NPY.decode(try Fixtures.bytes("bad_truncated_data.npy"), source: "x.npy") } as? NumPyIOError)
    #expect(truncated.description == "x.npy: truncated: header says shape (3, 4, 2) of '<f8' = 192 bytes of data, file has 182")
    let magic = try #require(caught { try NPY.decode(try Fixtures.bytes("bad_magic.npy"), source: "points.npy") } as? NumPyIOError)
    #expect(magic.description == "points.npy: not a .npy file (magic bytes are 50 4b 03 04 50 59, expected \\x93NUMPY)")
    let complex = try #require(caught { try NPY.decode(try Fixtures.bytes("bad_complex.npy"), source: "x.npy") } as? NumPyIOError)
    #expect(complex.description == "x.npy: unsupported dtype '<c16' (complex); onnxgrad reads f2/f4/f8, integer and bool arrays")
  }

  @Test func missingFileIsAnIOError() {
    let error = caught { try NPY.read("/nonexistent-dir/none.npy") } as? NumPyIOError
    #expect(error?.kind == .io)
    #expect(error?.description.hasPrefix("/nonexistent-dir/none.npy: cannot read: no such file") == true)
  }

  @Test func directoryIsRefused() {
    let error = caught { try NPY.read(Fixtures.directory.path) } as? NumPyIOError
    #expect(error?.kind == .io)
  }
}
