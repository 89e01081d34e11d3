public import GraphIR
public import TensorCore

/// Exponential linear unit, `y = x > 0 ? x : α·(eˣ − 1)` (the negative side through `expm1`,
/// accurate near 0). ONNX `Elu` (opset 1+, `alpha` default 1; stored as float32 in ONNX).
///
/// `y′ = x > 0 ? 1 : α·eˣ` (PyTorch's convention at 0, and its form: not `y + α`, which cancels
/// to 0 for very negative x). Built from primitives so it differentiates again:
/// `Step(x) + StepMul(α·e^{min(x, 0)}, x)` with the mask keeping `α·eˣ` on x ≤ 0 only and
/// `min(x, 0) = −Relu(−x)` keeping `e^…` finite where it is masked off.
public struct Elu: UnaryElementwise {
  public static let name = "Elu"
  public let alpha: Double

  public init(alpha: Double) { self.alpha = alpha }

  public var description: String { "Elu(alpha: \(alpha))" }

  public func apply<T: FloatElement>(_ x: T) -> T { x > 0 ? x : T(alpha) * T.expMinusOne(x) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    let negativePart = try b.neg(b.apply1(Relu(), [b.neg(x)]))
    let expNegative = try b.apply1(Exp(), [negativePart])
    let low = try b.apply1(StepMul(low: alpha, high: 0), [expNegative, x])
    return try b.add(b.apply1(Step(low: 0), [x]), low)
  }

  /// Blocks of `expm1` through `VectorMath` (SLEEF), selected in a plain loop.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let n = io.outputCount(0)
    switch io.outputDTypes[0] {
    case .float32:
      let (x, y, a) = (io.input(0, as: Float.self), io.output(0, as: Float.self), Float(alpha))
      return { Self.elu(x, y, n, alpha: a, expm1: VectorMath.expm1) }
    case .float64:
      let (x, y, a) = (io.input(0, as: Double.self), io.output(0, as: Double.self), alpha)
      return { Self.elu(x, y, n, alpha: a, expm1: VectorMath.expm1) }
    case .int64, .bool:
      return nil
    }
  }

  static func elu<T: FloatElement>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, alpha: T, expm1: VectorRoutine<T>
  ) {
    blockwise(x, y, n, prepare: { $0 }, vector: { t, m in expm1(t, t, m) }) { x, t in x > 0 ? x : alpha * t }
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Elu(alpha: 1), [SampleInput([3, 4])]),
      ConformanceCase(Elu(alpha: 0.5), [SampleInput([2, 3, 4])]),
      ConformanceCase(Elu(alpha: Double(Float(1.6732632))), [SampleInput([5])]),
    ]
  }
}

extension Elu: ONNXLowering {
  public static let onnxOpTypes = ["Elu"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let alpha = try node.float("alpha", default: 1)
    return [try b.apply1(Elu(alpha: alpha), [node.input(0)], name: node.name)]
  }
}
