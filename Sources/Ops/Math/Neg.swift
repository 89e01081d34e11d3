public import GraphIR
public import TensorCore

/// Negation, `y = −x`. ONNX `Neg` (opset 6+). Linear: `ẏ = −ẋ`, `x̄ = −ȳ`.
public struct Neg: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Neg"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { -x }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.scalar(-1, like: x)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.neg($0) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.neg($0) }]
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Neg(), [SampleInput([3, 4])])]
  }
}
