public import GraphIR
public import TensorCore

/// Clamping, `y = min(max(x, lo), hi)` with NumPy broadcasting; either bound may be absent.
/// ONNX `Clip` (opset 1/6 float attributes `min`/`max`, 11+ optional inputs, 12+ integers;
/// 13 spells out `lo > hi` giving `hi`). A NaN `x` stays NaN. int64 operands (shape arithmetic)
/// fold while the graph is built.
///
/// A primitive rather than `Min(Max(x, lo), hi)` because PyTorch's `clamp` gradient differs from
/// `maximum`'s at ties: with the primal masks
/// `mₓ = lo < x < hi` (boundaries excluded, as PyTorch 2.15 gives for `clamp` with number bounds,
/// `relu6` and `hardtanh`, which all export as `Clip`), `m_lo = x < lo ∧ lo < hi`,
/// `m_hi = x > hi ∨ hi < lo` (with one bound: `mₓ = x > lo`, `m_lo = x < lo`, or `mₓ = x < hi`,
/// `m_hi = x > hi`). At a tie nothing passes; PyTorch's `clamp` with *tensor* bounds would split
/// it half and half between `x` and the bound, which ONNX cannot tell apart from number bounds.
/// `ẏ = Where(mₓ, ẋ, 0) + Where(m_lo, l̇o, 0) + Where(m_hi, ḣi, 0)` and
/// `x̄ = Σ_bcast Where(mₓ, ȳ, 0)`, `lō = Σ_bcast Where(m_lo, ȳ, 0)`, `hī = Σ_bcast Where(m_hi, ȳ, 0)`.
public struct Clip: Primitive {
  public static let name = "Clip"
  /// Whether a lower bound follows `x` among the inputs.
  public let hasMin: Bool
  /// Whether an upper bound comes last among the inputs.
  public let hasMax: Bool

  public init(hasMin: Bool, hasMax: Bool) {
    self.hasMin = hasMin
    self.hasMax = hasMax
  }

