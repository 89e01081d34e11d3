public import GraphIR
public import TensorCore

/// Elementwise minimum of two tensors with NumPy broadcasting, `y = min(a, b)` (NaN if either
/// is NaN, as `torch.minimum`). ONNX `Min` (opset 1/6 equal shapes, 8+ NumPy broadcasting, 12+
/// integers): variadic, lowered to a chain of this binary primitive (one input is an identity).
/// int64 operands (shape arithmetic) fold while the graph is built.
///
/// PyTorch's `torch.minimum` convention at ties: each side gets half. With the primal masks
/// `wa = a > b ? 0 : (a == b ? ½ : 1)` and `wb = a < b ? 0 : (a == b ? ½ : 1)`: `ẏ = wa·ȧ + wb·ḃ`;
/// `ā = Σ_bcast wa·ȳ`, `b̄ = Σ_bcast wb·ȳ` (see `Max`).
public struct Min: BinaryBroadcasting {
  public static let name = "Min"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a < b || a.isNaN ? a : b }

  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { Swift.min(a, b) }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    try extremumJVP(&b, args, masks: extremumMasks(&b, args.primals, larger: false))
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    try extremumVJP(&b, args, masks: extremumMasks(&b, args.primals, larger: false))
  }

  public static var conformanceCases: [ConformanceCase] {
    binaryConformanceCases(Min()) + extremumExtraCases(Min())
  }
}

extension Min: ONNXLowering {
  public static let onnxOpTypes = ["Min"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    [try lowerExtremum(node, &b, Min())]
  }
}

extension Min: BranchSelecting {
  /// Each operand where it does not lose (ties pass half to each).
  public func branch(_ b: inout GraphBuilder, _ primals: [Value], input k: Int) throws -> (condition: Value, takenWhenTrue: Bool)? {
    (try extremumLoses(&b, primals, input: k, larger: false), false)
  }
}
