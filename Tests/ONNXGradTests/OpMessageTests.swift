import GraphIR
import ONNXFormat
import ONNXImport
import TensorCore
import Testing

/// One model with a single fault and the whole message importing it must give.
struct OpMessageCase: Sendable, CustomTestStringConvertible {
  var nodes: [ONNXNode]
  var inputs: [ONNXValueInfo] = []
  var initializers: [ONNXTensorProto] = []
  var opset: Int64 = 17
  var outputs: [String]? = nil
  var expected: String

  var testDescription: String { expected }

  /// The ONNX model, importing `opset` of the default domain and version 1 of `ai.onnx.ml`.
  var model: ONNXModel {
    ONNXModel(
      opsetImports: [ONNXOpsetImport(domain: "", version: opset), ONNXOpsetImport(domain: "ai.onnx.ml", version: 1)],
      graph: ONNXGraph(
        nodes: nodes, initializers: initializers, inputs: inputs,
        outputs: (outputs ?? nodes.last?.outputs ?? []).map { ONNXValueInfo(name: $0) }))
  }
}

/// Builders for the tables of `OpMessages`: the node at fault is named `n`.
enum OpModel {
  static func node(
    _ op: String, _ inputs: [String], _ outputs: [String] = ["y"], _ attributes: [String: ONNXAttribute.Value] = [:],
    domain: String = "", name: String = "n"
  ) -> ONNXNode {
    ONNXNode(
      name: name, opType: op, domain: domain, inputs: inputs, outputs: outputs,
      attributes: attributes.keys.sorted().compactMap { key in
        attributes[key].map { ONNXAttribute(name: key, value: $0) }
      })
  }

  static func f32(_ name: String, _ dims: [Int]) -> ONNXValueInfo { input(name, dims.map { .value($0) }, type: 1) }
  static func f64(_ name: String, _ dims: [Int]) -> ONNXValueInfo { input(name, dims.map { .value($0) }, type: 11) }
  static func i64(_ name: String, _ dims: [Int]) -> ONNXValueInfo { input(name, dims.map { .value($0) }, type: 7) }
  static func input(_ name: String, _ dims: [ONNXDim], type: Int32 = 1) -> ONNXValueInfo {
    ONNXValueInfo(name: name, elemType: type, shape: dims)
  }

  static func ints(_ name: String, _ v: [Int64], shape: [Int]? = nil) -> ONNXTensorProto {
    ONNXTensorProto(Tensor(uncheckedShape: shape ?? [v.count], storage: .int64(v)), name: name)
  }
  static func floats(_ name: String, _ v: [Float], shape: [Int]? = nil) -> ONNXTensorProto {
    ONNXTensorProto(Tensor(uncheckedShape: shape ?? [v.count], storage: .float32(v)), name: name)
  }
  static func bool(_ name: String, _ v: Bool) -> ONNXTensorProto {
    ONNXTensorProto(Tensor(uncheckedShape: [], storage: .bool([v])), name: name)
  }
}

/// Each message an op lowering, an op's shape rule or the derivative transforms give for a model
/// a user could write is reproduced in full from a one-fault model: the node, the op and
/// everything the message says about the attribute, input or shape at fault. Import-time cases
/// of attributes, composites, linear, math and selection ops are here, those of shapes and
/// structure in `OpMessageTests+Structure.swift`, and those of running or differentiating in
/// `OpMessageTests+Run.swift`.
@Suite struct OpMessages {
  static let cases: [OpMessageCase] = attributeCases + compositeCases + linearCases + mathCases + structureCases

  /// Importing the case's model fails with its whole message.
  @Test(arguments: cases.indices)
  func importGivesTheMessage(_ index: Int) {
    let c = Self.cases[index]
    do {
      _ = try ONNXImporter.graph(of: c.model)
      Issue.record("imported without error; expected: \(c.expected)")
    } catch {
      #expect("\(error)".contains(c.expected))
    }
  }

