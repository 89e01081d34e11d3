public import GraphIR
public import TensorCore

/// Sum with broadcasting, `y = a + b`. ONNX `Add` (opset 7+ broadcasting).
///
/// `ẏ = ȧ + ḃ`; `ā = Σ_bcast ȳ`, `b̄ = Σ_bcast ȳ` (summed over the axes each operand was
/// broadcast along).
public struct Add: BinaryBroadcasting, AttributeFreeONNXOp, ElementwiseSum {
  public static let name = "Add"
  public static let onnxArity = 2
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a + b }
  public var vectorOp: VectorMath.BinaryOp? { .add }

  /// int64 (shape arithmetic) wraps on overflow.
  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    return [try b.add(t[0], t[1]).map { try b.broadcastTangent($0, toOutput: args.outputs[0], directionAxes: args.directionAxes) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    return try args.primals.map { try b.reduceCotangent(ct, to: $0, directionAxes: args.directionAxes) }
  }

  public static var conformanceCases: [ConformanceCase] { binaryConformanceCases(Add()) }
}

/// Input tangents of a broadcasting op with unit axes inserted so each lines up with the output.
func alignedTangents(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
  let outRank = b.type(of: args.outputs[0]).rank
  return try zip(args.tangents, args.primals).map { t, p in
    try t.map {
      try b.alignTangent($0, operandRank: b.type(of: p).rank, outputRank: outRank, directionAxes: args.directionAxes)
    }
  }
}

/// Shapes every broadcasting binary op is checked on: equal, trailing-vector, outer and rank-3.
func binaryConformanceCases(_ op: any Primitive, _ rhs: SampleDomain = .real) -> [ConformanceCase] {
  [
    ConformanceCase(op, [SampleInput([3, 4]), SampleInput([3, 4], rhs)]),
    ConformanceCase(op, [SampleInput([3, 4]), SampleInput([4], rhs)]),
    ConformanceCase(op, [SampleInput([3]), SampleInput([2, 3], rhs)]),
    ConformanceCase(op, [SampleInput([3, 1]), SampleInput([1, 4], rhs)]),
    ConformanceCase(op, [SampleInput([2, 3, 4]), SampleInput([3, 1], rhs)]),
  ]
}
