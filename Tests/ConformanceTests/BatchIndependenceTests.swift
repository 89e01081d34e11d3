import Autodiff
import GraphIR
import Ops
import TensorCore
import Testing

/// The batch-independence analysis accepts row-wise graphs and names the node that mixes rows.
@Suite struct BatchIndependenceAnalysis {
  func mlp(_ extra: (inout GraphBuilder, Value) throws -> Value) throws -> (Graph, Value) {
    var b = GraphBuilder()
    let x = b.addInput(name: "x", type: TensorType(.float32, [.symbol("batch"), .known(3)]))
    let w = try b.constant(Tensor.filled(0.1, shape: [4, 3], dtype: .float32))
    let h = try b.apply1(Gemm(transB: true), [x, w], name: "linear")
    let y = try extra(&b, try b.apply1(Tanh(), [h], name: "tanh"))
    b.addOutput(y, name: "y")
    return (b.graph, x)
  }

  @Test func rowWiseMLPIsAccepted() throws {
    let (g, x) = try mlp { _, h in h }
    try BatchIndependence.check(g, batched: [x], outputs: g.outputs)
  }

  @Test func contractionOverTheBatchIsNamed() throws {
    let (g, x) = try mlp { b, h in try b.apply1(MatMul(transA: true), [h, h], name: "gram") }
    #expect {
      try BatchIndependence.check(g, batched: [x], outputs: g.outputs)
    } throws: { error in
      "\(error)".contains("'gram'") && "\(error)".contains("MatMul")
    }
  }

  @Test func batchAsWeightIsNamed() throws {
    var b = GraphBuilder()
    let x = b.addInput(name: "x", type: TensorType(.float32, [.symbol("batch"), .known(3)]))
    let a = try b.constant(Tensor.filled(0.1, shape: [2, 5], dtype: .float32))
    let y = try b.apply1(Gemm(), [a, x], name: "mixing")
    b.addOutput(y, name: "y")
    #expect(throws: AutodiffError.self) { try BatchIndependence.check(b.graph, batched: [x], outputs: b.graph.outputs) }
  }
}
