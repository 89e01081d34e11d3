public import GraphIR
import Ops
import TensorCore

/// A graph extended by `Jet.transform`: it computes the primal outputs and, for one of them,
/// its streams of a `JetLayout`.
///
/// `graph.inputs` are the primal inputs followed by `seeds`; `graph.outputs` are the primal
/// output, the other values asked for, then `stack` when it is not nil.
public struct JetGraph: Sendable {
  public var graph: Graph
  public var primalOutput: Value
  /// One seed per differentiated input, `[R, *input_shape]` with R the layout's stream count:
  /// row j < N₁ is the derivative of the input along the variable of first-order stream j, the
  /// rows of higher orders are zero.
  public var seeds: [Value]
  /// The output's streams, every order of the layout stacked on a leading axis in layout order
  /// (`[R, *output_shape]`; the orders above `orders` hold zeros); nil when all are zero.
  public var stack: Value?
  /// The highest order the stack holds: the streams of higher orders are identically zero.
  public var orders: Int
}

/// Higher-order forward mode (Taylor mode over several variables) as a graph transformation.
///
/// Every value `y` carries one stack of its partial derivatives with respect to the variables:
/// all the streams of the `JetLayout` on a leading axis, and the highest order `m` that is not
/// identically zero for that value (the rows above it hold zeros and no term reads them). Inputs
/// start with their first-order seeds; a node
/// `y = f(x₁, …)` computes, for every stream `Σ c_S ∂^S`,
///
///     Y_S = Df(x)[X_S] + Σ_{π partition of S, |π| ≥ 2} D^{|π|} f(x)[X_{B₁}, …, X_{B_|π|}]
///
/// (multivariate Faà di Bruno over set partitions of S's positions). The first term is the
/// op's JVP rule applied to the whole stack at once, so a linear layer is one product over value
/// and streams. The others depend on the op:
///   - linear ops (`D²f` is structurally zero): none; ReLU-like ops stop the higher orders from
///     growing;
///   - tanh, when the layout stops at order 2: one `TanhJetMul`, which a plan fuses with the
///     layer's product;
///   - elementwise ops: `∂^α f(x) ⊙ Π X_{B_j}`, the partials `∂^α f` obtained once per node by
///     nesting the JVP rule with unit seeds;
///   - any other op: the JVP rule nested m times on the op applied to the primal repeated once
///     per term, the repetitions folded into the batch axis (ops keep rows apart).
/// Terms are gathered from the stack and summed into the streams with their multiplicities.
public enum Jet {
  /// `batched`: the inputs holding one row per sample on axis 0 (default: every input of rank
  /// ≥ 1); every node must keep their rows apart (`BatchIndependence`), since ops other than
  /// linear and elementwise ones are evaluated on the batch repeated along axis 0.
  public static func transform(
    _ graph: Graph, of output: Value, wrt: [Value], layout: JetLayout, batched: [Value]? = nil,
    alsoOutput: [Value] = []
  ) throws -> JetGraph {
    var b = GraphBuilder(graph)
    var jets = [JetValue?](repeating: nil, count: graph.types.count)
    var seeds: [Value] = []
    for w in wrt {
      guard graph.type(of: w).dtype.isFloatingPoint else {
        throw AutodiffError.notDifferentiable("cannot differentiate with respect to '\(graph.name(of: w))': it is \(graph.type(of: w).dtype), not a float")
      }
      let s = b.seedInput(like: w, directionAxes: 1, prefix: "jet_")
      seeds.append(s)
      jets[w.id] = JetValue(stack: s, orders: 1)
    }
    let batched = BatchIndependence.roles(graph, batched: batched ?? graph.inputs.filter { graph.type(of: $0).rank >= 1 })
    let chainTerms = try (1...max(1, layout.order)).map { k in k >= 2 ? try layout.chainTerms(order: k) : [] }
    let propagation = JetPropagation(layout: layout, batched: batched, chainTerms: chainTerms)
    for node in graph.nodes {
      let inputJets = node.inputs.map { jets[$0.id] }
      guard inputJets.contains(where: { $0 != nil }) else { continue }
      let outputJets = try propagation.propagate(&b, node, inputJets)
      for (o, j) in zip(node.outputs, outputJets) { jets[o.id] = j }
    }
    let result = jets[output.id]
    b.setOutputs([output] + alsoOutput.filter { $0 != output } + (result.map { [$0.stack] } ?? []))
    let g = try Simplify.run(b.graph)
    return JetGraph(graph: g, primalOutput: output, seeds: seeds, stack: result?.stack, orders: result?.orders ?? 0)
  }
}

/// A value's streams: every stream of the layout on the leading axis of `stack`; those of
/// orders above `orders` are identically zero (zero rows that no chain-rule term reads).
struct JetValue {
  var stack: Value
  var orders: Int
}

