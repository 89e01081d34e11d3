public import GraphIR
public import TensorCore

/// The tangent map of normalisation over the trailing axes `axis … −1`:
/// `P(u) = r·(u − mean(u) − x̂·mean(x̂·u))` (means over those axes), optionally with a scale `γ`
/// applied before (`y = P(γ·t)`) or after (`y = γ·P(t)`). No ONNX counterpart: the JVP and VJP
/// of `LayerNormalization` and `LayerNormStats` are one pass of it over the `[K, B, n]` tangents
/// (two sums and one write per row, in C).
///
/// Inputs `t, x̂, r` (and `γ` when scaled): `t` is `x̂`-shaped after any number of leading axes
/// (the direction axes), `r` is `x̂` with the normalised axes of size 1; the output is `t`-shaped.
/// `γ` has the normalised shape (LayerNorm's scale, shared by every row) or `x̂`'s shape (a
/// scale per element, e.g. an activation's derivative times LayerNorm's scale: `Simplify` folds
/// `P(γ·(s·t))` into `P((s·γ)·t)` so the `[K, B, n]` product `s·t` is never made).
/// For `x̂ = (x − μ)·r` and `r = 1/√(var + ε)` it is the derivative of `x̂` along `t`; the map is
/// linear in `t` and self-adjoint (`r·(I − 11ᵀ/n − x̂x̂ᵀ/n)` is symmetric), so the transpose of
/// the `before` form is the `after` form.
///
/// Derivatives in the other inputs, for `y = P(u)` with `u` held fixed:
/// `(ṙ/r)·P(u) − r·(ẋ̂·mean(x̂·u) + x̂·mean(ẋ̂·u))`; with `u = t` (none), `u = γ·t` (before,
/// plus `P(γ̇·t)`), or times `γ` (after, plus `γ̇·P(t)`). Their adjoints: `r̄ = Σ ū·P(u) / r`,
/// `x̂̄ = −r·(ū·mean(x̂·u) + u·mean(ū·x̂))` with `ū` the cotangent of `P(u)`; `γ̄ = Σ t·P(ȳ)`
/// (before) or `Σ ȳ·P(t)` (after), each summed down to its input's shape.
public struct NormalizeTangent: FloatKernel {
  public static let name = "NormalizeTangent"

  /// Where the scale input applies.
  public enum Scale: String, Sendable {
    case none
    case before
    case after
  }

  /// First normalised axis, counted from the end.
  public let axis: Int
  public let scale: Scale

  public init(axis: Int, scale: Scale = .none) {
    self.axis = axis
    self.scale = scale
  }

