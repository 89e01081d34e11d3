public import GraphIR
public import TensorCore

/// Sine, `y = sin x`. ONNX `Sin` (opset 7+). `y′ = cos x`.
public struct Sin: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Sin"
  public static let onnxArity = 1
  public static let onnxOpsets = 7...22
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.sin(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Cos(), [x])
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.sin, f64: VectorMath.sin)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Sin(), [SampleInput([3, 4])]),
      ConformanceCase(Sin(), [SampleInput([2, 3, 4])]),
    ]
  }
}
