internal import CVectorMath

extension VectorMath {
  /// `y[i] = pow(a[i·sa], b[i·sb])` with C99 semantics (a negative base with an integral
  /// exponent is real; `pow(x, 0) = 1`), vectorised (SLEEF, 1 ULP). `sa` and `sb` are 1 for an
  /// array, 0 for one element repeated; `y` may be an operand of stride 1.
  public static func pow(
    _ a: UnsafePointer<Float>, stride sa: Int, _ b: UnsafePointer<Float>, stride sb: Int,
    _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) { og_pow_f32(a, sa, b, sb, y, n) }

  public static func pow(
    _ a: UnsafePointer<Double>, stride sa: Int, _ b: UnsafePointer<Double>, stride sb: Int,
    _ y: UnsafeMutablePointer<Double>, _ n: Int
  ) { og_pow_f64(a, sa, b, sb, y, n) }

  /// `pow(a, b)` on one pair (SLEEF's scalar routine, C99 semantics), for folding paths.
  public static func pow(_ a: Double, _ b: Double) -> Double { og_pow_scalar(a, b) }
}
