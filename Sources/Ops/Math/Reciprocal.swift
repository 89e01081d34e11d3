public import GraphIR
public import TensorCore

/// Reciprocal, `y = 1 / x`. ONNX `Reciprocal` (opset 1+).
///
/// `y′ = −1/x² = −y²`, formed once from the output: `ẏ = ẋ·(−y²)`, `x̄ = ȳ·(−y²)`.
public struct Reciprocal: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Reciprocal"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  /// Correctly rounded; the plan's plain loop vectorises.
  public func apply<T: FloatElement>(_ x: T) -> T { 1 / x }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.neg(b.mul(y, y))
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Reciprocal(), [SampleInput([3, 4], .awayFromZero)]),
      ConformanceCase(Reciprocal(), [SampleInput([2, 3, 4], .awayFromZero)]),
    ]
  }
}
