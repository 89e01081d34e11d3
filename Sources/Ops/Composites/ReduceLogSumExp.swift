public import GraphIR

/// ONNX `ReduceLogSumExp`, `y = log Σ_axes exp(x)` (opsets 1–17: `axes` attribute; 18+:
/// optional `axes` input and `noop_with_empty_axes`, where reducing nothing gives `x`;
/// `keepdims` default 1), computed stably as `m + log Σ exp(x − m)` with `m = ReduceMax(x)`,
/// `m` replaced by 0 where it is infinite (as PyTorch does), so a row of −∞ gives −∞ and a row
/// holding +∞ gives +∞ instead of ∞ − ∞ = NaN.
///
/// The derivative through `m` cancels (`ẏ = ṁ + Σ softmax·(ẋ − ṁ) = Σ softmax·ẋ`), so ties in
/// the maximum do not matter.
public enum ReduceLogSumExp: ONNXLowering {
  public static let onnxOpTypes = ["ReduceLogSumExp"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let x = try node.input(0)
    let axes = try onnxReducedAxes(node, b, axesInputSince: 18) ?? []
    let keepDims = try node.int("keepdims", default: 1) != 0
    let max = try b.apply1(ReduceMax(axes: axes, keepDims: true), [x], name: node.name)
    let infinite = try b.equal(b.apply1(Abs(), [max]), b.scalar(.infinity, like: max))
    let m = try b.selectOrZero(infinite, max, otherwise: true)
    let sum = try b.reduceSum(b.apply1(Exp(), [b.sub(x, m)]), axes: axes, keepDims: keepDims, name: node.name)
    let shift = keepDims ? m : try b.removeAxes(m, fromEnd: axes)
    return [try b.apply1(Add(), [shift, b.apply1(Log(), [sum])], name: node.name)]
  }
}
