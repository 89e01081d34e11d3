public import GraphIR
public import TensorCore

/// Softplus, `y = ln(1 + eˣ)`. ONNX `Softplus` (opset 1+).
///
/// Evaluated as `max(x, 0) + log1p(e^{−|x|})`: no overflow for large x, full relative accuracy
/// for very negative x (where `y ≈ eˣ`). `y′ = σ(x)`, through the `Sigmoid` primitive (whose
/// own derivative `σ(x)σ(−x)` is accurate in both tails).
public struct Softplus: UnaryElementwise, AttributeFreeONNXOp {
  public static let name = "Softplus"
  public static let onnxArity = 1
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T) -> T {
    (x > 0 ? x : 0) + T.log(onePlus: T.exp(-x.magnitude))
  }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(Sigmoid(), [x])
  }

  /// Blocks of `e^{−|x|}` then `log1p` through `VectorMath` (SLEEF), finished in a plain loop.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let n = io.outputCount(0)
    switch io.outputDTypes[0] {
    case .float32:
      let (x, y) = (io.input(0, as: Float.self), io.output(0, as: Float.self))
      return { Self.softplus(x, y, n, exp: VectorMath.exp, log1p: VectorMath.log1p) }
    case .float64:
      let (x, y) = (io.input(0, as: Double.self), io.output(0, as: Double.self))
      return { Self.softplus(x, y, n, exp: VectorMath.exp, log1p: VectorMath.log1p) }
    case .int64, .bool:
      return nil
    }
  }

  static func softplus<T: FloatElement>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, exp: VectorRoutine<T>, log1p: VectorRoutine<T>
  ) {
    blockwise(x, y, n, prepare: { -$0.magnitude }, vector: { t, m in exp(t, t, m); log1p(t, t, m) }) { x, t in
      (x > 0 ? x : 0) + t
    }
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Softplus(), [SampleInput([3, 4])]),
      ConformanceCase(Softplus(), [SampleInput([2, 3, 4])]),
    ]
  }
}

/// A whole-array routine of `VectorMath` (`y` may be `x`).
typealias VectorRoutine<T> = (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void

/// `y[i] = finish(x[i], t[i])` with `t = vector(prepare(x))` (`vector` works in place on a
/// block), in blocks of 256 elements on the stack so nothing is allocated; `y` may be `x`.
@inline(__always)
func blockwise<T: FloatElement>(
  _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, prepare: (T) -> T,
  vector: (UnsafeMutablePointer<T>, Int) -> Void, finish: (T, T) -> T
) {
  let block = 256
  withUnsafeTemporaryAllocation(of: T.self, capacity: block) { buffer in
    guard let t = buffer.baseAddress else { return }
    var start = 0
    while start < n {
      let m = min(block, n - start)
      let (xb, yb) = (x + start, y + start)
      for i in 0..<m { t[i] = prepare(xb[i]) }
      vector(t, m)
      for i in 0..<m { yb[i] = finish(xb[i], t[i]) }
      start += m
    }
  }
}
