public import GraphIR

/// ONNX `Selu` (opset 1+): `y = γ·(x > 0 ? x : α·(eˣ − 1)) = γ·Elu_α(x)`, so its derivative is
/// Elu's scaled by γ (`γ·α·eˣ` below 0, PyTorch's convention at 0). Defaults, as float32
/// attributes: opset 6+ `alpha` 1.67326319…, `gamma` 1.05070102…; opset 1 `alpha` 1.6732,
/// `gamma` 1.0507.
public enum Selu: ONNXLowering {
  public static let onnxOpTypes = ["Selu"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let legacy = node.opset < 6
    let alpha = try node.float("alpha", default: Double(legacy ? Float(1.6732) : Float(1.67326319217681884765625)))
    let gamma = try node.float("gamma", default: Double(legacy ? Float(1.0507) : Float(1.05070102214813232421875)))
    let elu = try b.apply1(Elu(alpha: alpha), [node.input(0)])
    return [try b.apply1(Mul(), [elu, b.scalar(gamma, like: elu)], name: node.name)]
  }
}
