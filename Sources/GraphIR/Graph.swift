/// A value in a graph: the output of one node or a graph input. Identified by its index.
public struct Value: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let id: Int
  public init(_ id: Int) { self.id = id }
  public static func < (a: Value, b: Value) -> Bool { a.id < b.id }
  public var description: String { "%\(id)" }
}

/// One application of a primitive.
public struct Node: Sendable {
  public var op: any Primitive
  public var inputs: [Value]
  public var outputs: [Value]
  /// Name from the source model (ONNX node name), or a name a transform gave it.
  public var name: String

  public init(op: any Primitive, inputs: [Value], outputs: [Value], name: String) {
    self.op = op
    self.inputs = inputs
    self.outputs = outputs
    self.name = name
  }
}

/// A computation: typed values, nodes in topological order, named inputs and outputs.
///
/// Invariant (checked by `verify()`): every node's inputs are graph inputs or outputs of earlier
/// nodes, and every value is defined exactly once.
public struct Graph: Sendable {
  /// Type of every value, indexed by `Value.id`.
  public var types: [TensorType] = []
  /// Display name of every value (ONNX tensor name where it came from a model).
  public var names: [String] = []
  public var nodes: [Node] = []
  public var inputs: [Value] = []
  public var outputs: [Value] = []

  public init() {}

  public func type(of v: Value) -> TensorType { types[v.id] }
  public func name(of v: Value) -> String { names[v.id] }

  /// The graph input called `name`.
  public func input(named name: String) -> Value? { inputs.first { names[$0.id] == name } }
  /// The graph output called `name`.
  public func output(named name: String) -> Value? { outputs.first { names[$0.id] == name } }

  /// The node defining each value (nil for graph inputs), indexed by `Value.id`.
  public func producers() -> [Int?] {
    var p = [Int?](repeating: nil, count: types.count)
    for (i, n) in nodes.enumerated() { for o in n.outputs { p[o.id] = i } }
    return p
  }

  /// Checks the structural invariants; throws naming the first offending node.
  public func verify() throws {
    var defined = [Bool](repeating: false, count: types.count)
    for v in inputs { defined[v.id] = true }
    for n in nodes {
      for v in n.inputs where !(v.id < defined.count && defined[v.id]) {
        throw GraphError.malformed("node '\(n.name)' (\(n.op)) uses \(v) before it is defined")
      }
      for v in n.outputs {
        if defined[v.id] { throw GraphError.malformed("value \(v) is defined twice (node '\(n.name)')") }
        defined[v.id] = true
      }
    }
    for v in outputs where !defined[v.id] {
      throw GraphError.malformed("graph output '\(names[v.id])' is never computed")
    }
  }
}

extension Graph {
  /// The graph without the nodes whose outputs no graph output needs.
  public func withoutDeadCode() -> Graph {
    var live = [Bool](repeating: false, count: types.count)
    for v in outputs { live[v.id] = true }
    var kept: [Node] = []
    for node in nodes.reversed() where node.outputs.contains(where: { live[$0.id] }) {
      for v in node.inputs { live[v.id] = true }
      kept.append(node)
    }
    var g = self
    g.nodes = kept.reversed()
    return g
  }
}
