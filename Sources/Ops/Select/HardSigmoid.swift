public import GraphIR
public import TensorCore

/// Hard sigmoid, `y = max(0, min(1, α·x + β))` (NaN stays NaN). ONNX `HardSigmoid` (opset 1/6/22;
/// `alpha` 0.2 and `beta` 0.5 by default, stored as float32, so PyTorch's `hardsigmoid` arrives
/// as α = 1/6 rounded to float32).
///
/// PyTorch's convention: `y′ = α` strictly inside, 0 outside and at the kinks. Strictly inside
/// is exactly `0 < y < 1`, so `y′ = Where((y > 0) ∧ (y < 1), α, 0)`, piecewise constant.
/// (`Clip(α·x + β, 0, 1)` would pass the derivative at the kinks too.)
public struct HardSigmoid: UnaryElementwise {
  public static let name = "HardSigmoid"
  public let alpha: Double
  public let beta: Double

  public init(alpha: Double, beta: Double) {
    self.alpha = alpha
    self.beta = beta
  }

  public var description: String { "HardSigmoid(alpha: \(alpha), beta: \(beta))" }

  public func apply<T: FloatElement>(_ x: T) -> T {
    let u = T(alpha) * x + T(beta)
    return u < 0 ? 0 : (u > 1 ? 1 : u)
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let inside = try b.and(b.greater(y, b.scalar(0, like: y)), b.less(y, b.scalar(1, like: y)))
    return try b.selectOrZero(inside, b.scalar(alpha, like: x))
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(HardSigmoid(alpha: 0.2, beta: 0.5), [SampleInput([3, 4])]),
      ConformanceCase(HardSigmoid(alpha: 1, beta: 0.5), [SampleInput([4, 5])]),
    ]
  }
}

extension HardSigmoid: ONNXLowering {
  public static let onnxOpTypes = ["HardSigmoid"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let alpha = try node.float("alpha", default: Double(Float(0.2)))
    let beta = try node.float("beta", default: Double(Float(0.5)))
    return [try b.apply1(HardSigmoid(alpha: alpha, beta: beta), [node.input(0)], name: node.name)]
  }
}
