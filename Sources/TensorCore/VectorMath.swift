internal import CVectorMath

/// Transcendental functions over whole arrays, vectorised (SLEEF, 1-ULP variants, AVX-512 or
/// AVX2 chosen at run time). Kernels call these instead of scalar libm in their loops.
/// `y` may be the same buffer as `x`.
public enum VectorMath {
  public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_tanh_f32(x, y, n) }
  public static func tanh(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_tanh_f64(x, y, n) }
  public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_exp_f32(x, y, n) }
  public static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_exp_f64(x, y, n) }
  public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_log_f32(x, y, n) }
  public static func log(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_log_f64(x, y, n) }
  /// `σ(x)`: `1/(1+e⁻ˣ)` for x ≥ 0, `eˣ/(1+eˣ)` below.
  public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_sigmoid_f32(x, y, n) }
  public static func sigmoid(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_sigmoid_f64(x, y, n) }
  /// `sin x`.
  public static func sin(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_sin_f32(x, y, n) }
  public static func sin(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_sin_f64(x, y, n) }
  /// `cos x`.
  public static func cos(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_cos_f32(x, y, n) }
  public static func cos(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_cos_f64(x, y, n) }
  /// `erf x`.
  public static func erf(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_erf_f32(x, y, n) }
  public static func erf(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_erf_f64(x, y, n) }
  /// `erfc x = 1 − erf x` (1.5 ULP; accurate where erf is near ±1).
  public static func erfc(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_erfc_f32(x, y, n) }
  public static func erfc(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_erfc_f64(x, y, n) }
  /// Exact GELU, `(0.5·x)·erfc(x·(−√½))` (`x·Φ(x)`). f32 uses onnxgrad's own erfc (within
  /// 4.5 ULP of GELU at the rounded erfc argument, 4× faster than SLEEF's), f64 SLEEF's.
  public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_gelu_f32(x, y, n) }
  public static func gelu(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_gelu_f64(x, y, n) }
  /// GELU′, `Φ(x) + x·φ(x) = 0.5·erfc(x·(−√½)) + x·e^{−x²/2}/√(2π)`, with the same erfc as `gelu`.
  public static func geluDerivative(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    og_gelu_derivative_f32(x, y, n)
  }
  public static func geluDerivative(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
    og_gelu_derivative_f64(x, y, n)
  }
  /// `eˣ − 1`, accurate near 0.
  public static func expm1(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_expm1_f32(x, y, n) }
  public static func expm1(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_expm1_f64(x, y, n) }
  /// `log(1 + x)`, accurate near 0.
  public static func log1p(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { og_log1p_f32(x, y, n) }
  public static func log1p(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { og_log1p_f64(x, y, n) }
}

extension VectorMath {
  /// `y[r·m + j] = t[r·m + j] · (x[j] > 0 ? high : low)` over the `n / m` rows; `y` may be `t`.
  public static func stepMul(
    _ t: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, period m: Int,
    low: Float, high: Float
  ) { og_stepmul_f32(t, x, y, n, m, low, high) }

  public static func stepMul(
    _ t: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int,
    period m: Int, low: Double, high: Double
  ) { og_stepmul_f64(t, x, y, n, m, low, high) }
}

extension VectorMath {
  /// An arithmetic operation `binary` runs.
  public enum BinaryOp: Int32, Sendable {
    case add = 0
    case sub = 1
    case mul = 2
    case div = 3
  }

  /// `y = a op b` over `n` elements (vectorised C, bitwise the scalar IEEE results): `a` repeats
  /// every `periodA` elements and `b` every `periodB` (`n`: a full array, 1: one element, or a
  /// period dividing `n`; one of the two is `n`). `y` may be an operand of `n` elements.
  public static func binary<T: FloatElement>(
    _ op: BinaryOp, _ a: UnsafePointer<T>, periodA: Int, _ b: UnsafePointer<T>, periodB: Int,
    _ y: UnsafeMutablePointer<T>, count n: Int
  ) {
    if T.self == Float.self {
      og_binary_f32(
        op.rawValue, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), periodA,
        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), periodB,
        UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), n)
    } else {
      og_binary_f64(
        op.rawValue, UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), periodA,
        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), periodB,
        UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), n)
    }
  }
}
