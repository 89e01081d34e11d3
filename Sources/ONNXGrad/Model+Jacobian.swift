import Autodiff
import Executor
import GraphIR
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
  let seed: Tensor
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
    let results = try plan.run(inputs + [seed])
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
    let x = try orderedInputs(inputs)
    return try compileJacobian(of: of, wrt: wrt, mode: mode, inputShapes: x.map(\.shape))(x)
  }

  /// Compiles the per-sample Jacobian for inputs of `inputShapes` (graph input order).
  public func compileJacobian(of: String, wrt: String, mode: JacobianMode = .auto, inputShapes: [[Int]]) throws
    -> CompiledJacobian
  {
    let out = try differentiableOutput(of)
    let inp = try input(wrt)
    let batched = graph.inputs.filter { graph.type(of: $0).rank >= 1 }
    do {
      try BatchIndependence.check(graph, batched: batched, outputs: [out])
    } catch let error as AutodiffError {
      throw ONNXGradError.notPerSample("cannot compute a per-sample Jacobian of '\(of)' with respect to '\(wrt)': \(error)")
    }
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    let inShape = types[inp.id]?.shape ?? []
    let outShape = types[out.id]?.shape ?? []
    guard let batch = inShape.first, outShape.first == batch else {
      throw ONNXGradError.notPerSample(
        "a per-sample Jacobian needs the batch on axis 0 of both '\(wrt)' \(inShape) and '\(of)' \(outShape)")
    }
    let inFeatures = Array(inShape.dropFirst())
    let outFeatures = Array(outShape.dropFirst())
    let nIn = inFeatures.reduce(1, *)
    let nOut = outFeatures.reduce(1, *)
    let resolved: JacobianMode = mode == .auto ? (nIn <= nOut ? .forward : .reverse) : mode
    let directions = resolved == .forward ? nIn : nOut
    try Self.checkSize(
      [batch, directions, directions], dtype: graph.type(of: inp).dtype,
      what: "the per-sample Jacobian's seed [\(directions), \(batch), …]")
    try Self.checkSize(
      [batch, nOut, nIn], dtype: graph.type(of: inp).dtype, what: "the per-sample Jacobian [\(batch), \(nOut), \(nIn)]")
    let dg = try directionalGraph(of: out, wrt: inp, mode: resolved)
    let seed =
      resolved == .forward
      ? Self.oneHot(directions: nIn, batch: batch, features: inFeatures, dtype: graph.type(of: inp).dtype)
      : Self.oneHot(directions: nOut, batch: batch, features: outFeatures, dtype: graph.type(of: out).dtype)
    let primalAxes = graph.inputs.map { graph.type(of: $0).rank >= 1 ? 0 : nil } as [Int?]
    let outputAxes = dg.graph.outputs.map { v in
      dg.derivatives.contains(v) ? 1 : (dg.graph.type(of: v).rank >= 1 ? 0 : nil)
    } as [Int?]
    // The other model outputs are chunked by rows too: only when they keep rows apart as well.
    let chunkable = rowsIndependent(outputs: graph.outputs)
    let plan = try ParallelPlan(
      graph: dg.graph, inputShapes: inputShapes + [seed.shape],
      inputBatchAxes: chunkable ? primalAxes + [1] : (primalAxes + [1]).map { _ in nil },
      outputBatchAxes: outputAxes,
      outputLayouts: dg.graph.outputs.map { dg.derivatives.contains($0) ? (resolved == .forward ? .sampleMajor : .batchFirst) : .graph })
    let outputIndices = try graph.outputs.map { v -> Int in
      guard let i = dg.graph.outputs.firstIndex(of: v) else {
        throw ONNXGradError.notPerSample("internal: output '\(graph.name(of: v))' missing from the derivative graph")
      }
      return i
    }
    return CompiledJacobian(
      mode: resolved, plan: plan, seed: seed, outputIndices: outputIndices, outputNames: outputNames,
      jacobianIndex: dg.derivatives[0].flatMap { dg.graph.outputs.firstIndex(of: $0) }, batch: batch, nIn: nIn,
      nOut: nOut, finalShape: [batch] + outFeatures + inFeatures, dtype: graph.type(of: inp).dtype)
  }

  /// The derivative graph of `of` with respect to `wrt` with one direction axis (forward: a
  /// tangent seed per input direction; reverse: a cotangent seed per output direction), also
  /// computing every other model output.
  func directionalGraph(of out: Value, wrt inp: Value, mode: JacobianMode) throws -> DerivativeGraph {
    let others = graph.outputs.filter { $0 != out }
    return mode == .forward
      ? try JVP.transform(graph, of: [out], wrt: [inp], directionAxes: 1, alsoOutput: others)
      : try VJP.transform(graph, of: [out], wrt: [inp], directionAxes: 1, alsoOutput: others)
  }

  /// Throws a clear error when a tensor of `shape` would not fit in memory.
  static func checkSize(_ shape: [Int], dtype: DType, what: String) throws {
    let bytes = ShapeSize.count(shape).flatMap { ShapeSize.bytes(count: $0, byteSize: max(dtype.byteSize, 8)) }
    do { try ShapeSize.checkBudget(bytes, for: what) } catch { throw ONNXGradError.notPerSample("\(error)") }
  }

  /// Seeds `[K, B, *features]` with `seed[k, b, …] = e_k` (features flattened).
  static func oneHot(directions k: Int, batch: Int, features: [Int], dtype: DType) -> Tensor {
    var v = [Double](repeating: 0, count: k * batch * k)
    if batch > 0 { for d in 0..<k { for b in 0..<batch { v[(d * batch + b) * k + d] = 1 } } }
    return Tensor(uncheckedShape: [k, batch] + features, storage: .float64(v)).converted(to: dtype)
  }
}

extension CompiledJacobian: CustomStringConvertible {
  /// The derivative graph being run, then the steps the plan fuses.
  public var description: String { plan.summary }
}
