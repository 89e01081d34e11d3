public import GraphIR
public import TensorCore

/// Quotient with broadcasting, `y = a / b`. ONNX `Div` (opset 7+ broadcasting; int64 truncates).
///
/// `ẏ = (ȧ − ḃ·y) / b`; `ā = Σ_bcast ȳ / b`, `b̄ = −Σ_bcast ȳ·y / b`.
public struct Div: BinaryBroadcasting, AttributeFreeONNXOp {
  public static let name = "Div"
  public static let onnxArity = 2
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a / b }
  public var vectorOp: VectorMath.BinaryOp? { .div }

  /// int64 division truncates toward zero (as ONNX Runtime and C do); division by zero, which
  /// ONNX leaves undefined, gives 0 here instead of a trap.
  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 {
    let (q, overflow) = a.dividedReportingOverflow(by: b)
    return b == 0 ? 0 : (overflow ? a : q)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    let (den, y) = (args.primals[1], args.outputs[0])
    let numerator: Value?
    switch (t[0], t[1]) {
    case (nil, nil): numerator = nil
    case (let ta?, nil): numerator = ta
    case (nil, let tb?): numerator = try b.neg(b.mul(tb, y))
    case (let ta?, let tb?): numerator = try b.sub(ta, b.mul(tb, y))
    }
    return [try numerator.map { try b.div($0, den) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (num, den, y) = (args.primals[0], args.primals[1], args.outputs[0])
    let d = args.directionAxes
    return [
      try b.reduceCotangent(b.div(ct, den), to: num, directionAxes: d),
      try b.reduceCotangent(b.neg(b.div(b.mul(ct, y), den)), to: den, directionAxes: d),
    ]
  }

  public static var conformanceCases: [ConformanceCase] { binaryConformanceCases(Div(), .awayFromZero) }
}
