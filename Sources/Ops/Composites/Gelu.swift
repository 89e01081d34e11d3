public import GraphIR

/// ONNX `Gelu` (opset 20+), built from primitives whose rules give the derivative.
///
/// - `approximate = "none"` (default): `y = x·Φ(x) = 0.5·x·erfc(−x/√2)`. The ONNX formula
///   `0.5·x·(1 + erf(x/√2))` cancels as x goes negative (`1 + erf` is 0 in f64 below about −8.3,
///   where the true value is still ~1e-16·|x|, and loses digits long before); `erfc` keeps full
///   relative accuracy until it underflows, and agrees with the ONNX form to rounding elsewhere.
/// - `approximate = "tanh"`: `y = 0.5·x·(1 + tanh(u))` with `u = √(2/π)·(x + 0.044715·x³)`,
///   evaluated as `x·σ(2u)` (the same function, since `1 + tanh u = 2σ(2u)`) for the same reason:
///   no cancellation for negative x, and σ's derivative `σ(z)σ(−z)` stays accurate in the tails.
///   The constants are exact in the graph's type (as PyTorch's), not the float32 ones of the
///   spec's function body, which ONNX Runtime's float64 Gelu uses (a 5e-8 relative difference).
public enum Gelu: ONNXLowering {
  public static let onnxOpTypes = ["Gelu"]
  public static let onnxOpsets = 20...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let approximate = try node.string("approximate", default: "none")
    switch approximate {
    case "none":
      let phi = try b.apply1(Erfc(), [b.scaled(x, by: -(0.5 as Double).squareRoot())])
      return [try b.apply1(Mul(), [b.scaled(x, by: 0.5), phi], name: node.name)]
    case "tanh":
      let c = 2 * (2 / Double.pi).squareRoot()
      let cubic = try b.add(b.scalar(c, like: x), b.scaled(b.mul(x, x), by: c * 0.044715))
      let s = try b.apply1(Sigmoid(), [b.mul(x, cubic)])
      return [try b.apply1(Mul(), [x, s], name: node.name)]
    default:
      throw node.error("approximate must be \"none\" or \"tanh\", got \"\(approximate)\"")
    }
  }
}
