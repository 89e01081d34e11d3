import Foundation
import MLPFormat
import NumPyIO
import ONNXGrad
import TensorCore
import Testing

/// Every message the MLP JSON reader gives for a mistake in a document, each produced by a
/// document with exactly that mistake and compared in full: the JSON path and the reason.
@Suite struct MLPJSONMessages {
  /// A document with one input `x` of 2 features (or `inputs`), these layers and extra fields.
  static func doc(_ layers: String, inputs: String = #"[{"name": "x", "features": 2}]"#, extra: String = "") -> String {
    #"{"format": "onnxgrad-mlp", "version": 1, "inputs": \#(inputs), "layers": \#(layers)\#(extra)}"#
  }

  static let twoInputs = #"[{"name": "x", "features": 2}, {"name": "t", "features": 1}]"#
  static let ints = Tensor(uncheckedShape: [1, 2], storage: .int64([1, 2]))

  static let cases: [(document: String, files: [String: [(name: String, tensor: Tensor)]], message: String)] = [
    (#"{"format": "onnxgrad-mlp", "version": 2, "inputs": [], "layers": []}"#, [:], "at version: only version 1 is defined"),
    (
      #"{"format": "onnxgrad-mlp", "version": 1, "dtype": "float16", "inputs": [], "layers": []}"#, [:],
      #"at dtype: expected "float32" or "float64", found "float16""#
    ),
    (
      doc(#"[{"type": "tanh"}]"#, inputs: #"[{"name": "x", "features": 4611686018427387904}]"#), [:],
      "at inputs[0].features: must be a whole number from 1 to 16777216"
    ),
    (
      doc(#"[{"type": "tanh"}]"#, inputs: twoInputs), [:],
      #"at layers[0]: the model has several inputs: say which value this layer reads with "input""#
    ),
    (
      doc(#"[{"type": "linear", "weight": [[1, 2, 3]]}]"#), [:],
      "at layers[0].weight: expected shape [out_features, 2] (PyTorch's layout; the input 'x' has 2 features), got [1, 3]"
    ),
    (doc(#"[{"type": "leaky_relu", "negative_slope": "Infinity"}]"#), [:], "at layers[0].negative_slope: must be a finite number"),
    (
      doc(#"[{"type": "linear", "weight": "w"}]"#), [:],
      #"at layers[0].weight: names an array, but the model has no "weights" archive"#
    ),
    (
      doc(#"[{"type": "linear", "weight": {"file": "../w.npy"}}]"#), [:],
      "at layers[0].weight.file: '../w.npy' must be a relative path inside the model's folder"
    ),
    (doc("[]", inputs: "[]"), [:], #"at the top level: the model needs at least one entry in "inputs""#),
    (
      doc(#"[{"type": "tanh"}]"#, inputs: #"[{"name": "x", "features": 2, "size": 3}]"#), [:],
      "at inputs[0]: an input has no field 'size' (it takes: name, features)"
    ),
    (doc("[]"), [:], #"at the top level: the model needs at least one entry in "layers""#),
    (doc(#"[{"type": "tanh", "name": "x"}]"#), [:], "at layers[0].name: the value name 'x' is already taken"),
    (doc(#"[{"type": "tanh", "name": ""}]"#), [:], "at layers[0].name: a name may not be empty"),
    (
      doc(#"[{"type": "tanh"}]"#, extra: #", "outputs": ["layer0", "layer0"]"#), [:],
      "at outputs[1]: 'layer0' is listed twice"
    ),
    (
      doc(#"[{"type": "tanh", "weight": [1]}]"#), [:],
      "at layers[0]: a tanh layer has no field 'weight' (it takes: type, name, input)"
    ),
    (
      doc(#"[{"type": "add", "inputs": ["x", "x"], "input": "x"}]"#), [:],
      "at layers[0]: a add layer has no field 'input' (it takes: type, name, inputs)"
    ),
    (doc(#"[{"type": "linear", "weight": [[1, 2]], "bias": [1, 2]}]"#), [:], "at layers[0].bias: expected shape [1], got [2]"),
    (
      doc(#"[{"type": "linear", "weight": [[1, 2]], "in_features": 3}]"#), [:],
      "at layers[0].in_features: says 3, but the weight gives 2"
    ),
    (
      doc(#"[{"type": "gelu", "approximate": "fast"}]"#), [:],
      #"at layers[0].approximate: expected "none" or "tanh", found "fast""#
    ),
    (doc(#"[{"type": "hardtanh", "min_val": 2, "max_val": 1}]"#), [:], "at layers[0]: min_val 2.0 is above max_val 1.0"),
    (doc(#"[{"type": "softmax", "dim": 0}]"#), [:], "at layers[0].dim: only the feature axis (1 or -1) is supported"),
    (
      doc(#"[{"type": "concat", "inputs": ["x"]}]"#), [:],
      #"at layers[0]: "inputs" must name at least two values to concatenate"#
    ),
    (
      doc(#"[{"type": "concat", "inputs": ["x", "x"]}]"#, inputs: #"[{"name": "x", "features": 16777216}]"#), [:],
      "at layers[0]: the concatenation has 33554432 features, more than 16777216"
    ),
    (doc(#"[{"type": "mul", "inputs": ["x"]}]"#), [:], #"at layers[0]: "inputs" must name at least two values"#),
    (
      doc(#"[{"type": "add", "inputs": ["x", "t"]}]"#, inputs: twoInputs), [:],
      "at layers[0].inputs[1]: 't' has 1 features but 'x' has 2"
    ),
    (
      doc(#"[{"type": "residual", "input": "x", "from": "t"}]"#, inputs: twoInputs), [:],
      "at layers[0].from: 't' has 1 features but 'x' has 2"
    ),
    (doc(#"[{"type": "softplus", "beta": 0}]"#), [:], "at layers[0].beta: must not be 0"),
    (doc(#"[{"type": "scale"}]"#), [:], "at layers[0]: the required field 'factor' is missing"),
    (
      doc(#"[{"type": "batch_norm", "running_mean": [0], "running_var": [1, 1]}]"#), [:],
      "at layers[0].running_mean: expected shape [2], got [1]"
    ),
    (
      doc(#"[{"type": "linear", "weight": [[1, 2], 3]}]"#), [:],
      "at layers[0].weight[1]: expected a list here (the nesting is ragged)"
    ),
    (
      doc(#"[{"type": "linear", "weight": "w"}]"#, extra: #", "weights": "weights.npz""#),
      ["weights.npz": [(name: "v", tensor: Tensor(uncheckedShape: [1, 2], storage: .float64([1, 2])))]],
      "at layers[0].weight: the weights archive has no array 'w' (it has: v)"
    ),
    (
      doc(#"[{"type": "linear", "weight": {"file": "w.npz", "array": "w"}}]"#),
      ["w.npz": [(name: "v", tensor: Tensor(uncheckedShape: [1, 2], storage: .float64([1, 2])))]],
      "at layers[0].weight.array: 'w.npz' has no array 'w'"
    ),
    (
      doc(#"[{"type": "linear", "weight": {"file": "w.npy"}}]"#), ["w.npy": [(name: "w", tensor: ints)]],
      "at layers[0].weight: the array holds i64, expected floats"
    ),
  ]

  @Test func aLinkOutOfTheFolderIsRefused() throws {
    let folder = try MLPJSON.Folder(Self.doc(#"[{"type": "linear", "weight": {"file": "w.npy"}}]"#))
    let outside = try MLPJSON.Folder("{}", files: ["w.npy": [(name: "w", tensor: Tensor(uncheckedShape: [1, 2], storage: .float64([1, 2])))]])
    try FileManager.default.createSymbolicLink(atPath: folder.path + "/w.npy", withDestinationPath: outside.path + "/w.npy")
    var error: (any Error)?
    do { _ = try Model.load(path: folder.model) } catch let e { error = e }
    #expect(
      error.map { "\($0)" }
        == "'\(folder.model)' is not a valid onnxgrad MLP JSON model: at layers[0].weight.file: 'w.npy' leads outside the model's folder")
  }

  @Test func aDocumentOfAnotherFormatIsNamed() {
    var error: (any Error)?
    do { _ = try MLPModel.decode(bytes: Array(#"{"format": "keras", "version": 1}"#.utf8), path: "m.json") } catch let e { error = e }
    #expect(error.map { "\($0)" } == #"'m.json' is not a valid onnxgrad MLP JSON model: at format: expected "onnxgrad-mlp", found "keras""#)
  }

  @Test(arguments: cases.indices)
  func eachMistakeHasItsMessage(_ index: Int) throws {
    let c = Self.cases[index]
    let folder = try MLPJSON.Folder(c.document, files: c.files)
    var error: (any Error)?
    do { _ = try Model.load(path: folder.model) } catch let e { error = e }
    let expected = "'\(folder.model)' is not a valid onnxgrad MLP JSON model: \(c.message)"
    #expect(error.map { "\($0)" } == expected, "\(c.document)")
  }
}
