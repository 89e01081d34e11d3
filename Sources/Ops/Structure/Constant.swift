public import GraphIR
public import TensorCore

/// A constant tensor: no inputs, one output. ONNX `Constant` (opset 1+; `value`, `value_float(s)`,
/// `value_int(s)` attributes since 12) and every initializer.
///
/// Derivatives are symbolic zeros.
public struct Constant: Primitive {
  public static let name = "Constant"
  public let value: Tensor

  public init(_ value: Tensor) { self.value = value }

  public var constantValue: Tensor? { value }
  public var description: String { "Constant<\(value.dtype)>\(value.shape)" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.isEmpty else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "takes no inputs, got \(inputs.count)")
    }
    return [TensorType(of: value)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { [value] }
  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [] }
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? { [.shared] }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Constant(Tensor.filled(0.5, shape: [2, 3], dtype: .float64)), [])]
  }
}

extension Constant: ONNXLowering {
  public static let onnxOpTypes = ["Constant"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let value: Tensor
    let given = node.attributes.filter { $0.key.hasPrefix("value") || $0.key == "sparse_value" }
    guard given.count <= 1 else {
      throw GraphError.invalidInputs(
        op: "Constant", node: node.name, reason: "has \(given.count) value attributes (\(given.keys.sorted().joined(separator: ", "))); exactly one is allowed")
    }
    switch given.first {
    case (_, .tensor(let t))?: value = t
    case ("value_float", .float(let f))?: value = Tensor.scalar(f, dtype: .float32)
    case ("value_floats", .floats(let fs))?:
      value = Tensor(uncheckedShape: [fs.count], storage: .float32(fs.map { Float($0) }))
    case ("value_int", .int(let i))?: value = Tensor(uncheckedShape: [], storage: .int64([Int64(i)]))
    case ("value_ints", .ints(let xs))?: value = Tensor(uncheckedShape: [xs.count], storage: .int64(xs.map { Int64($0) }))
    case (let key, _)?:
      throw GraphError.invalidInputs(op: "Constant", node: node.name, reason: "attribute '\(key)' is not supported (use value, value_float(s) or value_int(s))")
    case nil:
      throw GraphError.invalidInputs(op: "Constant", node: node.name, reason: "has no value attribute")
    }
    return [try b.constant(value, name: node.name)]
  }
}
