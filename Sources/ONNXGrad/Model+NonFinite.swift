public import TensorCore

/// Where a NaN or an infinity first appears in a model's forward computation.
public struct NonFiniteOrigin: Sendable, Equatable {
  /// The node's name in the model (an ONNX node name where it has one).
  public var node: String
  /// The primitive the node runs (`Log`, `Div`, …).
  public var op: String
  /// The value it produced, by name.
  public var value: String
  /// The first non-finite element (`nan`, `inf` or `-inf`).
  public var element: Double
}

extension Model {
  /// The first node, in graph order, that produces a NaN or an infinity from finite inputs when
  /// the model runs on `inputs` (one row of a batch, say), each op computed by its reference
  /// rule (an input that is itself non-finite is reported as node "the input"); nil when every value of the forward computation is finite (a non-finite derivative
  /// then comes from a derivative rule, such as √x at 0).
  public func firstNonFiniteNode(inputs: [String: Tensor]) throws -> NonFiniteOrigin? {
    let ordered = try orderedInputs(inputs)
    var values: [Int: Tensor] = [:]
    func firstNonFinite(_ t: Tensor) -> Double? { t.firstNonFinite?.value }
    for (v, t) in zip(graph.inputs, ordered) {
      values[v.id] = t
      if let bad = firstNonFinite(t) { return NonFiniteOrigin(node: "the input", op: "input", value: graph.name(of: v), element: bad) }
    }
    for node in graph.nodes {
      let args = try node.inputs.map { v -> Tensor in
        guard let t = values[v.id] else { throw ONNXGradError.notPerSample("internal: value '\(graph.name(of: v))' has not been computed") }
        return t
      }
      let results = try node.op.forward(args)
      for (v, t) in zip(node.outputs, results) {
        values[v.id] = t
        if let bad = firstNonFinite(t), !args.contains(where: { firstNonFinite($0) != nil }) {
          return NonFiniteOrigin(node: node.name, op: type(of: node.op).name, value: graph.name(of: v), element: bad)
        }
      }
    }
    return nil
  }
}
