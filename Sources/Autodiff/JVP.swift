public import GraphIR
import Ops

/// Forward mode as a graph transformation.
public enum JVP {
  /// Extends `graph` to compute the tangents of `of` for tangent seeds of `wrt`.
  ///
  /// Each seed has `directionAxes` leading axes beyond its value's shape; with one direction
  /// axis of size K, K tangents travel together (`[K, B, …]`). Every node on a path from `wrt`
  /// applies its primitive's JVP rule; the result is simplified.
  public static func transform(
    _ graph: Graph, of: [Value], wrt: [Value], directionAxes: Int = 0, alsoOutput: [Value] = []
  ) throws -> DerivativeGraph {
    var b = GraphBuilder(graph)
    var tangent = [Value?](repeating: nil, count: graph.types.count)
    var seeds: [Value] = []
    for w in wrt {
      guard graph.type(of: w).dtype.isFloatingPoint else {
        throw AutodiffError.notDifferentiable("cannot differentiate with respect to '\(graph.name(of: w))': it is \(graph.type(of: w).dtype), not a float")
      }
      let s = b.seedInput(like: w, directionAxes: directionAxes, prefix: "tangent_")
      seeds.append(s)
      tangent[w.id] = s
    }
    for node in graph.nodes {
      let tin = node.inputs.map { tangent[$0.id] }
      guard tin.contains(where: { $0 != nil }) else { continue }
      let args = JVPArguments(primals: node.inputs, outputs: node.outputs, tangents: tin, directionAxes: directionAxes)
      let tout = try node.op.jvp(&b, args)
      guard tout.count == node.outputs.count else {
        throw AutodiffError.ruleBroke(op: node.op.description, node: node.name, detail: "JVP returned \(tout.count) tangents for \(node.outputs.count) outputs")
      }
      for (o, t) in zip(node.outputs, tout) {
        try checkDerivative(b, t, of: o, directionAxes: directionAxes, node: node)
        if tangent.count < b.graph.types.count { tangent += [Value?](repeating: nil, count: b.graph.types.count - tangent.count) }
        tangent[o.id] = t
      }
    }
    let derivatives = of.map { tangent[$0.id] }
    b.setOutputs(of + alsoOutput.filter { !of.contains($0) } + derivatives.compactMap { $0 })
    var g = b.graph
    g = try Simplify.run(g)
    return DerivativeGraph(graph: g, primalOutputs: of, seeds: seeds, derivatives: derivatives)
  }
}
