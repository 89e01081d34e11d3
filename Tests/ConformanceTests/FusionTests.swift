import Autodiff
import Executor
import GraphIR
import Ops
import TensorCore
import Testing

/// Fused dense layers (`DenseFusion`, `FusedDense`) must compute what the unfused nodes
/// compute, and must actually fuse and stack where they can.
@Suite struct FusionTests {
  /// An MLP `in → widths… ` with per-layer activations (nil: none), random weights.
  static func mlp(
    inFeatures: Int, widths: [Int], activations: [(any Primitive)?], dtype: DType, seed: Int, transB: Bool = true,
    alsoOutputPreActivation: Bool = false
  ) throws -> (Graph, Value) {
    var rng = SplitMix(seed: seed)
    var b = GraphBuilder()
    let x = b.addInput(name: "x", type: TensorType(dtype, [.symbol("batch"), .known(inFeatures)]))
    var h = x
    var fanIn = inFeatures
    for (width, activation) in zip(widths, activations) {
      let shape = transB ? [width, fanIn] : [fanIn, width]
      let w = try b.constant(randomLike(Tensor.filled(0, shape: shape, dtype: .float64), &rng).converted(to: dtype))
      let c = try b.constant(randomLike(Tensor.filled(0, shape: [width], dtype: .float64), &rng).converted(to: dtype))
      let z = try b.apply1(Gemm(transB: transB), [h, w, c])
      if alsoOutputPreActivation { b.addOutput(z, name: "z\(fanIn)") }
      h = try activation.map { try b.apply1($0, [z]) } ?? z
      fanIn = width
    }
    b.addOutput(h, name: "y")
    return (b.graph, x)
  }

  static func inputs(_ g: Graph, batch: Int, directions: Int, seed: Int) -> [Tensor] {
    var rng = SplitMix(seed: seed)
    return g.inputs.enumerated().map { i, v in
      let t = g.type(of: v)
      var shape = t.dims.map { $0.value ?? batch }
      if i > 0 { shape = [directions, batch] + shape.dropFirst(2) }
      return randomLike(Tensor.filled(0, shape: shape, dtype: .float64), &rng).converted(to: t.dtype)
    }
  }

  /// Runs `g` fused and unfused; returns the fused plan and the largest relative difference.
  static func compare(_ g: Graph, _ inputs: [Tensor]) throws -> (Plan, Double) {
    let shapes = inputs.map(\.shape)
    let fused = try Plan(graph: g, inputShapes: shapes)
    let plain = try Plan(graph: g, inputShapes: shapes, fuse: false)
    #expect(plain.fusedSteps.isEmpty)
    let (a, b) = (try fused.run(inputs), try plain.run(inputs))
    let error = zip(a, b).map { relativeError($0.doubles, $1.doubles) }.max() ?? .infinity
    #expect(zip(a, b).allSatisfy { $0.shape == $1.shape })
    return (fused, error)
  }

  static let activationSets: [[(any Primitive)?]] = [
    [LeakyRelu(alpha: 0.2), LeakyRelu(alpha: 0.2), Tanh()],
    [Relu(), Relu(), nil],
    [Tanh(), nil, Relu()],
  ]

  @Test(arguments: [DType.float32, .float64], [1, 7, 100])
  func forwardModeLayersFuseAndStack(dtype: DType, batch: Int) throws {
    for (s, activations) in Self.activationSets.enumerated() {
      let (g, x) = try Self.mlp(inFeatures: 3, widths: [40, 100, 24], activations: activations, dtype: dtype, seed: s)
      let dg = try JVP.transform(g, of: g.outputs, wrt: [x], directionAxes: 1)
      let (plan, error) = try Self.compare(dg.graph, Self.inputs(dg.graph, batch: batch, directions: 3, seed: 10 + s))
      #expect(error < (dtype == .float32 ? 1e-5 : 1e-13), "activations \(activations), error \(error)")
      #expect(plan.fusedSteps.count == 3, "\(plan.fusionSummary)")
      // The graph's inputs x and ẋ sit back to back too, so every layer stacks.
      #expect(plan.stackedProducts == 3, "\(plan.fusionSummary)")
    }
  }

