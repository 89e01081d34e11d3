public import GraphIR
public import TensorCore

/// Square root, `y = √x` (NaN below 0). ONNX `Sqrt` (opset 1+).
///
/// `ẏ = ẋ / (2y)` and `x̄ = ȳ / (2y)`: one division by the already computed `2y` (∞ at
/// `x = 0`, as in PyTorch).
public struct Sqrt: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Sqrt"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  /// Correctly rounded; the plan's plain loop vectorises.
  public func apply<T: FloatElement>(_ x: T) -> T { x.squareRoot() }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.div(b.scalar(0.5, like: y), y)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.div(t, b.scaled(args.outputs[0], by: 2))]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil] }
    return [try b.div(ct, b.scaled(args.outputs[0], by: 2))]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Sqrt(), [SampleInput([3, 4], .positive)]),
      ConformanceCase(Sqrt(), [SampleInput([2, 3, 4], .positive)]),
    ]
  }
}
