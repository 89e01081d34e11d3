/// What `onnxgrad info` reports about a model.
public struct ModelSummary: Codable, Sendable, Equatable {
  /// A graph input or output: name, dtype (`f32`, `f64`, `i64`) and shape (symbolic dims by name).
  public struct ValueSummary: Codable, Sendable, Equatable {
    public var name: String
    public var dtype: String
    public var shape: [String]
  }

  public var path: String
  public var format: String
  public var irVersion: Int
  public var opset: Int
  public var producer: String
  public var producerVersion: String
  public var inputs: [ValueSummary]
  public var outputs: [ValueSummary]
  /// Count of each ONNX op type in the file.
  public var opHistogram: [String: Int]
  /// Total elements of all floating-point initializers.
  public var parameterCount: Int
}
