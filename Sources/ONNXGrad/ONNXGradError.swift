/// Errors from the library API; each names what was asked for and what was valid.
public enum ONNXGradError: Error, CustomStringConvertible, Sendable {
  case unknownInput(String, valid: [String])
  case unknownOutput(String, valid: [String])
  case missingInput(String)
  case componentOutOfRange(output: String, component: Int, size: Int)
  case badSelector(String)
  /// A derivative request that cannot be met as asked (no variables, a variable twice, no
  /// partials); the message says what and why.
  case badRequest(String)
  /// A `--terms`/`--names` problem: the message says which term or name and what is valid.
  case badTerm(String)
  case inputType(name: String, detail: String)
  case shapeMismatch(what: String, expected: String, got: String)
  case notPerSample(String)
  case notDifferentiable(String)
  case unsupportedModelFile(String)

  public var description: String {
    switch self {
    case .unknownInput(let n, let valid):
      "unknown input '\(n)'; the model's inputs are: \(valid.map { "'\($0)'" }.joined(separator: ", "))"
    case .unknownOutput(let n, let valid):
      "unknown output '\(n)'; the model's outputs are: \(valid.map { "'\($0)'" }.joined(separator: ", "))"
    case .missingInput(let n): "no value given for input '\(n)'"
    case .componentOutOfRange(let o, let k, let size):
      size == 0
        ? "output '\(o)' has no components to select (\(k)): it is a scalar or its last axis is empty"
        : "component \(k) of output '\(o)' is out of range: its last axis has size \(size) (valid: 0…\(size - 1))"
    case .badSelector(let s): "cannot read output selector '\(s)': expected NAME or NAME:K with K a whole number"
    case .badTerm(let s): s
    case .badRequest(let s): s
    case .inputType(let n, let detail): "input '\(n)': \(detail)"
    case .shapeMismatch(let what, let expected, let got): "\(what): expected shape \(expected), got \(got)"
    case .notPerSample(let s): s
    case .notDifferentiable(let s): s
    case .unsupportedModelFile(let s): s
    }
  }
}
