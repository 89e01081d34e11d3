public import GraphIR

/// ONNX `Dropout` in inference: `output = data`. The ratio is ignored, as at inference;
/// `training_mode` (opset 12+ input), when given, must be a constant false, since training-mode
/// dropout is random. The optional `mask` output is not produced (PyTorch's exporters drop
/// Dropout entirely in eval mode); a model that reads it is refused by the importer.
public enum Dropout: ONNXLowering {
  public static let onnxOpTypes = ["Dropout"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...3)
    if node.optionalInput(2) != nil {
      guard let training = node.constantInput(2, b), training.count == 1 else {
        throw node.error("training_mode must be a constant (only inference is supported)")
      }
      guard training.int64s == [0] else { throw node.error("training_mode is true; only inference dropout is supported") }
    }
    if try node.int("is_test", default: 1) == 0 && node.opset < 7 {
      throw node.error("is_test = 0 asks for training-mode dropout; only inference is supported")
    }
    return [try b.apply1(Identity(), [node.input(0)], name: node.name)]
  }
}
