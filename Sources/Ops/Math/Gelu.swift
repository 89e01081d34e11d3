public import GraphIR
public import TensorCore

/// Exact GELU, `y = x·Φ(x) = 0.5·x·erfc(−x/√2)` (`Φ` the standard normal CDF). ONNX `Gelu`
/// (opset 20+); its lowering below also builds `approximate = "tanh"` from primitives.
///
/// The ONNX formula `0.5·x·(1 + erf(x/√2))` cancels as x goes negative (`1 + erf` is 0 in f64
/// below about −8.3, where the true value is still ~1e-16·|x|, and loses digits long before);
/// `erfc` keeps full relative accuracy until it underflows, and agrees with the ONNX form to
/// rounding elsewhere. The kernel evaluates `(0.5·x)·erfc(x·(−√½))` in the element type (f32
/// with onnxgrad's vectorised erfc, within 4.5 ULP; f64 with SLEEF's).
///
/// `y′ = Φ(x) + x·φ(x)` with `φ(x) = e^{−x²/2}/√(2π)`: `GeluDerivative(x)`, one primitive of
/// x's shape. A primitive (rather than the composite `0.5·x · erfc(…)`) so that tangents and
/// cotangents are scaled by `y′` in one pass, instead of flowing through both factors of the
/// product (six passes over the `[K, B, n]` tangents per GELU).
public struct Gelu: UnaryElementwise {
  public static let name = "Gelu"
  public init() {}
  public var description: String { Self.name }

  /// `−√½`, the factor of x inside erfc (rounded to the element type, like a graph constant).
  private static let inner = -(0.5 as Double).squareRoot()

  public func apply<T: FloatElement>(_ x: T) -> T { (x * T(0.5)) * T.erfc(x * T(Self.inner)) }

  /// `Φ(x) + x·φ(x)`.
  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    try b.apply1(GeluDerivative(), [x])
  }

  /// Vectorised in plans (`VectorMath.gelu`); `apply` (libm) serves folding and the reference
  /// path.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    vectorKernel(io, f32: VectorMath.gelu, f64: VectorMath.gelu)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Gelu(), [SampleInput([3, 4])]),
      ConformanceCase(Gelu(), [SampleInput([2, 3, 4])]),
    ]
  }
}

extension Gelu: ONNXLowering {
  public static let onnxOpTypes = ["Gelu"]
  public static let onnxOpsets = 20...22

  /// `approximate = "none"` (default) is this primitive. `approximate = "tanh"`:
  /// `y = 0.5·x·(1 + tanh(u))` with `u = √(2/π)·(x + 0.044715·x³)`, evaluated as `x·σ(2u)` (the
  /// same function, since `1 + tanh u = 2σ(2u)`) for the same reason as above: no cancellation
  /// for negative x, and σ's derivative `σ(z)σ(−z)` stays accurate in the tails. The constants
  /// are exact in the graph's type (as PyTorch's), not the float32 ones of the spec's function
  /// body, which ONNX Runtime's float64 Gelu uses (a 5e-8 relative difference).
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let approximate = try node.string("approximate", default: "none")
    switch approximate {
    case "none":
      return [try b.apply1(Gelu(), [x], name: node.name)]
    case "tanh":
      let c = 2 * (2 / Double.pi).squareRoot()
      let cubic = try b.add(b.scalar(c, like: x), b.scaled(b.mul(x, x), by: c * 0.044715))
      let s = try b.apply1(Sigmoid(), [b.mul(x, cubic)])
      return [try b.apply1(Mul(), [x, s], name: node.name)]
    default:
      throw node.error("approximate must be \"none\" or \"tanh\", got \"\(approximate)\"")
    }
  }
}
