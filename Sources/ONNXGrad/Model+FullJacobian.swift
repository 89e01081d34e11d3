import Autodiff
import Executor
import GraphIR
public import TensorCore

extension Model {
  /// The whole Jacobian `∂out / ∂inp`, shaped `out.shape + inp.shape` (`[B, *out_features, B,
  /// *in_features]` for batched tensors), equal to `torch.autograd.functional.jacobian`.
  ///
  /// Defined for every graph, including ones that mix the rows of the batch (where the
  /// per-sample Jacobian is not); it costs a factor B more than the per-sample one. Forward mode
  /// sends one direction per input element, reverse mode one per output element.
  public func fullJacobian(inputs: [String: Tensor], of: String, wrt: String, mode: JacobianMode = .auto) throws
    -> JacobianResult
  {
    let out = try differentiableOutput(of)
    let inp = try input(wrt)
    let x = try orderedInputs(inputs)
    let types = try Plan.concreteTypes(graph, inputShapes: x.map(\.shape))
    let inShape = types[inp.id]?.shape ?? []
    let outShape = types[out.id]?.shape ?? []
    let nIn = inShape.reduce(1, *)
    let nOut = outShape.reduce(1, *)
    let resolved: JacobianMode = mode == .auto ? (nIn <= nOut ? .forward : .reverse) : mode
    let directions = resolved == .forward ? nIn : nOut
    try Self.checkSize([directions, directions], dtype: graph.type(of: inp).dtype, what: "the whole-batch Jacobian's seed")
    try Self.checkSize([nOut, nIn], dtype: graph.type(of: inp).dtype, what: "the whole-batch Jacobian [\(outShape), \(inShape)]")
    let dg = try directionalGraph(of: out, wrt: [inp], mode: resolved)
    let seed =
      resolved == .forward
      ? try Self.identitySeed(nIn, shape: inShape, dtype: graph.type(of: inp).dtype)
      : try Self.identitySeed(nOut, shape: outShape, dtype: graph.type(of: out).dtype)
    let results = try Plan(graph: dg.graph, inputShapes: (x + [seed]).map(\.shape)).run(x + [seed])
    let outputs = zip(graph.outputs, outputNames).compactMap { v, name in
      dg.graph.outputs.firstIndex(of: v).map { (name: name, tensor: results[$0]) }
    }
    let finalShape = outShape + inShape
    let dtype = graph.type(of: inp).dtype
    guard let d = dg.derivatives[0], let i = dg.graph.outputs.firstIndex(of: d) else {
      return JacobianResult(jacobian: Tensor.filled(0, shape: finalShape, dtype: dtype), outputs: outputs, mode: resolved)
    }
    let raw = try results[i].reshaped(resolved == .forward ? [nIn, nOut] : finalShape)
    let jacobian = resolved == .forward ? try raw.permuted([1, 0]).reshaped(finalShape) : raw
    return JacobianResult(jacobian: jacobian, outputs: outputs, mode: resolved)
  }

  /// `[n, *shape]` with `seed[k]` the k-th basis element (flattened): `oneHot` for one row.
  static func identitySeed(_ n: Int, shape: [Int], dtype: DType) throws -> Tensor {
    try oneHot(directions: n, batch: 1, features: shape, dtype: dtype).reshaped([n] + shape)
  }
}
