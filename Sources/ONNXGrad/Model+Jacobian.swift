import Autodiff
import Executor
import GraphIR
import Ops
public import TensorCore

/// How the per-sample Jacobian is computed.
public enum JacobianMode: String, Sendable, CaseIterable {
  /// Forward when the input has no more features than the output, reverse otherwise.
  case auto
  /// One JVP with a direction per input feature.
  case forward
  /// One VJP with a direction per output feature.
  case reverse
}

/// The per-sample Jacobian with the model outputs computed in the same pass.
public struct JacobianResult: Sendable {
  /// `[B, *output_features, *input_features]`: `jacobian[b, i, j] = ∂out[b, i] / ∂inp[b, j]`.
  public var jacobian: Tensor
  /// Every graph output, in graph order.
  public var outputs: [(name: String, tensor: Tensor)]
  /// The mode used (`auto` resolved).
  public var mode: JacobianMode
}

/// A per-sample Jacobian compiled for one set of input shapes: derivative graph, plan and seed
/// are built once; each call only runs the plan.
public struct CompiledJacobian: Sendable {
  public let mode: JacobianMode
  let plan: ParallelPlan
  /// One seed per input differentiated (forward mode), or the output's cotangent seed.
  let seeds: [Tensor]
  let outputIndices: [Int]
  let outputNames: [String]
  let jacobianIndex: Int?
  let batch: Int
  let nIn: Int
  let nOut: Int
  let finalShape: [Int]
  let dtype: DType

  /// The Jacobian and all model outputs for `inputs` (graph order, compiled shapes).
  public func callAsFunction(_ inputs: [Tensor]) throws -> JacobianResult {
    let results = try plan.run(inputs + seeds)
    let outputs = zip(outputNames, outputIndices).map { (name: $0, tensor: results[$1]) }
    guard let jacobianIndex else {
      return JacobianResult(jacobian: Tensor.filled(0, shape: finalShape, dtype: dtype), outputs: outputs, mode: mode)
    }
    let jacobian = try sampleMajor(results[jacobianIndex])
    return JacobianResult(jacobian: jacobian, outputs: outputs, mode: mode)
  }

  /// The derivative graph's result, which the plan returns per sample (`[B, out…, K]` in
  /// forward mode, `K = nIn`; `[B, K, in…]` in reverse mode, `K = nOut`), as `[B, out…, in…]`.
  func sampleMajor(_ raw: Tensor) throws -> Tensor {
    raw.shape == finalShape ? raw : try raw.reshaped(finalShape)
  }

}

extension Model {
  /// The per-sample Jacobian `∂out[b] / ∂inp[b]` for every row `b` of the batch (axis 0),
  /// equal to `torch.func.vmap(torch.func.jacrev(f))`.
  ///
  /// K seed directions travel as one extra leading axis through a single derivative graph.
  /// Requires batch independence (no node mixes rows of axis 0); otherwise throws naming the node.
  public func jacobian(inputs: [String: Tensor], of: String, wrt: String, mode: JacobianMode = .auto) throws -> JacobianResult {
    try jacobian(inputs: inputs, of: of, wrt: [wrt], mode: mode)
  }

  /// The per-sample Jacobian with respect to several inputs at once: the variables are the
  /// features of the listed inputs in order (an input `[B]` or `[B, 1]` has one, `[B, n]` has n),
  /// and the result is `[B, *output_features, n_total]` (`[B, *output_features, *input_features]`
  /// for one input).
  public func jacobian(inputs: [String: Tensor], of: String, wrt: [String], mode: JacobianMode = .auto) throws
    -> JacobianResult
  {
    let x = try orderedInputs(inputs)
    return try compileJacobian(of: of, wrt: wrt, mode: mode, inputShapes: x.map(\.shape))(x)
  }