/// The per-node rules of `Jet.transform`.
struct JetPropagation {
  let layout: JetLayout
  /// Which values hold one row per sample on axis 0 (repeated in the general rule).
  let batched: [Bool]
  /// `chainTerms[k − 1]`: the chain-rule terms with ≥ 2 blocks of order k, grouped by signature.
  let chainTerms: [[(signature: [Int], terms: [JetChainTerm])]]

  enum Kind { case linear, tanh, elementwise, general }

  /// The first row of order k's streams in a stack (`k = order + 1`: the row count up to `order`).
  func offset(_ k: Int) -> Int { layout.streams.prefix(k - 1).reduce(0) { $0 + $1.count } }

  /// The output jets of `node` from its input jets (nil: no derivative).
  func propagate(_ b: inout GraphBuilder, _ node: Node, _ ins: [JetValue?]) throws -> [JetValue?] {
    let m = ins.compactMap { $0?.orders }.max() ?? 0
    let stacks = ins.map { $0?.stack }
    let kind = try classify(b, node, ins)
    if kind == .tanh, let z = stacks[0] {
      return [JetValue(stack: try b.apply1(TanhJetMul(terms: secondOrderTerms), [z, node.outputs[0]]), orders: 2)]
    }
    if kind == .elementwise, layout.order == 2, let step = try elementwiseStep(&b, node, ins) { return [step] }
    let args = JVPArguments(primals: node.inputs, outputs: node.outputs, tangents: stacks, directionAxes: 1)
    let first = try node.op.jvp(&b, args)
    guard first.count == node.outputs.count else {
      throw AutodiffError.ruleBroke(op: node.op.description, node: node.name, detail: "JVP returned \(first.count) tangents for \(node.outputs.count) outputs")
    }
    for (o, v) in first.enumerated() { try checkDerivative(b, v, of: node.outputs[o], directionAxes: 1, node: node) }
    guard kind != .linear, layout.order >= 2 else { return first.map { $0.map { JetValue(stack: $0, orders: m) } } }
    var higher = [[Value?]](repeating: [Value?](repeating: nil, count: layout.order + 1), count: node.outputs.count)
    for k in 2...layout.order {
      for group in chainTerms[k - 1] {
        let slots = try gatherSlots(&b, group.signature, group.terms, ins)
        let values: [Value?] =
          kind == .elementwise
          ? try elementwiseTerms(&b, node, slots)
          : try generalTerms(&b, node, slots, count: group.terms.count)
        for (o, v) in values.enumerated() {
          guard let v else { continue }
          let summed = try combine(&b, v, group.terms, streams: layout.streams[k - 1].count)
          higher[o][k] = try b.add(higher[o][k], summed)
        }
      }
    }
    return try node.outputs.indices.map { o in
      guard let highest = (2...layout.order).last(where: { higher[o][$0] != nil }) else {
        return first[o].map { JetValue(stack: $0, orders: m) }
      }
      let y = node.outputs[o]
      let parts = try (1...layout.order).map { k -> Value in
        try higher[o][k] ?? zeroRows(layout.streams[k - 1].count, like: y, &b)
      }
      let added = try b.apply1(Concat(axis: -(b.type(of: y).rank + 1)), parts)
      return JetValue(stack: try first[o].map { try b.add($0, added) } ?? added, orders: max(m, highest))
    }
  }

  /// The layout's order-two chain-rule terms as stack rows (`∂²y/∂v_a∂v_b = … + c·f″·∂y/∂v_a·∂y/∂v_b`).
  var secondOrderTerms: [SecondOrderTerm] {
    (chainTerms.count > 1 ? chainTerms[1].first?.terms ?? [] : []).map { t in
      SecondOrderTerm(row: offset(2) + t.stream, a: t.blocks[0].index, b: t.blocks[1].index, coefficient: t.coefficient)
    }
  }

  /// An elementwise op with one streamed input of the output's type, at order two: one
  /// `JetMul(stack, f′, f″)`, the derivatives built by nesting the op's JVP rule with unit seeds;
  /// nil for other elementwise ops.
  func elementwiseStep(_ b: inout GraphBuilder, _ node: Node, _ ins: [JetValue?]) throws -> JetValue? {
    let streamed = node.inputs.indices.filter { ins[$0] != nil }
    guard node.outputs.count == 1, let i = streamed.first, let jet = ins[i],
      streamed.allSatisfy({ node.inputs[$0] == node.inputs[i] }), b.type(of: node.inputs[i]) == b.type(of: node.outputs[0])
    else { return nil }
    let x = node.inputs[i]
    let ones = try onesLike(&b, x)
    guard let d1 = try nestedDerivative(&b, node, seeds: [[x.id: ones]])[0],
      let d2 = try nestedDerivative(&b, node, seeds: [[x.id: ones], [x.id: ones]])[0]
    else { return nil }
    return JetValue(stack: try b.apply1(JetMul(terms: secondOrderTerms), [jet.stack, d1, d2]), orders: 2)
  }

