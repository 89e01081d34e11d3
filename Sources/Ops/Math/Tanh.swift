public import GraphIR
public import TensorCore

/// Hyperbolic tangent, `y = tanh(x)`. ONNX `Tanh` (opset 6+).
///
/// `y′ = 1 − y² = (1 + y)(1 − y)`; the factored form keeps relative accuracy where |y| → 1.
public struct Tanh: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Tanh"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.tanh(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let one = try b.scalar(1, like: y)
    return try b.mul(b.add(one, y), b.sub(one, y))
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.tanh, f64: VectorMath.tanh)
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Tanh(), [SampleInput([3, 4])])]
  }
}
