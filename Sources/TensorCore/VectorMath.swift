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
