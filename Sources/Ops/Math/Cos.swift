public import GraphIR
public import TensorCore

/// Cosine, `y = cos x`. ONNX `Cos` (opset 7+). `y′ = −sin x`.
public struct Cos: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Cos"
  public static let onnxArity = 1
  public static let onnxOpsets = 7...22
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.cos(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.neg(b.apply1(Sin(), [x]))
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.cos, f64: VectorMath.cos)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Cos(), [SampleInput([3, 4])]),
      ConformanceCase(Cos(), [SampleInput([2, 3, 4])]),
    ]
  }
}
