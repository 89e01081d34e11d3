import TensorCore

/// An element type from a `.npy` header's `descr` that onnxgrad can read.
struct NPYDescr: Equatable {
  enum Kind: Equatable {
    case float, signed, unsigned, bool
  }

  let kind: Kind
  /// Bytes per element: 1, 2, 4 or 8.
  let size: Int
  let bigEndian: Bool
  /// The descr as written in the file, for messages.
  let text: String

  /// Parses `descr`, or explains why it is refused (the message is complete but for the file name).
  static func parse(_ descr: PyLiteral) -> Result<NPYDescr, NumPyIOError.Kind.Refusal> {
    guard case .string(let text) = descr else {
      switch descr {
      case .list: return .failure(.init(kind: .unsupportedDType, message: "unsupported dtype \(descr.python) (structured); \(supported)"))
      default: return .failure(.init(kind: .badHeader, message: "bad header: 'descr' is \(descr.python), expected a string like '<f4'"))
      }
    }
    var chars = Array(text.unicodeScalars)
    var bigEndian = false
    if let first = chars.first, "<>|=!".unicodeScalars.contains(first) {
      bigEndian = first == ">" || first == "!"
      chars.removeFirst()
    }
    guard let code = chars.first else {
      return .failure(.init(kind: .badHeader, message: "bad header: 'descr' is '\(text)', expected a dtype like '<f4'"))
    }
    let digits = String(String.UnicodeScalarView(chars.dropFirst()))
    let size = digits.isEmpty ? defaultSize(code) : Int(digits)
    let refuse = { (category: String) in
      Result<NPYDescr, NumPyIOError.Kind.Refusal>.failure(
        .init(kind: .unsupportedDType, message: "unsupported dtype '\(text)' (\(category)); \(supported)"))
    }
    let kind: Kind
    switch code {
    case "f": kind = .float
    case "i": kind = .signed
    case "u": kind = .unsigned
    case "b": kind = digits == "1" ? .bool : .signed  // 'b1' is bool, a bare 'b' is int8
    case "?": kind = .bool
    case "c": return refuse("complex")
    case "O": return refuse("Python objects")
    case "S", "a", "U": return refuse("string")
    case "V": return refuse("void / raw bytes")
    case "M": return refuse("datetime")
    case "m": return refuse("timedelta")
    default: return refuse("unknown type code")
    }
    guard let size else { return refuse("unknown size") }
    let ok: Bool
    switch kind {
    case .float: ok = size == 2 || size == 4 || size == 8
    case .signed, .unsigned: ok = size == 1 || size == 2 || size == 4 || size == 8
    case .bool: ok = size == 1
    }
    guard ok else {
      return refuse(kind == .float && size > 8 ? "extended precision float" : "unsupported size \(size)")
    }
    return .success(NPYDescr(kind: kind, size: size, bigEndian: bigEndian && size > 1, text: text))
  }

  static let supported = "onnxgrad reads f2/f4/f8, integer and bool arrays"

  private static func defaultSize(_ code: Unicode.Scalar) -> Int? {
    switch code {
    case "b", "?": 1
    default: nil
    }
  }
}

extension NumPyIOError.Kind {
  /// An error kind and message still waiting for its file name.
  struct Refusal: Error {
    let kind: NumPyIOError.Kind
    let message: String
  }
}

extension NPYDescr {
  /// The tensor dtype elements of this descr decode to.
  var tensorDType: DType {
    switch kind {
    case .float: size == 8 ? .float64 : .float32
    case .signed, .unsigned: .int64
    case .bool: .bool
    }
  }
}
