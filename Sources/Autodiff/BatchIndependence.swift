public import GraphIR

/// The batch-independence analysis: proves that no node mixes the rows of axis 0.
///
/// Batched inputs carry the batch on axis 0; constants are shared, and so are values computed
/// from sizes alone unless their axis 0 is the batch size (then they hold a row per sample).
/// Each primitive's batch rule says which outputs stay batched, or that the node mixes rows.
/// Only when every node keeps rows apart does one pass with K seed directions give every
/// sample's own Jacobian.
public enum BatchIndependence {
  /// Throws `AutodiffError.rowsMixed` naming the first node on a path from `batched` to
  /// `outputs` that mixes rows.
  public static func check(_ graph: Graph, batched: [Value], outputs: [Value]) throws {
    let needed = Simplify.eliminateDeadCode({ var g = graph; g.outputs = outputs; return g }()).nodes
    _ = try roles(graph, nodes: needed, batched: batched, mixing: { node in
      throw AutodiffError.rowsMixed(node: node.name.isEmpty ? "(unnamed)" : node.name, op: node.op.description)
    })
  }

  /// For every value, whether it holds one row per sample on axis 0; a node that mixes rows
  /// counts its outputs as batched.
  public static func roles(_ graph: Graph, batched: [Value]) -> [Bool] {
    let r = try? roles(graph, nodes: graph.nodes, batched: batched, mixing: { _ in })
    return (r ?? []).map { $0 == .batched }
  }

  private static func roles(
    _ graph: Graph, nodes: [Node], batched: [Value], mixing: (Node) throws -> Void
  ) throws -> [BatchRole?] {
    var role = [BatchRole?](repeating: nil, count: graph.types.count)
    for v in graph.inputs { role[v.id] = .shared }
    for v in batched { role[v.id] = .batched }
    let batchSizes = Set(batched.compactMap { v -> String? in
      if case .symbol(let s)? = graph.type(of: v).dims.first, !s.isEmpty { return s }
      return nil
    })
    for node in nodes {
      let inRoles = node.inputs.map { role[$0.id] ?? .shared }
      guard inRoles.contains(.batched) else {
        for o in node.outputs { role[o.id] = sizedByBatch(graph.type(of: o), batchSizes) ? .batched : .shared }
        continue
      }
      guard let outRoles = node.op.batchRoles(inRoles, types: node.inputs.map { graph.type(of: $0) }),
        outRoles.count == node.outputs.count
      else {
        try mixing(node)
        for o in node.outputs { role[o.id] = .batched }
        continue
      }
      for (o, r) in zip(node.outputs, outRoles) { role[o.id] = r }
    }
    return role
  }
}

/// Whether a value computed from sizes alone (`ConstantOfShape` of `Shape(x)`, say) has the
/// batch size on axis 0: it then holds one row per sample, like a batched value.
private func sizedByBatch(_ type: TensorType, _ batchSizes: Set<String>) -> Bool {
  if case .symbol(let s)? = type.dims.first { return batchSizes.contains(s) }
  return false
}
