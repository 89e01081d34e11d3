public import GraphIR

/// ONNX `Mish` (opset 18+): `y = x·tanh(softplus(x))`, from the `Softplus` (stable, accurate for
/// very negative x) and `Tanh` primitives, whose rules give the derivative
/// `tanh(sp) + x·σ(x)·(1 − tanh²(sp))`.
public enum Mish: ONNXLowering {
  public static let onnxOpTypes = ["Mish"]
  public static let onnxOpsets = 18...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let t = try b.apply1(Tanh(), [b.apply1(Softplus(), [x])])
    return [try b.apply1(Mul(), [x, t], name: node.name)]
  }
}
