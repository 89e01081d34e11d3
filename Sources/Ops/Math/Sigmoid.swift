public import GraphIR
public import TensorCore

/// Logistic sigmoid, `y = σ(x) = 1 / (1 + e⁻ˣ)`. ONNX `Sigmoid` (opset 6+).
///
/// Evaluated as `1/(1+e⁻ˣ)` for x ≥ 0 and `eˣ/(1+eˣ)` below, so no overflow. `y′ = σ(x)·σ(−x)`,
/// which keeps full relative accuracy for large |x| where `σ(1 − σ)` cancels to 0.
public struct Sigmoid: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Sigmoid"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T {
    if x >= 0 { return 1 / (1 + T.exp(-x)) }
    let e = T.exp(x)
    return e / (1 + e)
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.mul(y, b.apply1(Sigmoid(), [b.neg(x)]))
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.sigmoid, f64: VectorMath.sigmoid)
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Sigmoid(), [SampleInput([3, 4])])]
  }
}
