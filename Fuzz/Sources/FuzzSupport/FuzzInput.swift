import ONNXFormat
import ONNXImport

/// What every harness shares: the input as bytes and the path it pretends the bytes came from.
public enum FuzzInput {
  /// A model path inside a folder that does not exist, so external data, weight files and any
  /// other file a fuzzed model names are missing instead of read from the machine.
  public static let modelPath = "/nonexistent-onnxgrad-fuzz/model"

  /// libFuzzer's input as an array (it may pass a null pointer with size 0).
  public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data = data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
  }

  /// Imports a decoded model as `Model.load` would; a thrown error is an accepted outcome.
  public static func importGraph(_ model: ONNXModel) {
    _ = try? ONNXImporter.graph(of: model)
  }
}
