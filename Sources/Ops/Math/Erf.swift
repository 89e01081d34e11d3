public import GraphIR
public import TensorCore

/// Error function, `y = erf x = (2/√π) ∫₀ˣ e^{−t²} dt`. ONNX `Erf` (opset 9+; float only here,
/// the integer element types opset 9 lists are refused by the shape rule).
///
/// `y′ = (2/√π)·e^{−x²}` (exactly 0 once `x²` overflows).
public struct Erf: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Erf"
  public static let onnxArity = 1
  public static let onnxOpsets = 9...22
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.erf(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.gaussianDensity(x, scale: 2 / Double.pi.squareRoot())
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.erf, f64: VectorMath.erf)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Erf(), [SampleInput([3, 4])]),
      ConformanceCase(Erf(), [SampleInput([2, 3, 4])]),
    ]
  }
}
