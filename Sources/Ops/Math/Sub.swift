public import GraphIR
public import TensorCore

/// Difference with broadcasting, `y = a − b`. ONNX `Sub` (opset 7+ broadcasting).
///
/// `ẏ = ȧ − ḃ`; `ā = Σ_bcast ȳ`, `b̄ = −Σ_bcast ȳ`.
public struct Sub: BinaryBroadcasting, AttributeFreeONNXOp {
  public static let name = "Sub"
  public static let onnxArity = 2
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a - b }
  public var vectorOp: VectorMath.BinaryOp? { .sub }

  /// int64 (shape arithmetic) wraps on overflow.
  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { a &- b }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    let difference: Value?
    switch (t[0], t[1]) {
    case (nil, nil): difference = nil
    case (let x?, nil): difference = x
    case (nil, let y?): difference = try b.neg(y)
    case (let x?, let y?): difference = try b.sub(x, y)
    }
    return [try difference.map { try b.broadcastTangent($0, toOutput: args.outputs[0], directionAxes: args.directionAxes) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let d = args.directionAxes
    return [
      try b.reduceCotangent(ct, to: args.primals[0], directionAxes: d),
      try b.neg(b.reduceCotangent(ct, to: args.primals[1], directionAxes: d)),
    ]
  }

  public static var conformanceCases: [ConformanceCase] { binaryConformanceCases(Sub()) }
}
