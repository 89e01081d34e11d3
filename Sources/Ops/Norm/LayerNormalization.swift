public import GraphIR
public import TensorCore

/// Layer normalisation over the trailing axes `axis … −1`: `y = x̂·γ + β` with
/// `x̂ = (x − μ)·r`, `r = 1/√(var + ε)` (μ and the population variance over those axes; `γ` and
/// `β` broadcast to `x`). ONNX `LayerNormalization` (opset 17+: `axis` default −1, `epsilon`
/// default 1e-5, optional `B`, optional outputs `Mean` and `InvStdDev`). `stash_type` is
/// accepted and ignored: statistics are computed in `x`'s dtype (so `Mean` and `InvStdDev` have
/// `x`'s dtype, where ONNX Runtime gives float32 for a double `x`).
///
/// With `[x̂, r] = LayerNormStats(x)` and `P = NormalizeTangent` (`P(u) = r·(u − mean u −
/// x̂·mean(x̂·u))`, self-adjoint): `ẏ = γ·P(ẋ) + γ̇·x̂ + β̇`; `x̄ = P(γ·ȳ)`, `γ̄ = Σ ȳ·x̂`,
/// `β̄ = Σ ȳ` (summed to their shapes). A primitive for speed: the forward pass is one
/// vectorised pass per row, and when `γ` has the normalised shape the scale is fused into the
/// one `NormalizeTangent` pass over the `[K, B, n]` tangents (`after` in the JVP, `before` in
/// the VJP).
public struct LayerNormalization: FloatKernel {
  public static let name = "LayerNormalization"
  /// First normalised axis, counted from the end.
  public let axis: Int
  public let epsilon: Double

  public init(axis: Int, epsilon: Double) {
    self.axis = axis
    self.epsilon = epsilon
  }

  public var description: String { "LayerNormalization(axis: \(axis), epsilon: \(epsilon))" }