  static let attributeCases: [OpMessageCase] = {
    typealias M = OpModel
    return [
      OpMessageCase(
        nodes: [M.node("Flatten", ["x"], ["y"], ["axis": .string("1")])], inputs: [M.f32("x", [2, 3])],
        expected: "Flatten node 'n': attribute 'axis' should be an int"),
      OpMessageCase(
        nodes: [M.node("Celu", ["x"], ["y"], ["alpha": .string("1")])], inputs: [M.f32("x", [2])],
        expected: "Celu node 'n': attribute 'alpha' should be a float"),
      OpMessageCase(
        nodes: [M.node("Transpose", ["x"], ["y"], ["perm": .string("1 0")])], inputs: [M.f32("x", [2, 3])],
        expected: "Transpose node 'n': attribute 'perm' should be a list of ints"),
      OpMessageCase(
        nodes: [M.node("Gelu", ["x"], ["y"], ["approximate": .int(1)])], inputs: [M.f32("x", [2])], opset: 20,
        expected: "Gelu node 'n': attribute 'approximate' should be a string"),
      OpMessageCase(
        nodes: [M.node("Gather", ["x", "i"], ["y"], ["axis": .int(2)])],
        inputs: [M.f32("x", [2, 3]), M.i64("i", [1])],
        expected: "Gather node 'n': axis 2 is out of range for an input of rank 2 (valid: -2…1)"),
      OpMessageCase(
        nodes: [M.node("Unsqueeze", ["x", "a"])], inputs: [M.f32("x", [2]), M.i64("a", [1])], opset: 13,
        expected:
          "Unsqueeze node 'n': axes (input 1) must be known when the model is loaded: a constant, or computed from sizes alone; here it is i64[1]"
      ),
      OpMessageCase(
        nodes: [M.node("Gemm", ["", "b"])], inputs: [M.f32("b", [2, 2])],
        expected: "Gemm node 'n': input 0 is required but missing (node has 2 inputs)"),
      OpMessageCase(
        nodes: [M.node("Relu", ["x", "x"])], inputs: [M.f32("x", [2])],
        expected: "Relu node 'n': expected 1 input, got 2"),
      OpMessageCase(
        nodes: [M.node("Gemm", ["a"])], inputs: [M.f32("a", [2, 2])],
        expected: "Gemm node 'n': expected 2…3 inputs, got 1"),
      OpMessageCase(
        nodes: [M.node("Cast", ["x"])], inputs: [M.f32("x", [2])], expected: "Cast node 'n': attribute 'to' is required"
      ),
      OpMessageCase(
        nodes: [M.node("Cast", ["x"], ["y"], ["to": .float(1)])], inputs: [M.f32("x", [2])],
        expected: "Cast node 'n': attribute 'to' should be a TensorProto data type number or name"),
      OpMessageCase(
        nodes: [M.node("Gelu", ["x"], ["y"], ["approximate": .string("erf")])], inputs: [M.f32("x", [2])], opset: 20,
        expected: "Gelu node 'n': approximate must be \"none\" or \"tanh\", got \"erf\""),
    ]
  }()