  public var description: String { "NormalizeTangent(axis: \(axis), scale: \(scale))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  private var block: [Int] { Array(axis ... -1) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == (scale == .none ? 3 : 4) else {
      throw fail(
        "expected \(scale == .none ? 3 : 4) inputs (t, x̂, r\(scale == .none ? "" : ", γ")), got \(inputs.count)")
    }
    let (t, xhat, r) = (inputs[0], inputs[1], inputs[2])
    guard t.dtype.isFloatingPoint, inputs.allSatisfy({ $0.dtype == t.dtype }) else {
      throw fail("inputs must all be f32 or all f64, got \(inputs.map(\.dtype))")
    }
    try checkReducedAxes(block, rank: xhat.rank, op: Self.name)
    guard t.rank >= xhat.rank, compatible(Array(t.dims.suffix(xhat.rank)), xhat.dims) else {
      throw fail("t \(t) must be x̂ \(xhat) after leading axes")
    }
    guard compatible(r.dims, reducedDims(xhat.dims, axes: block, keepDims: true)) else {
      throw fail("r \(r) must be x̂ \(xhat) with axes \(axis)… of size 1")
    }
    if scale != .none, !isRowScale(inputs[3].dims, of: xhat.dims, axis: axis), !compatible(inputs[3].dims, xhat.dims) {
      throw fail("γ \(inputs[3]) must have the normalised shape of x̂ \(xhat) (axes \(axis)…) or x̂'s shape")
    }
    return [t]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  /// The output may overwrite `t` (each row is read whole before it is written).
  public var bufferRule: BufferRule { .inPlace }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let xhatShape = io.inputShapes[1]
    let n = xhatShape.suffix(-axis).reduce(1, *)
    guard n > 0, io.inputCount(1) > 0 else { return {} }
    let (rows, tRows) = (io.inputCount(1) / n, io.inputCount(0) / n)
    let (t, xhat, r, y) = (
      io.input(0, as: T.self), io.input(1, as: T.self), io.input(2, as: T.self), io.output(0, as: T.self)
    )
    let gamma: UnsafePointer<T>? = scale == .none ? nil : UnsafePointer(io.input(3, as: T.self))
    let perRow = scale != .none && rows > 1 && io.inputCount(3) == io.inputCount(1)
    let mode: VectorMath.NormalizeScale = scale == .none ? .none : scale == .before ? .before : .after
    return {
      VectorMath.normalizeTangent(
        t, tRows: tRows, xhat: xhat, rstd: r, rows: rows, n: n, gamma: gamma, gammaPerRow: perRow, mode, y)
    }
  }

  /// `P(u)`, unscaled.
  private func plain(_ b: inout GraphBuilder, _ u: Value, _ xhat: Value, _ r: Value) throws -> Value {
    try b.apply1(NormalizeTangent(axis: axis), [u, xhat, r])
  }

  /// `(ṙ/r)·P(u) − r·(ẋ̂·mean(x̂·u) + x̂·mean(ẋ̂·u))`, or nil when both tangents are zero.
  private func frozenInput(
    _ b: inout GraphBuilder, u: Value, pu: Value, xhat: Value, r: Value, dxhat: Value?, dr: Value?
  ) throws -> Value? {
    let fromR = try dr.map { try b.mul(pu, b.div($0, r)) }
    guard let dxhat else { return fromR }
    let inner = try b.add(
      b.mul(dxhat, b.reduceMean(b.mul(xhat, u), axes: block)), b.mul(xhat, b.reduceMean(b.mul(dxhat, u), axes: block)))
    let fromXhat = try b.mul(r, inner)
    return try fromR.map { try b.sub($0, fromXhat) } ?? b.neg(fromXhat)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let (t, xhat, r, y) = (args.primals[0], args.primals[1], args.primals[2], args.outputs[0])
    let gamma = scale == .none ? nil : args.primals[3]
    let d = args.directionAxes
    let outRank = b.type(of: t).rank
    func aligned(_ i: Int) throws -> Value? {
      guard i < args.tangents.count, let v = args.tangents[i] else { return nil }
      return try b.alignTangent(v, operandRank: b.type(of: args.primals[i]).rank, outputRank: outRank, directionAxes: d)
    }
    let (dxhat, dr, dgamma) = (try aligned(1), try aligned(2), try aligned(3))
    var total = try args.tangents[0].map { try b.apply1(self, [$0] + Array(args.primals.dropFirst())) }
    switch scale {
    case .none:
      total = try b.add(total, frozenInput(&b, u: t, pu: y, xhat: xhat, r: r, dxhat: dxhat, dr: dr))
    case .before:
      guard let gamma else { break }
      total = try b.add(total, dgamma.map { try plain(&b, b.mul($0, t), xhat, r) })
      if dxhat != nil || dr != nil {
        total = try b.add(total, frozenInput(&b, u: b.mul(gamma, t), pu: y, xhat: xhat, r: r, dxhat: dxhat, dr: dr))
      }
    case .after:
      guard let gamma, dgamma != nil || dxhat != nil || dr != nil else { break }
      let pt = try plain(&b, t, xhat, r)
      total = try b.add(total, dgamma.map { try b.mul($0, pt) })
      let frozen = try frozenInput(&b, u: t, pu: pt, xhat: xhat, r: r, dxhat: dxhat, dr: dr)
      total = try b.add(total, frozen.map { try b.mul(gamma, $0) })
    }
    return [try total.map { try b.broadcastTangent($0, toOutput: y, directionAxes: d) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return args.primals.map { _ in nil } }
    let (t, xhat, r, y) = (args.primals[0], args.primals[1], args.primals[2], args.outputs[0])
    let d = args.directionAxes
    let tbar: Value
    var gammaBar: Value?
    let (u, pu, ubar): (Value, Value, Value)
    switch scale {
    case .none:
      tbar = try plain(&b, ct, xhat, r)
      (u, pu, ubar) = (t, y, ct)
    case .before:
      let gamma = args.primals[3]
      tbar = try b.apply1(NormalizeTangent(axis: axis, scale: .after), [ct, xhat, r, gamma])
      gammaBar = try b.mul(t, plain(&b, ct, xhat, r))
      (u, pu, ubar) = (try b.mul(gamma, t), y, ct)
    case .after:
      let gamma = args.primals[3]
      tbar = try b.apply1(NormalizeTangent(axis: axis, scale: .before), [ct, xhat, r, gamma])
      let pt = try plain(&b, t, xhat, r)
      gammaBar = try b.mul(ct, pt)
      (u, pu, ubar) = (t, pt, try b.mul(gamma, ct))
    }
    let inner = try b.add(
      b.mul(ubar, b.reduceMean(b.mul(xhat, u), axes: block)), b.mul(u, b.reduceMean(b.mul(ubar, xhat), axes: block)))
    let xhatBar = try b.neg(b.mul(r, inner))
    let rBar = try b.div(b.reduceSum(b.mul(ubar, pu), axes: block), r)
    var out: [Value?] = [
      tbar,
      try b.reduceCotangent(xhatBar, to: xhat, directionAxes: d),
      try b.reduceCotangent(rBar, to: r, directionAxes: d),
    ]
    if scale != .none {
      out.append(try gammaBar.map { try b.reduceCotangent($0, to: args.primals[3], directionAxes: d) })
    }
    return out
  }

  /// Rows stay rows unless the normalised axes include axis 0, or a batched input has a lower
  /// rank than the output.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard let roles = elementwiseBatchRoles(inputs, types: types) else { return nil }
    return roles[0] == .batched && axis == -types[0].rank ? nil : roles
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        NormalizeTangent(axis: -1), [SampleInput([3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive)]),
      ConformanceCase(
        NormalizeTangent(axis: -1), [SampleInput([2, 3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive)]),
      ConformanceCase(
        NormalizeTangent(axis: -2),
        [SampleInput([2, 3, 4]), SampleInput([2, 3, 4]), SampleInput([2, 1, 1], .positive)]),
      ConformanceCase(
        NormalizeTangent(axis: -1, scale: .before),
        [SampleInput([2, 3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive), SampleInput([4])]),
      ConformanceCase(
        NormalizeTangent(axis: -1, scale: .after),
        [SampleInput([2, 3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive), SampleInput([4])]),
      ConformanceCase(
        NormalizeTangent(axis: -2, scale: .after),
        [SampleInput([3, 2, 4]), SampleInput([3, 2, 4]), SampleInput([3, 1, 1], .positive), SampleInput([1, 2, 4])]),
      ConformanceCase(
        NormalizeTangent(axis: -1, scale: .before),
        [SampleInput([2, 3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive), SampleInput([3, 4])]),
      ConformanceCase(
        NormalizeTangent(axis: -1, scale: .after),
        [SampleInput([2, 3, 4]), SampleInput([3, 4]), SampleInput([3, 1], .positive), SampleInput([3, 4])]),
      ConformanceCase(
        NormalizeTangent(axis: -2, scale: .before),
        [SampleInput([2, 3, 2, 4]), SampleInput([3, 2, 4]), SampleInput([3, 1, 1], .positive), SampleInput([3, 2, 4])]),
    ]
  }
}

/// Whether two dim lists can be equal (same length; known sizes agree).
func compatible(_ a: [Dim], _ b: [Dim]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || $0.value == nil || $1.value == nil }
}

/// Whether `scale` multiplies each row of the normalised axes `axis…` of `x` elementwise: its
/// dims, leading 1s aside, are the normalised dims, leading 1s aside.
func isRowScale(_ scale: [Dim], of x: [Dim], axis: Int) -> Bool {
  let s = Array(scale.drop { $0 == .known(1) })
  let rows = Array(x.suffix(-axis).drop { $0 == .known(1) })
  return compatible(s, rows)
}