  /// `[rows, *shape of like]` zeros.
  private func zeroRows(_ rows: Int, like y: Value, _ b: inout GraphBuilder) throws -> Value {
    let lead = try b.constant(Tensor.filled(0, shape: [rows], dtype: b.type(of: y).dtype))
    return try b.apply1(Zeros(leading: 1), [lead, y])
  }

  /// Linear when nesting the JVP rule twice gives structural zeros; tanh at order two and other
  /// elementwise ops by kind.
  func classify(_ b: GraphBuilder, _ node: Node, _ ins: [JetValue?]) throws -> Kind {
    guard layout.order >= 2 else { return .linear }
    var scratch = b
    let streamed = Set(zip(node.inputs, ins).compactMap { $0.1 == nil ? nil : $0.0.id })
    let levels = (0..<2).map { _ in
      Dictionary(uniqueKeysWithValues: streamed.map { id in
        (id, scratch.addInput(name: "probe", type: scratch.type(of: Value(id))))
      })
    }
    let second = try nestedDerivative(&scratch, node, seeds: levels)
    if second.allSatisfy({ $0 == nil }) { return .linear }
    if layout.order == 2, let a = node.op as? any ActivationPrimitive, a.activation == .tanh { return .tanh }
    return node.op is any UnaryElementwise || node.op is any BinaryBroadcasting ? .elementwise : .general
  }

  /// For each slot j of a group's terms and each input, the input's streams of the slot's order
  /// at the terms' block indices: `slots[j][i]` is `[T, *input_shape]` or nil.
  func gatherSlots(_ b: inout GraphBuilder, _ signature: [Int], _ terms: [JetChainTerm], _ ins: [JetValue?]) throws
    -> [[Value?]]
  {
    try signature.enumerated().map { j, order in
      let indices = terms.map { offset(order) + $0.blocks[j].index }
      return try ins.map { jet -> Value? in
        guard let jet, jet.orders >= order else { return nil }
        if indices == Array(0..<offset(layout.order + 1)) { return jet.stack }
        let idx = try b.constant(Tensor(uncheckedShape: [indices.count], storage: .int64(indices.map(Int64.init))))
        return try b.apply1(Gather(axis: -b.type(of: jet.stack).rank), [jet.stack, idx])
      }
    }
  }

  /// `Σ_α ∂^α f(x) ⊙ Π_j slots[j][α_j]` over every assignment α of slots to streamed inputs,
  /// `[T, *output_shape]` (one output).
  func elementwiseTerms(_ b: inout GraphBuilder, _ node: Node, _ slots: [[Value?]]) throws -> [Value?] {
    let y = node.outputs[0]
    let distinct = Array(Set(node.inputs.indices.filter { i in slots.contains { $0[i] != nil } }.map { node.inputs[$0].id })).sorted()
    var partials: [[Int]: Value?] = [:]
    var total: Value?
    for assignment in Self.assignments(slots: slots.count, choices: distinct.count) {
      let ids = assignment.map { distinct[$0] }
      var factors: [Value] = []
      for (j, id) in ids.enumerated() {
        guard let i = node.inputs.indices.first(where: { node.inputs[$0].id == id && slots[j][$0] != nil }),
          let v = slots[j][i]
        else { break }
        factors.append(try b.alignTangent(v, operandRank: b.type(of: node.inputs[i]).rank, outputRank: b.type(of: y).rank, directionAxes: 1))
      }
      guard factors.count == ids.count else { continue }
      let key = ids.sorted()
      if partials[key] == nil {
        let seeds = try key.map { id in [id: try onesLike(&b, Value(id))] }
        partials[key] = try nestedDerivative(&b, node, seeds: seeds)[0]
      }
      guard let partial = partials[key] ?? nil else { continue }
      var product = factors[0]
      for f in factors.dropFirst() { product = try b.mul(product, f) }
      product = try b.mul(product, partial)
      total = try b.add(total, product)
    }
    return [try total.map { try b.broadcastTangent($0, toOutput: y, directionAxes: 1) }]
  }

