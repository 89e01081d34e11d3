import GraphIR
import ONNXGrad
import Ops
import TensorCore
import Testing

/// The whole-batch Jacobian: block-diagonal for row-wise models (blocks = PyTorch's per-sample
/// Jacobians), and the only one defined when rows mix.
@Suite struct FullJacobian {
  @Test(arguments: [JacobianMode.forward, .reverse])
  func rowWiseModelIsBlockDiagonal(mode: JacobianMode) throws {
    let model = try Model.load(path: generator)
    let x = try Fixtures.array("generator", "input_coords.npy")
    let full = try model.fullJacobian(inputs: ["coords": x], of: "uv", wrt: "coords", mode: mode)
    let b = x.shape[0]
    #expect(full.jacobian.shape == [b, 2, b, 2])
    let ref = try Fixtures.array("generator", "ref_jacobian_uv_wrt_coords.npy").doubles
    let j = full.jacobian.doubles
    var diagonal: [Double] = []
    for r in 0..<b {
      for i in 0..<2 {
        for c in 0..<b {
          for k in 0..<2 {
            let v = j[((r * 2 + i) * b + c) * 2 + k]
            if r == c { diagonal.append(v) } else { #expect(v == 0, "off-diagonal [\(r),\(i),\(c),\(k)] = \(v)") }
          }
        }
      }
    }
    let got = Tensor(uncheckedShape: [b, 2, 2], storage: .float64(diagonal))
    #expect(toleranceRatio(got, Tensor(uncheckedShape: [b, 2, 2], storage: .float64(ref)), rtol: 2e-5, atol: 1e-6) <= 1)
  }

  /// `y = A · x` mixes rows: `∂y[b, i] / ∂x[c, j] = A[b, c] · δ_ij`.
  func mixingModel(_ a: Tensor) throws -> Model {
    var g = GraphBuilder()
    let x = g.addInput(name: "x", type: TensorType(.float64, [.known(a.shape[1]), .known(3)]))
    let weights = try g.constant(a)
    g.addOutput(try g.apply1(MatMul(), [weights, x], name: "mix"), name: "y")
    let summary = ModelSummary(
      path: "-", format: "graph", irVersion: 0, opset: 0, producer: "test", producerVersion: "", inputs: [], outputs: [],
      opHistogram: [:], parameterCount: a.count)
    return Model(graph: g.graph, summary: summary)
  }

  @Test(arguments: [JacobianMode.forward, .reverse])
  func rowMixingModelHasTheWholeBatchJacobianOnly(mode: JacobianMode) throws {
    let a = Tensor(uncheckedShape: [4, 4], storage: .float64((0..<16).map { Double($0) * 0.25 - 1.5 }))
    let model = try mixingModel(a)
    let x = Tensor(uncheckedShape: [4, 3], storage: .float64((0..<12).map { Double($0) / 7 }))
    let full = try model.fullJacobian(inputs: ["x": x], of: "y", wrt: "x", mode: mode)
    #expect(full.jacobian.shape == [4, 3, 4, 3])
    let j = full.jacobian.doubles
    for r in 0..<4 { for i in 0..<3 { for c in 0..<4 { for k in 0..<3 {
      #expect(j[((r * 3 + i) * 4 + c) * 3 + k] == (i == k ? a.doubles[r * 4 + c] : 0))
    } } } }
    #expect {
      _ = try model.jacobian(inputs: ["x": x], of: "y", wrt: "x", mode: mode)
    } throws: { error in
      let text = "\(error)"
      return text.contains("'mix'") && text.contains("--full")
    }
  }
}

/// Sizes beyond the machine's memory are refused up front with a clear message.
@Test func jacobianTooLargeForMemoryIsRefused() throws {
  var g = GraphBuilder()
  let n = 131_072
  let x = g.addInput(name: "x", type: TensorType(.float32, [.symbol("batch"), .known(n)]))
  g.addOutput(try g.apply1(Relu(), [x], name: "relu"), name: "y")
  let summary = ModelSummary(
    path: "-", format: "graph", irVersion: 0, opset: 0, producer: "test", producerVersion: "", inputs: [], outputs: [],
    opHistogram: [:], parameterCount: 0)
  let model = Model(graph: g.graph, summary: summary)
  let input = Tensor.filled(0.5, shape: [1, n], dtype: .float32)
  #expect { _ = try model.jacobian(inputs: ["x": input], of: "y", wrt: "x") } throws: { "\($0)".contains("memory") }
  #expect { _ = try model.fullJacobian(inputs: ["x": input], of: "y", wrt: "x") } throws: { "\($0)".contains("memory") }
}

/// Float arrays for an integer input must hold whole numbers.
@Test func floatsForAnIntegerInputMustBeWhole() throws {
  var g = GraphBuilder()
  let i = g.addInput(name: "i", type: TensorType(.int64, [.known(3)]))
  g.addOutput(try g.apply1(Identity(), [i], name: "id"), name: "o")
  let summary = ModelSummary(
    path: "-", format: "graph", irVersion: 0, opset: 0, producer: "test", producerVersion: "", inputs: [], outputs: [],
    opHistogram: [:], parameterCount: 0)
  let model = Model(graph: g.graph, summary: summary)
  let whole = Tensor(uncheckedShape: [3], storage: .float64([1, -2, 3]))
  #expect(try model.run(inputs: ["i": whole]).first?.tensor == Tensor(uncheckedShape: [3], storage: .int64([1, -2, 3])))
  let fractional = Tensor(uncheckedShape: [3], storage: .float64([1.7, -2.9, .nan]))
  #expect(throws: (any Error).self) { _ = try model.run(inputs: ["i": fractional]) }
}
