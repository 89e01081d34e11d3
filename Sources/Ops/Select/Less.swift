public import GraphIR
public import TensorCore

/// Elementwise comparison, `y = a < b`, with NumPy broadcasting and a bool result (false where
/// either operand is NaN). ONNX `Less` (opset 1 with the `broadcast`/`axis` attributes, 7+
/// NumPy broadcasting, 9+ integers); operands both float or both int64, and int64 shape values
/// fold while the graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct Less: BinaryPredicate {
  public static let name = "Less"
  public init() {}
  public var description: String { Self.name }

  public var operandDTypes: [DType] { [.float32, .float64, .int64] }
  public func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a < b }

  public static var conformanceCases: [ConformanceCase] { predicateConformanceCases(Less()) }
}

extension Less: ONNXLowering {
  public static let onnxOpTypes = ["Less"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (x, y) = try node.broadcastOperands(&b)
    return [try b.apply1(Less(), [x, y], name: node.name)]
  }
}
