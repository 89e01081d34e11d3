internal import CVectorMath

// The activation codes are CVectorMath's OG_ACTIVATION_IDENTITY (0), _LEAKY_RELU (1) and _TANH (2).

/// An activation a fused dense kernel applies after its product and bias.
public enum Activation: Sendable, Hashable, CustomStringConvertible {
  /// `x > 0 ? x : slope·x`; ReLU is slope 0 (and keeps NaN, maps −∞ to 0).
  case leakyRelu(slope: Double)
  /// `tanh(x)`, derivative `(1 + y)(1 − y)`.
  case tanh

  public var description: String {
    switch self {
    case .leakyRelu(let s): s == 0 ? "relu" : "leakyRelu(\(s))"
    case .tanh: "tanh"
    }
  }
}

extension VectorMath {
  /// The epilogue of a dense layer run on a primal block `[rows, n]` and `directions` tangent
  /// blocks `[directions, rows, n]` that already hold their products `x·op(W)`, `ẋ·op(W)`:
  /// adds `bias` (`n` values, or nil) to the primal, applies `activation` (nil: none) to it, and scales every
  /// tangent by the activation's derivative at its row (`ẏ = f′(z)·ż`). Exactly what the
  /// unfused ops compute: Add, then LeakyRelu/Relu and StepMul, or Tanh and TanhDerivativeMul.
  @inlinable @inline(__always)
  public static func denseEpilogue<T: FloatElement>(
    primal: UnsafeMutablePointer<T>, tangents: UnsafeMutablePointer<T>?, rows: Int, n: Int, directions: Int,
    bias: UnsafePointer<T>?, activation: Activation?
  ) {
    let (code, slope): (Int32, Double) =
      switch activation {
      case .leakyRelu(let s): (1, s)
      case .tanh: (2, 0)
      case nil: (0, 0)
      }
    let k = tangents == nil ? 0 : directions
    let t = UnsafeMutableRawPointer(tangents)
    let b = UnsafeRawPointer(bias)
    if T.self == Float.self {
      epilogue32(UnsafeMutableRawPointer(primal), t, rows, n, k, b, code, slope)
    } else {
      epilogue64(UnsafeMutableRawPointer(primal), t, rows, n, k, b, code, slope)
    }
  }

  @usableFromInline
  static func epilogue32(
    _ primal: UnsafeMutableRawPointer, _ tangents: UnsafeMutableRawPointer?, _ rows: Int, _ n: Int, _ k: Int,
    _ bias: UnsafeRawPointer?, _ code: Int32, _ slope: Double
  ) {
    og_dense_epilogue_f32(
      primal.assumingMemoryBound(to: Float.self), tangents?.assumingMemoryBound(to: Float.self), rows, n, k,
      bias?.assumingMemoryBound(to: Float.self), code, Float(slope))
  }

  @usableFromInline
  static func epilogue64(
    _ primal: UnsafeMutableRawPointer, _ tangents: UnsafeMutableRawPointer?, _ rows: Int, _ n: Int, _ k: Int,
    _ bias: UnsafeRawPointer?, _ code: Int32, _ slope: Double
  ) {
    og_dense_epilogue_f64(
      primal.assumingMemoryBound(to: Double.self), tangents?.assumingMemoryBound(to: Double.self), rows, n, k,
      bias?.assumingMemoryBound(to: Double.self), code, slope)
  }
}
