import Autodiff
import Foundation
import GraphIR
import Ops
import TensorCore
import Testing

/// The math ops' kernels and derivative rules in their tails, against libm (Foundation).
@Suite struct MathExtremeInputs {
  /// `y = f(x)` and `ẏ = f′(x)·1` from a plan of the JVP graph of `build`.
  func valueAndDerivative(
    _ x: [Double], dtype: DType = .float64, _ build: (inout GraphBuilder, Value) throws -> Value
  ) throws -> (y: [Double], dy: [Double]) {
    var b = GraphBuilder()
    let input = b.addInput(name: "x", type: TensorType(dtype, shape: [x.count]))
    b.addOutput(try build(&b, input), name: "y")
    let g = b.graph
    let dg = try JVP.transform(g, of: g.outputs, wrt: [input])
    let xt = Tensor(uncheckedShape: [x.count], storage: .float64(x)).converted(to: dtype)
    let r = try run(dg.graph, [xt, Tensor.filled(1, shape: [x.count], dtype: dtype)])
    return (r[0].doubles, r[1].doubles)
  }

  func unary(_ op: any Primitive) -> (inout GraphBuilder, Value) throws -> Value {
    { b, x in try b.apply1(op, [x]) }
  }

  func expectClose(_ got: [Double], _ want: [Double], rtol: Double, at xs: [Double], _ what: String) {
    for (x, (g, w)) in zip(xs, zip(got, want)) {
      #expect(g == w || abs(g - w) <= rtol * abs(w), "\(what) at x = \(x): got \(g), want \(w)")
    }
  }

  static let wide: [Double] = [-100, -50, -20, -5, -1e-8, 0, 1e-8, 5, 20, 50, 100]

  @Test func softplusKeepsRelativeAccuracyInBothTails() throws {
    for dtype in [DType.float64, .float32] {
      let xs = dtype == .float64 ? Self.wide : Self.wide.filter { abs($0) <= 50 }
      let (y, dy) = try valueAndDerivative(xs, dtype: dtype, unary(Softplus()))
      let rtol = dtype == .float64 ? 4e-16 : 3e-7
      let want = xs.map { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }
      expectClose(y, want, rtol: rtol, at: xs, "softplus \(dtype)")
      let sigma = xs.map { x in x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
      expectClose(dy, sigma, rtol: 4 * rtol, at: xs, "softplus′ \(dtype)")
    }
  }

  @Test func eluIsAccurateNearZeroAndItsDerivativeInTheNegativeTail() throws {
    let xs: [Double] = [-700, -100, -40, -5, -1e-8, -1e-300, 0, 1e-300, 1e-8, 5, 1e300]
    for alpha in [1.0, 0.3] {
      let (y, dy) = try valueAndDerivative(xs, unary(Elu(alpha: alpha)))
      expectClose(y, xs.map { $0 > 0 ? $0 : alpha * Foundation.expm1($0) }, rtol: 4e-16, at: xs, "elu(α = \(alpha))")
      expectClose(dy, xs.map { $0 > 0 ? 1 : alpha * Foundation.exp($0) }, rtol: 4e-16, at: xs, "elu′(α = \(alpha))")
    }
  }

  @Test func erfAndErfcInTheirTails() throws {
    let xs: [Double] = [-30, -6, -3, -1e-8, 0, 1e-8, 0.5, 3, 6, 26, 30]
    let density = xs.map { 2 / Double.pi.squareRoot() * Foundation.exp(-$0 * $0) }
    let (y, dy) = try valueAndDerivative(xs, unary(Erf()))
    expectClose(y, xs.map(Foundation.erf), rtol: 4e-16, at: xs, "erf")
    expectClose(dy, density, rtol: 1e-14, at: xs, "erf′")
    let (c, dc) = try valueAndDerivative(xs, unary(Erfc()))
    expectClose(c, xs.map(Foundation.erfc), rtol: 1e-14, at: xs, "erfc")
    expectClose(dc, density.map { -$0 }, rtol: 1e-14, at: xs, "erfc′")
  }

  func gelu(approximate: String) -> (inout GraphBuilder, Value) throws -> Value {
    { b, x in
      let node = ImportedNode(
        name: "gelu", opType: "Gelu", domain: "", opset: 20, inputs: [x], outputCount: 1,
        attributes: ["approximate": .string(approximate)])
      return try Gelu.lower(node, &b)[0]
    }
  }

  /// Where `0.5·x·(1 + erf(x/√2))` is 0 or noise, the erfc form keeps ~12 digits (the argument's
  /// rounding, amplified by `2u²` in erfc, bounds it).
  @Test func exactGeluForLargeNegativeInputs() throws {
    let xs: [Double] = [-37, -30, -20, -10, -5, -1, 0, 1, 5, 10, 30]
    let (y, dy) = try valueAndDerivative(xs, gelu(approximate: "none"))
    let phi = xs.map { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
    let density = xs.map { Foundation.exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }
    expectClose(y, zip(xs, phi).map { $0 * $1 }, rtol: 5e-12, at: xs, "gelu")
    expectClose(dy, zip(xs, zip(phi, density)).map { $1.0 + $0 * $1.1 }, rtol: 5e-12, at: xs, "gelu′")
    #expect(y[0] < 0 && y[0] > -1e-290, "gelu(−37) = \(y[0]) should be a tiny negative number")
  }

  @Test func tanhGeluForLargeNegativeInputs() throws {
    let xs: [Double] = [-20, -10, -5, -1, 0, 1, 5, 10]
    let c = (2 / Double.pi).squareRoot()
    let (y, _) = try valueAndDerivative(xs, gelu(approximate: "tanh"))
    let want = xs.map { x in
      let z = 2 * c * (x + 0.044715 * x * x * x)
      return z >= 0 ? x / (1 + Foundation.exp(-z)) : x * Foundation.exp(z) / (1 + Foundation.exp(z))
    }
    expectClose(y, want, rtol: 1e-13, at: xs, "tanh gelu")
    #expect(y[1] < 0, "tanh gelu(−10) = \(y[1]) should not cancel to 0")
  }

  @Test func powAtZeroFollowsPyTorch() throws {
    var b = GraphBuilder()
    let a = b.addInput(name: "a", type: TensorType(.float64, shape: [4]))
    let e = b.addInput(name: "e", type: TensorType(.float64, shape: [4]))
    b.addOutput(try b.apply1(Pow(), [a, e]), name: "y")
    let g = b.graph
    let dg = try VJP.transform(g, of: g.outputs, wrt: [a, e])
    let r = try run(dg.graph, [
      Tensor(uncheckedShape: [4], storage: .float64([0, 0, 0, 2])),
      Tensor(uncheckedShape: [4], storage: .float64([0, 2, -1, 0])),
      Tensor.filled(1, shape: [4], dtype: .float64),
    ])
    let ia = try #require(dg.derivatives[0].flatMap { dg.graph.outputs.firstIndex(of: $0) })
    let ie = try #require(dg.derivatives[1].flatMap { dg.graph.outputs.firstIndex(of: $0) })
    let (da, de) = (r[ia].doubles, r[ie].doubles)
    #expect(da == [0, 0, -.infinity, 0], "∂/∂a (PyTorch: 0, 0, −inf, 0)")
    #expect(de == [0, 0, -.infinity, Foundation.log(2)], "∂/∂b (PyTorch: 0, 0, −inf, ln 2)")
  }
}