  /// `D^m f(x)[slots…]` per output for any op: the op on its batched inputs repeated T times and
  /// folded into axis 0 (`[T·B, …]`), the JVP rule nested once per slot, unfolded to `[T, B, …]`.
  func generalTerms(_ b: inout GraphBuilder, _ node: Node, _ slots: [[Value?]], count t: Int) throws -> [Value?] {
    var repeated: [Value] = []
    for x in node.inputs {
      if x.id < batched.count, batched[x.id], b.type(of: x).rank >= 1 {
        let lifted = try b.apply1(InsertAxes(at: 0, count: 1), [x])
        let shape = try b.apply1(Concat(axis: -1), [try b.ints([t]), try b.apply1(Shape(), [x])])
        repeated.append(try fold(&b, try b.apply1(Expand(), [lifted, shape])))
      } else {
        repeated.append(x)
      }
    }
    let outs = try b.apply(node.op, repeated, name: node.name)
    let copy = Node(op: node.op, inputs: repeated, outputs: outs, name: node.name)
    let seeds = try slots.map { slot -> [Int: Value] in
      var level: [Int: Value] = [:]
      for (i, v) in slot.enumerated() {
        guard let v else { continue }
        level[repeated[i].id] = try fold(&b, v)
      }
      return level
    }
    return try nestedDerivative(&b, copy, seeds: seeds).map { d in
      try d.map { d in
        let rest = try b.apply1(Shape(start: 1), [d])
        let shape = try b.apply1(Concat(axis: -1), [try b.ints([t, -1]), rest])
        return try b.apply1(Reshape(), [d, shape])
      }
    }
  }

  /// `[T, B, *rest]` as `[T·B, *rest]`.
  private func fold(_ b: inout GraphBuilder, _ v: Value) throws -> Value {
    let rest = try b.apply1(Shape(start: 2), [v])
    let shape = try b.apply1(Concat(axis: -1), [try b.ints([-1]), rest])
    return try b.apply1(Reshape(), [v, shape])
  }

  /// The terms' values `[T, *shape]` summed into the stream stack `[N, *shape]` with their
  /// coefficients.
  func combine(_ b: inout GraphBuilder, _ v: Value, _ terms: [JetChainTerm], streams n: Int) throws -> Value {
    let t = terms.count
    if t == n, terms.enumerated().allSatisfy({ $0.offset == $0.element.stream && $0.element.coefficient == 1 }) { return v }
    let rank = b.type(of: v).rank
    if n == 1, let c = terms.first?.coefficient, terms.allSatisfy({ $0.coefficient == c }) {
      return try b.scaled(try b.reduceSum(v, axes: [-rank], keepDims: true), by: c)
    }
    var matrix = [Double](repeating: 0, count: n * t)
    for (j, term) in terms.enumerated() { matrix[term.stream * t + j] += term.coefficient }
    let dtype = b.type(of: v).dtype
    let c = try b.constant(Tensor(uncheckedShape: [n, t], storage: .float64(matrix)).converted(to: dtype))
    let rest = try b.apply1(Shape(start: 1), [v])
    let flat = try b.apply1(Reshape(), [v, try b.ints([t, -1])])
    let mixed = try b.apply1(MatMul(), [c, flat])
    let shape = try b.apply1(Concat(axis: -1), [try b.ints([n]), rest])
    return try b.apply1(Reshape(), [mixed, shape])
  }

  /// Every sequence of `slots` choices from `0..<choices`.
  static func assignments(slots: Int, choices: Int) -> [[Int]] {
    var out: [[Int]] = [[]]
    for _ in 0..<slots { out = out.flatMap { prefix in (0..<choices).map { prefix + [$0] } } }
    return out
  }

  /// Ones shaped like `v`.
  func onesLike(_ b: inout GraphBuilder, _ v: Value) throws -> Value {
    let t = b.type(of: v)
    let one = try b.constant(Tensor.filled(1, shape: [Int](repeating: 1, count: t.rank), dtype: t.dtype))
    return try b.apply1(BroadcastLike(leading: 0), [one, v])
  }
}

/// `D^m f(x)[s₁, …, s_m]` of one node by nested forward mode: level l differentiates the node
/// and every rule node the earlier levels added along `seeds[l]` (node input id → tangent; the
/// inputs not listed and the earlier levels' seeds are held constant). nil: structurally zero.
func nestedDerivative(_ b: inout GraphBuilder, _ node: Node, seeds: [[Int: Value]]) throws -> [Value?] {
  var subgraph: [Node] = [node]
  var current: [Value?] = node.outputs
  for level in seeds {
    let start = b.graph.nodes.count
    var tangent = level
    for n in subgraph {
      let tin = n.inputs.map { tangent[$0.id] }
      guard tin.contains(where: { $0 != nil }) else { continue }
      let tout = try n.op.jvp(&b, JVPArguments(primals: n.inputs, outputs: n.outputs, tangents: tin, directionAxes: 0))
      for (o, t) in zip(n.outputs, tout) { if let t { tangent[o.id] = t } }
    }
    current = current.map { $0.flatMap { tangent[$0.id] } }
    subgraph += b.graph.nodes[start...]
  }
  return current
}
