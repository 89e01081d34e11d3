import Autodiff
import Executor
import Foundation
import GraphIR
import ONNXGrad
import ONNXImport
import Ops
import TensorCore
import Testing

/// Conventions of the reduction and normalisation ops that the generic checks do not pin down:
/// ties, zeros of the norm, batch mixing, known integer values.
@Suite struct ReduceNormConventions {
  func tensor(_ shape: [Int], _ v: [Double]) -> Tensor { Tensor(uncheckedShape: shape, storage: .float64(v)) }

  /// The gradient of `sum(op(x, constants…)[0])` for a one-op graph.
  func gradient(_ op: any Primitive, _ x: Tensor, constants: [Tensor] = []) throws -> [Double] {
    var b = GraphBuilder()
    let input = b.addInput(name: "x", type: TensorType(.float64, shape: x.shape))
    let y = try b.apply(op, [input] + constants.map { try b.constant($0) })[0]
    b.addOutput(y, name: "y")
    let g = b.graph
    let reverse = try VJP.transform(g, of: [y], wrt: [input])
    let outShape = try Plan.concreteTypes(g, inputShapes: [x.shape])[y.id]?.shape ?? []
    let seed = Tensor.filled(1, shape: outShape, dtype: .float64)
    let results = try Plan(graph: reverse.graph, inputShapes: [x.shape, outShape]).run([x, seed])
    let d = try #require(reverse.derivatives[0])
    return results[try #require(reverse.graph.outputs.firstIndex(of: d))].doubles
  }

  /// The JVP of `op` at `x` along `t`.
  func directional(_ op: any Primitive, _ x: Tensor, _ t: Tensor) throws -> [Double] {
    var b = GraphBuilder()
    let input = b.addInput(name: "x", type: TensorType(.float64, shape: x.shape))
    let y = try b.apply1(op, [input])
    b.addOutput(y, name: "y")
    let forward = try JVP.transform(b.graph, of: [y], wrt: [input])
    let results = try Plan(graph: forward.graph, inputShapes: [x.shape, t.shape]).run([x, t])
    let d = try #require(forward.derivatives[0])
    return results[try #require(forward.graph.outputs.firstIndex(of: d))].doubles
  }

  @Test func maximumTiesShareTheGradientEvenly() throws {
    let x = tensor([2, 3], [1, 3, 3, 2, 0, 2])
    #expect(try gradient(ReduceMax(axes: [-1], keepDims: false), x) == [0, 0.5, 0.5, 0.5, 0, 0.5])
    #expect(try gradient(ReduceMin(axes: [-2, -1], keepDims: true), x) == [0, 0, 0, 0, 1, 0])
    let t = tensor([2, 3], [1, 2, 4, 8, 16, 32])
    #expect(try directional(ReduceMax(axes: [-1], keepDims: true), x, t) == [3, 20])
  }

  @Test func normGradientIsZeroWhereTheNormIsZero() throws {
    let x = tensor([2, 2], [0, 0, 3, 4])
    let g = try gradient(ReduceL2(axes: [-1], keepDims: false), x)
    #expect(g[0] == 0 && g[1] == 0 && abs(g[2] - 0.6) < 1e-15 && abs(g[3] - 0.8) < 1e-15, "\(g)")
    let d = try directional(ReduceL2(axes: [-1], keepDims: false), x, tensor([2, 2], [1, 1, 1, 1]))
    #expect(d[0] == 0 && abs(d[1] - 1.4) < 1e-15, "\(d)")
  }

  @Test func softmaxIsShiftedByTheMaximum() throws {
    let x = tensor([1, 3], [1000, 0, -1000])
    #expect(try Softmax(axes: -1 ... -1).forward([x])[0].doubles == [1, 0, 0])
    #expect(try LogSoftmax(axes: -1 ... -1).forward([x])[0].doubles == [0, -1000, -2000])
    let g = try gradient(LogSoftmax(axes: -1 ... -1), x)
    #expect(g == [-2, 1, 1], "\(g)")
    let f = try Softmax(axes: -1 ... -1).forward([x.converted(to: .float32)])[0].doubles
    #expect(f == [1, 0, 0])
  }

  /// A constant row has zero variance: `x̂ = 0` and `r = 1/√ε`, all finite, derivatives too.
  @Test func layerNormOfAConstantRowIsFinite() throws {
    let x = tensor([2, 3], [5, 5, 5, 1, 2, 4])
    let stats = try LayerNormStats(axis: -1, epsilon: 1e-5).forward([x])
    #expect(stats[0].doubles.prefix(3) == [0, 0, 0])
    #expect(abs(stats[1].doubles[0] - 1 / 1e-5.squareRoot()) < 1e-9)
    let gamma = tensor([3], [1, -2, 0.5])
    let g = try gradient(LayerNormalization(axis: -1, epsilon: 1e-5), x, constants: [gamma])
    #expect(g.allSatisfy { $0.isFinite }, "\(g)")
  }

  @Test func argMaxTakesTheFirstOrLastTie() throws {
    let x = tensor([2, 3], [1, 3, 3, 2, 0, 2])
    #expect(try ArgMax(axis: -1, keepDims: false, selectLast: false).forward([x])[0].int64s == [1, 0])
    #expect(try ArgMax(axis: -1, keepDims: false, selectLast: true).forward([x])[0].int64s == [2, 2])
    #expect(try ArgMin(axis: -2, keepDims: true, selectLast: false).forward([x])[0].int64s == [0, 1, 1])
  }

  @Test func reductionsOfKnownIntegersAreKnown() throws {
    let sizes = TensorType(.int64, [.known(3)], value: [.known(2), .known(5), .known(3)])
    #expect(try ReduceSum(axes: [-1], keepDims: false).outputTypes([sizes])[0].knownInts == [10])
    #expect(try ReduceMax(axes: [-1], keepDims: true).outputTypes([sizes])[0].knownInts == [5])
    let partly = TensorType(.int64, [.known(2)], value: [.known(2), .symbol("batch")])
    #expect(try ReduceMin(axes: [-1], keepDims: false).outputTypes([partly])[0].value == [.symbol("")])
  }

  /// A reduction or softmax over axis 0 mixes rows; over other axes it keeps them apart.
  @Test func reducingAxisZeroMixesRows() throws {
    func check(_ op: any Primitive, rank: Int) throws -> Bool {
      var b = GraphBuilder()
      let x = b.addInput(
        name: "x", type: TensorType(.float64, [.symbol("batch")] + Array(repeating: Dim.known(3), count: rank - 1)))
      let ys = try b.apply(op, [x], name: "op")
      for y in ys { b.addOutput(y) }
      return (try? BatchIndependence.check(b.graph, batched: [x], outputs: ys)) != nil
    }
    #expect(try !check(ReduceMean(axes: [-2], keepDims: true), rank: 2))
    #expect(try check(ReduceMean(axes: [-1], keepDims: false), rank: 2))
    #expect(try !check(ReduceSum(axes: [-3, -1], keepDims: false), rank: 3))
    #expect(try !check(Softmax(axes: -2 ... -1), rank: 2))
    #expect(try check(Softmax(axes: -2 ... -2), rank: 3))
    #expect(try !check(LayerNormStats(axis: -2, epsilon: 1e-5), rank: 2))
    #expect(try check(LayerNormStats(axis: -1, epsilon: 1e-5), rank: 2))
    #expect(try !check(ArgMax(axis: -2, keepDims: false, selectLast: false), rank: 2))
  }

  /// Every per-op ONNX case declares whether its rows stay apart; the analysis must agree.
  @Test(arguments: OpFixture.all)
  func rowsIndependentFlagMatchesTheAnalysis(_ c: OpFixture) throws {
    let model = try Model.load(path: c.path("model.onnx"))
    let g = model.graph
    let batched = g.inputs.filter { g.type(of: $0).dims.first == .symbol("batch") }
    guard !batched.isEmpty else { return }
    let flag = try c.json["rows_independent"]
    let declared = try #require(flag as? Bool)
    let proved = (try? BatchIndependence.check(g, batched: batched, outputs: g.outputs)) != nil
    #expect(proved == declared, "\(c): the analysis says rows \(proved ? "stay apart" : "mix")")
  }

  /// PyTorch's `x - x.mean(dim=0)` (the batchmix fixture): whole-batch Jacobian and VJP.
  @Test func batchMeanModelMatchesPyTorch() throws {
    let model = try Model.load(path: Fixtures.path("batchmix", "model_legacy.onnx"))
    let x = try Fixtures.array("batchmix", "input_x.npy")
    let full = try model.fullJacobian(inputs: ["x": x], of: "y", wrt: "x")
    let ref = try Fixtures.array("batchmix", "ref_full_jacobian_y_wrt_x.npy")
    #expect(
      toleranceRatio(full.jacobian.converted(to: .float64), ref.converted(to: .float64), rtol: 2e-5, atol: 1e-6) <= 1)
    let seed = try Fixtures.array("batchmix", "seed_y.npy")
    let grad = try model.grad(inputs: ["x": x], of: OutputSelector(name: "y"), wrt: "x", seed: seed)
    let gradRef = try Fixtures.array("batchmix", "ref_grad_y_wrt_x_seed.npy")
    #expect(toleranceRatio(grad.converted(to: .float64), gradRef.converted(to: .float64), rtol: 2e-5, atol: 1e-6) <= 1)
  }
}
