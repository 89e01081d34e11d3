public import GraphIR
public import TensorCore

/// Logical or, `y = a ∨ b`, of two bool tensors with NumPy broadcasting. ONNX `Or` (opset 1
/// with the `broadcast`/`axis` attributes, 7+ NumPy broadcasting); known values fold while the
/// graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct Or: BinaryPredicate {
  public static let name = "Or"
  public init() {}
  public var description: String { Self.name }

  public var operandDTypes: [DType] { [.bool] }
  public func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a != .zero || b != .zero }

  public static var conformanceCases: [ConformanceCase] {
    let a = Tensor(uncheckedShape: [2, 3], storage: .bool([true, false, true, false, true, false]))
    let b = Tensor(uncheckedShape: [3], storage: .bool([true, true, false]))
    let c = Tensor(uncheckedShape: [2, 1], storage: .bool([false, true]))
    return [
      ConformanceCase(Or(), [SampleInput.constant(a), SampleInput.constant(b)]),
      ConformanceCase(Or(), [SampleInput.constant(c), SampleInput.constant(b)]),
    ]
  }
}

extension Or: ONNXLowering {
  public static let onnxOpTypes = ["Or"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (x, y) = try node.broadcastOperands(&b)
    return [try b.apply1(Or(), [x, y], name: node.name)]
  }
}
