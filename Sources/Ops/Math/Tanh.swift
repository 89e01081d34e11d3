public import GraphIR
public import TensorCore

/// Hyperbolic tangent, `y = tanh(x)`. ONNX `Tanh` (opset 6+).
///
/// `y′ = 1 − y² = (1 + y)(1 − y)`; the factored form keeps relative accuracy where |y| → 1.
/// Tangents and cotangents are scaled by it in one node, `TanhDerivativeMul(t, y)`.
public struct Tanh: UnaryElementwise, AttributeFreeONNXOp, ActivationPrimitive {
  public static let name = "Tanh"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public var activation: Activation { .tanh }

  public func apply<T: FloatElement>(_ x: T) -> T { T.tanh(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let one = try b.scalar(1, like: y)
    return try b.mul(b.add(one, y), b.sub(one, y))
  }

  /// `ẏ = TanhDerivativeMul(ẋ, y)`.
  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(TanhDerivativeMul(), [$0, args.outputs[0]]) }]
  }

  /// `x̄ = TanhDerivativeMul(ȳ, y)`.
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(TanhDerivativeMul(), [$0, args.outputs[0]]) }]
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.tanh, f64: VectorMath.tanh)
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Tanh(), [SampleInput([3, 4])])]
  }
}
