public import GraphIR
public import TensorCore

/// Sign, `y = x > 0 ? 1 : (x < 0 ? −1 : 0)` (NaN stays NaN, as in ONNX Runtime; PyTorch gives
/// 0). ONNX `Sign` (opset 9+); float and int64 (shape arithmetic).
///
/// Piecewise constant: derivatives are symbolic zeros. `Abs` uses it as its derivative.
public struct Sign: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Sign"
  public static let onnxArity = 1
  public static let onnxOpsets = 9...22
  public init() {}
  public var description: String { Self.name }

  /// Float or int64; a tracked int64 value maps elementwise (a symbolic size is 0 or 1, so
  /// unknown).
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try unaryIntegerTypes(inputs, op: Self.name) { d in d.value.map { .known($0.signum()) } ?? .symbol("") }
  }

  public func apply<T: FloatElement>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : (x == 0 ? 0 : x)) }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func integerKernel(_ io: KernelIO) -> Kernel? {
    let n = io.outputCount(0)
    let (x, y) = (io.input(0, as: Int64.self), io.output(0, as: Int64.self))
    return { Kernels.unary(x, y, n) { $0.signum() } }
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    throw GraphError.unsupported("Sign has a zero derivative")
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Sign(), [SampleInput([3, 4], .awayFromZero)]),
      ConformanceCase(Sign(), [SampleInput([2, 3, 4], .awayFromZero)]),
    ]
  }
}

/// The shape rule of a unary elementwise op that takes float or int64: output type = input
/// type, and an int64 input's tracked `value` maps elementwise through `f` (a symbolic element
/// is a size, so ≥ 0).
func unaryIntegerTypes(_ inputs: [TensorType], op: String, _ f: (Dim) -> Dim) throws -> [TensorType] {
  guard inputs.count == 1 else {
    throw GraphError.invalidInputs(op: op, node: "", reason: "expected 1 input, got \(inputs.count)")
  }
  let x = inputs[0]
  guard x.dtype.isFloatingPoint || x.dtype == .int64 else {
    throw GraphError.invalidInputs(op: op, node: "", reason: "input must be f32, f64 or i64, got \(x.dtype)")
  }
  guard x.dtype == .int64, let value = x.value else { return [TensorType(x.dtype, x.dims)] }
  return [TensorType(x.dtype, x.dims).withValue(value.map(f))]
}
