/// The parsed preamble of a `.npy` file: version, element type, order, shape and where data starts.
struct NPYHeader {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

  var major: UInt8
  var descr: NPYDescr
  var fortranOrder: Bool
  var shape: [Int]
  /// Byte offset of the first data byte.
  var dataOffset: Int

  /// The shape as Python prints it: `(100, 2)`, `(5,)`, `()`.
  static func pythonShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(\(shape.map(String.init).joined(separator: ", ")))"
  }

  /// Reads magic, version, header length and the header dict from the start of `bytes`.
  /// The longest header read (NumPy itself refuses headers past 10,000 bytes unless told otherwise).
  static let maxHeaderBytes = 1 << 20

  /// The bytes a header needs at most: preamble and the longest header.
  static let maxPrefixBytes = 12 + maxHeaderBytes

  static func parse(_ bytes: [UInt8], source: String) throws(NumPyIOError) -> NPYHeader {
    func fail(_ kind: NumPyIOError.Kind, _ message: String) -> NumPyIOError {
      NumPyIOError(file: source, kind: kind, message)
    }
    guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
      let found = bytes.isEmpty ? "the file is empty" : "magic bytes are \(hexBytes(bytes.prefix(6)))"
      throw fail(.notNPY, "not a .npy file (\(found), expected \\x93NUMPY)")
    }
    guard bytes.count >= 8 else {
      throw fail(.truncated, "truncated: file ends after \(bytes.count) bytes, inside the version field")
    }
    let major = bytes[6]
    let minor = bytes[7]
    let lengthSize: Int
    switch (major, minor) {
    case (1, 0): lengthSize = 2
    case (2, 0), (3, 0): lengthSize = 4
    default:
      throw fail(.notNPY, "unsupported .npy format version \(major).\(minor), expected 1.0, 2.0 or 3.0")
    }
    guard bytes.count >= 8 + lengthSize else {
      throw fail(.truncated, "truncated: file ends after \(bytes.count) bytes, inside the header length")
    }
    let headerLength = lengthSize == 2 ? Int(bytes.le16(at: 8)) : Int(bytes.le32(at: 8))
    guard headerLength <= maxHeaderBytes else {
      throw fail(
        .badHeader, "bad header: \(headerLength) bytes long, more than the \(maxHeaderBytes) a .npy header may have here")
    }
    let start = 8 + lengthSize
    guard headerLength <= bytes.count - start else {
      throw fail(
        .truncated,
        "truncated: header length is \(headerLength) bytes, file has \(bytes.count - start) after the preamble")
    }
    let text = Array(bytes[start..<(start + headerLength)])
    let dict: PyLiteral
    do {
      dict = try PyLiteralParser.parse(text, utf8: major >= 3)
    } catch {
      throw fail(.badHeader, "bad header: \(error.message) (header is \(quoted(text)))")
    }
    var header = try interpret(dict, text: text, fail: fail)
    header.major = major
    header.dataOffset = start + headerLength
    return header
  }

  private static func interpret(
    _ dict: PyLiteral, text: [UInt8], fail: (NumPyIOError.Kind, String) -> NumPyIOError
  ) throws(NumPyIOError) -> NPYHeader {
    guard case .dict(let items) = dict else {
      throw fail(.badHeader, "bad header: expected a dict, found \(dict.python)")
    }
    var values: [String: PyLiteral] = [:]
    for (key, value) in items {
      guard case .string(let name) = key, ["descr", "fortran_order", "shape"].contains(name) else {
        throw fail(.badHeader, "bad header: unexpected key \(key.python); expected exactly 'descr', 'fortran_order', 'shape'")
      }
      guard values[name] == nil else { throw fail(.badHeader, "bad header: key '\(name)' appears twice") }
      values[name] = value
    }
    for name in ["descr", "fortran_order", "shape"] where values[name] == nil {
      throw fail(.badHeader, "bad header: missing key '\(name)' (header is \(quoted(text)))")
    }
    guard case .bool(let fortranOrder) = values["fortran_order"] else {
      throw fail(.badHeader, "bad header: 'fortran_order' is \(values["fortran_order"]?.python ?? "?"), expected True or False")
    }
    guard case .tuple(let dims) = values["shape"] else {
      throw fail(.badHeader, "bad header: 'shape' is \(values["shape"]?.python ?? "?"), expected a tuple of integers")
    }
    var shape: [Int] = []
    for d in dims {
      guard case .int(let n) = d, n >= 0 else {
        throw fail(.badHeader, "bad header: 'shape' is \(values["shape"]?.python ?? "?"), expected non-negative integers")
      }
      shape.append(n)
    }
    let descr: NPYDescr
    switch NPYDescr.parse(values["descr"] ?? .none) {
    case .success(let d): descr = d
    case .failure(let refusal): throw fail(refusal.kind, refusal.message)
    }
    return NPYHeader(major: 1, descr: descr, fortranOrder: fortranOrder, shape: shape, dataOffset: 0)
  }

  /// The header text for messages, printable ASCII only, at most 120 characters.
  private static func quoted(_ text: [UInt8]) -> String {
    var s = ""
    for c in text.prefix(120) {
      switch c {
      case 0x0A: s += "\\n"
      case 0x20..<0x7F: s.append(Character(Unicode.Scalar(c)))
      default: s += "\\x" + (c < 16 ? "0" : "") + String(c, radix: 16)
      }
    }
    return "\"" + s.trimmingSuffixSpaces() + (text.count > 120 ? "…" : "") + "\""
  }

  /// The complete preamble `np.save` writes: magic, version, length and the padded dict.
  static func encode(descr: String, shape: [Int]) -> [UInt8] {
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(pythonShape(shape)), }"
    // NumPy leaves room for the first axis to grow to 21 digits without rewriting the file.
    if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
    let text = Array(dict.utf8)
    for (major, lengthSize) in [(UInt8(1), 2), (UInt8(2), 4)] {
      let unpadded = 6 + 2 + lengthSize + text.count + 1
      let pad = 64 - unpadded % 64
      let headerLength = text.count + pad + 1
      if lengthSize == 2 && headerLength > 0xFFFF { continue }
      var out = magic + [major, 0]
      if lengthSize == 2 { out.appendLE16(UInt16(headerLength)) } else { out.appendLE32(UInt32(headerLength)) }
      out += text
      out += [UInt8](repeating: 0x20, count: pad)
      out.append(0x0A)
      return out
    }
    return []  // unreachable: a v2 length holds any header a shape can produce
  }
}

extension String {
  fileprivate func trimmingSuffixSpaces() -> String {
    var s = self
    while s.hasSuffix(" ") || s.hasSuffix("\\n") { s.removeLast(s.hasSuffix(" ") ? 1 : 2) }
    return s
  }
}