  /// Compiles the per-sample Jacobian for inputs of `inputShapes` (graph input order).
  public func compileJacobian(of: String, wrt: String, mode: JacobianMode = .auto, inputShapes: [[Int]]) throws
    -> CompiledJacobian
  {
    try compileJacobian(of: of, wrt: [wrt], mode: mode, inputShapes: inputShapes)
  }

  /// Compiles the per-sample Jacobian with respect to the inputs `wrt` for inputs of
  /// `inputShapes` (graph input order).
  public func compileJacobian(of: String, wrt: [String], mode: JacobianMode = .auto, inputShapes: [[Int]]) throws
    -> CompiledJacobian
  {
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    let variables = try Variables(self, wrt: wrt, types: types)
    let (out, outShape) = try perSampleOutput(of, variables: variables, types: types, what: "Jacobian")
    let batch = variables.batch
    let outFeatures = Array(outShape.dropFirst())
    let nIn = variables.count
    let nOut = outFeatures.reduce(1, *)
    let resolved: JacobianMode = mode == .auto ? (nIn <= nOut ? .forward : .reverse) : mode
    let directions = resolved == .forward ? nIn : nOut
    let dtype = graph.type(of: out).dtype
    try Self.checkSize(
      [batch, directions, directions], dtype: dtype, what: "the per-sample Jacobian's seed [\(directions), \(batch), …]")
    try Self.checkSize([batch, nOut, nIn], dtype: dtype, what: "the per-sample Jacobian [\(batch), \(nOut), \(nIn)]")
    var dg = try directionalGraph(of: out, wrt: variables.values, mode: resolved)
    if resolved == .reverse, variables.values.count > 1 { dg = try Self.concatenatingFeatures(dg, variables) }
    let seeds =
      resolved == .forward
      ? variables.inputs.map {
        Self.oneHot(directions: nIn, offset: $0.offset, batch: batch, features: $0.features, dtype: dtype)
      }
      : [Self.oneHot(directions: nOut, offset: 0, batch: batch, features: outFeatures, dtype: dtype)]
    let primalAxes = graph.inputs.map { graph.type(of: $0).rank >= 1 ? 0 : nil } as [Int?]
    let seedAxes = seeds.map { _ in 1 } as [Int?]
    let derivative = dg.derivatives[0]
    let outputAxes = dg.graph.outputs.map { v in
      v == derivative ? 1 : (dg.graph.type(of: v).rank >= 1 ? 0 : nil)
    } as [Int?]
    // The other model outputs are chunked by rows too: only when they keep rows apart as well.
    let chunkable = rowsIndependent(outputs: graph.outputs)
    let plan = try ParallelPlan(
      graph: dg.graph, inputShapes: inputShapes + seeds.map(\.shape),
      inputBatchAxes: chunkable ? primalAxes + seedAxes : (primalAxes + seedAxes).map { _ in nil },
      outputBatchAxes: outputAxes,
      outputLayouts: dg.graph.outputs.map { $0 == derivative ? (resolved == .forward ? .sampleMajor : .batchFirst) : .graph })
    let outputIndices = try graph.outputs.map { v -> Int in
      guard let i = dg.graph.outputs.firstIndex(of: v) else {
        throw ONNXGradError.notPerSample("internal: output '\(graph.name(of: v))' missing from the derivative graph")
      }
      return i
    }
    let inFeatures = variables.inputs.count == 1 ? variables.inputs[0].features : [nIn]
    return CompiledJacobian(
      mode: resolved, plan: plan, seeds: seeds, outputIndices: outputIndices, outputNames: outputNames,
      jacobianIndex: derivative.flatMap { dg.graph.outputs.firstIndex(of: $0) }, batch: batch, nIn: nIn,
      nOut: nOut, finalShape: [batch] + outFeatures + inFeatures, dtype: dtype)
  }

