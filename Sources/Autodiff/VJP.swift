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
  ///
  /// Untaken branches stay zero: a `Where` sends a branch the cotangent only where that branch
  /// is selected, but the branch's own rules would multiply those zeros by derivatives that may
  /// be infinite or NaN where the branch was not taken (`where(x > 0, √x, 0)` at x = -1: 0·NaN).
  /// So while a value's cotangent comes only from one side of one condition, the cotangents
  /// elementwise ops pass on are selected by that condition again (`BranchMask`), and the
  /// untaken positions get exact zeros, as `torch.where`'s users expect but PyTorch itself
  /// does not give. The same holds below `Clip`, `Max` and `Min` (`BranchSelecting`).
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
    var masks = BranchMasks()
    var seeds: [Value] = []
    for o in of {
      let s = b.seedInput(like: o, directionAxes: directionAxes, prefix: "cotangent_")
      seeds.append(s)
      cotangent[o.id] = try b.add(cotangent[o.id], s)
      masks.contribute(to: o, nil)
    }
    for node in graph.nodes.reversed() {
      let cts = node.outputs.map { cotangent[$0.id] }
      guard cts.contains(where: { $0 != nil }), node.inputs.contains(where: { dependsOnWrt[$0.id] }) else { continue }
      let args = VJPArguments(primals: node.inputs, outputs: node.outputs, cotangents: cts, directionAxes: directionAxes)
      let cin = try node.op.vjp(&b, args)
      guard cin.count == node.inputs.count else {
        throw AutodiffError.ruleBroke(op: node.op.description, node: node.name, detail: "VJP returned \(cin.count) cotangents for \(node.inputs.count) inputs")
      }
      let passing = masks.passing(node)
      for (k, (input, ct)) in zip(node.inputs, cin).enumerated() where dependsOnWrt[input.id] {
        try checkDerivative(b, ct, of: input, directionAxes: directionAxes, node: node)
        var contribution = ct
        let mask = ct == nil ? nil : try passing.mask(forInput: k, node, &b)
        if let mask, let ct, !(node.op is any BranchSelecting) {
          contribution = try b.selectOrZero(mask.condition, ct, otherwise: !mask.takenWhenTrue)
        }
        if ct != nil { masks.contribute(to: input, mask) }
        cotangent[input.id] = try b.add(cotangent[input.id], contribution)
      }
    }
    let derivatives = wrt.map { cotangent[$0.id] }
    b.setOutputs(of + alsoOutput.filter { !of.contains($0) } + derivatives.compactMap { $0 })
    let g = try Simplify.run(b.graph)
    return DerivativeGraph(graph: g, primalOutputs: of, seeds: seeds, derivatives: derivatives)
  }
}

/// One side of a `BranchSelecting` op: the cotangent is nonzero only where `condition` is
/// `takenWhenTrue`.
struct BranchMask: Equatable {
  var condition: Value
  var takenWhenTrue: Bool
}

/// Which values' cotangents all come from one side of one condition (see `VJP.transform`).
struct BranchMasks {
  private var masks: [Int: BranchMask] = [:]
  private var unmasked: Set<Int> = []

  /// Records a cotangent contribution to `v`, selected by `mask` (nil: not selected).
  mutating func contribute(to v: Value, _ mask: BranchMask?) {
    guard !unmasked.contains(v.id) else { return }
    guard let mask, masks[v.id] == nil || masks[v.id] == mask else {
      masks[v.id] = nil
      unmasked.insert(v.id)
      return
    }
    masks[v.id] = mask
  }

  /// The mask all of `node`'s outputs share, or nil.
  func passing(_ node: Node) -> Passing {
    let outputMasks = node.outputs.map { unmasked.contains($0.id) ? nil : masks[$0.id] }
    guard let first = outputMasks.first, let mask = first, outputMasks.allSatisfy({ $0 == mask }) else {
      return Passing(mask: nil)
    }
    return Passing(mask: mask)
  }

  /// A node's outputs' shared mask, and which of its inputs' cotangents it carries over to.
  struct Passing {
    let mask: BranchMask?

    /// The mask on the cotangent `node` passes to input `k`: a branch-selecting op's inputs
    /// of the output's shape get their own condition; an elementwise op's input of the
    /// output's shape keeps the outputs' mask; anything else is unmasked.
    func mask(forInput k: Int, _ node: Node, _ b: inout GraphBuilder) throws -> BranchMask? {
      let output = b.type(of: node.outputs[0]).dims
      if let selecting = node.op as? any BranchSelecting {
        guard b.type(of: node.inputs[k]).dims == output, let branch = try selecting.branch(&b, node.inputs, input: k)
        else { return nil }
        return BranchMask(condition: branch.condition, takenWhenTrue: branch.takenWhenTrue)
      }
      guard let mask, node.op is any UnaryElementwise || node.op is any BinaryBroadcasting,
        b.type(of: node.inputs[k]).dims == output
      else { return nil }
      return mask
    }
  }
}
