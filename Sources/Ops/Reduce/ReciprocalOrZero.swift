public import GraphIR
public import TensorCore

/// `y = 1/x`, and 0 where `x = 0`. No ONNX counterpart: derivative rules divide by a value that
/// may be 0 where the derivative is defined as 0 (the norm in `ReduceL2`'s rules, as PyTorch).
///
/// `y′ = −y²` (0 at `x = 0`, where `y` is constant 0).
public struct ReciprocalOrZero: UnaryElementwise {
  public static let name = "ReciprocalOrZero"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { x == 0 ? 0 : 1 / x }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.neg(b.mul(y, y))
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(ReciprocalOrZero(), [SampleInput([3, 4], .awayFromZero)])]
  }
}
