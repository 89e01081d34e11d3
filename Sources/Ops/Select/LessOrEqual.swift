public import GraphIR
public import TensorCore

/// Elementwise comparison, `y = a ≤ b`, with NumPy broadcasting and a bool result (false where
/// either operand is NaN). ONNX `LessOrEqual` (opset 12+); operands both float or both int64,
/// and int64 shape values fold while the graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct LessOrEqual: BinaryPredicate {
  public static let name = "LessOrEqual"
  public init() {}
  public var description: String { Self.name }

  public var operandDTypes: [DType] { [.float32, .float64, .int64] }
  public func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a <= b }

  public static var conformanceCases: [ConformanceCase] { predicateConformanceCases(LessOrEqual()) }
}

extension LessOrEqual: ONNXLowering {
  public static let onnxOpTypes = ["LessOrEqual"]
  public static let onnxOpsets = 12...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (x, y) = try node.broadcastOperands(&b)
    return [try b.apply1(LessOrEqual(), [x, y], name: node.name)]
  }
}
