internal import CVectorMath

/// Row reductions and layer normalisation, vectorised in C (AVX-512, AVX2 or the baseline,
/// chosen at run time), written once for both float types.
extension VectorMath {
  /// What `reduce` computes over each reduced block.
  public enum Reduction: Int32, Sendable {
    case sum = 0
    case sumOfSquares = 1
    case max = 2
    case min = 3
  }

  /// `y[o, i] = ⊕_j x[o, j, i]` for `x` viewed as `[outer, n, inner]` (an empty reduction gives
  /// 0, 0, −∞, +∞).
  public static func reduce<T: FloatElement>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, n: Int, inner: Int, _ op: Reduction
  ) {
    if T.self == Float.self {
      og_reduce_f32(f32(x), f32(y), outer, n, inner, op.rawValue)
    } else {
      og_reduce_f64(f64(x), f64(y), outer, n, inner, op.rawValue)
    }
  }

  /// Layer normalisation of `rows` rows of `n`: `μ` = mean, `r = 1/√(var + ε)` (population
  /// variance), `y = (x − μ)·r·γ + β` with `γ`, `β` of `n` elements (nil: 1 and 0); `rstd` and
  /// `mean` (one per row) are written when given. `y` may be `x`.
  public static func layerNorm<T: FloatElement>(
    _ x: UnsafePointer<T>, rows: Int, n: Int, epsilon: T, gamma: UnsafePointer<T>?, beta: UnsafePointer<T>?,
    _ y: UnsafeMutablePointer<T>, rstd: UnsafeMutablePointer<T>?, mean: UnsafeMutablePointer<T>?
  ) {
    if T.self == Float.self {
      og_layer_norm_f32(
        f32(x), rows, n, Float(epsilon), gamma.map(f32), beta.map(f32), f32(y), rstd.map(f32), mean.map(f32))
    } else {
      og_layer_norm_f64(
        f64(x), rows, n, Double(epsilon), gamma.map(f64), beta.map(f64), f64(y), rstd.map(f64), mean.map(f64))
    }
  }

  /// Where `normalizeTangent` applies its per-element scale.
  public enum NormalizeScale: Int32, Sendable {
    case none = 0
    /// `y = P(γ·t)`.
    case before = 1
    /// `y = γ·P(t)`.
    case after = 2
  }

  /// `P(u) = r·(u − mean(u) − x̂·mean(x̂·u))` over each row of `n`: row `q` of `t` (`tRows`
  /// rows, a multiple of `rows`) pairs with row `m = q mod rows` of `xhat` and `rstd`; `gamma`
  /// scales before or after: `n` elements shared by every row, or (`gammaPerRow`) `xhat`'s shape,
  /// row `m` for row `q`. `y` may be `t`.
  public static func normalizeTangent<T: FloatElement>(
    _ t: UnsafePointer<T>, tRows: Int, xhat: UnsafePointer<T>, rstd: UnsafePointer<T>, rows: Int, n: Int,
    gamma: UnsafePointer<T>?, gammaPerRow: Bool = false, _ scale: NormalizeScale, _ y: UnsafeMutablePointer<T>
  ) {
    let stride = gammaPerRow ? n : 0
    if T.self == Float.self {
      og_normalize_tangent_f32(
        f32(t), tRows, f32(xhat), f32(rstd), rows, n, gamma.map(f32), stride, scale.rawValue, f32(y))
    } else {
      og_normalize_tangent_f64(
        f64(t), tRows, f64(xhat), f64(rstd), rows, n, gamma.map(f64), stride, scale.rawValue, f64(y))
    }
  }

  /// `eˣ` over `n` elements of either float type. `y` may be `x`.
  public static func exp<T: FloatElement>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
    if T.self == Float.self { og_exp_f32(f32(x), f32(y), n) } else { og_exp_f64(f64(x), f64(y), n) }
  }

  /// `log x` over `n` elements of either float type. `y` may be `x`.
  public static func log<T: FloatElement>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
    if T.self == Float.self { og_log_f32(f32(x), f32(y), n) } else { og_log_f64(f64(x), f64(y), n) }
  }
}

@inline(__always) private func f32<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
  UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always) private func f32<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always) private func f64<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Double> {
  UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
}

@inline(__always) private func f64<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
}
