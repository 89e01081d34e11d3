public import GraphIR
public import TensorCore

/// Power with broadcasting, `y = aᵇ`, with C's `pow` semantics (a negative base with an
/// integral exponent is real, `a⁰ = 1`). ONNX `Pow` (opset 1+; legacy `broadcast`/`axis`
/// attributes before 7; from 12 the exponent may have another element type, which the lowering
/// converts when it is a constant). int64 too (shape arithmetic): exact, by squaring; a result
/// outside Int64's range, or `0` to a negative power, gives `Int64.min` and other negative
/// powers truncate toward 0, as ONNX Runtime's cast of its double result does.
///
/// `ẏ = ȧ·b·a^(b−1) + ḃ·ln(a)·y`, with PyTorch's conventions where the textbook factors are
/// `0·∞`: the base factor is 0 where `b = 0` (so a constant exponent 0 gives a zero gradient,
/// also at `a = 0`), built as `b·a^(b − sign(b)²)`; the exponent factor is 0 where `a = 0` and
/// `b ≥ 0`, built as `ln(a + [a = 0]·[b ≥ 0])·y`. Both are graph ops (`Sign`, `Step`, `Pow`,
/// `Log`), so they differentiate again. `ā = Σ_bcast ȳ·b·a^(b−1)`, `b̄ = Σ_bcast ȳ·ln(a)·y`.
public struct Pow: BinaryBroadcasting {
  public static let name = "Pow"
  public init() {}
  public var description: String { Self.name }

  /// One pair through SLEEF's scalar `pow` in double; `forward` and plans run `makeKernel`.
  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { T(VectorMath.pow(Double(a), Double(b))) }

  public var acceptsIntegers: Bool { true }

  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 {
    if b < 0 {
      switch a {
      case 1: return 1
      case -1: return b & 1 == 0 ? 1 : -1
      case 0: return .min
      default: return 0
      }
    }
    var (result, base, e) = (Int64(1), a, b)
    while e > 0 {
      if e & 1 == 1 {
        let (r, overflow) = result.multipliedReportingOverflow(by: base)
        guard !overflow else { return .min }
        result = r
      }
      e >>= 1
      if e > 0 {
        let (s, overflow) = base.multipliedReportingOverflow(by: base)
        guard !overflow else { return .min }
        base = s
      }
    }
    return result
  }

