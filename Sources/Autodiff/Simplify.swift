public import GraphIR
import Ops
import TensorCore

/// Simplification run after every transform: constant folding, `x·1` (also with ones broadcast
/// to a shape), `x+0`, `x−0`,
/// identity removal, common subexpressions, scales folded into `NormalizeTangent`
/// (`foldNormalizeScales`), dead code.
///
/// Values keep their ids; replaced values are renamed through an alias table and nodes that no
/// output needs are dropped. Graph inputs are never removed.
public enum Simplify {
  /// Constants up to this many elements are folded and compared by value.
  static let foldLimit = 4096

  public static func run(_ graph: Graph) throws -> Graph {
    var alias = Array(0..<graph.types.count)
    func resolve(_ v: Value) -> Value {
      var id = v.id
      while alias[id] != id { id = alias[id] }
      return Value(id)
    }
    var kept: [Node] = []
    var seen: [String: [Value]] = [:]
    var constants: [Int: Tensor] = [:]
    var broadcastOnes = Set<Int>()
    let outputs = Set(graph.outputs)

    for var node in graph.nodes {
      node.inputs = node.inputs.map(resolve)
      if node.op is BroadcastLike, node.inputs.count == 2, let c = constants[node.inputs[0].id], c.doubles.allSatisfy({ $0 == 1 }) {
        broadcastOnes.insert(node.outputs[0].id)
      }
      if let replacement = rewrite(node, in: graph, constants: constants, ones: broadcastOnes),
        !outputs.contains(node.outputs[0])
      {
        alias[node.outputs[0].id] = replacement.id
        continue
      }
      if !(node.op is Constant), !node.inputs.isEmpty, node.inputs.allSatisfy({ constants[$0.id] != nil }),
        node.outputs.count == 1
      {
        let value = try node.op.forward(node.inputs.compactMap { constants[$0.id] })[0]
        if value.count <= foldLimit { node = Node(op: Constant(value), inputs: [], outputs: node.outputs, name: node.name) }
      }
      let key = cseKey(node)
      if let key, let earlier = seen[key], !node.outputs.contains(where: outputs.contains) {
        for (o, e) in zip(node.outputs, earlier) { alias[o.id] = e.id }
        continue
      }
      if let key { seen[key] = node.outputs }
      if let c = node.op.constantValue, c.count <= foldLimit { constants[node.outputs[0].id] = c }
      kept.append(node)
    }
    var g = graph
    g.nodes = kept
    g.outputs = graph.outputs.map(resolve)
    return eliminateDeadCode(foldNormalizeScales(eliminateDeadCode(g)))
  }

  /// The value `node`'s single output can be replaced by, when the node is an identity.
  /// `ones`: values that are constant ones broadcast to a shape (unit seeds of nested JVPs).
  private static func rewrite(_ node: Node, in graph: Graph, constants: [Int: Tensor], ones: Set<Int>) -> Value? {
    guard node.outputs.count == 1 else { return nil }
    let out = graph.type(of: node.outputs[0])
    func isFilled(_ v: Value, with x: Double) -> Bool {
      if x == 1, ones.contains(v.id) { return true }
      guard let c = constants[v.id] else { return false }
      return c.doubles.allSatisfy { $0 == x }
    }
    func sameType(_ v: Value) -> Bool { graph.type(of: v) == out && !out.dims.contains(.symbol("")) }
    switch node.op {
    case is Identity: return sameType(node.inputs[0]) ? node.inputs[0] : nil
    case is Mul:
      if isFilled(node.inputs[1], with: 1), sameType(node.inputs[0]) { return node.inputs[0] }
      if isFilled(node.inputs[0], with: 1), sameType(node.inputs[1]) { return node.inputs[1] }
    case is Add:
      if isFilled(node.inputs[1], with: 0), sameType(node.inputs[0]) { return node.inputs[0] }
      if isFilled(node.inputs[0], with: 0), sameType(node.inputs[1]) { return node.inputs[1] }
    case is Sub:
      if isFilled(node.inputs[1], with: 0), sameType(node.inputs[0]) { return node.inputs[0] }
    default: break
    }
    return nil
  }

  private static func cseKey(_ node: Node) -> String? {
    if let c = node.op.constantValue {
      guard c.count <= 64 else { return nil }
      return c.dtype == .int64 ? "Constant<\(c.dtype)>\(c.shape)=\(c.int64s)" : "Constant<\(c.dtype)>\(c.shape)=\(c.doubles)"
    }
    return "\(node.op.description)(\(node.inputs.map { "\($0.id)" }.joined(separator: ",")))"
  }

  /// Drops nodes whose outputs no graph output needs.
  public static func eliminateDeadCode(_ graph: Graph) -> Graph { graph.withoutDeadCode() }
}