  static let compositeCases: [OpMessageCase] = {
    typealias M = OpModel
    return [
      OpMessageCase(
        nodes: [M.node("ArrayFeatureExtractor", ["x", "i"], domain: "ai.onnx.ml")],
        inputs: [M.f32("x", [3]), M.f32("i", [2])],
        expected: "ArrayFeatureExtractor node 'n': indices must be int64, got f32[2]"),
      OpMessageCase(
        nodes: [M.node("BatchNormalization", ["x", "s", "b", "m", "v"])],
        inputs: ["x", "s", "b", "m", "v"].map { M.f32($0, [3]) },
        expected: "BatchNormalization node 'n': input X must have rank ≥ 2 (batch, channel, …), got f32[3]"),
      OpMessageCase(
        nodes: [M.node("Celu", ["x"], ["y"], ["alpha": .float(0)])], inputs: [M.f32("x", [2])],
        expected: "Celu node 'n': alpha must be finite and positive (the form α·Elu₁(x/α) holds only then), got 0.0"),
      OpMessageCase(
        nodes: [M.node("Dropout", ["x", "", "t"])], inputs: [M.f32("x", [2]), M.f32("t", [])], opset: 12,
        expected: "Dropout node 'n': training_mode must be a constant (only inference is supported)"),
      OpMessageCase(
        nodes: [M.node("Dropout", ["x", "", "t"])], inputs: [M.f32("x", [2])], initializers: [M.bool("t", true)],
        opset: 12,
        expected: "Dropout node 'n': training_mode is true; only inference dropout is supported"),
      OpMessageCase(
        nodes: [M.node("Dropout", ["x"], ["y"], ["is_test": .int(0)])], inputs: [M.f32("x", [2])], opset: 6,
        expected: "Dropout node 'n': is_test = 0 asks for training-mode dropout; only inference is supported"),
      OpMessageCase(
        nodes: [M.node("Flatten", ["x"], ["y"], ["axis": .int(3)])], inputs: [M.f32("x", [2, 3])],
        expected: "Flatten node 'n': axis 3 is out of range for an input of rank 2 (valid: -2…2)"),
      OpMessageCase(
        nodes: [M.node("Split", ["x"], [])], inputs: [M.f32("x", [2])], outputs: [],
        expected: "Split node 'n': has no outputs"),
      OpMessageCase(
        nodes: [M.node("Split", ["x"], ["a", "b"], ["split": .ints([1])])], inputs: [M.f32("x", [2])], opset: 11,
        expected: "Split node 'n': split [1] must give one size ≥ 0 per output (2)"),
      OpMessageCase(
        nodes: [M.node("Split", ["x"], ["a", "b"], ["num_outputs": .int(3)])], inputs: [M.f32("x", [2])], opset: 18,
        expected: "Split node 'n': num_outputs = 3, but the node has 2 outputs"),
      OpMessageCase(
        nodes: [M.node("Split", ["x"], ["a", "b"])], inputs: [M.f32("x", [5, 2])], opset: 13,
        expected: "Split node 'n': axis 0 of f32[5, 2] has size 5, which does not split into 2 equal parts"),
      OpMessageCase(
        nodes: [M.node("Split", ["x"], ["a", "b"], ["split": .ints([1, 2])])], inputs: [M.f32("x", [2, 4])], opset: 11,
        expected: "Split node 'n': split [1, 2] sums to 3, but axis 0 of f32[2, 4] has size 2"),
      OpMessageCase(
        nodes: [M.node("Split", ["x", "s"], ["a", "b"])], inputs: [M.f32("x", [2]), M.i64("s", [2])], opset: 1,
        expected: "Split node 'n': the split input must be a constant"),
      OpMessageCase(
        nodes: [M.node("Squeeze", ["x"], ["y"], ["axes": .ints([0, -2])])], inputs: [M.f32("x", [1, 1])], opset: 11,
        expected: "Squeeze node 'n': axes [0, -2] repeat an axis"),
      OpMessageCase(
        nodes: [M.node("Squeeze", ["x"])], inputs: [M.input("x", [.param("N"), .value(1)])], opset: 13,
        expected:
          "Squeeze node 'n': without 'axes' every size must be known, but axis 0 of f32[N, 1] is symbolic; give 'axes'"),
      OpMessageCase(
        nodes: [M.node("Unsqueeze", ["x"])], inputs: [M.f32("x", [2])], opset: 11,
        expected: "Unsqueeze node 'n': attribute 'axes' is required"),
      OpMessageCase(
        nodes: [M.node("Unsqueeze", ["x"], ["y"], ["axes": .ints([0, -3])])], inputs: [M.f32("x", [2])], opset: 11,
        expected: "Unsqueeze node 'n': axes [0, -3] repeat an axis"),
      OpMessageCase(
        nodes: [M.node("ReduceSum", ["x"], ["y"], ["axes": .ints([0, -2])])], inputs: [M.f32("x", [2, 3])], opset: 11,
        expected: "ReduceSum node 'n': axes [0, -2] name an axis twice"),
      OpMessageCase(
        nodes: [M.node("LayerNormalization", ["x", "s"], ["y", "m", "r", "z"])],
        inputs: [M.f32("x", [2, 3]), M.f32("s", [3])],
        expected: "LayerNormalization node 'n': has 4 outputs; at most 3 (Y, Mean, InvStdDev)"),
      OpMessageCase(
        nodes: [M.node("LayerNormalization", ["x", "s"])], inputs: [M.f32("x", [2, 3]), M.f64("s", [3])],
        expected: "LayerNormalization node 'n': inputs must all be f32 or all f64, got [f32, f64]"),
      OpMessageCase(
        nodes: [M.node("LayerNormalization", ["x", "s"])], inputs: [M.f32("x", [2, 3]), M.f32("s", [2, 2, 3])],
        expected: "LayerNormalization node 'n': f32[2, 2, 3] must broadcast to x f32[2, 3] without growing it"),
    ]
  }()

