public import GraphIR
import TensorCore

/// ONNX-ML `ArrayFeatureExtractor` (domain `ai.onnx.ml`, opset 1+): `Y = X[..., indices]`, the
/// entries of `X`'s last axis at the int64 `indices` (flattened). A 1-D `X` gives `[1, n]`, as
/// ONNX Runtime does. scikit-learn classifiers exported by skl2onnx use it to turn the argmax
/// into class labels (`classes[argmax]`).
///
/// A `Gather` along the last axis; the indices may be computed at run time (an `ArgMax`).
public enum ArrayFeatureExtractor: ONNXLowering {
  public static let onnxOpTypes = ["ArrayFeatureExtractor"]
  public static let onnxDomain = "ai.onnx.ml"
  public static let onnxOpsets = 1...5

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    var x = try node.input(0)
    var indices = try node.input(1)
    let indexType = b.type(of: indices)
    guard indexType.dtype == .int64 else { throw node.error("indices must be int64, got \(indexType)") }
    if indexType.rank != 1 {
      indices = try b.apply1(Reshape(leading: 0), [indices, b.constant(Tensor(uncheckedShape: [1], storage: .int64([-1])))])
    }
    if b.type(of: x).rank == 1 { x = try b.apply1(InsertAxes(at: 0, count: 1), [x]) }
    return [try b.apply1(Gather(axis: -1), [x, indices], name: node.name)]
  }
}
