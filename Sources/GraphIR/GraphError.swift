/// Errors from building, checking or transforming graphs.
public enum GraphError: Error, CustomStringConvertible, Sendable {
  /// An op was given inputs it cannot take (wrong count, dtype or shape).
  case invalidInputs(op: String, node: String, reason: String)
  /// A graph broke a structural invariant.
  case malformed(String)
  /// An op's rule is missing or cannot apply (e.g. differentiating an integer value).
  case unsupported(String)

  public var description: String {
    switch self {
    case .invalidInputs(let op, let node, let reason):
      node.isEmpty ? "\(op): \(reason)" : "\(op) node '\(node)': \(reason)"
    case .malformed(let s): "malformed graph: \(s)"
    case .unsupported(let s): s
    }
  }
}
