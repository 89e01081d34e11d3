public import GraphIR
public import TensorCore

/// Hard swish, `y = x · min(max((x − l)/(u − l), 0), 1)`: ONNX `HardSwish` (opset 14/22,
/// `x · HardSigmoid(x)` with α = 1/6, β = ½) is `l = −3`, `u = 3`, i.e. `x · clamp(x + 3, 0, 6)/6`
/// as PyTorch computes it. Other kinks serve the conformance checker, which samples in [−2, 2].
///
/// A primitive because PyTorch's gradient is not the product rule at the kinks: `y′ = 0` for
/// `x ≤ l`, `(2x − l)/(u − l)` for `l < x < u` (`x/3 + ½` for ONNX's), `1` for `x ≥ u` (PyTorch
/// 2.15's values at the kinks themselves); built with comparisons and `Where`, so
/// `y″ = 2/(u − l)` inside and 0 outside follow.
public struct HardSwish: UnaryElementwise {
  public static let name = "HardSwish"
  public let lower: Double
  public let upper: Double

  public init(lower: Double = -3, upper: Double = 3) {
    self.lower = lower
    self.upper = upper
  }

  public var description: String { "HardSwish(lower: \(lower), upper: \(upper))" }

  public func apply<T: FloatElement>(_ x: T) -> T {
    let s = (x - T(lower)) / T(upper - lower)
    return x * (s < 0 ? 0 : (s > 1 ? 1 : s))
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let width = upper - lower
    let ramp = try b.add(b.div(x, b.scalar(width / 2, like: x)), b.scalar(-lower / width, like: x))
    let belowTop = try b.where(b.less(x, b.scalar(upper, like: x)), ramp, b.scalar(1, like: x))
    return try b.selectOrZero(b.lessOrEqual(x, b.scalar(lower, like: x)), belowTop, otherwise: true)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(HardSwish(), [SampleInput([3, 4])]),
      ConformanceCase(HardSwish(lower: -1, upper: 1), [SampleInput([4, 5])]),
    ]
  }
}

extension HardSwish: ONNXLowering {
  public static let onnxOpTypes = ["HardSwish"]
  public static let onnxOpsets = 14...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    return [try b.apply1(HardSwish(), [node.input(0)], name: node.name)]
  }
}
