public import GraphIR
public import TensorCore

/// Absolute value, `y = |x|`. ONNX `Abs` (opset 1+; float and int64, which wraps at `Int64.min`).
///
/// `ẏ = ẋ·sign(x)` through the `Sign` primitive: 0 at `x = 0`, PyTorch's convention.
public struct Abs: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Abs"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  /// Float or int64; a tracked int64 value maps elementwise (a symbolic size is ≥ 0, so itself).
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try unaryIntegerTypes(inputs, op: Self.name) { d in d.value.map { .known(Int(Int64($0).absWrapping)) } ?? d }
  }

  public func apply<T: FloatElement>(_ x: T) -> T { x.magnitude }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func integerKernel(_ io: KernelIO) -> Kernel? {
    let n = io.outputCount(0)
    let (x, y) = (io.input(0, as: Int64.self), io.output(0, as: Int64.self))
    return { Kernels.unary(x, y, n) { $0.absWrapping } }
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Sign(), [x])
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Abs(), [SampleInput([3, 4], .awayFromZero)]),
      ConformanceCase(Abs(), [SampleInput([2, 3, 4], .awayFromZero)]),
    ]
  }
}

extension Int64 {
  /// `|self|`, with `|Int64.min| = Int64.min` (two's complement wrap, as ONNX Runtime).
  var absWrapping: Int64 { self < 0 ? 0 &- self : self }
}
