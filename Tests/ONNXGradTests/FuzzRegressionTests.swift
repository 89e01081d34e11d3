import Foundation
import MLPFormat
import NumPyIO
import ONNXFormat
import ONNXImport
import Testing

/// The inputs the fuzzers found crashing (docs/FUZZING.md), committed as
/// Tests/Fixtures/fuzz-regressions/<target>/<file> and fed through the same calls as their
/// harness in Fuzz/Sources/fuzz-<target>: each must now be refused with an error that says what
/// is wrong.
@Suite struct FuzzRegressions {
  static let root = Fixtures.root.appendingPathComponent("fuzz-regressions")

  /// Every committed input, as `target/file`, and words its error must contain.
  static let expected: [String: [String]] = [
    "onnx/reducelogsumexp-i64-input.onnx": ["ReduceLogSumExp", "floating-point", "i64", "inf"]
  ]

  /// The harnesses' model path: a folder that does not exist, so files a model names are missing.
  static let modelPath = "/nonexistent-onnxgrad-fuzz/model"

  /// What fuzz-`target` does with `bytes`, throwing where it would discard an error.
  static func parse(target: String, _ bytes: [UInt8]) throws {
    switch target {
    case "onnx": _ = try ONNXImporter.graph(of: ONNXModel.decode(bytes: bytes, modelPath: modelPath + ".onnx"))
    case "onnx-json": _ = try ONNXImporter.graph(of: ONNXModel.decodeJSON(bytes: bytes, modelPath: modelPath + ".json"))
    case "mlp-json": _ = try ONNXImporter.graph(of: MLPModel.decode(bytes: bytes, path: modelPath + ".mlp.json"))
    case "npy": _ = try NPY.decode(bytes, source: "fuzz.npy")
    case "npz": _ = try NPZ.decode(bytes, source: "fuzz.npz")
    default: Issue.record("no fuzz target '\(target)'")
    }
  }

  @Test func everyCommittedInputIsListed() throws {
    var found: [String] = []
    for target in try FileManager.default.contentsOfDirectory(atPath: Self.root.path) {
      let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(target).path)
      found += files.map { "\(target)/\($0)" }
    }
    #expect(found.sorted() == Self.expected.keys.sorted())
  }

  @Test(arguments: expected.keys.sorted()) func isRefusedWithAClearError(_ file: String) throws {
    let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(file)))
    let target = String(file.prefix { $0 != "/" })
    let words = Self.expected[file] ?? []
    #expect {
      try Self.parse(target: target, bytes)
    } throws: { error in
      let ok = words.allSatisfy("\(error)".contains)
      if !ok { Issue.record("\(file): got \(error)") }
      return ok
    }
  }
}
