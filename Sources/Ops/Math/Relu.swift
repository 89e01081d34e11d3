public import GraphIR
public import TensorCore

/// Rectified linear unit, `y = max(x, 0)` (NaN stays NaN). ONNX `Relu` (opset 6+).
///
/// `y′ = x > 0 ? 1 : 0` (PyTorch's convention at 0), as `Step(low: 0)`.
public struct Relu: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Relu"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { x > 0 || x.isNaN ? x : 0 }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Step(low: 0), [x])
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Relu(), [SampleInput([3, 4])])]
  }
}
