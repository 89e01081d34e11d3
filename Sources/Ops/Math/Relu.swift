public import GraphIR
public import TensorCore

/// Rectified linear unit, `y = max(x, 0)` (NaN stays NaN). ONNX `Relu` (opset 6+).
///
/// `y′ = x > 0 ? 1 : 0` (PyTorch's convention at 0): tangents go through `StepMul(low: 0)`.
public struct Relu: UnaryElementwise, AttributeFreeONNXOp, ActivationPrimitive {
  public static let name = "Relu"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public var activation: Activation { .leakyRelu(slope: 0) }

  public func apply<T: FloatElement>(_ x: T) -> T { x > 0 || x.isNaN ? x : 0 }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Step(low: 0), [x])
  }

  /// `ẏ = StepMul(ẋ, x)`, one pass over the tangent.
  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(StepMul(low: 0), [$0, args.primals[0]]) }]
  }

  /// `x̄ = StepMul(ȳ, x)`.
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(StepMul(low: 0), [$0, args.primals[0]]) }]
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Relu(), [SampleInput([3, 4])])]
  }
}
