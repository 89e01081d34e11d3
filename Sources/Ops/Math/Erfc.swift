public import GraphIR
public import TensorCore

/// Complementary error function, `y = erfc x = 1 − erf x`. No ONNX counterpart: exact GELU is
/// built on it, `0.5·x·erfc(−x/√2)`, because `1 + erf(x/√2)` cancels to 0 (or to noise) as x
/// goes negative while `erfc` keeps full relative accuracy until it underflows.
///
/// `y′ = −(2/√π)·e^{−x²}`.
public struct Erfc: UnaryElementwise {
  public static let name = "Erfc"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.erfc(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.gaussianDensity(x, scale: -2 / Double.pi.squareRoot())
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.erfc, f64: VectorMath.erfc)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Erfc(), [SampleInput([3, 4])]),
      ConformanceCase(Erfc(), [SampleInput([2, 3, 4])]),
    ]
  }
}