  private var block: [Int] { Array(axis ... -1) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard (2...3).contains(inputs.count) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "expected 2 or 3 inputs (x, γ, β), got \(inputs.count)")
    }
    let x = inputs[0]
    guard x.dtype.isFloatingPoint, inputs.allSatisfy({ $0.dtype == x.dtype }) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "inputs must all be f32 or all f64, got \(inputs.map(\.dtype))")
    }
    try checkReducedAxes(block, rank: x.rank, op: Self.name)
    for p in inputs.dropFirst() {
      guard p.rank <= x.rank, compatible(try broadcastDims(x, p, op: Self.name), x.dims) else {
        throw GraphError.invalidInputs(
          op: Self.name, node: "", reason: "\(p) must broadcast to x \(x) without growing it")
      }
    }
    return [x]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  /// Scale and bias of the normalised shape run the fused row kernel; other broadcasts scale
  /// and shift `x̂` afterwards.
  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let xShape = io.inputShapes[0]
    let n = xShape.suffix(-axis).reduce(1, *)
    let rows = n == 0 ? 0 : io.inputCount(0) / n
    let (x, y, eps) = (io.input(0, as: T.self), io.output(0, as: T.self), T(epsilon))
    let params = (1..<io.inputs.count).map {
      (pointer: UnsafePointer(io.input($0, as: T.self)), shape: io.inputShapes[$0])
    }
    let known = xShape.map(Dim.known)
    if params.allSatisfy({ isRowScale($0.shape.map(Dim.known), of: known, axis: axis) }) {
      let (gamma, beta) = (params[0].pointer, params.count > 1 ? params[1].pointer : nil)
      return {
        VectorMath.layerNorm(x, rows: rows, n: n, epsilon: eps, gamma: gamma, beta: beta, y, rstd: nil, mean: nil)
      }
    }
    let layouts = params.map { Kernels.BinaryLayout(aShape: xShape, bShape: $0.shape, outShape: xShape) }
    return {
      VectorMath.layerNorm(x, rows: rows, n: n, epsilon: eps, gamma: nil, beta: nil, y, rstd: nil, mean: nil)
      Kernels.binary(y, params[0].pointer, y, layouts[0]) { $0 * $1 }
      if params.count > 1 { Kernels.binary(y, params[1].pointer, y, layouts[1]) { $0 + $1 } }
    }
  }

  /// Whether `γ` has the normalised shape (then the scale fuses into `NormalizeTangent`).
  private func fusesScale(_ b: GraphBuilder, x: Value, gamma: Value) -> Bool {
    isRowScale(b.type(of: gamma).dims, of: b.type(of: x).dims, axis: axis)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let (x, gamma, y) = (args.primals[0], args.primals[1], args.outputs[0])
    let d = args.directionAxes
    let outRank = b.type(of: x).rank
    func aligned(_ i: Int) throws -> Value? {
      guard i < args.tangents.count, let v = args.tangents[i] else { return nil }
      return try b.alignTangent(v, operandRank: b.type(of: args.primals[i]).rank, outputRank: outRank, directionAxes: d)
    }
    let (dgamma, dbeta) = (try aligned(1), try aligned(2))
    guard args.tangents[0] != nil || dgamma != nil || dbeta != nil else { return [nil] }
    var total = dbeta
    if args.tangents[0] != nil || dgamma != nil {
      let stats = try b.apply(LayerNormStats(axis: axis, epsilon: epsilon), [x])
      let (xhat, r) = (stats[0], stats[1])
      if let t = args.tangents[0] {
        let fused = fusesScale(b, x: x, gamma: gamma)
        let p = try b.apply1(
          NormalizeTangent(axis: axis, scale: fused ? .after : .none), [t, xhat, r] + (fused ? [gamma] : []))
        total = try b.add(total, fused ? p : b.mul(p, gamma))
      }
      total = try b.add(total, dgamma.map { try b.mul($0, xhat) })
    }
    return [try total.map { try b.broadcastTangent($0, toOutput: y, directionAxes: d) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return args.primals.map { _ in nil } }
    let (x, gamma) = (args.primals[0], args.primals[1])
    let d = args.directionAxes
    let stats = try b.apply(LayerNormStats(axis: axis, epsilon: epsilon), [x])
    let (xhat, r) = (stats[0], stats[1])
    let xbar =
      fusesScale(b, x: x, gamma: gamma)
      ? try b.apply1(NormalizeTangent(axis: axis, scale: .before), [ct, xhat, r, gamma])
      : try b.apply1(NormalizeTangent(axis: axis), [b.mul(ct, gamma), xhat, r])
    var out: [Value?] = [xbar, try b.reduceCotangent(b.mul(ct, xhat), to: gamma, directionAxes: d)]
    if args.primals.count > 2 { out.append(try b.reduceCotangent(ct, to: args.primals[2], directionAxes: d)) }
    return out
  }

  /// Rows stay rows unless the normalised axes include axis 0 (or `γ`/`β` carry the batch with
  /// a lower rank than `x`).
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard let roles = elementwiseBatchRoles(inputs, types: types) else { return nil }
    return inputs[0] == .batched && axis == -types[0].rank ? nil : roles
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        LayerNormalization(axis: -1, epsilon: 1e-5), [SampleInput([3, 4]), SampleInput([4]), SampleInput([4])]),
      ConformanceCase(LayerNormalization(axis: -2, epsilon: 1e-5), [SampleInput([2, 3, 4]), SampleInput([3, 4])]),
      ConformanceCase(
        LayerNormalization(axis: -1, epsilon: 1e-3),
        [SampleInput([2, 3, 4]), SampleInput([2, 1, 4]), SampleInput([3, 1])]),
      ConformanceCase(LayerNormalization(axis: -1, epsilon: 1e-5), [SampleInput([2, 3, 4]), SampleInput([1, 4])]),
    ]
  }
}

extension LayerNormalization: ONNXLowering {
  public static let onnxOpTypes = ["LayerNormalization"]
  public static let onnxOpsets = 17...22

  /// `Mean` is `ReduceMean(x)` and `InvStdDev` is `LayerNormStats(x)`'s `r`, each only built
  /// when the model asks for it.
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...3)
    guard node.outputCount <= 3 else {
      throw node.error("has \(node.outputCount) outputs; at most 3 (Y, Mean, InvStdDev)")
    }
    let x = try node.input(0)
    let axis = try node.axisFromEnd(node.int("axis", default: -1), rank: b.type(of: x).rank)
    let epsilon = try node.float("epsilon", default: Double(Float(1e-5)))
    let params = [try node.input(1)] + (node.optionalInput(2).map { [$0] } ?? [])
    var outs = [try b.apply1(LayerNormalization(axis: axis, epsilon: epsilon), [x] + params, name: node.name)]
    if node.outputCount >= 2 { outs.append(try b.reduceMean(x, axes: Array(axis ... -1), name: node.name)) }
    if node.outputCount >= 3 {
      outs.append(try b.apply(LayerNormStats(axis: axis, epsilon: epsilon), [x], name: node.name)[1])
    }
    return outs
  }
}
