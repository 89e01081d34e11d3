public import GraphIR
public import TensorCore

/// Product with broadcasting, `y = a · b`. ONNX `Mul` (opset 7+ broadcasting).
///
/// `ẏ = ȧ·b + a·ḃ`; `ā = Σ_bcast ȳ·b`, `b̄ = Σ_bcast ȳ·a`.
public struct Mul: BinaryBroadcasting, AttributeFreeONNXOp {
  public static let name = "Mul"
  public static let onnxArity = 2
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a * b }
  public var vectorOp: VectorMath.BinaryOp? { .mul }

  /// int64 (shape arithmetic) wraps on overflow.
  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { a &* b }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    let (x, y) = (args.primals[0], args.primals[1])
    return [try b.add(t[0].map { try b.mul($0, y) }, t[1].map { try b.mul(x, $0) })]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (x, y) = (args.primals[0], args.primals[1])
    let d = args.directionAxes
    return [
      try b.reduceCotangent(b.mul(ct, y), to: x, directionAxes: d),
      try b.reduceCotangent(b.mul(ct, x), to: y, directionAxes: d),
    ]
  }

  public static var conformanceCases: [ConformanceCase] { binaryConformanceCases(Mul()) }
}
