import GraphIR
import Ops

extension Simplify {
  /// Folds an elementwise scale `s` of `x̂`'s shape (no direction axes) into the
  /// `NormalizeTangent` next to it, so the tangent-sized product is never made:
  ///
  /// - `NormalizeTangent(before | none)(s·t, x̂, r[, γ])` → `NormalizeTangent(before)(t, x̂, r, s·γ)`,
  ///   since `P(γ·(s·t)) = P((s·γ)·t)` (reverse mode: a cotangent scaled by an activation's
  ///   derivative, then LayerNorm's backward);
  /// - `s · NormalizeTangent(after | none)(t, x̂, r[, γ])` → `NormalizeTangent(after)(t, x̂, r, s·γ)`,
  ///   since `s·(γ·P(t)) = (s·γ)·P(t)` (forward mode: LayerNorm's tangent, then the activation's).
  ///
  /// `s·γ` is `s` when there is no `γ`, else a new product of `x̂`'s shape. Only products whose
  /// result has no other reader (and is no graph output) are folded; the replaced nodes are left
  /// for dead-code elimination.
  static func foldNormalizeScales(_ graph: Graph) -> Graph {
    var g = graph
    var readers = [Int](repeating: 0, count: g.types.count)
    for node in g.nodes { for v in Set(node.inputs) { readers[v.id] += 1 } }
    for v in g.outputs { readers[v.id] += 1 }
    var producer: [Int: Int] = [:]
    var nodes: [Node] = []
    nodes.reserveCapacity(g.nodes.count)

    /// The operands `(s, t)` of a two-input `Mul` node: `s` of `xhat`'s shape, `t` of `tangentType`.
    func split(_ mul: Node, xhat: Value, tangentType: TensorType) -> (s: Value, t: Value)? {
      guard mul.op is Mul, mul.inputs.count == 2 else { return nil }
      let x = g.type(of: xhat)
      for (s, t) in [(mul.inputs[1], mul.inputs[0]), (mul.inputs[0], mul.inputs[1])] {
        let (st, tt) = (g.type(of: s), g.type(of: t))
        if st.dtype == x.dtype, st.dims == x.dims, !x.dims.contains(.symbol("")), tt == tangentType { return (s, t) }
      }
      return nil
    }

    /// `s·γ` (or `s`), appending the product node to `nodes`.
    func combined(_ s: Value, _ gamma: Value?) -> Value {
      guard let gamma else { return s }
      let v = Value(g.types.count)
      g.types.append(g.type(of: s))
      g.names.append("")
      nodes.append(Node(op: Mul(), inputs: [s, gamma], outputs: [v], name: ""))
      return v
    }

    func append(_ node: Node) {
      for o in node.outputs { producer[o.id] = nodes.count }
      nodes.append(node)
    }

    for node in g.nodes {
      if let nt = node.op as? NormalizeTangent, nt.scale != .after, node.inputs.count >= 3,
        let p = producer[node.inputs[0].id], readers[node.inputs[0].id] == 1,
        let (s, t) = split(nodes[p], xhat: node.inputs[1], tangentType: g.type(of: node.outputs[0]))
      {
        let scale = combined(s, nt.scale == .before ? node.inputs[3] : nil)
        append(
          Node(
            op: NormalizeTangent(axis: nt.axis, scale: .before), inputs: [t] + node.inputs[1...2] + [scale],
            outputs: node.outputs, name: node.name))
        continue
      }
      if node.op is Mul, node.inputs.count == 2, node.inputs[0] != node.inputs[1],
        let k = node.inputs.firstIndex(where: { v in
          guard readers[v.id] == 1, let i = producer[v.id] else { return false }
          return nodes[i].op is NormalizeTangent
        }),
        let i = producer[node.inputs[k].id], let nt = nodes[i].op as? NormalizeTangent, nt.scale != .before,
        nodes[i].inputs.count >= 3, g.type(of: node.outputs[0]) == g.type(of: node.inputs[k])
      {
        let ntNode = nodes[i]
        let s = node.inputs[1 - k]
        let (st, x) = (g.type(of: s), g.type(of: ntNode.inputs[1]))
        if st.dtype == x.dtype, st.dims == x.dims, !x.dims.contains(.symbol("")) {
          let scale = combined(s, nt.scale == .after ? ntNode.inputs[3] : nil)
          append(
            Node(
              op: NormalizeTangent(axis: nt.axis, scale: .after), inputs: Array(ntNode.inputs[0...2]) + [scale],
              outputs: node.outputs, name: node.name))
          continue
        }
      }
      append(node)
    }
    g.nodes = nodes
    return g
  }
}
