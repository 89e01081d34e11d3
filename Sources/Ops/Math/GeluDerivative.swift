public import GraphIR
public import TensorCore

/// The derivative of exact GELU, `y = Φ(x) + x·φ(x)` with `Φ(x) = 0.5·erfc(−x/√2)` and
/// `φ(x) = e^{−x²/2}/√(2π)`. No ONNX counterpart: `Gelu`'s JVP and VJP scale tangents by it,
/// computed in one vectorised pass over x (one erfc and two exps an element) instead of nine
/// elementwise nodes.
///
/// `y′ = φ(x)·(2 − x²)`.
public struct GeluDerivative: UnaryElementwise {
  public static let name = "GeluDerivative"
  public init() {}
  public var description: String { Self.name }

  /// `0.5·erfc(x·(−√½)) + x·e^{−x²/2}/√(2π)` in the element type (libm).
  public func apply<T: FloatElement>(_ x: T) -> T {
    let cdf = T(0.5) * T.erfc(x * T(-(0.5 as Double).squareRoot()))
    return cdf + x * (T.exp(x * x * T(-0.5)) * T(1 / (2 * Double.pi).squareRoot()))
  }

  /// `φ(x)·(2 − x²)`.
  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let square = try b.mul(x, x)
    let density = try b.scaled(b.apply1(Exp(), [b.scaled(square, by: -0.5)]), by: 1 / (2 * Double.pi).squareRoot())
    return try b.mul(density, b.sub(b.scalar(2, like: x), square))
  }

  /// Vectorised in plans (`VectorMath.geluDerivative`); `apply` (libm) serves folding and the
  /// reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.geluDerivative, f64: VectorMath.geluDerivative)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(GeluDerivative(), [SampleInput([3, 4])]),
      ConformanceCase(GeluDerivative(), [SampleInput([2, 3, 4])]),
    ]
  }
}