  /// Vectorised `pow` (SLEEF) over each layout; a scalar exponent of 1, 2, 3, −1 or ½ (`x²`
  /// from PyTorch, say) takes a plain loop of multiplications, a division or a square root.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let layout = Kernels.BinaryLayout(
      aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    switch io.outputDTypes[0] {
    case .float32:
      let (a, b, y) = (io.input(0, as: Float.self), io.input(1, as: Float.self), io.output(0, as: Float.self))
      return { Self.run(a, b, y, layout, pow: VectorMath.pow(_:stride:_:stride:_:_:)) }
    case .float64:
      let (a, b, y) = (io.input(0, as: Double.self), io.input(1, as: Double.self), io.output(0, as: Double.self))
      return { Self.run(a, b, y, layout, pow: VectorMath.pow(_:stride:_:stride:_:_:)) }
    case .int64:
      return integerKernel(io)
    case .bool:
      return nil
    }
  }

  /// `VectorMath.pow` over arrays: base, its stride (0 or 1), exponent, its stride, output, count.
  typealias PowRoutine<T> = (UnsafePointer<T>, Int, UnsafePointer<T>, Int, UnsafeMutablePointer<T>, Int) -> Void

  @inline(__always)
  static func run<T: FloatElement>(
    _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ layout: Kernels.BinaryLayout, pow: PowRoutine<T>
  ) {
    switch layout {
    case .same(let n): pow(a, 1, b, 1, y, n)
    case .scalarB(let n): scalarExponent(a, b, y, n, pow: pow)
    case .scalarA(let n): pow(a, 0, b, 1, y, n)
    case .periodicB(let n, let m):
      var base = 0
      while base < n {
        pow(a + base, 1, b, 1, y + base, m)
        base += m
      }
    case .periodicA(let n, let m):
      var base = 0
      while base < n {
        pow(a, 1, b + base, 1, y + base, m)
        base += m
      }
    case .strided:
      Kernels.binary(a, b, y, layout) { T(VectorMath.pow(Double($0), Double($1))) }
    }
  }

  /// A scalar exponent `e`; ½ keeps `pow`'s `+0` at `−0` and `+∞` at `−∞`.
  @inline(__always)
  static func scalarExponent<T: FloatElement>(
    _ a: UnsafeMutablePointer<T>, _ b: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int,
    pow: PowRoutine<T>
  ) {
    let e = b[0]
    if e == 2 {
      for i in 0..<n { y[i] = a[i] * a[i] }
    } else if e == 1 {
      if y != a { y.update(from: a, count: n) }
    } else if e == 3 {
      for i in 0..<n { y[i] = a[i] * a[i] * a[i] }
    } else if e == -1 {
      for i in 0..<n { y[i] = 1 / a[i] }
    } else if e == 0.5 {
      for i in 0..<n { y[i] = a[i] == -.infinity ? .infinity : a[i].squareRoot() + 0 }
    } else {
      pow(a, 1, b, 0, y, n)
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    let (base, exponent, y) = (args.primals[0], args.primals[1], args.outputs[0])
    let baseTerm = try t[0].flatMap { ta in try Self.baseFactor(&b, base, exponent).map { try b.mul(ta, $0) } }
    let exponentTerm = try t[1].map { try b.mul($0, Self.exponentFactor(&b, base, exponent, y)) }
    return [
      try b.add(baseTerm, exponentTerm).map {
        try b.broadcastTangent($0, toOutput: y, directionAxes: args.directionAxes)
      }
    ]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (base, exponent, y) = (args.primals[0], args.primals[1], args.outputs[0])
    let d = args.directionAxes
    return [
      try Self.baseFactor(&b, base, exponent).map { try b.reduceCotangent(b.mul(ct, $0), to: base, directionAxes: d) },
      try b.reduceCotangent(b.mul(ct, Self.exponentFactor(&b, base, exponent, y)), to: exponent, directionAxes: d),
    ]
  }

  /// `∂y/∂a = b·a^(b − sign(b)²)` (0 where b = 0); nil when the exponent is a constant of zeros.
  static func baseFactor(_ b: inout GraphBuilder, _ base: Value, _ exponent: Value) throws -> Value? {
    if let k = b.constantValue(of: exponent), k.doubles.allSatisfy({ $0 == 0 }) { return nil }
    let s = try b.apply1(Sign(), [exponent])
    let lowered = try b.sub(exponent, b.mul(s, s))
    return try b.mul(exponent, b.apply1(Pow(), [base, lowered]))
  }

  /// `∂y/∂b = ln(a + [a = 0]·[b ≥ 0])·y` (0 where a = 0 and b ≥ 0).
  static func exponentFactor(_ b: inout GraphBuilder, _ base: Value, _ exponent: Value, _ y: Value) throws -> Value {
    let s = try b.apply1(Sign(), [base])
    let baseIsZero = try b.sub(b.scalar(1, like: base), b.mul(s, s))
    let exponentIsNonNegative = try b.apply1(Step(low: 1, high: 0), [b.neg(exponent)])
    let shifted = try b.add(base, b.mul(baseIsZero, exponentIsNonNegative))
    return try b.mul(b.apply1(Log(), [shifted]), y)
  }

  public static var conformanceCases: [ConformanceCase] {
    let two = Tensor.scalar(2, dtype: .float64)
    let mixed = Tensor(uncheckedShape: [4], storage: .float64([0, 1, -2, 3]))
    return [
      ConformanceCase(Pow(), [SampleInput([3, 4], .positive), SampleInput([3, 4])]),
      ConformanceCase(Pow(), [SampleInput([3, 4], .positive), SampleInput([4])]),
      ConformanceCase(Pow(), [SampleInput([3], .positive), SampleInput([2, 3])]),
      ConformanceCase(Pow(), [SampleInput([3, 1], .positive), SampleInput([1, 4])]),
      ConformanceCase(Pow(), [SampleInput([2, 3, 4], .positive), SampleInput([3, 1])]),
      ConformanceCase(Pow(), [SampleInput([3, 4]), .constant(two)]),
      ConformanceCase(Pow(), [SampleInput([2, 3, 4], .awayFromZero), .constant(mixed)]),
      ConformanceCase(Pow(), [SampleInput([3, 4], .positive), .constant(Tensor.scalar(0.5, dtype: .float64))]),
      ConformanceCase(Pow(), [SampleInput([3, 4], .awayFromZero), .constant(Tensor.scalar(-1, dtype: .float64))]),
      ConformanceCase(Pow(), [SampleInput([3, 4]), .constant(Tensor.scalar(3, dtype: .float64))]),
      ConformanceCase(Pow(), [SampleInput([3, 4]), .constant(Tensor.scalar(0, dtype: .float64))]),
    ]
  }
}

extension Pow: ONNXLowering {
  public static let onnxOpTypes = ["Pow"]
  public static let onnxOpsets = 1...22

  /// An exponent whose element type differs from the base's (opset 12+: int64 exponents on a
  /// float base, float exponents on a float64 base…) is converted when it is a constant, or known
  /// from sizes alone; a computed one is refused. Before opset 7, `broadcast = 1` with `axis`
  /// aligns the exponent's axes with the base's from `axis` on (trailing unit axes appended).
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    let base = try node.input(0)
    var exponent = try node.input(1)
    let (baseType, exponentType) = (b.type(of: base), b.type(of: exponent))
    if exponentType.dtype != baseType.dtype {
      exponent = try b.constant(convertedExponent(node, b, to: baseType.dtype))
    }
    if node.opset < 7, try node.int("broadcast", default: 0) == 1, node.attributes["axis"] != nil {
      let axis = try node.int("axis", default: 0)
      let (rank, exponentRank) = (baseType.rank, b.type(of: exponent).rank)
      let start = try node.axisFromEnd(axis, rank: rank) + rank
      let trailing = rank - start - exponentRank
      guard trailing >= 0 else {
        throw node.error("axis \(axis) cannot place an exponent of rank \(exponentRank) in a base of rank \(rank)")
      }
      if trailing > 0 { exponent = try b.apply1(InsertAxes(at: exponentRank, count: trailing), [exponent]) }
    }
    return [try b.apply1(Pow(), [base, exponent], name: node.name)]
  }

  private static func convertedExponent(_ node: ImportedNode, _ b: GraphBuilder, to dtype: DType) throws -> Tensor {
    let exponentType = b.type(of: try node.input(1))
    guard let k = node.constantInput(1, b) ?? exponentType.knownTensor else {
      throw node.error(
        "the exponent is \(exponentType.dtype) and the base \(dtype): onnxgrad converts a constant exponent only, "
          + "and this one is computed (cast it to the base's type in the model)")
    }
    guard dtype == .int64 else { return k.converted(to: dtype) }
    do {
      return Tensor(uncheckedShape: k.shape, storage: .int64(try k.int64Values()))
    } catch {
      throw node.error("an int64 base needs whole-number exponents: \(error)")
    }
  }
}
