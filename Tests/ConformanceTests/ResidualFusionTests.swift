import Autodiff
import Executor
import GraphIR
import Ops
import TensorCore
import Testing

/// The rewrites and fused steps a residual LayerNorm/GELU network's derivatives go through must
/// compute what the plain graph computes: scales folded into `NormalizeTangent`
/// (`Simplify.foldNormalizeScales`), and a product accumulated onto the value it is added to
/// (`AccumulatedProduct`).
@Suite struct ResidualFusionTests {
  static let (batch, inFeatures, width, outFeatures) = (3, 4, 6, 3)

  /// `y = W₂·(h + GELU(LayerNorm(W₁·h + b₁))) + b₂` with `h = W₀·x + b₀`, in f64.
  static func residualBlock() throws -> (Graph, Value) {
    var rng = SplitMix(seed: 7)
    var b = GraphBuilder()
    let x = b.addInput(name: "x", type: TensorType(.float64, [.symbol("batch"), .known(inFeatures)]))
    func constant(_ shape: [Int]) throws -> Value {
      try b.constant(randomLike(Tensor.filled(0, shape: shape, dtype: .float64), &rng))
    }
    let h = try b.apply1(Gemm(transB: true), [x, constant([width, inFeatures]), constant([width])])
    let z = try b.apply1(Gemm(transB: true), [h, constant([width, width]), constant([width])])
    let gamma = try b.constant(Tensor(uncheckedShape: [width], storage: .float64([0.6, 1.4, 0.9, 1.2, 0.7, 1.1])))
    let a = try b.apply1(LayerNormalization(axis: -1, epsilon: 1e-5), [z, gamma, constant([width])])
    let r = try b.add(h, b.apply1(Gelu(), [a]))
    let y = try b.apply1(Gemm(transB: true), [r, constant([outFeatures, width]), constant([outFeatures])])
    b.addOutput(y, name: "y")
    return (b.graph, x)
  }

  /// `J[s, o, i] = ∂y[s, o]/∂x[s, i]` by central differences of the primal plan.
  static func finiteDifferenceJacobian(_ g: Graph, _ x: Tensor) throws -> [Double] {
    let plan = try Plan(graph: g, inputShapes: [x.shape])
    let h = 1e-6
    var j = [Double](repeating: 0, count: batch * outFeatures * inFeatures)
    for i in 0..<inFeatures {
      var e = [Double](repeating: 0, count: x.count)
      for s in 0..<batch { e[s * inFeatures + i] = 1 }
      let step = Tensor(uncheckedShape: x.shape, storage: .float64(e))
      let (up, down) = (try plan.run([axpy(x, h, step)])[0].doubles, try plan.run([axpy(x, -h, step)])[0].doubles)
      for s in 0..<batch {
        for o in 0..<outFeatures {
          let at = s * outFeatures + o
          j[at * inFeatures + i] = (up[at] - down[at]) / (2 * h)
        }
      }
    }
    return j
  }

  /// Per-sample one-hot seeds `[K, batch, features]`.
  static func seeds(_ k: Int) -> Tensor {
    var v = [Double](repeating: 0, count: k * batch * k)
    for d in 0..<k { for s in 0..<batch { v[(d * batch + s) * k + d] = 1 } }
    return Tensor(uncheckedShape: [k, batch, k], storage: .float64(v))
  }

  @Test(arguments: [false, true])
  func scalesFoldIntoNormalizeTangent(reverse: Bool) throws {
    let (g, x) = try Self.residualBlock()
    let dg =
      reverse
      ? try VJP.transform(g, of: g.outputs, wrt: [x], directionAxes: 1)
      : try JVP.transform(g, of: g.outputs, wrt: [x], directionAxes: 1)
    let graph = dg.graph
    // One NormalizeTangent, scaled by GELU′·γ (x̂'s shape): the product with GELU′ over the
    // [K, B, n] tangents is gone.
    let maps = graph.nodes.filter { $0.op is NormalizeTangent }
    #expect(maps.count == 1)
    if let map = maps.first {
      let perElement = map.inputs.count == 4 && graph.type(of: map.inputs[3]).dims == graph.type(of: map.inputs[1]).dims
      #expect(perElement, "\(graph)")
    }
    let tangentMuls = graph.nodes.filter { n in n.op is Mul && graph.type(of: n.outputs[0]).rank == 3 }
    #expect(tangentMuls.isEmpty, "products over the tangents left: \(tangentMuls.map(\.op))\n\(graph)")

    var rng = SplitMix(seed: 11)
    let input = randomLike(Tensor.filled(0, shape: [Self.batch, Self.inFeatures], dtype: .float64), &rng)
    let k = reverse ? Self.outFeatures : Self.inFeatures
    let results = try run(graph, [input, Self.seeds(k)])
    guard let d = dg.derivatives[0], let index = graph.outputs.firstIndex(of: d) else {
      Issue.record("no derivative")
      return
    }
    let raw = results[index].doubles  // forward: [i, s, o]; reverse: [o, s, i]
    var jacobian = [Double](repeating: 0, count: raw.count)
    for s in 0..<Self.batch {
      for o in 0..<Self.outFeatures {
        for i in 0..<Self.inFeatures {
          jacobian[(s * Self.outFeatures + o) * Self.inFeatures + i] =
            reverse
            ? raw[(o * Self.batch + s) * Self.inFeatures + i] : raw[(i * Self.batch + s) * Self.outFeatures + o]
        }
      }
    }
    let want = try Self.finiteDifferenceJacobian(g, input)
    let error = relativeError(jacobian, want)
    #expect(error < 1e-7, "Jacobian off by \(error)")
  }

  /// `y = c + a·W` for a 200-wide `W` (a GEMM, not a libxsmm kernel), with `c` a graph input
  /// (copied into the output), a dying intermediate (accumulated in place), or `a` itself
  /// (never the output's buffer while it is the product's operand).
  @Test(arguments: ["input", "intermediate", "operand"])
  func productsAccumulateOntoTheirAddend(addend: String) throws {
    var rng = SplitMix(seed: 5)
    var b = GraphBuilder()
    let n = 200
    let x = b.addInput(name: "x", type: TensorType(.float32, [.symbol("batch"), .known(n)]))
    let c = b.addInput(name: "c", type: TensorType(.float32, [.symbol("batch"), .known(n)]))
    let w = try b.constant(randomLike(Tensor.filled(0, shape: [n, n], dtype: .float64), &rng).converted(to: .float32))
    let a = try b.apply1(Tanh(), [x])
    let product = try b.apply1(MatMul(), [a, w])
    let other: Value
    switch addend {
    case "input": other = c
    case "intermediate": other = try b.apply1(Sigmoid(), [c])
    default: other = a
    }
    b.addOutput(try b.add(other, product), name: "y")
    let g = b.graph
    let inputs = [
      randomLike(Tensor.filled(0, shape: [64, n], dtype: .float64), &rng).converted(to: .float32),
      randomLike(Tensor.filled(0, shape: [64, n], dtype: .float64), &rng).converted(to: .float32),
    ]
    let fused = try Plan(graph: g, inputShapes: inputs.map(\.shape))
    let plain = try Plan(graph: g, inputShapes: inputs.map(\.shape), fuse: false)
    #expect(fused.fusedSteps.contains { $0.hasPrefix("accumulated product") }, "\(fused.fusionSummary)")
    let error = relativeError(try fused.run(inputs)[0].doubles, try plain.run(inputs)[0].doubles)
    #expect(error < 1e-5, "fused differs by \(error)")
  }
}
