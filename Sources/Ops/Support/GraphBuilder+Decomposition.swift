public import GraphIR

/// Derivative rules for primitives defined by a decomposition into other primitives: the rule
/// builds the decomposition on the primals and carries tangents (or cotangents) through its
/// nodes with their own rules, so the result is exactly the derivative of the decomposition.
extension GraphBuilder {
  /// The JVP of `decompose(primals)` for `args.tangents`.
  public mutating func jvpThroughDecomposition(
    _ args: JVPArguments, _ decompose: (inout GraphBuilder, [Value]) throws -> [Value]
  ) throws -> [Value?] {
    let start = graph.nodes.count
    let outs = try decompose(&self, args.primals)
    let nodes = graph.nodes[start...]
    var tangent: [Int: Value] = [:]
    for (p, t) in zip(args.primals, args.tangents) { if let t { tangent[p.id] = t } }
    for node in nodes {
      let tin = node.inputs.map { tangent[$0.id] }
      guard tin.contains(where: { $0 != nil }) else { continue }
      let tout = try node.op.jvp(
        &self, JVPArguments(primals: node.inputs, outputs: node.outputs, tangents: tin, directionAxes: args.directionAxes))
      for (o, t) in zip(node.outputs, tout) { if let t { tangent[o.id] = t } }
    }
    return outs.map { tangent[$0.id] }
  }

  /// The VJP of `decompose(primals)` for `args.cotangents` (an input given twice gets its whole
  /// cotangent at its first position).
  public mutating func vjpThroughDecomposition(
    _ args: VJPArguments, _ decompose: (inout GraphBuilder, [Value]) throws -> [Value]
  ) throws -> [Value?] {
    let start = graph.nodes.count
    let outs = try decompose(&self, args.primals)
    let nodes = Array(graph.nodes[start...])
    var cotangent: [Int: Value] = [:]
    for (o, c) in zip(outs, args.cotangents) { if let c { cotangent[o.id] = try add(cotangent[o.id], c) } }
    for node in nodes.reversed() {
      let cts = node.outputs.map { cotangent[$0.id] }
      guard cts.contains(where: { $0 != nil }), !node.inputs.isEmpty else { continue }
      let cin = try node.op.vjp(
        &self, VJPArguments(primals: node.inputs, outputs: node.outputs, cotangents: cts, directionAxes: args.directionAxes))
      for (input, c) in zip(node.inputs, cin) { if let c { cotangent[input.id] = try add(cotangent[input.id], c) } }
    }
    var seen = Set<Int>()
    return args.primals.map { seen.insert($0.id).inserted ? cotangent[$0.id] : nil }
  }
}
