/// A Python literal as found in a `.npy` header: `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`.
enum PyLiteral: Equatable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case none
  case tuple([PyLiteral])
  case list([PyLiteral])
  case dict([(key: PyLiteral, value: PyLiteral)])

  static func == (a: PyLiteral, b: PyLiteral) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.none, .none): true
    case (.tuple(let x), .tuple(let y)), (.list(let x), .list(let y)): x == y
    case (.dict(let x), .dict(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// The literal written back as Python would print it (for messages).
  var python: String {
    switch self {
    case .string(let s): "'\(s)'"
    case .int(let i): String(i)
    case .bool(let b): b ? "True" : "False"
    case .none: "None"
    case .tuple(let items): items.count == 1 ? "(\(items[0].python),)" : "(\(items.map(\.python).joined(separator: ", ")))"
    case .list(let items): "[\(items.map(\.python).joined(separator: ", "))]"
    case .dict(let items): "{\(items.map { "\($0.key.python): \($0.value.python)" }.joined(separator: ", "))}"
    }
  }
}

/// Parses the subset of Python literal syntax that `.npy` headers use; errors are plain strings.
struct PyLiteralParser {
  struct Failure: Error { let message: String }

  private let text: [UInt8]
  private var pos = 0
  private let utf8: Bool
  private static let maxDepth = 32

  /// `utf8` selects the v3 string encoding; v1/v2 headers are latin-1.
  init(_ text: [UInt8], utf8: Bool) {
    self.text = text
    self.utf8 = utf8
  }

  /// Parses one literal and requires only whitespace after it.
  static func parse(_ text: [UInt8], utf8: Bool) throws(Failure) -> PyLiteral {
    var p = PyLiteralParser(text, utf8: utf8)
    let value = try p.value(depth: 0)
    p.skipSpace()
    if p.pos < p.text.count {
      throw Failure(message: "unexpected \(p.describeHere()) after the dict")
    }
    return value
  }

  private mutating func skipSpace() {
    while pos < text.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(text[pos]) { pos += 1 }
  }

  private func describeHere() -> String {
    guard pos < text.count else { return "end of header" }
    let c = text[pos]
    if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))' at offset \(pos)" }
    return "byte 0x\(String(c, radix: 16)) at offset \(pos)"
  }

  private mutating func value(depth: Int) throws(Failure) -> PyLiteral {
    guard depth < Self.maxDepth else { throw Failure(message: "nesting deeper than \(Self.maxDepth)") }
    skipSpace()
    guard pos < text.count else { throw Failure(message: "unexpected end of header, expected a value") }
    switch text[pos] {
    case UInt8(ascii: "{"):
      pos += 1
      return try dict(depth: depth)
    case UInt8(ascii: "("):
      pos += 1
      let (items, sawComma) = try sequence(close: UInt8(ascii: ")"), depth: depth)
      // `(x)` is just x in Python; a tuple needs a comma (or is empty).
      if items.count == 1 && !sawComma { return items[0] }
      return .tuple(items)
    case UInt8(ascii: "["):
      pos += 1
      return .list(try sequence(close: UInt8(ascii: "]"), depth: depth).items)
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"):
      return .int(try integer())
    default:
      let start = pos
      while pos < text.count, isIdentifierByte(text[pos]) { pos += 1 }
      switch String(decoding: text[start..<pos], as: UTF8.self) {
      case "True": return .bool(true)
      case "False": return .bool(false)
      case "None": return .none
      default:
        pos = start
        throw Failure(message: "unexpected \(describeHere()), expected a value")
      }
    }
  }

  private func isIdentifierByte(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
  }

  private mutating func expect(_ c: UInt8) throws(Failure) {
    skipSpace()
    guard pos < text.count, text[pos] == c else {
      throw Failure(message: "expected '\(Character(Unicode.Scalar(c)))', found \(describeHere())")
    }
    pos += 1
  }

  /// Items up to `close`, allowing a trailing comma; reports whether any comma was seen.
  private mutating func sequence(close: UInt8, depth: Int) throws(Failure) -> (items: [PyLiteral], sawComma: Bool) {
    var items: [PyLiteral] = []
    var sawComma = false
    while true {
      skipSpace()
      if pos < text.count, text[pos] == close {
        pos += 1
        return (items, sawComma)
      }
      items.append(try value(depth: depth + 1))
      skipSpace()
      if pos < text.count, text[pos] == UInt8(ascii: ",") {
        pos += 1
        sawComma = true
        continue
      }
      try expect(close)
      return (items, sawComma)
    }
  }

  private mutating func dict(depth: Int) throws(Failure) -> PyLiteral {
    var items: [(key: PyLiteral, value: PyLiteral)] = []
    while true {
      skipSpace()
      if pos < text.count, text[pos] == UInt8(ascii: "}") {
        pos += 1
        return .dict(items)
      }
      let key = try value(depth: depth + 1)
      try expect(UInt8(ascii: ":"))
      let val = try value(depth: depth + 1)
      items.append((key, val))
      skipSpace()
      if pos < text.count, text[pos] == UInt8(ascii: ",") {
        pos += 1
        continue
      }
      try expect(UInt8(ascii: "}"))
      return .dict(items)
    }
  }

  private mutating func string() throws(Failure) -> String {
    let quote = text[pos]
    pos += 1
    var bytes: [UInt8] = []
    while pos < text.count {
      let c = text[pos]
      pos += 1
      if c == quote { return decode(bytes) }
      if c == 0x0A { break }
      if c == UInt8(ascii: "\\") {
        guard pos < text.count else { break }
        let e = text[pos]
        pos += 1
        switch e {
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): bytes.append(e)
        default: throw Failure(message: "unsupported escape '\\\(Character(Unicode.Scalar(e)))' in a string")
        }
        continue
      }
      bytes.append(c)
    }
    throw Failure(message: "unterminated string")
  }

  private func decode(_ bytes: [UInt8]) -> String {
    if utf8 { return String(decoding: bytes, as: UTF8.self) }
    var s = ""
    s.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return s
  }

  private mutating func integer() throws(Failure) -> Int {
    var negative = false
    if text[pos] == UInt8(ascii: "-") || text[pos] == UInt8(ascii: "+") {
      negative = text[pos] == UInt8(ascii: "-")
      pos += 1
    }
    let start = pos
    var value = 0
    var overflow = false
    while pos < text.count, text[pos] >= UInt8(ascii: "0"), text[pos] <= UInt8(ascii: "9") {
      let (m, o1) = value.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int(text[pos] - UInt8(ascii: "0")))
      overflow = overflow || o1 || o2
      value = a
      pos += 1
    }
    guard pos > start else { throw Failure(message: "expected digits, found \(describeHere())") }
    // Python 2 wrote long integers as `3L`.
    if pos < text.count, text[pos] == UInt8(ascii: "L") { pos += 1 }
    guard !overflow else {
      throw Failure(message: "integer \(String(decoding: text[start..<pos], as: UTF8.self)) is too large")
    }
    return negative ? -value : value
  }
}