  /// Second-order jets (Hessian and Laplacian layouts) through tanh layers: every layer is one
  /// fused step whose epilogue adds `TanhJetMul`'s terms, stacked into one GEMM, and agrees
  /// with the unfused nodes.
  @Test(arguments: [DType.float32, .float64], [1, 7, 100])
  func secondOrderJetLayersFuseAndStack(dtype: DType, batch: Int) throws {
    let (g, x) = try Self.mlp(
      inFeatures: 3, widths: [40, 100, 24], activations: [Tanh(), Tanh(), nil], dtype: dtype, seed: 5)
    for layout in [try JetLayout(variables: 3, partials: [[0, 0], [0, 2], [1, 1]]), JetLayout.laplacian(variables: 3)] {
      let jet = try Jet.transform(g, of: g.outputs[0], wrt: [x], layout: layout)
      let rows = layout.streams.reduce(0) { $0 + $1.count }
      let (plan, error) = try Self.compare(jet.graph, Self.inputs(jet.graph, batch: batch, directions: rows, seed: 21))
      #expect(error < (dtype == .float32 ? 1e-5 : 1e-13), "error \(error)")
      #expect(plan.fusedSteps.count == 3 && plan.fusedSteps.filter { $0.contains("TanhJetMul") }.count == 2, "\(plan.fusionSummary)")
      #expect(plan.stackedProducts == 3, "\(plan.fusionSummary)")
    }
  }

  @Test(arguments: [false, true])
  func primalLayersFuseBiasAndActivation(transB: Bool) throws {
    let (g, _) = try Self.mlp(
      inFeatures: 5, widths: [20, 33, 16], activations: [Tanh(), LeakyRelu(alpha: 0.01), Relu()], dtype: .float32, seed: 3,
      transB: transB)
    let (plan, error) = try Self.compare(g, Self.inputs(g, batch: 9, directions: 1, seed: 4))
    #expect(error < 1e-5)
    #expect(plan.fusedSteps.count == 3)
    #expect(plan.stackedProducts == 0)
  }

  @Test func preActivationOutputsBlockFusion() throws {
    let (g, x) = try Self.mlp(
      inFeatures: 4, widths: [30, 30], activations: [LeakyRelu(alpha: 0.2), Tanh()], dtype: .float64, seed: 5,
      alsoOutputPreActivation: true)
    let dg = try JVP.transform(g, of: [g.outputs.last!], wrt: [x], directionAxes: 1, alsoOutput: Array(g.outputs.dropLast()))
    let (plan, error) = try Self.compare(dg.graph, Self.inputs(dg.graph, batch: 6, directions: 4, seed: 6))
    #expect(error < 1e-13)
    #expect(plan.fusedSteps.isEmpty, "\(plan.fusionSummary)")
  }

  @Test func reverseModeIsUnchanged() throws {
    let (g, x) = try Self.mlp(
      inFeatures: 6, widths: [32, 2], activations: [Relu(), Tanh()], dtype: .float64, seed: 7)
    let dg = try VJP.transform(g, of: g.outputs, wrt: [x], directionAxes: 1)
    let (_, error) = try Self.compare(dg.graph, Self.inputs(dg.graph, batch: 5, directions: 2, seed: 8))
    #expect(error < 1e-13)
  }
}

/// libxsmm's prepared products against the BLAS path they replace.
@Suite struct PreparedGEMMTests {
  @Test(arguments: [1, 3, 17, 300], [false, true])
  func matchesBLAS(rows m: Int, transB: Bool) throws {
    for (n, k) in [(16, 1), (100, 100), (128, 2), (33, 128)] {
      var rng = SplitMix(seed: m * 131 + n)
      let a = (0..<(m * k)).map { _ in Double.random(in: -1...1, using: &rng) }
      let b = (0..<(k * n)).map { _ in Double.random(in: -1...1, using: &rng) }
      var want = [Double](repeating: 0, count: m * n)
      let ldb = transB ? k : n
      BLAS.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1.0, a: a, lda: k, b: b, ldb: ldb, beta: 0, c: &want, ldc: n)
      let got = try product(Double.self, a: a, b: b, m: m, n: n, k: k, transB: transB)
      #expect(relativeError(got, want) < 1e-14, "m \(m) n \(n) k \(k)")
      let got32 = try product(Float.self, a: a, b: b, m: m, n: n, k: k, transB: transB)
      #expect(relativeError(got32, want) < 1e-5, "f32 m \(m) n \(n) k \(k)")
    }
    #expect(!PreparedGEMM<Float>.pays(m: m, n: 2, k: 100))
  }

  /// `A·op(B)` through a prepared kernel in `T`, as Doubles.
  func product<T: FloatElement>(_: T.Type, a: [Double], b: [Double], m: Int, n: Int, k: Int, transB: Bool) throws -> [Double] {
    let (a, b) = (a.map { T($0) }, b.map { T($0) })
    var c = [T](repeating: .nan, count: m * n)
    try b.withUnsafeBufferPointer { bp in
      let prepared = try #require(PreparedGEMM<T>(m: m, n: n, k: k, transB: transB, b: bp.baseAddress!, ldb: transB ? k : n))
      prepared(a, &c)
    }
    return c.map { Double($0) }
  }
}
