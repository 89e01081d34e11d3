public import GraphIR
public import TensorCore

/// Identity, `y = x`. ONNX `Identity` (opset 1+); legacy exports share initializers through it.
/// Linear: `ẏ = ẋ`, `x̄ = ȳ`. Simplification removes it.
public struct Identity: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Identity"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { x }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.scalar(1, like: x)
  }

  /// Integer tensors pass through too (shape arithmetic in legacy exports).
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 1 input, got \(inputs.count)")
    }
    return inputs
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { inputs }
  public var bufferRule: BufferRule { .view }
  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { args.tangents }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { args.cotangents }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Identity(), [SampleInput([3, 4])])]
  }
}
