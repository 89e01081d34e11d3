public import GraphIR
public import TensorCore

/// The standardisation stage of layer normalisation over the trailing axes `axis … −1`:
/// `x̂ = (x − μ)·r` and `r = 1/√(var + ε)` (μ and the population variance over those axes; `r`
/// keeps them as size-1 axes). No ONNX counterpart: `LayerNormalization`'s derivative rules read
/// `x̂` and `r` from it, and its `InvStdDev` output is `r`. One vectorised pass per row.
///
/// `ẋ̂ = NormalizeTangent(ẋ; x̂, r) = r·(ẋ − mean ẋ − x̂·mean(x̂·ẋ))`, `ṙ = −r²·mean(x̂·ẋ)`;
/// `x̄ = NormalizeTangent(x̂̄) + x̂·Spread_mean(−r²·r̄)` (the adjoint: the map is self-adjoint,
/// and `mean` transposes to a broadcast divided by n).
public struct LayerNormStats: FloatKernel {
  public static let name = "LayerNormStats"
  /// First normalised axis, counted from the end.
  public let axis: Int
  public let epsilon: Double

  public init(axis: Int, epsilon: Double) {
    self.axis = axis
    self.epsilon = epsilon
  }

  public var description: String { "LayerNormStats(axis: \(axis), epsilon: \(epsilon))" }

  private var block: [Int] { Array(axis ... -1) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, inputs[0].dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected one f32 or f64 input, got \(inputs)")
    }
    let x = inputs[0]
    try checkReducedAxes(block, rank: x.rank, op: Self.name)
    return [x, TensorType(x.dtype, reducedDims(x.dims, axes: block, keepDims: true))]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let n = io.inputShapes[0].suffix(-axis).reduce(1, *)
    let rows = n == 0 ? 0 : io.inputCount(0) / n
    let (x, xhat, r) = (io.input(0, as: T.self), io.output(0, as: T.self), io.output(1, as: T.self))
    let (eps, count) = (T(epsilon), io.outputCount(1))
    guard n > 0 else { return { r.update(repeating: 1 / eps.squareRoot(), count: count) } }
    return { VectorMath.layerNorm(x, rows: rows, n: n, epsilon: eps, gamma: nil, beta: nil, xhat, rstd: r, mean: nil) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil, nil] }
    let (xhat, r) = (args.outputs[0], args.outputs[1])
    let dxhat = try b.apply1(NormalizeTangent(axis: axis), [t, xhat, r])
    let dr = try b.neg(b.mul(b.mul(r, r), b.reduceMean(b.mul(xhat, t), axes: block)))
    return [dxhat, dr]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    let (x, xhat, r) = (args.primals[0], args.outputs[0], args.outputs[1])
    let fromXhat = try args.cotangents[0].map { try b.apply1(NormalizeTangent(axis: axis), [$0, xhat, r]) }
    let fromR = try args.cotangents[1].map { rbar in
      let v = try b.neg(b.mul(b.mul(r, r), rbar))
      return try b.mul(xhat, b.apply1(Spread(axes: block, keepDims: true, mean: true), [v, x]))
    }
    return [try b.add(fromXhat, fromR)]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .batched && axis == -types[0].rank ? nil : [inputs[0], inputs[0]]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(LayerNormStats(axis: -1, epsilon: 1e-5), [SampleInput([3, 4])]),
      ConformanceCase(LayerNormStats(axis: -2, epsilon: 1e-3), [SampleInput([2, 3, 4])]),
      ConformanceCase(LayerNormStats(axis: -3, epsilon: 1e-5), [SampleInput([2, 3, 4])]),
    ]
  }
}
