public import ONNXImport

/// What `onnxgrad info` reports about a model.
public struct ModelSummary: Codable, Sendable, Equatable {
  /// A graph input or output: name, dtype (`f32`, `f64`, `i64`) and shape (symbolic dims by name).
  public struct ValueSummary: Codable, Sendable, Equatable {
    public var name: String
    public var dtype: String
    public var shape: [String]

    public init(name: String, dtype: String, shape: [String]) {
      self.name = name
      self.dtype = dtype
      self.shape = shape
    }
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
  /// Ops the model uses that onnxgrad cannot import (empty when it loads).
  public var unsupportedOps: [UnsupportedOp]
  /// What a user should know about how the model is run, one sentence each (a FLOAT16 graph
  /// input computed in float32, say); the CLI prints them to stderr.
  public var notes: [String]

  public init(
    path: String, format: String, irVersion: Int, opset: Int, producer: String, producerVersion: String,
    inputs: [ValueSummary], outputs: [ValueSummary], opHistogram: [String: Int], parameterCount: Int,
    unsupportedOps: [UnsupportedOp] = [], notes: [String] = []
  ) {
    self.path = path
    self.format = format
    self.irVersion = irVersion
    self.opset = opset
    self.producer = producer
    self.producerVersion = producerVersion
    self.inputs = inputs
    self.outputs = outputs
    self.opHistogram = opHistogram
    self.parameterCount = parameterCount
    self.unsupportedOps = unsupportedOps
    self.notes = notes
  }
}