  static let linearCases: [OpMessageCase] = {
    typealias M = OpModel
    return [
      OpMessageCase(
        nodes: [M.node("Gemm", ["a", "b"])], inputs: [M.f32("a", [3]), M.f32("b", [3, 2])],
        expected: "Gemm node 'n': A and B must be 2-D, got f32[3] and f32[3, 2]"),
      OpMessageCase(
        nodes: [M.node("Gemm", ["a", "b"])], inputs: [M.f32("a", [2, 3]), M.f64("b", [3, 2])],
        expected: "Gemm node 'n': inputs must all be f32 or all f64, got [f32, f64]"),
      OpMessageCase(
        nodes: [M.node("Gemm", ["a", "b"])], inputs: [M.f32("a", [2, 3]), M.f32("b", [4, 5])],
        expected: "Gemm node 'n': inner dimensions differ: op(A) is 2×3, op(B) is 4×5"),
      OpMessageCase(
        nodes: [M.node("Gemm", ["a", "b", "c"])],
        inputs: [M.f32("a", [2, 3]), M.f32("b", [3, 5]), M.f32("c", [1, 1, 5])],
        expected: "Gemm node 'n': C must have rank ≤ 2, got f32[1, 1, 5]"),
      OpMessageCase(
        nodes: [M.node("Gemm", ["a", "b", "c"])], inputs: [M.f32("a", [2, 3]), M.f32("b", [3, 5]), M.f32("c", [3])],
        expected: "Gemm node 'n': C of shape f32[3] does not broadcast to [2, 5]"),
      OpMessageCase(
        nodes: [M.node("MatMul", ["a", "b"])], inputs: [M.f32("a", [2, 2]), M.f64("b", [2, 2])],
        expected: "MatMul node 'n': inputs must both be f32 or both f64, got f32 and f64"),
      OpMessageCase(
        nodes: [M.node("MatMul", ["a", "b"])], inputs: [M.f32("a", [2, 3]), M.f32("b", [4, 5])],
        expected: "MatMul node 'n': inner dimensions differ: f32[2, 3] · f32[4, 5] contracts 3 with 4"),
      OpMessageCase(
        nodes: [M.node("MatMul", ["a", "b"])], inputs: [M.f32("a", [2, 1, 3]), M.f32("b", [3, 3, 4])],
        expected: "MatMul node 'n': batch axes of f32[2, 1, 3] and f32[3, 3, 4] cannot be broadcast"),
      OpMessageCase(
        nodes: [M.node("MatMul", ["a", "b"])], inputs: [M.f32("a", []), M.f32("b", [3])],
        expected: "MatMul node 'n': operands must have rank ≥ 1 (got f32[] · f32[3])"),
    ]
  }()

