public import GraphIR
public import TensorCore

/// Reciprocal square root, `y = 1/√x`. No ONNX counterpart (ONNX spells it
/// `Reciprocal(Sqrt(x))`): `BatchNormalization` scales by `1/√(var + ε)` with it, so constant
/// statistics fold when a plan is compiled, in the dtype the plan runs in.
///
/// `y′ = −½·y³`.
public struct InverseSqrt: UnaryElementwise {
  public static let name = "InverseSqrt"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { 1 / x.squareRoot() }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.mul(b.scalar(-0.5, like: y), b.mul(y, b.mul(y, y)))
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(InverseSqrt(), [SampleInput([3, 4], .positive)])]
  }
}