  /// The derivative graph of `of` with respect to `wrt` with one direction axis (forward: a
  /// tangent seed per input direction; reverse: a cotangent seed per output direction), also
  /// computing every other model output.
  func directionalGraph(of out: Value, wrt inputs: [Value], mode: JacobianMode) throws -> DerivativeGraph {
    let others = graph.outputs.filter { $0 != out }
    return mode == .forward
      ? try JVP.transform(graph, of: [out], wrt: inputs, directionAxes: 1, alsoOutput: others)
      : try VJP.transform(graph, of: [out], wrt: inputs, directionAxes: 1, alsoOutput: others)
  }

  /// A reverse-mode graph whose one derivative is every input's cotangent `[K, B, *features]`
  /// flattened to `[K, B, count]` and concatenated along the last axis (zeros for an input the
  /// output does not depend on).
  static func concatenatingFeatures(_ dg: DerivativeGraph, _ variables: Variables) throws -> DerivativeGraph {
    var b = GraphBuilder(dg.graph)
    let seed = dg.seeds[0]
    let parts = try zip(dg.derivatives, variables.inputs).map { d, v -> Value in
      let flat = try b.constant(Tensor(uncheckedShape: [1], storage: .int64([Int64(v.count)])))
      guard let d else {
        let like = try b.constant(Tensor.filled(0, shape: [v.count], dtype: .float64))
        return try b.apply1(Zeros(leading: 2), [seed, like])
      }
      return try b.apply1(Reshape(leading: 2), [d, flat])
    }
    let joined = try b.apply1(Concat(axis: -1), parts)
    var g = b.graph
    g.outputs = g.outputs.filter { !dg.derivatives.contains($0) } + [joined]
    return DerivativeGraph(graph: g, primalOutputs: dg.primalOutputs, seeds: dg.seeds, derivatives: [joined])
  }

  /// The output `name` and its concrete shape, checked for per-sample derivatives with respect
  /// to `variables`: no node mixes rows, and the output has the variables' batch on axis 0.
  func perSampleOutput(_ name: String, variables: Variables, types: [TensorType?], what: String) throws
    -> (Value, [Int])
  {
    let out = try differentiableOutput(name)
    let names = variables.inputs.map(\.name).joined(separator: ", ")
    do {
      try BatchIndependence.check(graph, batched: graph.inputs.filter { graph.type(of: $0).rank >= 1 }, outputs: [out])
    } catch let error as AutodiffError {
      throw ONNXGradError.notPerSample("cannot compute a per-sample \(what) of '\(name)' with respect to '\(names)': \(error)")
    }
    let shape = types[out.id]?.shape ?? []
    guard shape.first == variables.batch else {
      throw ONNXGradError.notPerSample(
        "a per-sample \(what) needs the batch on axis 0 of both '\(names)' and '\(name)' \(shape)")
    }
    return (out, shape)
  }

  /// Throws a clear error when a tensor of `shape` would not fit in memory.
  static func checkSize(_ shape: [Int], dtype: DType, what: String) throws {
    let bytes = ShapeSize.count(shape).flatMap { ShapeSize.bytes(count: $0, byteSize: max(dtype.byteSize, 8)) }
    do { try ShapeSize.checkBudget(bytes, for: what) } catch { throw ONNXGradError.notPerSample("\(error)") }
  }

  /// Seeds `[K, B, *features]` with `seed[k, b, j] = 1` where `k = offset + j` (features
  /// flattened), 0 elsewhere: direction k is the k-th variable of all the inputs differentiated.
  static func oneHot(directions k: Int, offset: Int = 0, batch: Int, features: [Int], dtype: DType) -> Tensor {
    let n = features.reduce(1, *)
    var v = [Double](repeating: 0, count: k * batch * n)
    if batch > 0 {
      for j in 0..<n where offset + j < k {
        for b in 0..<batch { v[((offset + j) * batch + b) * n + j] = 1 }
      }
    }
    return Tensor(uncheckedShape: [k, batch] + features, storage: .float64(v)).converted(to: dtype)
  }
}

extension CompiledJacobian: CustomStringConvertible {
  /// The derivative graph being run, then the steps the plan fuses.
  public var description: String { plan.summary }
}
