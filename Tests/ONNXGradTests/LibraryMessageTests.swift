import Foundation
import NumPyIO
import ONNXFormat
@testable import ONNXGrad
import TensorCore
import Testing

/// Every message the library API gives for a request that cannot be met, each produced by one
/// call with exactly that mistake and compared in full.
@Suite struct LibraryMessages {
  static func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func derivativeRequestsThatCannotBeMet() throws {
    let model = try Model.load(path: generator)
    let x = try NPY.read(coords)
    let uv = try OutputSelector(parsing: "uv:0")
    #expect(Self.message { _ = try model.converted(to: .int64) } == "cannot run a model in i64")
    #expect(
      Self.message { _ = try model.grad(inputs: ["coords": x], of: uv, wrt: "coords", seed: Tensor.filled(1, shape: [x.shape[0]], dtype: .int64)) }
        == "input 'seed': the seed must be a float array")
    #expect(Self.message { _ = try model.derivatives(inputs: ["coords": x], of: uv, wrt: ["coords"], partials: []) } == "no partial derivative requested")
    #expect(Self.message { _ = try model.jacobian(inputs: ["coords": x], of: "uv", wrt: [String]()) } == "no input to differentiate with respect to")
    #expect(Self.message { _ = try model.jacobian(inputs: ["coords": x], of: "uv", wrt: ["coords", "coords"]) } == "input 'coords' is listed twice")
  }

  @Test func variablesNeedOneBatchAxis() throws {
    let relu = { (input: String, output: String) in ONNXNode(name: output, opType: "Relu", inputs: [input], outputs: [output]) }
    let scalar = try HostileModels.model([relu("x", "y")], inputs: [HostileModels.input("x", [])], outputs: ["y"])
    #expect(
      Self.message { _ = try scalar.jacobian(inputs: ["x": Tensor.scalar(1, dtype: .float32)], of: "y", wrt: "x") }
        == "input 'x' [] has no batch axis to take per-sample derivatives along")
    let two = try HostileModels.model(
      [relu("x", "y"), ONNXNode(name: "s", opType: "Add", inputs: ["y", "t"], outputs: ["z"])],
      inputs: [HostileModels.input("x", [.param("N"), .value(1)]), HostileModels.input("t", [.value(1)])], outputs: ["z"])
    let inputs = ["x": Tensor.filled(1, shape: [3, 1], dtype: .float32), "t": Tensor.filled(1, shape: [1], dtype: .float32)]
    #expect(
      Self.message { _ = try two.jacobian(inputs: inputs, of: "z", wrt: ["x", "t"]) }
        == "inputs differentiated together need one batch size; 't' has 1, not 3")
  }

  @Test func tensorsThatDoNotHoldTogether() {
    #expect(Self.message { _ = try Tensor(shape: [-1], storage: .float32([])) } == "negative dimension in shape [-1]")
    #expect(Self.message { _ = try Tensor(shape: [2, 2], storage: .float32([1])) } == "shape [2, 2] needs 4 elements, got 1")
    #expect(Self.message { _ = try Tensor(uncheckedShape: [1], storage: .float32([0.5])).int64Values() } == "0.5 is not a whole number in Int64's range")
    #expect(Self.message { _ = try Tensor.filled(0, shape: [3], dtype: .float32).rows(2..<5) } == "rows 2..<5 of a tensor of shape [3]")
    #expect(Self.message { _ = try Broadcasting.shape([2, 3], [4, 3]) } == "shapes [2, 3] and [4, 3] cannot be broadcast together (axis 0: 2 vs 4)")
  }
}
