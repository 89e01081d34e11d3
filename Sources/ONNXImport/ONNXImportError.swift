/// Errors turning an ONNX model into a graph; each names the node, op and opset involved.
public enum ONNXImportError: Error, CustomStringConvertible, Sendable {
  case unsupportedOp(opType: String, domain: String, opset: Int, node: String, supported: [String])
  case unsupportedOpset(opType: String, opset: Int, node: String, supported: ClosedRange<Int>)
  case invalidModel(String)
  case node(name: String, opType: String, detail: String)

  public var description: String {
    switch self {
    case .unsupportedOp(let op, let domain, let opset, let node, let supported):
      "unsupported op '\(op)' (domain '\(domain.isEmpty ? "ai.onnx" : domain)', opset \(opset)) at node '\(node)'; supported ops: \(supported.joined(separator: ", "))"
    case .unsupportedOpset(let op, let opset, let node, let supported):
      "op '\(op)' at node '\(node)': opset \(opset) is not supported (supported: \(supported.lowerBound)…\(supported.upperBound))"
    case .invalidModel(let s): s
    case .node(let name, let op, let detail): "\(op) node '\(name)': \(detail)"
    }
  }
}
