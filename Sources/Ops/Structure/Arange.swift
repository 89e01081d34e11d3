public import GraphIR
public import TensorCore

/// The sequence `y[i] = start + i · delta` for `i < n`, `n = max(⌈(limit − start) / delta⌉, 0)`,
/// from three rank-0 inputs of one dtype (f32, f64 or int64).
///
/// For int64, `n` is read from the inputs' values (constants, or computed from sizes) and the
/// output gets its value; `delta = 0` is an error. Float values are not tracked in types, so
/// for floats `length` holds `n`, computed by the ONNX lowering from constant inputs; `limit`
/// is then not read again. ONNX `Range` (opset 11).
///
/// `∂y[i]/∂start = 1`, `∂y[i]/∂delta = i`, `∂y/∂limit = 0` (piecewise constant `n`):
/// `ẏ = ṡtart + ι · δ̇`, `s̄tart = Σᵢ ȳᵢ`, `δ̄ = Σᵢ i · ȳᵢ`, with `ι = Arange(0, n, 1)`. int64
/// ranges have no derivatives. (`Arange`, not `Range`, so the Swift standard library's `Range` stays
/// visible in every module that imports `Ops`.)
public struct Arange: Primitive {
  public static let name = "Range"
  /// The element count of a float range (nil for int64, where it comes from the values).
  public let length: Int?

  public init(length: Int? = nil) { self.length = length }

  public var description: String { "Arange(length: \(length.map(String.init) ?? "from values"))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 3, inputs.allSatisfy({ $0.rank == 0 && $0.dtype == inputs[0].dtype }),
      inputs[0].dtype != .bool
    else { throw fail("expected rank-0 start, limit and delta of one numeric dtype, got \(inputs)") }
    let dtype = inputs[0].dtype
    if dtype.isFloatingPoint {
      guard let length, length >= 0 else { throw fail("a float range needs its length (from constant inputs)") }
      return [TensorType(dtype, [.known(length)])]
    }
    guard let start = inputs[0].knownInts?.first, let limit = inputs[1].knownInts?.first,
      let delta = inputs[2].knownInts?.first
    else { return [TensorType(dtype, [.symbol("")])] }
    let n = try Self.count(start: start, limit: limit, delta: delta)
    let type = TensorType(dtype, [.known(n)])
    return [n > TensorType.valueLimit ? type : type.withValue((0..<n).map { .known(start &+ $0 &* delta) })]
  }

  /// `max(⌈(limit − start) / delta⌉, 0)` for integers, or an error (delta 0, overflow).
  static func count(start: Int, limit: Int, delta: Int) throws -> Int {
    let (span, overflow) = limit.subtractingReportingOverflow(start)
    guard delta != 0, !overflow else {
      throw GraphError.invalidInputs(op: name, node: "", reason: "cannot count range(\(start), \(limit), \(delta))")
    }
    guard (span > 0) == (delta > 0), span != 0 else { return 0 }
    guard span != .min || delta != -1 else {
      throw GraphError.invalidInputs(
        op: name, node: "", reason: "range(\(start), \(limit), \(delta)) has more than Int.max elements")
    }
    let (q, r) = span.quotientAndRemainder(dividingBy: delta)
    return q + (r != 0 ? 1 : 0)
  }

  /// `max(⌈(limit − start) / delta⌉, 0)` for floats, counted in double as ONNX Runtime and
  /// `torch.arange` do (the f32 quotient can round the other way), or an error.
  static func count(start: Double, limit: Double, delta: Double) throws -> Int {
    let n = ((limit - start) / delta).rounded(.up)
    guard let count = Int(exactly: max(n, 0)), count <= Int(Int32.max) else {
      throw GraphError.invalidInputs(
        op: name, node: "", reason: "range(\(start), \(limit), \(delta)) has no valid length")
    }
    return count
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let n = io.outputCount(0)
    switch io.outputDTypes[0] {
    case .float32: return floatKernel(io, n, Float.self)
    case .float64: return floatKernel(io, n, Double.self)
    case .int64:
      let (s, d, y) = (io.input(0, as: Int64.self), io.input(2, as: Int64.self), io.output(0, as: Int64.self))
      return { for i in 0..<n { y[i] = s[0] &+ Int64(i) &* d[0] } }
    case .bool: return nil
    }
  }

  private func floatKernel<T: FloatElement>(_ io: KernelIO, _ n: Int, _: T.Type) -> Kernel {
    let (s, d, y) = (io.input(0, as: T.self), io.input(2, as: T.self), io.output(0, as: T.self))
    return {
      let (start, delta) = (s[0], d[0])
      for i in 0..<n { y[i] = start + T(i) * delta }
    }
  }

  /// `ι = [0, 1, …, n − 1]` in `y`'s dtype.
  private func iota(_ b: inout GraphBuilder, like y: Value) throws -> Value {
    let n = b.type(of: y).dims[0].value ?? 0
    return try b.apply1(Arange(length: n), [b.scalar(0, like: y), b.scalar(Double(n), like: y), b.scalar(1, like: y)])
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let (y, d) = (args.outputs[0], args.directionAxes)
    let fromStart = try args.tangents[0].map {
      try b.broadcastTangent(
        b.alignTangent($0, operandRank: 0, outputRank: 1, directionAxes: d), toOutput: y, directionAxes: d)
    }
    let fromDelta = try args.tangents[2].map {
      try b.mul(b.alignTangent($0, operandRank: 0, outputRank: 1, directionAxes: d), iota(&b, like: y))
    }
    return [try b.add(fromStart, fromDelta)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil, nil] }
    let d = args.directionAxes
    return [
      try b.reduceCotangent(ct, to: args.primals[0], directionAxes: d), nil,
      try b.reduceCotangent(b.mul(ct, iota(&b, like: args.outputs[0])), to: args.primals[2], directionAxes: d),
    ]
  }

  /// Rank-0 inputs hold no rows.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs.contains(.batched) ? nil : [.shared]
  }

  public static var conformanceCases: [ConformanceCase] {
    let int64 = { (v: Int64) in SampleInput.constant(Tensor(uncheckedShape: [], storage: .int64([v]))) }
    return [
      ConformanceCase(
        Arange(length: 5), [SampleInput([]), .constant(Tensor.scalar(9, dtype: .float64)), SampleInput([])]),
      ConformanceCase(
        Arange(length: 4),
        [.constant(Tensor.scalar(1, dtype: .float64)), .constant(Tensor.scalar(3, dtype: .float64)), SampleInput([])]),
      ConformanceCase(Arange(), [int64(10), int64(4), int64(-2)]),
      ConformanceCase(Arange(), [int64(3), int64(9), int64(3)]),
    ]
  }
}

extension Arange: ONNXLowering {
  public static let onnxOpTypes = ["Range"]
  public static let onnxOpsets = 11...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(3...3)
    let inputs = try (0..<3).map { try node.input($0) }
    let dtype = b.type(of: inputs[0]).dtype
    guard dtype.isFloatingPoint else { return [try b.apply1(Arange(), inputs, name: node.name)] }
    guard
      let values = try? (0..<3).map({ i -> Tensor in
        guard let t = node.constantInput(i, b), t.count == 1 else { throw node.error("not constant") }
        return t
      })
    else {
      throw node.error(
        "a float Range needs constant start, limit and delta (its length must be known when the model is loaded)")
    }
    let v = values.map { $0.doubles.first ?? 0 }
    let length = try count(start: v[0], limit: v[1], delta: v[2])
    return [try b.apply1(Arange(length: length), inputs, name: node.name)]
  }
}
