/// An ONNX op onnxgrad imports, and how.
public struct SupportedOp: Sendable, Equatable {
  public var opType: String
  /// `ai.onnx` (the default domain) or another, such as `ai.onnx.ml`.
  public var domain: String
  /// The opset versions its lowering is written for.
  public var opsets: ClosedRange<Int>
  /// The primitive (or composite lowering) that implements it.
  public var implementation: String
  /// Whether it is built from other primitives (Sources/Ops/Composites) rather than being one.
  public var isComposite: Bool
}

/// An op of a model that onnxgrad cannot import.
public struct UnsupportedOp: Sendable, Equatable, Codable, CustomStringConvertible {
  public var opType: String
  /// The op's domain (`ai.onnx` for the default domain).
  public var domain: String
  /// The opset version the model imports for that domain.
  public var opset: Int
  /// The first node using it.
  public var node: String
  /// How many nodes use it.
  public var count: Int
  /// Why it is refused: an unknown op, or a known op at an opset it is not written for.
  public var reason: String

  public init(opType: String, domain: String, opset: Int, node: String, count: Int, reason: String) {
    self.opType = opType
    self.domain = domain
    self.opset = opset
    self.node = node
    self.count = count
    self.reason = reason
  }

  public var description: String {
    "'\(opType)' (domain '\(domain)', opset \(opset); \(count == 1 ? "node" : "\(count) nodes, first") '\(node)'): \(reason)"
  }
}

/// Errors turning an ONNX model into a graph; each names the node, op and opset involved.
public enum ONNXImportError: Error, CustomStringConvertible, Sendable {
  /// Every op of the model that cannot be imported, all at once.
  case unsupportedOps([UnsupportedOp], supported: [String])
  case invalidModel(String)
  case node(name: String, opType: String, detail: String)

  public var description: String {
    switch self {
    case .unsupportedOps(let ops, let supported):
      "the model uses \(ops.count == 1 ? "an op" : "\(ops.count) ops") onnxgrad does not support: "
        + ops.map(\.description).joined(separator: "; ") + ". Supported ops: \(supported.joined(separator: ", "))"
    case .invalidModel(let s): s
    case .node(let name, let op, let detail): "\(op) node '\(name)': \(detail)"
    }
  }
}
