public import GraphIR
public import TensorCore

/// Errors from planning or running a graph; each names the input or node involved.
public enum ExecutionError: Error, CustomStringConvertible, Sendable {
  case inputMismatch(String)
  case kernelFailed(node: String, op: String, detail: String)

  public var description: String {
    switch self {
    case .inputMismatch(let s): s
    case .kernelFailed(let node, let op, let detail): "\(op) node '\(node)' failed: \(detail)"
    }
  }
}

/// A graph compiled for one set of input shapes: every value's concrete type, the nodes left to
/// run after folding constants, and when each intermediate can be released.
///
/// Compile once, run many times. Running checks inputs against the planned shapes.
public struct Plan: Sendable {
  public let graph: Graph
  /// Concrete type of every value, indexed by `Value.id` (nil for values no node computes).
  public let types: [TensorType?]
  /// Values computed at compile time (constants and everything depending only on them).
  private let folded: [Int: Tensor]
  /// Nodes that depend on inputs, in order.
  private let steps: [Node]
  /// For each step, the values whose last use it is (released after the step).
  private let releases: [[Int]]

  /// Compiles `graph` for inputs of the given shapes (one per `graph.inputs`).
  public init(graph: Graph, inputShapes: [[Int]]) throws {
    self.graph = graph
    guard inputShapes.count == graph.inputs.count else {
      throw ExecutionError.inputMismatch("expected \(graph.inputs.count) inputs, got \(inputShapes.count)")
    }
    var types = [TensorType?](repeating: nil, count: graph.types.count)
    var symbols: [String: (Int, String)] = [:]
    for (v, shape) in zip(graph.inputs, inputShapes) {
      let declared = graph.type(of: v)
      let name = graph.name(of: v)
      guard shape.count == declared.rank else {
        throw ExecutionError.inputMismatch("input '\(name)' must have rank \(declared.rank) (shape \(declared)), got shape \(shape)")
      }
      for (axis, (dim, size)) in zip(declared.dims, shape).enumerated() {
        switch dim {
        case .known(let n) where n != size:
          throw ExecutionError.inputMismatch("input '\(name)' axis \(axis) must be \(n) (shape \(declared)), got shape \(shape)")
        case .symbol(let s) where !s.isEmpty:
          if let (earlier, who) = symbols[s], earlier != size {
            throw ExecutionError.inputMismatch("input '\(name)' axis \(axis) ('\(s)') is \(size), but '\(who)' has \(s) = \(earlier)")
          }
          symbols[s] = (size, name)
        default: break
        }
      }
      types[v.id] = TensorType(declared.dtype, shape: shape)
    }
    var folded: [Int: Tensor] = [:]
    var steps: [Node] = []
    let outputSet = Set(graph.outputs.map(\.id))
    for node in graph.nodes {
      let inTypes = try node.inputs.map { v -> TensorType in
        guard let t = types[v.id] else { throw ExecutionError.inputMismatch("node '\(node.name)' reads an undefined value \(v)") }
        return t
      }
      let outTypes: [TensorType]
      do {
        outTypes = try node.op.outputTypes(inTypes)
      } catch {
        throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "\(error)")
      }
      for (o, t) in zip(node.outputs, outTypes) { types[o.id] = t }
      if node.inputs.allSatisfy({ folded[$0.id] != nil }) {
        let values = try Self.execute(node, node.inputs.compactMap { folded[$0.id] })
        for (o, t) in zip(node.outputs, values) { folded[o.id] = t }
      } else {
        steps.append(node)
      }
    }
    var lastUse: [Int: Int] = [:]
    for (i, node) in steps.enumerated() { for v in node.inputs where folded[v.id] == nil { lastUse[v.id] = i } }
    var releases = [[Int]](repeating: [], count: steps.count)
    for (v, i) in lastUse where !outputSet.contains(v) && !graph.inputs.contains(Value(v)) { releases[i].append(v) }
    self.types = types
    self.folded = folded
    self.steps = steps
    self.releases = releases
  }

  private static func execute(_ node: Node, _ inputs: [Tensor]) throws -> [Tensor] {
    do {
      return try node.op.forward(inputs)
    } catch {
      throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "\(error)")
    }
  }

  /// Runs the plan on `inputs` (one per `graph.inputs`, with the planned shapes and dtypes) and
  /// returns one tensor per `graph.outputs`.
  public func run(_ inputs: [Tensor]) throws -> [Tensor] {
    guard inputs.count == graph.inputs.count else {
      throw ExecutionError.inputMismatch("expected \(graph.inputs.count) inputs, got \(inputs.count)")
    }
    var values = [Tensor?](repeating: nil, count: graph.types.count)
    for (v, t) in zip(graph.inputs, inputs) {
      guard let planned = types[v.id], planned.shape == t.shape, planned.dtype == t.dtype else {
        throw ExecutionError.inputMismatch("input '\(graph.name(of: v))' is \(t.dtype)\(t.shape), but the plan was compiled for \(types[v.id].map(\.description) ?? "?")")
      }
      values[v.id] = t
    }
    for (v, t) in folded { values[v] = t }
    for (i, node) in steps.enumerated() {
      var args: [Tensor] = []
      args.reserveCapacity(node.inputs.count)
      for v in node.inputs {
        guard let t = values[v.id] else {
          throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "input \(v) was not computed")
        }
        args.append(t)
      }
      let outs = try Self.execute(node, args)
      for (o, t) in zip(node.outputs, outs) {
        guard t.shape == types[o.id]?.shape else {
          throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "kernel produced \(t.shape), shape rule said \(types[o.id]?.description ?? "?")")
        }
        values[o.id] = t
      }
      for v in releases[i] { values[v] = nil }
    }
    return try graph.outputs.map { v in
      guard let t = values[v.id] else { throw ExecutionError.inputMismatch("output '\(graph.name(of: v))' was not computed") }
      return t
    }
  }
}
