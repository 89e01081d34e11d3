import Autodiff
import Foundation
import GraphIR
import Ops
import TensorCore
import Testing

/// Kernels and derivative rules at the ends of their domains, against formulas evaluated
/// independently with Foundation's libm.
@Suite struct ExtremeInputs {
  static let xs: [Double] = [-100, -80, -40, -20, -5, -1e-8, 0, 1e-8, 5, 20, 40, 80, 100]

  func jvp(_ op: any Primitive, _ x: [Double], dtype: DType) throws -> (y: [Double], dy: [Double]) {
    var b = GraphBuilder()
    let input = b.addInput(name: "x", type: TensorType(dtype, shape: [x.count]))
    b.addOutput(try b.apply1(op, [input]), name: "y")
    let g = b.graph
    let dg = try JVP.transform(g, of: g.outputs, wrt: [input])
    let xt = Tensor(uncheckedShape: [x.count], storage: .float64(x)).converted(to: dtype)
    let ones = Tensor.filled(1, shape: [x.count], dtype: dtype)
    let r = try run(dg.graph, [xt, ones])
    return (r[0].doubles, r[1].doubles)
  }

  func expectClose(_ got: [Double], _ want: [Double], rtol: Double, _ what: String) {
    for (i, (g, w)) in zip(got, want).enumerated() {
      let ok = g == w || abs(g - w) <= rtol * abs(w)
      #expect(ok, "\(what) at x = \(Self.xs[i]): got \(g), want \(w)")
    }
  }

  @Test func sigmoidAndItsDerivativeKeepRelativeAccuracyInTheTails() throws {
    for dtype in [DType.float64, .float32] {
      let xs = dtype == .float64 ? Self.xs : Self.xs.filter { abs($0) <= 80 }
      let (y, dy) = try jvp(Sigmoid(), xs, dtype: dtype)
      let rtol = dtype == .float64 ? 1e-14 : 1e-6
      let e = xs.map { Foundation.exp(-abs($0)) }
      expectClose(y, zip(xs, e).map { $0 >= 0 ? 1 / (1 + $1) : $1 / (1 + $1) }, rtol: rtol, "σ \(dtype)")
      let want = e.map { $0 / ((1 + $0) * (1 + $0)) }
      expectClose(dy, want.map { dtype == .float32 ? Double(Float($0)) : $0 }, rtol: rtol * 4, "σ′ \(dtype)")
    }
  }

  @Test func tanhSaturatesWithoutNaN() throws {
    for dtype in [DType.float64, .float32] {
      let (y, dy) = try jvp(Tanh(), Self.xs, dtype: dtype)
      let rtol = dtype == .float64 ? 1e-15 : 1e-6
      expectClose(y, Self.xs.map(Foundation.tanh), rtol: rtol, "tanh \(dtype)")
      for (x, d) in zip(Self.xs, dy) {
        let exact = 1 / (Foundation.cosh(x) * Foundation.cosh(x))
        #expect(d.isFinite && d >= 0 && abs(d - exact) <= max(rtol * exact, 4 * Double(dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne))), "tanh′ at \(x): \(d) vs \(exact)")
      }
    }
  }

  @Test func expAndLogAtTheirLimits() throws {
    let xs: [Double] = [-1000, -700, -100, 0, 1, 88, 700, 1000]
    let (y, dy) = try jvp(Exp(), xs, dtype: .float64)
    for (i, x) in xs.enumerated() {
      let want = Foundation.exp(x)
      #expect(y[i] == want || abs(y[i] - want) <= 1e-15 * want, "exp(\(x)) = \(y[i]), want \(want)")
      #expect(dy[i] == y[i])
    }
    let ps: [Double] = [0, 1e-300, 1e-8, 1, 1e8, 1e300, .infinity]
    let (l, dl) = try jvp(Log(), ps, dtype: .float64)
    for (i, p) in ps.enumerated() {
      let want = Foundation.log(p)
      #expect(l[i] == want || abs(l[i] - want) <= 1e-15 * abs(want), "log(\(p)) = \(l[i]), want \(want)")
      #expect(dl[i] == 1 / p || abs(dl[i] - 1 / p) <= 1e-15 / p, "log′(\(p)) = \(dl[i])")
    }
  }
}

/// `Kernels.expand` fills periodic targets by doubling copies: every element must still be the
/// source element its strides name, for periods that do and do not divide powers of two.
@Test(arguments: [([1, 1], [7, 13]), ([1, 3], [5, 3]), ([1, 6], [11, 6]), ([2, 1, 4], [2, 9, 4])])
func expandFillsEveryElement(source: [Int], target: [Int]) {
  let count = source.reduce(1, *)
  let x = (0..<count).map { Double($0) + 0.5 }
  let strides = Broadcasting.strides(of: source, in: target)
  var y = [Double](repeating: .nan, count: target.reduce(1, *))
  x.withUnsafeBufferPointer { xp in
    y.withUnsafeMutableBufferPointer { yp in
      Kernels.expand(xp.baseAddress!, yp.baseAddress!, shape: target, xStrides: strides)  // reviewed: non-empty arrays
    }
  }
  var expected: [Double] = []
  Kernels.forEachStrided(shape: target, strides, strides) { _, ix, _ in expected.append(x[ix]) }
  #expect(y == expected)
}
