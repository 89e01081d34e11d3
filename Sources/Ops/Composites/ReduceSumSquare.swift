public import GraphIR

/// ONNX `ReduceSumSquare`, `y = Σ_axes x²` (opsets 1–17: `axes` attribute; 18+: optional
/// `axes` input and `noop_with_empty_axes`, where reducing nothing gives `x²`; `keepdims`
/// default 1): `ReduceSum(Mul(x, x))`.
public enum ReduceSumSquare: ONNXLowering {
  public static let onnxOpTypes = ["ReduceSumSquare"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let x = try node.input(0)
    let square = try b.mul(x, x)
    guard let axes = try onnxReducedAxes(node, b, axesInputSince: 18) else { return [square] }
    return [
      try b.apply1(ReduceSum(axes: axes, keepDims: node.int("keepdims", default: 1) != 0), [square], name: node.name)
    ]
  }
}
