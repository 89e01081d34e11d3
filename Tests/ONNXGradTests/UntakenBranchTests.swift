import Foundation
import ONNXFormat
import ONNXGrad
import TensorCore
import Testing

/// Derivatives through Where, Max and Clip take only the branch that was selected: a branch
/// that is NaN or infinite where it was not taken gives no NaN (issue 9).
@Suite struct UntakenBranch {
  static func where_(_ x: [Float]) throws -> (jacobian: [Double], grad: [Double]) {
    let zero = ONNXTensorProto(Tensor(uncheckedShape: [], storage: .float32([0])), name: "zero")
    let m = try HostileModels.model(
      [
        ONNXNode(name: "positive", opType: "Greater", inputs: ["x", "zero"], outputs: ["p"]),
        ONNXNode(name: "root", opType: "Sqrt", inputs: ["x"], outputs: ["r"]),
        ONNXNode(name: "pick", opType: "Where", inputs: ["p", "r", "zero"], outputs: ["y"]),
      ], inputs: [HostileModels.input("x", [.param("batch"), .value(1)])], outputs: ["y"], initializers: [zero])
    let t = Tensor(uncheckedShape: [x.count, 1], storage: .float32(x))
    let j = try m.jacobian(inputs: ["x": t], of: "y", wrt: "x").jacobian.doubles
    let g = try m.grad(inputs: ["x": t], of: OutputSelector(name: "y"), wrt: "x").doubles
    return (j, g)
  }

  @Test func whereIgnoresTheUntakenSqrt() throws {
    let r = try Self.where_([-1, 4, 0])
    // d/dx where(x > 0, √x, 0): 0 where x ≤ 0, 1/(2√x) where x > 0.
    #expect(r.jacobian == [0, 0.25, 0], "\(r.jacobian)")
    #expect(r.grad == [0, 0.25, 0], "\(r.grad)")
  }
}

extension UntakenBranch {
  /// √x, then `op` with a constant 0.5 (Max, or Clip to [0.5, 4]): at x = 0 the selected value
  /// is the constant and √x's derivative (infinite there) must not leak.
  static func selected(_ op: String, _ x: [Float]) throws -> [Double] {
    let half = ONNXTensorProto(Tensor(uncheckedShape: [], storage: .float32([0.5])), name: "half")
    let four = ONNXTensorProto(Tensor(uncheckedShape: [], storage: .float32([4])), name: "four")
    let m = try HostileModels.model(
      [
        ONNXNode(name: "root", opType: "Sqrt", inputs: ["x"], outputs: ["r"]),
        ONNXNode(name: "pick", opType: op, inputs: op == "Clip" ? ["r", "half", "four"] : ["r", "half"], outputs: ["y"]),
      ], inputs: [HostileModels.input("x", [.param("batch"), .value(1)])], outputs: ["y"], initializers: [half, four])
    let t = Tensor(uncheckedShape: [x.count, 1], storage: .float32(x))
    let grad = try m.grad(inputs: ["x": t], of: OutputSelector(name: "y"), wrt: "x").doubles
    let jacobian = try m.jacobian(inputs: ["x": t], of: "y", wrt: "x").jacobian.doubles
    #expect(jacobian == grad, "forward mode through \(op): \(jacobian)")
    return grad
  }

  @Test(arguments: ["Max", "Clip"])
  func theConstantSideTakesNoDerivativeFromTheRoot(op: String) throws {
    // √0 = 0 < 0.5: the constant is selected, so the derivative is 0; at x = 4, 1/(2·2).
    #expect(try Self.selected(op, [0, 4]) == [0, 0.25])
  }
}
