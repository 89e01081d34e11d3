public import GraphIR
public import TensorCore

/// Leaky rectified linear unit, `y = x > 0 ? x : α·x`. ONNX `LeakyRelu` (opset 6+, `alpha`
/// default 0.01; stored as float32 in ONNX, so PyTorch's 0.2 arrives as 0.20000000298).
///
/// `y′ = x > 0 ? 1 : α` (PyTorch's convention at 0): tangents go through `StepMul(low: α)`.
public struct LeakyRelu: UnaryElementwise, ActivationPrimitive {
  public static let name = "LeakyRelu"
  public let alpha: Double

  public init(alpha: Double) { self.alpha = alpha }

  public var description: String { "LeakyRelu(alpha: \(alpha))" }

  public var activation: Activation { .leakyRelu(slope: alpha) }

  public func apply<T: FloatElement>(_ x: T) -> T { x > 0 ? x : T(alpha) * x }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Step(low: alpha), [x])
  }

  /// `ẏ = StepMul(ẋ, x)`, one pass over the tangent.
  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(StepMul(low: alpha), [$0, args.primals[0]]) }]
  }

  /// `x̄ = StepMul(ȳ, x)`.
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(StepMul(low: alpha), [$0, args.primals[0]]) }]
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(LeakyRelu(alpha: 0.2), [SampleInput([3, 4])])]
  }
}

extension LeakyRelu: ONNXLowering {
  public static let onnxOpTypes = ["LeakyRelu"]
  public static let onnxOpsets = 6...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let alpha = try node.float("alpha", default: Double(Float(0.01)))
    return [try b.apply1(LeakyRelu(alpha: alpha), [node.input(0)], name: node.name)]
  }
}
