public import GraphIR
import Ops

/// Reverse mode as a graph transformation, with `torch.autograd.grad` semantics.
public enum VJP {
  /// Extends `graph` to compute `Σ_o ⟨seed_o, ∂o/∂w⟩` for every `w` in `wrt`, given one
  /// cotangent seed per `of` (with `directionAxes` leading axes).
  ///
  /// Nodes on a path from `wrt` to `of` apply their VJP rules in reverse order; cotangents
  /// reaching a value along several paths are summed. A `wrt` the outputs do not depend on
  /// gets nil (identically zero). The result is simplified.
  public static func transform(
    _ graph: Graph, of: [Value], wrt: [Value], directionAxes: Int = 0, alsoOutput: [Value] = []
  ) throws -> DerivativeGraph {
    for w in wrt where !graph.type(of: w).dtype.isFloatingPoint {
      throw AutodiffError.notDifferentiable("cannot differentiate with respect to '\(graph.name(of: w))': it is \(graph.type(of: w).dtype), not a float")
    }
    var dependsOnWrt = [Bool](repeating: false, count: graph.types.count)
    for w in wrt { dependsOnWrt[w.id] = true }
    for node in graph.nodes where node.inputs.contains(where: { dependsOnWrt[$0.id] }) {
      for o in node.outputs { dependsOnWrt[o.id] = true }
    }
    var b = GraphBuilder(graph)
    var cotangent: [Int: Value] = [:]
    var seeds: [Value] = []
    for o in of {
      let s = b.seedInput(like: o, directionAxes: directionAxes, prefix: "cotangent_")
      seeds.append(s)
      cotangent[o.id] = try b.add(cotangent[o.id], s)
    }
    for node in graph.nodes.reversed() {
      let cts = node.outputs.map { cotangent[$0.id] }
      guard cts.contains(where: { $0 != nil }), node.inputs.contains(where: { dependsOnWrt[$0.id] }) else { continue }
      let args = VJPArguments(primals: node.inputs, outputs: node.outputs, cotangents: cts, directionAxes: directionAxes)
      let cin = try node.op.vjp(&b, args)
      guard cin.count == node.inputs.count else {
        throw AutodiffError.ruleBroke(op: node.op.description, node: node.name, detail: "VJP returned \(cin.count) cotangents for \(node.inputs.count) inputs")
      }
      for (input, ct) in zip(node.inputs, cin) where dependsOnWrt[input.id] {
        try checkDerivative(b, ct, of: input, directionAxes: directionAxes, node: node)
        cotangent[input.id] = try b.add(cotangent[input.id], ct)
      }
    }
    let derivatives = wrt.map { cotangent[$0.id] }
    b.setOutputs(of + alsoOutput.filter { !of.contains($0) } + derivatives.compactMap { $0 })
    let g = try Simplify.run(b.graph)
    return DerivativeGraph(graph: g, primalOutputs: of, seeds: seeds, derivatives: derivatives)
  }
}
