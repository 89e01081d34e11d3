import ONNXFormat
@testable import ONNXGrad
import TensorCore
import Testing

/// A message that only running or differentiating a model gives, with the call that gives it.
struct OpRunMessageCase: Sendable, CustomTestStringConvertible {
  var expected: String
  var call: @Sendable () throws -> Void

  var testDescription: String { expected }
}

extension OpMessages {
  /// `y = x + float(ids)` for a batch of rows of two features; `ids` is an int64 input.
  static func idsModel() throws -> Model {
    try HostileModels.model(
      [
        OpModel.node("Cast", ["ids"], ["c"], ["to": .int(1)], name: "c"),
        OpModel.node("Add", ["x", "c"], ["y"]),
      ],
      inputs: [
        OpModel.input("x", [.param("N"), .value(2)]), OpModel.input("ids", [.param("N"), .value(2)], type: 7),
      ],
      outputs: ["y"])
  }

  static let idsInputs: [String: Tensor] = [
    "x": Tensor(uncheckedShape: [1, 2], storage: .float32([1, 2])),
    "ids": Tensor(uncheckedShape: [1, 2], storage: .int64([3, 4])),
  ]

  static let runCases: [OpRunMessageCase] = [
    OpRunMessageCase(expected: "cannot differentiate with respect to 'ids': it is i64, not a float") {
      _ = try idsModel().jacobian(inputs: idsInputs, of: "y", wrt: "ids", mode: .forward)
    },
    OpRunMessageCase(expected: "cannot differentiate with respect to 'ids': it is i64, not a float") {
      _ = try idsModel().jacobian(inputs: idsInputs, of: "y", wrt: "ids", mode: .reverse)
    },
    OpRunMessageCase(expected: "cannot differentiate with respect to 'ids': it is i64, not a float") {
      _ = try idsModel().derivatives(
        inputs: idsInputs, of: OutputSelector(name: "y", component: 0), wrt: ["ids"], partials: [[0]])
    },
    OpRunMessageCase(expected: "a partial derivative needs at least one variable") {
      _ = try idsModel().derivatives(
        inputs: idsInputs, of: OutputSelector(name: "y", component: 0), wrt: ["x"], partials: [[]])
    },
    OpRunMessageCase(expected: "partial [2] names a variable outside 0..<2") {
      _ = try idsModel().derivatives(
        inputs: idsInputs, of: OutputSelector(name: "y", component: 0), wrt: ["x"], partials: [[2]])
    },
    OpRunMessageCase(expected: "input 'x' has shape [9223372036854775807, 2], too large to hold") {
      _ = try idsModel().compileDerivatives(
        of: OutputSelector(name: "y", component: 0), wrt: ["x"], partials: [[0]], inputShapes: [[.max, 2], [.max, 2]])
    },
    OpRunMessageCase(
      expected:
        "MatMul(transA: false, transB: false) node 'n' failed: its output would have shape [4294967296, 4294967296], too large to hold"
    ) {
      let m = try HostileModels.model(
        [
          OpModel.node("Transpose", ["x"], ["t"], name: "t"),
          OpModel.node("MatMul", ["t", "x"]),
        ], inputs: [OpModel.input("x", [.param("N"), .param("M")])], outputs: ["y"])
      _ = try m.compileDerivatives(
        of: OutputSelector(name: "y", component: 0), wrt: ["x"], partials: [[0]], inputShapes: [[1, 1 << 32]])
    },
    OpRunMessageCase(
      expected:
        "RemoveAxes(at: 0, count: 1) node 'n' failed: RemoveAxes: cannot remove 1 unit axes at 0 from [f32[2, 3]]"
    ) {
      let m = try HostileModels.model(
        [OpModel.node("Squeeze", ["x"], ["y"], ["axes": .ints([0])])],
        inputs: [OpModel.input("x", [.param("N"), .value(3)])],
        outputs: ["y"], opset: 11)
      _ = try m.run(inputs: ["x": Tensor.filled(1, shape: [2, 3], dtype: .float32)])
    },
  ]

  /// Running or differentiating the case's model fails with its whole message.
  @Test(arguments: runCases.indices)
  func runGivesTheMessage(_ index: Int) {
    let c = Self.runCases[index]
    do {
      try c.call()
      Issue.record("ran without error; expected: \(c.expected)")
    } catch {
      #expect("\(error)".contains(c.expected))
    }
  }
}
