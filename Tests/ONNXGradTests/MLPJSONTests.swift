import Foundation
import NumPyIO
import ONNXGrad
import TensorCore
import Testing

/// onnxgrad's MLP JSON format: weights from every source agree, and every mistake is reported
/// at its JSON path. (Models in this format are checked against PyTorch by the fixture suite.)
@Suite struct MLPJSON {
  /// A folder holding `model.mlp.json` written from `document`, plus any files.
  final class Folder {
    let path: String
    init(_ document: String, files: [String: [(name: String, tensor: Tensor)]] = [:]) throws {
      path = NSTemporaryDirectory() + "onnxgrad-mlp-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      try document.write(toFile: path + "/model.mlp.json", atomically: true, encoding: .utf8)
      for (name, arrays) in files {
        if name.hasSuffix(".npz") { try NPZ.write(arrays, to: path + "/" + name) } else { try NPY.write(arrays[0].tensor, to: path + "/" + name) }
      }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    var model: String { path + "/model.mlp.json" }
  }

  static let w1 = Tensor(uncheckedShape: [3, 2], storage: .float64([0.5, -1, 2, 0.25, -0.75, 1.5]))
  static let b1 = Tensor(uncheckedShape: [3], storage: .float64([0.1, -0.2, 0.3]))
  static let x = Tensor(uncheckedShape: [4, 2], storage: .float64([0.3, -0.1, 1.2, 0.4, -0.9, 0.7, 0.05, -1.3]))

  static func document(weight: String, bias: String, extra: String = "") -> String {
    """
    {"format": "onnxgrad-mlp", "version": 1, "dtype": "float64", \(extra)
     "inputs": [{"name": "x", "features": 2}],
     "layers": [{"type": "linear", "weight": \(weight), "bias": \(bias)}, {"type": "tanh", "name": "y"}]}
    """
  }

  /// tanh(x·Wᵀ + b) computed directly, the independent reference for this tiny layer.
  static var expected: [Double] {
    let (xs, w, b) = (x.doubles, w1.doubles, b1.doubles)
    var y: [Double] = []
    for r in 0..<4 {
      for j in 0..<3 {
        let z: Double = xs[r * 2] * w[j * 2] + xs[r * 2 + 1] * w[j * 2 + 1] + b[j]
        y.append(Foundation.tanh(z))
      }
    }
    return y
  }

  @Test func inlineNpzAndNpyWeightsGiveTheSameModel() throws {
    let inline = try Folder(Self.document(weight: "[[0.5, -1], [2, 0.25], [-0.75, 1.5]]", bias: "[0.1, -0.2, 0.3]"))
    let archive = try Folder(
      Self.document(weight: "\"fc.weight\"", bias: "{\"file\": \"b.npz\", \"array\": \"fc.bias\"}", extra: "\"weights\": \"w.npz\","),
      files: ["w.npz": [("fc.weight", Self.w1)], "b.npz": [("fc.bias", Self.b1)]])
    let files = try Folder(
      Self.document(weight: "{\"file\": \"w.npy\"}", bias: "{\"file\": \"b.npy\"}"),
      files: ["w.npy": [("w", Self.w1)], "b.npy": [("b", Self.b1)]])
    for folder in [inline, archive, files] {
      let y = try #require(try Model.load(path: folder.model).run(inputs: ["x": Self.x]).first?.tensor)
      #expect(y.shape == [4, 3])
      #expect(zip(y.doubles, Self.expected).allSatisfy { abs($0 - $1) <= 1e-15 }, "\(folder.model)")
    }
  }

  /// Each broken document and the JSON path (and words) its error must name.
  static let mistakes: [(String, String, [String])] = [
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "lineer"}]}"#,
     "layers[0].type", ["unknown layer type \"lineer\""]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "leaky_relu", "negative_slop": 0.1}]}"#,
     "layers[0]", ["no field 'negative_slop'"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "linear", "weight": [[1, 2, 3]]}]}"#,
     "layers[0].weight", ["[out_features, 2]", "got [1, 3]"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "linear", "weight": [[1, 2], [3]]}]}"#,
     "layers[0].weight[1]", ["1 elements where its siblings have 2"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 1}, {"name": "t", "features": 1}], "layers": [{"type": "tanh"}]}"#,
     "layers[0]", ["several inputs", "\"input\""]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "tanh", "input": "z"}]}"#,
     "layers[0].input", ["no input or earlier layer is called 'z'"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "linear", "weight": {"file": "../w.npy"}}]}"#,
     "layers[0].weight.file", ["relative path inside the model's folder"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "linear", "weight": "w"}]}"#,
     "layers[0].weight", ["no \"weights\" archive"]),
    (#"{"format": "onnxgrad-mlp", "version": 2, "inputs": [], "layers": []}"#, "version", ["only version 1"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "tanh"}], "outputs": ["q"]}"#,
     "outputs[0]", ["no input or earlier layer is called 'q'"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}], "layers": [{"type": "add", "inputs": ["x", "layer9"]}]}"#,
     "layers[0].inputs[1]", ["'layer9'"]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "dtype": "float16", "inputs": [], "layers": []}"#, "dtype", ["\"float32\" or \"float64\""]),
    (#"{"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 4611686018427387904}], "layers": [{"type": "layer_norm"}]}"#,
     "inputs[0].features", ["from 1 to 16777216"]),
  ]

  @Test(arguments: mistakes.indices)
  func mistakesNameTheirJSONPath(_ i: Int) throws {
    let (document, path, words) = Self.mistakes[i]
    let folder = try Folder(document)
    #expect {
      _ = try Model.load(path: folder.model)
    } throws: { error in
      let text = "\(error)"
      let ok = text.contains("not a valid onnxgrad MLP JSON model: at \(path):") && words.allSatisfy(text.contains)
      if !ok { Issue.record("got: \(text)") }
      return ok
    }
  }

  @Test func syntaxErrorsNameLineAndColumn() throws {
    let folder = try Folder("{\"format\": \"onnxgrad-mlp\",\n \"version\": 1\n \"inputs\": []}")
    #expect {
      _ = try Model.load(path: folder.model)
    } throws: { error in
      "\(error)".contains("at line 3, column 2")
    }
  }
}
