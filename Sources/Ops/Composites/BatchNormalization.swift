public import GraphIR

/// ONNX `BatchNormalization` with the channel on axis 1 (opsets 1, 6, 7, 9, 14, 15).
///
/// Inference: `y = x·a + b` with `a = scale·InverseSqrt(var + ε)` and `b = B − mean·a` per
/// channel (shape `[C, 1, …]` against `x`): graph ops on the statistics, which a plan folds once
/// when they are constants, in the dtype it runs in (so `--dtype f64` does not round them to f32).
///
/// Training (`training_mode = 1`, opset 14+; more than one output at opsets 7–13, as the legacy
/// exporter writes in training mode; `is_test = 0` before opset 7): the batch statistics
/// over every axis but 1, `y = (x − μ)·InverseSqrt(var_b + ε)·scale + B` with the population
/// variance. This mixes rows, and the batch-independence analysis reports it. The optional
/// `running_mean` / `running_var` outputs follow ONNX (`input·momentum + batch·(1 − momentum)`,
/// population variance, as ONNX Runtime); ONNX requires them in training mode, so they are
/// supported rather than refused. Before opset 14 the outputs `mean` and `var` are those running
/// statistics too; `saved_mean` / `saved_var` are not computed (a model that reads them is refused
/// by the importer).
///
/// `spatial = 0` (opsets before 9) takes per-activation statistics, with parameters shaped like
/// `x` without its axis 0.
public enum BatchNormalization: ONNXLowering {
  public static let onnxOpTypes = ["BatchNormalization"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(5...5)
    let (x, scale, bias, mean, variance) = (
      try node.input(0), try node.input(1), try node.input(2), try node.input(3), try node.input(4)
    )
    let rank = b.type(of: x).rank
    guard rank >= 2 else { throw node.error("input X must have rank ≥ 2 (batch, channel, …), got \(b.type(of: x))") }
    let epsilon = try node.float("epsilon", default: Double(Float(1e-5)))
    let spatial = node.opset < 9 ? try node.int("spatial", default: 1) != 0 : true
    let training: Bool
    if node.opset >= 14 {
      training = try node.int("training_mode", default: 0) != 0
      guard training || node.outputCount <= 1 else {
        throw node.error(
          "asks for running_mean/running_var outputs with training_mode = 0; they exist only in training mode")
      }
    } else if node.opset >= 7 {
      training = node.outputCount > 1
    } else {
      training = try node.int("is_test", default: 0) == 0
    }
    func perChannel(_ v: Value) throws -> Value {
      spatial && rank > 2 ? try b.apply1(InsertAxes(at: 1, count: rank - 2), [v]) : v
    }
    guard training else {
      let a = try b.mul(scale, inverseStd(variance, epsilon: epsilon, &b))
      let shift = try b.sub(bias, b.mul(mean, a))
      return [try b.apply1(Add(), [b.mul(x, perChannel(a)), perChannel(shift)], name: node.name)]
    }
    let axes = spatial ? [-rank] + Array(-(rank - 2)..<0) : [-rank]
    let centered = try b.sub(x, b.reduceMean(x, axes: axes, name: node.name))
    let squares = try b.mul(centered, centered)
    let batchVar = try b.reduceMean(squares, axes: axes, name: node.name)
    let normalized = try b.mul(centered, inverseStd(batchVar, epsilon: epsilon, &b))
    var outs = [try b.apply1(Add(), [b.mul(normalized, perChannel(scale)), perChannel(bias)], name: node.name)]
    let momentum = try node.float("momentum", default: Double(Float(0.9)))
    for (input, batch) in [(mean, x), (variance, squares)].prefix(min(2, max(0, node.outputCount - 1))) {
      let current = try b.reduceMean(batch, axes: axes, keepDims: false, name: node.name)
      outs.append(try b.add(b.scaled(input, by: momentum), b.scaled(current, by: 1 - momentum)))
    }
    return outs
  }

  /// `1/√(v + ε)`.
  private static func inverseStd(_ v: Value, epsilon: Double, _ b: inout GraphBuilder) throws -> Value {
    try b.apply1(InverseSqrt(), [b.add(v, b.scalar(epsilon, like: v))])
  }
}
