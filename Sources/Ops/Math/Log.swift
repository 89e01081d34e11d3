public import GraphIR
public import TensorCore

/// Natural logarithm, `y = ln x`. ONNX `Log` (opset 6+).
///
/// `ẏ = ẋ / x` and `x̄ = ȳ / x`, one rounding each (not `ẋ · (1/x)`).
public struct Log: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Log"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T { T.log(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.div(b.scalar(1, like: x), x)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.div(t, args.primals[0])]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil] }
    return [try b.div(ct, args.primals[0])]
  }

  /// Vectorised (SLEEF) in plans; `apply` (libm) serves folding and the reference path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.log, f64: VectorMath.log)
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Log(), [SampleInput([3, 4], .positive)])]
  }
}
