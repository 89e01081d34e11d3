import Foundation
import TensorCore
import Testing

/// The f32 GELU kernels (onnxgrad's own vectorised erfc) against libm in double, in units in the
/// last place of the float result. GELU is compared at its rounded erfc argument `x·(−√½)` in
/// float: that rounding alone costs up to `2z²` relative (hundreds of ULP near x = −13), the same
/// for any erfc, and is not the kernel's error.
@Suite struct GeluKernels {
  /// Every 4,099th float in [−14, 14] of either sign (about 500,000 values, all exponents).
  static let inputs: [Float] = {
    var xs: [Float] = []
    for sign in [Float(1), -1] {
      var bits: UInt32 = 0
      while bits <= Float(14).bitPattern {
        xs.append(sign * Float(bitPattern: bits))
        bits += 4099
      }
    }
    return xs + [0, -0, 1, -1, 10.1, -10.1, 13, -13]
  }()

  /// `|got − want|` in ULP of `want` as a float (spacing of normal floats; subnormal `want`: none).
  func ulps(_ got: Float, _ want: Double) -> Double {
    guard abs(want) >= Double(Float.leastNormalMagnitude) else { return 0 }
    return abs(Double(got) - want) / Double(Float(want).ulp)
  }

  func kernel(_ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
    let xs = Self.inputs
    var ys = [Float](repeating: .nan, count: xs.count)
    xs.withUnsafeBufferPointer { x in
      ys.withUnsafeMutableBufferPointer { y in
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        f(xp, yp, xs.count)
      }
    }
    return ys
  }

  @Test func geluWithinFiveULP() {
    let ys = kernel(VectorMath.gelu)
    var worst = (0.0, Float(0))
    for (x, y) in zip(Self.inputs, ys) {
      let z = Double(x * Float(-(0.5 as Double).squareRoot()))
      let want = 0.5 * Double(x) * Foundation.erfc(z)
      guard 0.5 * Foundation.erfc(z) >= Double(Float.leastNormalMagnitude) else { continue }
      let e = ulps(y, want)
      if e > worst.0 { worst = (e, x) }
    }
    #expect(worst.0 <= 5, "GELU f32 is \(worst.0) ULP off at x = \(worst.1)")
  }

  /// GELU′ cancels near its zero (x ≈ −0.75): there it is compared in absolute terms.
  @Test func geluDerivativeWithinTenULP() {
    let ys = kernel(VectorMath.geluDerivative)
    var worst = (0.0, Float(0))
    for (x, y) in zip(Self.inputs, ys) {
      let v = Double(x)
      let density = Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
      let want = 0.5 * Foundation.erfc(-v / 2.0.squareRoot()) + v * density
      if abs(v + 0.7518) < 0.25 {
        #expect(abs(Double(y) - want) <= 1e-7, "GELU′ f32 at x = \(x): got \(y), want \(want)")
        continue
      }
      let e = ulps(y, want)
      if e > worst.0 { worst = (e, x) }
    }
    #expect(worst.0 <= 10, "GELU′ f32 is \(worst.0) ULP off at x = \(worst.1)")
  }

  @Test func specialValues() {
    var xs: [Float] = [.infinity, -.infinity, .nan, 30, -30, 1e30, -1e30, .leastNonzeroMagnitude]
    var ys = [Float](repeating: 0, count: xs.count)
    var ds = ys
    VectorMath.gelu(&xs, &ys, xs.count)
    VectorMath.geluDerivative(&xs, &ds, xs.count)
    // GELU(−∞) is −∞·0 (NaN), as in PyTorch and the erfc form on paper; GELU′ has its limits.
    #expect(ys[0] == .infinity && ys[2].isNaN && ys[3] == 30 && ys[4] == 0, "\(ys)")
    #expect(ys[5] == 1e30 && ys[6] == 0, "\(ys)")
    #expect(ds[0] == 1 && ds[1] == 0 && ds[2].isNaN && ds[3] == 1 && ds[4] == 0 && ds[5] == 1 && ds[6] == 0, "\(ds)")
    #expect(abs(ds[7] - 0.5) <= 1e-7, "\(ds)")
  }
}
