import Foundation
public import ONNXFormat
import NumPyIO
import TensorCore

/// onnxgrad's own MLP format: a JSON file a person can write by hand or generate from any
/// framework, decoded into the same `ONNXModel` the protobuf path gives (so one importer, one set
/// of lowerings, serves both). The format is documented in docs/mlp-json.md and by the JSON Schema
/// docs/onnxgrad-mlp.schema.json.
///
/// ```json
/// {"format": "onnxgrad-mlp", "version": 1, "dtype": "float32",
///  "inputs": [{"name": "x", "features": 1}, {"name": "t", "features": 1}],
///  "layers": [{"type": "concat", "inputs": ["x", "t"]},
///             {"type": "linear", "weight": [[0.5, -1.0], [2.0, 0.25]], "bias": [0, 1]},
///             {"type": "tanh"},
///             {"type": "linear", "weight": "fc2.weight", "bias": "fc2.bias", "name": "u"}],
///  "weights": "weights.npz", "outputs": ["u"]}
/// ```
public enum MLPModel {
  /// The value of `format` that marks a file as this format.
  public static let formatName = "onnxgrad-mlp"
  /// The ONNX opset the decoded model imports.
  static let opset: Int64 = 20

  /// Whether a JSON document's top level declares this format (`"format": "onnxgrad-mlp"`).
  public static func declaresFormat(_ bytes: [UInt8]) -> Bool {
    guard let root = try? JSONField.parse(bytes, file: "", format: "JSON"),
      let format = try? root.optional("format")?.string()
    else { return false }
    return format == formatName
  }

  /// Reads the MLP JSON file at `path` (weights it references are read from files beside it).
  public static func load(path: String) throws -> ONNXModel {
    let data = try ONNXModel.readModelFile(path: path)
    return try decode(bytes: data, path: path)
  }

  /// Decodes MLP JSON; `path` names the file in errors and locates the weight files.
  public static func decode(bytes: [UInt8], path: String) throws -> ONNXModel {
    let root = try JSONField.parse(bytes, file: path, format: "onnxgrad MLP JSON")
    var builder = try MLPBuilder(root: root, directory: directory(of: path))
    try builder.build()
    return builder.model(sourcePath: path)
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
