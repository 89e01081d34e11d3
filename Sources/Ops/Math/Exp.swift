public import GraphIR
public import TensorCore

/// Exponential, `y = eˣ`. ONNX `Exp` (opset 6+). `y′ = y`.
public struct Exp: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Exp"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.exp(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value { y }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.exp, f64: VectorMath.exp)
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Exp(), [SampleInput([3, 4])])]
  }
}
