import Executor
import GraphIR

/// The variables derivatives are taken with respect to: the features of the listed inputs, in
/// the order listed (an input `[B]` or `[B, 1]` has one feature, `[B, n]` has n, `[B, 4, 3]` 12).
struct Variables {
  struct Input {
    let name: String
    let value: Value
    /// The input's shape without its batch axis.
    let features: [Int]
    /// The index of its first feature among all the variables.
    let offset: Int
    var count: Int { features.reduce(1, *) }
  }

  let inputs: [Input]
  let batch: Int
  /// The model's value types for the input shapes the variables were made for.
  let types: [TensorType?]
  var values: [Value] { inputs.map(\.value) }
  var count: Int { inputs.reduce(0) { $0 + $1.count } }

  /// The variables of `wrt` (input names) for concrete `types`; every input must be a float
  /// with the same batch size on axis 0, and be listed once.
  init(_ model: Model, wrt: [String], types: [TensorType?]) throws {
    guard !wrt.isEmpty else { throw ONNXGradError.badRequest("no input to differentiate with respect to") }
    var inputs: [Input] = []
    var batch: Int?
    var offset = 0
    for name in wrt {
      guard !inputs.contains(where: { $0.name == name }) else {
        throw ONNXGradError.badRequest("input '\(name)' is listed twice")
      }
      let v = try model.input(name)
      let shape = types[v.id]?.shape ?? []
      guard let b = shape.first else {
        throw ONNXGradError.notPerSample("input '\(name)' \(shape) has no batch axis to take per-sample derivatives along")
      }
      if let batch, batch != b {
        throw ONNXGradError.notPerSample("inputs differentiated together need one batch size; '\(name)' has \(b), not \(batch)")
      }
      batch = b
      let input = Input(name: name, value: v, features: Array(shape.dropFirst()), offset: offset)
      offset += input.count
      inputs.append(input)
    }
    self.inputs = inputs
    self.batch = batch ?? 0
    self.types = types
  }
}
