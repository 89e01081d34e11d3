import Foundation
import NumPyIO
import Testing

/// Every message the `.npy` preamble and header parser can give, each produced by a file that
/// has exactly that fault, compared in full (file name, what is wrong, where, what was expected).
@Suite struct NPYHeaderMessages {
  /// A `.npy` file of format `version` whose header text is `header` (no padding, no data).
  static func npy(_ header: String, version: (UInt8, UInt8) = (1, 0)) -> [UInt8] {
    let text = Array(header.utf8)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version.0, version.1]
    if version.0 == 1 {
      bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
    } else {
      bytes += (0..<4).map { UInt8((text.count >> (8 * $0)) & 0xFF) }
    }
    return bytes + text
  }

  static let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"

  static let cases: [(what: String, bytes: [UInt8], message: String)] = [
    ("magic only", [0x93] + Array("NUMPY".utf8), "truncated: file ends after 6 bytes, inside the version field"),
    ("version 4.0", npy(good, version: (4, 0)), "unsupported .npy format version 4.0, expected 1.0, 2.0 or 3.0"),
    ("no header length", Array(npy(good).prefix(9)), "truncated: file ends after 9 bytes, inside the header length"),
    ("a list", npy("[1, 2]"), "bad header: expected a dict, found [1, 2]"),
    (
      "an extra key", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}"),
      "bad header: unexpected key 'extra'; expected exactly 'descr', 'fortran_order', 'shape'"
    ),
    (
      "a key twice", npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"),
      "bad header: key 'descr' appears twice"
    ),
    (
      "a missing key", npy("{'descr': '<f4', 'shape': (2,)}"),
      "bad header: missing key 'fortran_order' (header is \"{'descr': '<f4', 'shape': (2,)}\")"
    ),
    (
      "fortran_order not a bool", npy("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,)}"),
      "bad header: 'fortran_order' is 1, expected True or False"
    ),
    (
      "shape a list", npy("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"),
      "bad header: 'shape' is [2], expected a tuple of integers"
    ),
    (
      "negative dimension", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}"),
      "bad header: 'shape' is (2, -1), expected non-negative integers"
    ),
    (
      "text after the dict", npy(good + " x"),
      "bad header: unexpected 'x' at offset \(good.utf8.count + 1) after the dict (header is \"\(good) x\")"
    ),
    (
      "deep nesting", npy("{'descr': " + String(repeating: "(", count: 40) + String(repeating: ")", count: 40) + "}"),
      "bad header: nesting deeper than 32"
    ),
    ("empty header", npy(""), "bad header: unexpected end of header, expected a value"),
    ("a bare word", npy("{'descr': nope}"), "bad header: unexpected 'n' at offset 10, expected a value"),
    ("a missing colon", npy("{'descr' '<f4'}"), "bad header: expected ':', found ''' at offset 9"),
    ("a bad escape", npy("{'descr': '<\\q'}"), "bad header: unsupported escape '\\q' in a string"),
    ("an unterminated string", npy("{'descr': '<f4}"), "bad header: unterminated string"),
    ("a sign without digits", npy("{'shape': (-x,)}"), "bad header: expected digits, found 'x' at offset 12"),
    (
      "a huge integer", npy("{'shape': (99999999999999999999,)}"),
      "bad header: integer 99999999999999999999 is too large"
    ),
    (
      "too many elements", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}"),
      "bad header: shape (4611686018427387904, 4) has too many elements"
    ),
  ]

  @Test(arguments: cases.indices)
  func eachFaultHasItsMessage(_ index: Int) throws {
    let c = Self.cases[index]
    let error = try #require(caught { try NPY.decode(c.bytes, source: "x.npy") } as? NumPyIOError, "\(c.what)")
    #expect(error.description.hasPrefix("x.npy: " + c.message), "\(c.what): \(error.description)")
  }
}
