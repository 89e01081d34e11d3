public import TensorCore

/// Appends nodes to a graph, inferring each new value's type from its primitive's shape rule.
public struct GraphBuilder: Sendable {
  public private(set) var graph: Graph

  public init(_ graph: Graph = Graph()) {
    self.graph = graph
  }

  public func type(of v: Value) -> TensorType { graph.types[v.id] }

  /// A new value of type `type`, not yet defined by any node.
  public mutating func newValue(_ type: TensorType, name: String) -> Value {
    let v = Value(graph.types.count)
    graph.types.append(type)
    graph.names.append(name)
    return v
  }

  /// Adds a graph input.
  public mutating func addInput(name: String, type: TensorType) -> Value {
    let v = newValue(type, name: name)
    graph.inputs.append(v)
    return v
  }

  /// Marks `v` as a graph output, optionally renaming it.
  public mutating func addOutput(_ v: Value, name: String? = nil) {
    if let name { graph.names[v.id] = name }
    graph.outputs.append(v)
  }

  public mutating func setOutputs(_ vs: [Value]) { graph.outputs = vs }

  public mutating func rename(_ v: Value, _ name: String) { graph.names[v.id] = name }

  /// Applies `op` to `inputs`; throws when the shape rule rejects them.
  @discardableResult
  public mutating func apply(
    _ op: any Primitive, _ inputs: [Value], name: String = "", outputNames: [String]? = nil
  ) throws -> [Value] {
    let types = try op.outputTypes(inputs.map { graph.types[$0.id] })
    let outs = types.enumerated().map { i, t in
      newValue(t, name: outputNames.map { i < $0.count ? $0[i] : "" } ?? "")
    }
    graph.nodes.append(Node(op: op, inputs: inputs, outputs: outs, name: name))
    return outs
  }

  /// The value of `v` when a constant node defines it.
  public func constantValue(of v: Value) -> Tensor? {
    for node in graph.nodes.reversed() where node.outputs.contains(v) { return node.op.constantValue }
    return nil
  }

  /// Applies a single-output `op`.
  public mutating func apply1(_ op: any Primitive, _ inputs: [Value], name: String = "") throws -> Value {
    let outs = try apply(op, inputs, name: name)
    guard outs.count == 1 else {
      throw GraphError.malformed("\(op) has \(outs.count) outputs where one was expected")
    }
    return outs[0]
  }
}
