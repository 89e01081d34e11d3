import GraphIR
import TensorCore

/// Finds dense layers among a plan's nodes and turns each into one `FusedDense` step.
///
/// A layer is a plain row product with a per-column bias (`Gemm`, `z = x·op(W) + b`, `x` 2-D)
/// and one or both of: the activation `y = f(z)` that is `z`'s only reader, and the forward-mode
/// tangent `ż = ẋ·op(W)` (same `W`) with the activation's derivative product `f′ ⊙ ż` as its only
/// reader. Nodes that match nothing stay as they are. Steps are reordered so every step runs
/// after the steps it reads; if fusing would need a step before itself, nothing is fused.
enum DenseFusion {
  static func steps(_ nodes: [Node], graph: Graph, types: [TensorType?]) -> [PlanStep] {
    let matcher = Matcher(nodes: nodes, graph: graph, types: types)
    var claimed = Set<Int>()
    var fusedAt: [Int: FusedDense] = [:]
    for i in nodes.indices where !claimed.contains(i) {
      guard let (members, layer) = matcher.layer(at: i, claimed: claimed) else { continue }
      claimed.formUnion(members)
      fusedAt[members.min() ?? i] = layer
    }
    let plain = nodes.map(PlanStep.node)
    guard !fusedAt.isEmpty else { return plain }
    var steps: [PlanStep] = []
    for i in nodes.indices {
      if let layer = fusedAt[i] {
        steps.append(.dense(layer))
      } else if !claimed.contains(i) {
        steps.append(plain[i])
      }
    }
    return topologicallyOrdered(steps) ?? plain
  }

  /// `steps` reordered so each runs after the producers of its inputs, keeping the given order
  /// where it can; nil when the steps' dependencies form a cycle.
  static func topologicallyOrdered(_ steps: [PlanStep]) -> [PlanStep]? {
    var producer: [Int: Int] = [:]
    for (i, s) in steps.enumerated() { for o in s.outputs { producer[o.id] = i } }
    enum Mark { case unvisited, visiting, done }
    var marks = [Mark](repeating: .unvisited, count: steps.count)
    var order: [PlanStep] = []
    order.reserveCapacity(steps.count)
    for root in steps.indices where marks[root] == .unvisited {
      var stack: [(step: Int, next: Int)] = [(root, 0)]
      marks[root] = .visiting
      while let (s, next) = stack.last {
        if next < steps[s].inputs.count {
          stack[stack.count - 1].next += 1
          guard let p = producer[steps[s].inputs[next].id] else { continue }
          switch marks[p] {
          case .done: continue
          case .visiting: return nil
          case .unvisited:
            marks[p] = .visiting
            stack.append((p, 0))
          }
        } else {
          marks[s] = .done
          order.append(steps[s])
          stack.removeLast()
        }
      }
    }
    return order
  }

  /// Pattern matching over one list of nodes.
  private struct Matcher {
    let nodes: [Node]
    let types: [TensorType?]
    let graphOutputs: Set<Int>
    /// Indices of the nodes reading each value.
    let users: [Int: [Int]]

    init(nodes: [Node], graph: Graph, types: [TensorType?]) {
      self.nodes = nodes
      self.types = types
      graphOutputs = Set(graph.outputs.map(\.id))
      var users: [Int: [Int]] = [:]
      for (i, n) in nodes.enumerated() { for v in Set(n.inputs) { users[v.id, default: []].append(i) } }
      self.users = users
    }

    private func shape(_ v: Value) -> [Int]? { types[v.id]?.shape }

