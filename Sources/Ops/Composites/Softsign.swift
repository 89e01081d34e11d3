public import GraphIR

/// ONNX `Softsign` (opset 1+): `y = x / (1 + |x|)`. Its derivative through `Div` and `Abs`,
/// `1/(1 + |x|)²`, is right at 0 too (`Abs`′ = sign(0) = 0 is multiplied by x = 0).
public enum Softsign: ONNXLowering {
  public static let onnxOpTypes = ["Softsign"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let denominator = try b.add(b.scalar(1, like: x), b.apply1(Abs(), [x]))
    return [try b.apply1(Div(), [x, denominator], name: node.name)]
  }
}