  static let mathCases: [OpMessageCase] = {
    typealias M = OpModel
    return [
      OpMessageCase(
        nodes: [M.node("Add", ["a", "b"])], inputs: [M.f32("a", [2]), M.f64("b", [2])],
        expected: "Add node 'n': inputs must both be f32 or both f64 (or both i64), got f32 and f64"),
      OpMessageCase(
        nodes: [M.node("Add", ["a", "b"])], inputs: [M.f32("a", [2]), M.f32("b", [3])],
        expected: "Add node 'n': shapes f32[2] and f32[3] cannot be broadcast together"),
      OpMessageCase(
        nodes: [M.node("Relu", ["x"])], inputs: [M.i64("x", [2])],
        expected: "Relu node 'n': input must be f32 or f64, got i64"),
      OpMessageCase(
        nodes: [M.node("Equal", ["a", "a"], ["c"], name: "e"), M.node("Sign", ["c"])], inputs: [M.f32("a", [2])],
        expected: "Sign node 'n': input must be f32, f64 or i64, got bool"),
      OpMessageCase(
        nodes: [M.node("Equal", ["a", "a"], ["c"], name: "e"), M.node("ReduceMax", ["c"])], inputs: [M.f32("a", [2])],
        expected: "ReduceMax node 'n': input must be f32 or f64 or i64, got bool"),
      OpMessageCase(
        nodes: [M.node("Pow", ["x", "e"], ["y"], ["broadcast": .int(1), "axis": .int(1)])],
        inputs: [M.f32("x", [2, 3]), M.f32("e", [3, 4])], opset: 6,
        expected: "Pow node 'n': axis 1 cannot place an exponent of rank 2 in a base of rank 2"),
      OpMessageCase(
        nodes: [M.node("Pow", ["x", "e"])], inputs: [M.i64("x", [2])], initializers: [M.floats("e", [0.5], shape: [])],
        expected: "Pow node 'n': an int64 base needs whole-number exponents: 0.5 is not a whole number in Int64's range"
      ),
      OpMessageCase(
        nodes: [M.node("Equal", ["a", "b"], ["y"], ["broadcast": .int(1), "axis": .int(1)])],
        inputs: [M.f32("a", [2, 3]), M.f32("b", [3, 4])], opset: 6,
        expected: "Equal node 'n': axis 1 leaves no room for B of rank 2 inside A of rank 2"),
      OpMessageCase(
        nodes: [M.node("Clip", ["x"], ["y"], ["min": .float(0.5)])], inputs: [M.i64("x", [2])], opset: 6,
        expected: "Clip node 'n': expected a floating-point operand, got i64 (which cannot hold the constant 0.5)"),
      OpMessageCase(
        nodes: [M.node("Clip", ["x", "lo"])], inputs: [M.f32("x", [2]), M.f64("lo", [])], opset: 13,
        expected: "Clip node 'n': input and bounds must all be f32, all f64 or all i64, got [f32, f64]"),
      OpMessageCase(
        nodes: [M.node("Max", [])], expected: "Max node 'n': needs at least one input"),
      OpMessageCase(
        nodes: [M.node("Not", ["x"])], inputs: [M.f32("x", [2])],
        expected: "Not node 'n': expected one bool input, got [f32[2]]"),
      OpMessageCase(
        nodes: [M.node("PRelu", ["x", "s"])], inputs: [M.f32("x", [2]), M.f64("s", [2])],
        expected: "PRelu node 'n': input and slope must both be f32 or both f64, got f32 and f64"),
      OpMessageCase(
        nodes: [M.node("PRelu", ["x", "s"])], inputs: [M.f32("x", [2, 4]), M.f32("s", [3])],
        expected: "PRelu node 'n': slope f32[3] does not broadcast to the input f32[2, 4] (unidirectional)"),
      OpMessageCase(
        nodes: [M.node("Where", ["c", "x", "x"])], inputs: [M.f32("c", [2]), M.f32("x", [2])],
        expected: "Where node 'n': expects a bool condition and two branches of one dtype, got f32, f32 and f32"),
      OpMessageCase(
        nodes: [M.node("Softmax", ["x"])], inputs: [M.i64("x", [2])],
        expected: "Softmax node 'n': expected one f32 or f64 input, got [i64[2]]"),
      OpMessageCase(
        nodes: [M.node("Equal", ["a", "a"], ["c"], name: "e"), M.node("ArgMax", ["c"])], inputs: [M.f32("a", [2])],
        expected: "ArgMax node 'n': expected one f32, f64 or i64 input, got [bool[2]]"),
      OpMessageCase(
        nodes: [M.node("ArgMax", ["x"], ["y"], ["axis": .int(-1)])], inputs: [M.f32("x", [2, 0])],
        expected: "ArgMax node 'n': axis -1 of f32[2, 0] is empty: there is no extremum to index"),
    ]
  }()
}
