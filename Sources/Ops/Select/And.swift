public import GraphIR
public import TensorCore

/// Logical and, `y = a ∧ b`, of two bool tensors with NumPy broadcasting. ONNX `And` (opset 1
/// with the `broadcast`/`axis` attributes, 7+ NumPy broadcasting); known values fold while the
/// graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct And: BinaryPredicate {
  public static let name = "And"
  public init() {}
  public var description: String { Self.name }

  public var operandDTypes: [DType] { [.bool] }
  public func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a != .zero && b != .zero }

  public static var conformanceCases: [ConformanceCase] {
    let a = Tensor(uncheckedShape: [2, 3], storage: .bool([true, false, true, false, true, false]))
    let b = Tensor(uncheckedShape: [3], storage: .bool([true, true, false]))
    let c = Tensor(uncheckedShape: [2, 1], storage: .bool([false, true]))
    return [
      ConformanceCase(And(), [SampleInput.constant(a), SampleInput.constant(b)]),
      ConformanceCase(And(), [SampleInput.constant(c), SampleInput.constant(b)]),
    ]
  }
}

extension And: ONNXLowering {
  public static let onnxOpTypes = ["And"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (x, y) = try node.broadcastOperands(&b)
    return [try b.apply1(And(), [x, y], name: node.name)]
  }
}
