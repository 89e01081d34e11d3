import Autodiff
import Executor
import GraphIR
public import TensorCore

extension Model {
  /// `torch.autograd.grad(out, inp, grad_outputs=seed)`: the vector-Jacobian product
  /// `Σ seed · ∂out/∂inp` over the whole batch, shaped like the input.
  ///
  /// `of.component = k` selects `out[..., k]` (so `uv:0` is `u`), and the seed then has the
  /// selected output's shape (`[B]` for `uv:0`). The seed defaults to ones. When the output does
  /// not depend on the input the result is zeros (`allow_unused=True, materialize_grads=True`).
  public func grad(inputs: [String: Tensor], of: OutputSelector, wrt: String, seed: Tensor? = nil) throws -> Tensor {
    let out = try output(of.name)
    let inp = try input(wrt)
    let x = try orderedInputs(inputs)
    let outShape = try Plan(graph: graph, inputShapes: x.map(\.shape)).types[out.id]?.shape ?? []
    let dtype = graph.type(of: out).dtype
    let fullSeed = try expandSeed(seed, selector: of, outputShape: outShape, dtype: dtype)
    let dg = try VJP.transform(graph, of: [out], wrt: [inp])
    let results = try Plan(graph: dg.graph, inputShapes: (x + [fullSeed]).map(\.shape)).run(x + [fullSeed])
    let inShape = x[graph.inputs.firstIndex(of: inp) ?? 0].shape
    guard let d = dg.derivatives[0], let i = dg.graph.outputs.firstIndex(of: d) else {
      return Tensor.filled(0, shape: inShape, dtype: graph.type(of: inp).dtype)
    }
    return results[i]
  }

  /// The cotangent for the whole output: the user's seed (or ones), placed in component k.
  func expandSeed(_ seed: Tensor?, selector: OutputSelector, outputShape: [Int], dtype: DType) throws -> Tensor {
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
