public import GraphIR
public import TensorCore

/// Elementwise equality, `y = a == b`, with NumPy broadcasting and a bool result (false where
/// either operand is NaN). ONNX `Equal` (opset 1 with the `broadcast`/`axis` attributes on
/// integers and bools, 7+ NumPy broadcasting, 11+ floats); operands both float, both int64 or
/// both bool. Legacy exports test sizes with it (`Equal(Shape(x), -1)`), so int64 and bool
/// values fold while the graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct Equal: BinaryPredicate {
  public static let name = "Equal"
  public init() {}
  public var description: String { Self.name }

  public var operandDTypes: [DType] { [.float32, .float64, .int64, .bool] }
  public func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool { a == b }

  public static var conformanceCases: [ConformanceCase] {
    predicateConformanceCases(Equal()) + [
      ConformanceCase(
        Equal(),
        [
          SampleInput.constant(Tensor(uncheckedShape: [2, 2], storage: .bool([true, false, true, true]))),
          SampleInput.constant(Tensor(uncheckedShape: [2], storage: .bool([true, false]))),
        ])
    ]
  }
}

extension Equal: ONNXLowering {
  public static let onnxOpTypes = ["Equal"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (x, y) = try node.broadcastOperands(&b)
    return [try b.apply1(Equal(), [x, y], name: node.name)]
  }
}
