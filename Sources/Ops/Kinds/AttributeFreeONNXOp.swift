public import GraphIR

/// An ONNX op that maps to one primitive with the same inputs and no attributes.
public protocol AttributeFreeONNXOp: ONNXLowering, Primitive {
  init()
  /// Number of ONNX inputs.
  static var onnxArity: Int { get }
}

extension AttributeFreeONNXOp {
  public static var onnxOpTypes: [String] { [name] }
  public static var onnxOpsets: ClosedRange<Int> { 1...22 }

  /// Refuses attributes (pre-opset-7 `broadcast`/`axis` would change the meaning) except the
  /// obsolete `consumed_inputs`, which never did.
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(onnxArity...onnxArity)
    for key in node.attributes.keys.sorted() where key != "consumed_inputs" {
      throw node.error("attribute '\(key)' is not supported")
    }
    let inputs = try (0..<onnxArity).map { try node.input($0) }
    return [try b.apply1(Self(), inputs, name: node.name)]
  }
}
