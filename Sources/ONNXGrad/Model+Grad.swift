import Autodiff
import Executor
import GraphIR
public import TensorCore

/// A VJP compiled for one set of input shapes; each call runs the plan on inputs and a seed.
public struct CompiledGrad: Sendable {
  let plan: ParallelPlan
  let selector: OutputSelector
  let outputShape: [Int]
  let outputDType: DType
  let resultIndex: Int?
  let inputShape: [Int]
  let inputDType: DType
  /// The default seed (ones in the selected component), built once.
  let onesSeed: Tensor

  /// The VJP for `inputs` (graph order, compiled shapes) and `seed` (nil: ones).
  public func callAsFunction(_ inputs: [Tensor], seed: Tensor? = nil) throws -> Tensor {
    let full = try seed.map { try Model.expandSeed($0, selector: selector, outputShape: outputShape, dtype: outputDType) }
      ?? onesSeed
    guard let resultIndex else { return Tensor.filled(0, shape: inputShape, dtype: inputDType) }
    return try plan.run(inputs + [full])[resultIndex]
  }
}

extension Model {
  /// `torch.autograd.grad(out, inp, grad_outputs=seed)`: the vector-Jacobian product
  /// `Σ seed · ∂out/∂inp` over the whole batch, shaped like the input.
  ///
  /// `of.component = k` selects `out[..., k]` (so `uv:0` is `u`), and the seed then has the
  /// selected output's shape (`[B]` for `uv:0`). The seed defaults to ones. When the output does
  /// not depend on the input the result is zeros (`allow_unused=True, materialize_grads=True`).
  public func grad(inputs: [String: Tensor], of: OutputSelector, wrt: String, seed: Tensor? = nil) throws -> Tensor {
    let x = try orderedInputs(inputs)
    return try compileGrad(of: of, wrt: wrt, inputShapes: x.map(\.shape))(x, seed: seed)
  }

  /// Compiles the VJP of `of` with respect to `wrt` for inputs of `inputShapes`.
  public func compileGrad(of: OutputSelector, wrt: String, inputShapes: [[Int]]) throws -> CompiledGrad {
    let out = try differentiableOutput(of.name)
    let inp = try input(wrt)
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    let outShape = types[out.id]?.shape ?? []
    if let k = of.component {
      let size = outShape.last ?? 0
      guard k < size else { throw ONNXGradError.componentOutOfRange(output: of.name, component: k, size: size) }
    }
    let dg = try VJP.transform(graph, of: [out], wrt: [inp])
    let plan = try ParallelPlan(
      graph: dg.graph, inputShapes: inputShapes + [outShape], rowIndependent: rowsIndependent(outputs: [out]))
    let outDType = graph.type(of: out).dtype
    return CompiledGrad(
      plan: plan, selector: of, outputShape: outShape, outputDType: outDType,
      resultIndex: dg.derivatives[0].flatMap { dg.graph.outputs.firstIndex(of: $0) },
      inputShape: types[inp.id]?.shape ?? [], inputDType: graph.type(of: inp).dtype,
      onesSeed: try Self.expandSeed(nil, selector: of, outputShape: outShape, dtype: outDType))
  }

  /// The cotangent for the whole output: the user's seed (or ones), placed in component k.
  static func expandSeed(_ seed: Tensor?, selector: OutputSelector, outputShape: [Int], dtype: DType) throws -> Tensor {
    let selectedShape: [Int]
    if let k = selector.component {
      guard let last = outputShape.last else {
        throw ONNXGradError.componentOutOfRange(output: selector.name, component: k, size: 0)
      }
      guard k < last else { throw ONNXGradError.componentOutOfRange(output: selector.name, component: k, size: last) }
      selectedShape = Array(outputShape.dropLast())
    } else {
      selectedShape = outputShape
    }
    let s: Tensor
    if let seed {
      guard seed.shape == selectedShape else {
        throw ONNXGradError.shapeMismatch(what: "seed for '\(selector)'", expected: "\(selectedShape)", got: "\(seed.shape)")
      }
      guard seed.dtype.isFloatingPoint else {
        throw ONNXGradError.inputType(name: "seed", detail: "the seed must be a float array")
      }
      s = seed.converted(to: dtype)
    } else {
      s = Tensor.filled(1, shape: selectedShape, dtype: dtype)
    }
    guard let k = selector.component, let n = outputShape.last else { return s }
    let values = s.doubles
    var full = [Double](repeating: 0, count: values.count * n)
    for (i, v) in values.enumerated() { full[i * n + k] = v }
    return Tensor(uncheckedShape: outputShape, storage: .float64(full)).converted(to: dtype)
  }
}

extension CompiledGrad: CustomStringConvertible {
  /// The derivative graph being run, then the steps the plan fuses.
  public var description: String { plan.summary }
}
