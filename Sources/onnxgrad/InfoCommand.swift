import ArgumentParser
import Foundation
import ONNXGrad

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info", abstract: "Show a model's inputs, outputs, opset, producer, op counts and parameter count.")

  @Argument(help: "The model: ONNX (.onnx), ONNX JSON, or onnxgrad MLP JSON (told apart by content).") var model: String
  @Flag(help: "Print one JSON object instead of text.") var json = false

  func run() throws {
    let s = try Model.inspect(path: model)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(s), as: UTF8.self))
      return
    }
    func line(_ v: ModelSummary.ValueSummary) -> String { "  \(v.name): \(v.dtype) [\(v.shape.joined(separator: ", "))]" }
    print("model:      \(s.path)")
    print("format:     \(s.format), ir_version \(s.irVersion), opset \(s.opset)")
    print("producer:   \(s.producer) \(s.producerVersion)")
    print("parameters: \(s.parameterCount)")
    print("inputs:")
    s.inputs.forEach { print(line($0)) }
    print("outputs:")
    s.outputs.forEach { print(line($0)) }
    print("ops:")
    for (op, n) in s.opHistogram.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
      print("  \(op) × \(n)")
    }
    if !s.notes.isEmpty {
      print("notes:")
      s.notes.forEach { print("  \($0)") }
    }
    if !s.unsupportedOps.isEmpty {
      print("unsupported ops (the model cannot be run until these are supported):")
      for op in s.unsupportedOps {
        print("  \(op.opType) (domain \(op.domain), opset \(op.opset)) × \(op.count), first at node '\(op.node)': \(op.reason)")
      }
    }
  }
}
