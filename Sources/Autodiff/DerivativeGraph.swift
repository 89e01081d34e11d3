public import GraphIR

/// A graph computing primal outputs together with derivatives, plus where its seeds go in.
///
/// `graph.inputs` are the primal inputs followed by `seeds`; `graph.outputs` are `primalOutputs`,
/// then any other values the caller asked to keep, then the non-nil entries of `derivatives`.
public struct DerivativeGraph: Sendable {
  public var graph: Graph
  /// The primal outputs the derivative was taken of, in request order.
  public var primalOutputs: [Value]
  /// One seed input per `wrt` (forward mode: tangents) or per `of` (reverse: cotangents).
  public var seeds: [Value]
  /// One derivative per `of` (forward) or per `wrt` (reverse); nil where it is identically zero.
  public var derivatives: [Value?]

  public init(graph: Graph, primalOutputs: [Value], seeds: [Value], derivatives: [Value?]) {
    self.graph = graph
    self.primalOutputs = primalOutputs
    self.seeds = seeds
    self.derivatives = derivatives
  }
}

/// Errors raised by the derivative transforms.
public enum AutodiffError: Error, CustomStringConvertible, Sendable {
  case notDifferentiable(String)
  case rowsMixed(node: String, op: String)
  case ruleBroke(op: String, node: String, detail: String)

  public var description: String {
    switch self {
    case .notDifferentiable(let s): s
    case .rowsMixed(let node, let op):
      "per-sample derivatives need every node to keep the rows of axis 0 apart, but node '\(node)' (\(op)) mixes them; the whole-batch Jacobian (`onnxgrad jacobian --full`, `Model.fullJacobian`) is defined instead"
    case .ruleBroke(let op, let node, let detail): "internal error in the derivative rule of \(op) (node '\(node)'): \(detail)"
    }
  }
}

extension GraphBuilder {
  /// A fresh seed input shaped like `v` with `directionAxes` leading direction axes.
  mutating func seedInput(like v: Value, directionAxes: Int, prefix: String) -> Value {
    let t = type(of: v)
    let used = Set(graph.inputs.flatMap { graph.type(of: $0).dims })
    var next = 0
    var lead: [Dim] = []
    while lead.count < directionAxes {
      let d = Dim.symbol("directions\(next)")
      next += 1
      if !used.contains(d) { lead.append(d) }
    }
    return addInput(name: "\(prefix)\(graph.name(of: v))", type: TensorType(t.dtype, lead + t.dims))
  }
}

func checkDerivative(_ b: GraphBuilder, _ d: Value?, of primal: Value, directionAxes: Int, node: Node) throws {
  guard let d else { return }
  let (dt, pt) = (b.type(of: d), b.type(of: primal))
  guard dt.rank == directionAxes + pt.rank, dt.dtype == pt.dtype else {
    throw AutodiffError.ruleBroke(op: node.op.description, node: node.name, detail: "derivative \(dt) does not match primal \(pt) with \(directionAxes) direction axes")
  }
}