    /// The layer whose row product is node `i`: its member nodes and fused step.
    func layer(at i: Int, claimed: Set<Int>) -> ([Int], FusedDense)? {
      let g = nodes[i]
      guard let product = g.op as? any RowProduct, let transposed = product.weightTransposed,
        (2...3).contains(g.inputs.count), let dtype = types[g.outputs[0].id]?.dtype, dtype.isFloatingPoint,
        g.inputs.allSatisfy({ types[$0.id]?.dtype == dtype }),
        let xs = shape(g.inputs[0]), xs.count == 2, let ws = shape(g.inputs[1]), ws.count == 2,
        let zs = shape(g.outputs[0]), zs.count == 2
      else { return nil }
      let (w, z) = (g.inputs[1], g.outputs[0])
      let bias = g.inputs.count == 3 ? g.inputs[2] : nil
      if let bias {
        guard let bs = shape(bias), bs.reduce(1, *) == zs[1], bs.dropLast().allSatisfy({ $0 == 1 }) else { return nil }
      }
      let activation = (users[z.id] ?? []).lazy.compactMap { a -> (index: Int, f: Activation, y: Value)? in
        guard !claimed.contains(a), let op = self.nodes[a].op as? any ActivationPrimitive, self.nodes[a].inputs == [z] else {
          return nil
        }
        return (a, op.activation, self.nodes[a].outputs[0])
      }.first
      let tangent = (users[w.id] ?? []).lazy.compactMap { t in
        t == i || claimed.contains(t) ? nil : self.tangentLayer(t, weight: w, transposed: transposed, x: xs, z: z, activation: activation)
      }.first
      if let activation {
        let inside = Set([activation.index] + (tangent?.derivative.map { [$0] } ?? []))
        guard !graphOutputs.contains(z.id), (users[z.id] ?? []).allSatisfy(inside.contains) else { return nil }
      } else if tangent == nil {
        return nil
      }
      var members = [i]
      if let activation { members.append(activation.index) }
      if let tangent { members += [tangent.product] + (tangent.derivative.map { [$0] } ?? []) }
      let layer = FusedDense(
        inputs: [g.inputs[0]] + (tangent.map { [$0.xDot] } ?? []) + [w] + (bias.map { [$0] } ?? []),
        outputs: [activation?.y ?? z] + (tangent.map { [$0.yDot] } ?? []),
        activation: activation?.f, weightTransposed: transposed, hasTangent: tangent != nil, hasBias: bias != nil,
        secondOrder: tangent?.secondOrder, members: members.map { nodes[$0] })
      return (members, layer)
    }

    /// The tangent half of a layer: node `t` as `ż = ẋ·op(W)` and, under an activation, the
    /// derivative product that is `ż`'s only reader.
    private func tangentLayer(
      _ t: Int, weight w: Value, transposed: Bool, x xs: [Int], z: Value, activation: (index: Int, f: Activation, y: Value)?
    ) -> (product: Int, derivative: Int?, xDot: Value, yDot: Value, secondOrder: SecondOrderTermTable?)? {
      let node = nodes[t]
      guard let product = node.op as? any RowProduct, product.weightTransposed == transposed, node.inputs.count == 2,
        node.inputs[1] == w, types[node.outputs[0].id]?.dtype == types[z.id]?.dtype,
        let xds = shape(node.inputs[0]), xds.count >= 2, Array(xds.suffix(2)) == xs,
        let zs = shape(z), let zds = shape(node.outputs[0]), zds == Array(xds.dropLast()) + [zs[1]]
      else { return nil }
      let (xDot, zDot) = (node.inputs[0], node.outputs[0])
      guard let activation else { return (t, nil, xDot, zDot, nil) }
      guard !graphOutputs.contains(zDot.id), let readers = users[zDot.id], readers.count == 1 else { return nil }
      let d = nodes[readers[0]]
      guard let derivative = d.op as? any ActivationDerivativeProduct, let operand = derivative.operand(for: activation.f),
        d.inputs == [zDot, operand == .input ? z : activation.y], shape(d.outputs[0]) == zds
      else { return nil }
      guard let jet = derivative as? any SecondOrderDerivativeProduct else { return (t, readers[0], xDot, d.outputs[0], nil) }
      let directions = xds.dropLast(2).reduce(1, *)
      guard xds.count == 3, let table = SecondOrderTermTable(jet.secondOrderTerms, directions: directions) else { return nil }
      return (t, readers[0], xDot, d.outputs[0], table)
    }
  }
}