  public var description: String {
    "Clip(\([hasMin ? "min" : nil, hasMax ? "max" : nil].compactMap { $0 }.joined(separator: ", ")))"
  }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    let arity = 1 + (hasMin ? 1 : 0) + (hasMax ? 1 : 0)
    guard hasMin || hasMax, inputs.count == arity else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "\(self) expects \(arity) inputs with at least one bound, got \(inputs.count)")
    }
    let dtype = inputs[0].dtype
    guard inputs.allSatisfy({ $0.dtype == dtype }), dtype.isFloatingPoint || dtype == .int64 else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason: "input and bounds must all be f32, all f64 or all i64, got \(inputs.map(\.dtype))")
    }
    var dims = inputs[0].dims
    for bound in inputs.dropFirst() { dims = try broadcastDims(TensorType(dtype, dims), bound, op: Self.name) }
    let type = TensorType(dtype, dims)
    guard dtype == .int64, var value = inputs[0].value else { return [type] }
    for (i, bound) in inputs.enumerated().dropFirst() {
      guard let v = bound.value else { return [type] }
      let isMin = hasMin && i == 1
      guard let next = elementwiseValue(value, v, { x, b in .known(isMin ? Swift.max(x, b) : Swift.min(x, b)) }) else {
        return [type]
      }
      value = next
    }
    return [type.withValue(value)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public var bufferRule: BufferRule { .inPlace }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64: kernel(io, Int64.self)
    case .bool: nil
    }
  }

  private func kernel<T: Comparable>(_ io: KernelIO, _: T.Type) -> Kernel {
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    if hasMin && hasMax {
      let layout = Kernels.TernaryLayout(shapes: io.inputShapes, outShape: io.outputShapes[0])
      let (lo, hi) = (io.input(1, as: T.self), io.input(2, as: T.self))
      return {
        Kernels.ternary(x, lo, hi, y, layout) { x, lo, hi in
          let v = x < lo ? lo : x
          return v > hi ? hi : v
        }
      }
    }
    let layout = Kernels.BinaryLayout(
      aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let bound = io.input(1, as: T.self)
    if hasMin { return { Kernels.binary(x, bound, y, layout) { x, lo in x < lo ? lo : x } } }
    return { Kernels.binary(x, bound, y, layout) { x, hi in x > hi ? hi : x } }
  }

  private enum Operand { case x, lo, hi }

  /// The mask selecting where input `i`'s derivative passes (see the type's documentation).
  func mask(_ b: inout GraphBuilder, _ primals: [Value], input i: Int) throws -> Value {
    let x = primals[0]
    let lo = hasMin ? primals[1] : nil
    let hi = hasMax ? primals[primals.count - 1] : nil
    let operand: Operand = i == 0 ? .x : (hasMin && i == 1 ? .lo : .hi)
    switch (operand, lo, hi) {
    case (.x, let lo?, let hi?): return try b.and(b.greater(x, lo), b.less(x, hi))
    case (.x, let lo?, nil): return try b.greater(x, lo)
    case (.x, nil, let hi?): return try b.less(x, hi)
    case (.lo, let lo?, let hi?): return try b.and(b.less(x, lo), b.less(lo, hi))
    case (.lo, let lo?, nil): return try b.less(x, lo)
    case (.hi, let lo?, let hi?): return try b.or(b.greater(x, hi), b.less(hi, lo))
    case (.hi, nil, let hi?): return try b.greater(x, hi)
    default: throw GraphError.invalidInputs(op: Self.name, node: "", reason: "\(self) has no input \(i)")
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    var sum: Value?
    for (i, t) in try alignedTangents(&b, args).enumerated() {
      guard let t else { continue }
      sum = try b.add(sum, b.selectOrZero(mask(&b, args.primals, input: i), t))
    }
    return [try sum.map { try b.broadcastTangent($0, toOutput: args.outputs[0], directionAxes: args.directionAxes) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0], b.type(of: ct).dtype.isFloatingPoint else {
      return args.primals.map { _ in nil }
    }
    return try args.primals.indices.map { i in
      try b.reduceCotangent(
        b.selectOrZero(mask(&b, args.primals, input: i), ct), to: args.primals[i], directionAxes: args.directionAxes)
    }
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    elementwiseBatchRoles(inputs, types: types)
  }

  public static var conformanceCases: [ConformanceCase] {
    let (lo, hi) = (
      SampleInput.constant(Tensor.scalar(-0.5, dtype: .float64)),
      SampleInput.constant(Tensor.scalar(0.7, dtype: .float64))
    )
    return [
      ConformanceCase(Clip(hasMin: true, hasMax: true), [SampleInput([3, 4]), lo, hi]),
      ConformanceCase(Clip(hasMin: true, hasMax: false), [SampleInput([3, 4]), SampleInput([4])]),
      ConformanceCase(Clip(hasMin: false, hasMax: true), [SampleInput([2, 3]), SampleInput([])]),
      ConformanceCase(
        Clip(hasMin: true, hasMax: true), [SampleInput([3, 4]), SampleInput([3, 1]), SampleInput([4])]),
      ConformanceCase(Clip(hasMin: true, hasMax: true), [SampleInput([4]), SampleInput([2, 1]), SampleInput([])]),
      ConformanceCase(
        Clip(hasMin: true, hasMax: true),
        [SampleInput.ints([5, -3, 100]), SampleInput.ints([0]), SampleInput.ints([10])]),
    ]
  }
}

extension Clip: ONNXLowering {
  public static let onnxOpTypes = ["Clip"]
  public static let onnxOpsets = 1...22

  /// Opset 1–10 bounds are float attributes (stored as float32); from 11 they are optional
  /// inputs ("" when omitted). No bound at all is an identity.
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let x = try node.input(0)
    var bounds: [Value?]
    if node.opset < 11 {
      try node.expectInputs(1...1)
      bounds = try ["min", "max"].map { key in
        guard node.attributes[key] != nil else { return nil }
        return try b.scalar(node.float(key, default: 0), like: x)
      }
    } else {
      try node.expectInputs(1...3)
      bounds = [node.optionalInput(1), node.optionalInput(2)]
    }
    let present = bounds.compactMap { $0 }
    guard !present.isEmpty else { return [try b.apply1(Identity(), [x], name: node.name)] }
    let op = Clip(hasMin: bounds[0] != nil, hasMax: bounds[1] != nil)
    return [try b.apply1(op, [x] + present, name: node.name)]
  }
}

extension Clip: BranchSelecting {
  /// Each input where `mask` passes its derivative.
  public func branch(_ b: inout GraphBuilder, _ primals: [Value], input k: Int) throws -> (condition: Value, takenWhenTrue: Bool)? {
    (try mask(&b, primals, input: k), true)
  }
}
