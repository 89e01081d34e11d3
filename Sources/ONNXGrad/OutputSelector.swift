/// An output, optionally one component of its last axis: `uv` or `uv:0` (the `u` of `uv`).
public struct OutputSelector: Sendable, Equatable, CustomStringConvertible {
  public var name: String
  public var component: Int?

  public init(name: String, component: Int? = nil) {
    self.name = name
    self.component = component
  }

  /// Parses `NAME` or `NAME:K`. A name that itself contains `:` is taken whole when the part
  /// after the last `:` is not a number.
  public init(parsing text: String) throws {
    if let colon = text.lastIndex(of: ":") {
      let suffix = text[text.index(after: colon)...]
      if !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(suffix) {
        self.init(name: String(text[..<colon]), component: k)
        return
      }
      if suffix.isEmpty || suffix.allSatisfy({ $0.isNumber || "+-".contains($0) }) { throw ONNXGradError.badSelector(text) }
    }
    guard !text.isEmpty else { throw ONNXGradError.badSelector(text) }
    self.init(name: text)
  }

  public var description: String { component.map { "\(name):\($0)" } ?? name }
}
