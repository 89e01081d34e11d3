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
