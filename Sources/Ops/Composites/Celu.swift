public import GraphIR

/// ONNX `Celu` (opset 12+, `alpha` default 1): `y = max(0, x) + min(0, α·(e^{x/α} − 1)) =
/// α·Elu₁(x/α)`; its derivative is Elu₁'s at `x/α` (`e^{x/α}` below 0, 1 above). `alpha`
/// must be positive (negative values would need the general form; PyTorch models use α > 0).
public enum Celu: ONNXLowering {
  public static let onnxOpTypes = ["Celu"]
  public static let onnxOpsets = 12...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let alpha = try node.float("alpha", default: 1)
    guard alpha > 0, alpha.isFinite else {
      throw node.error("alpha must be finite and positive (the form α·Elu₁(x/α) holds only then), got \(alpha)")
    }
    let x = try node.input(0)
    guard alpha != 1 else { return [try b.apply1(Elu(alpha: 1), [x], name: node.name)] }
    let elu = try b.apply1(Elu(alpha: 1), [b.div(x, b.scalar(alpha, like: x))])
    return [try b.apply1(Mul(), [elu, b.scalar(alpha, like: elu)], name: node.name)]
  }
}
