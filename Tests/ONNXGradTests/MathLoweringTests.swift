import Executor
import Foundation
import GraphIR
import Ops
import TensorCore
import Testing

/// The math lowerings' opset forms ONNX Runtime does not run (opset 1), their refusals, and the
/// int64 value rules of Abs, Sign and Pow.
@Suite struct MathLowerings {
  /// Lowers one node whose inputs are the given graph inputs or constants; returns the graph
  /// (its output is the node's first) and the graph inputs.
  func lower(
    _ lowering: any ONNXLowering.Type, _ opType: String, opset: Int, _ inputs: [Either],
    attributes: [String: Attribute] = [:]
  ) throws -> GraphBuilder {
    var b = GraphBuilder()
    let values = try inputs.enumerated().map { i, input -> Value in
      switch input {
      case .input(let t): return b.addInput(name: "x\(i)", type: t)
      case .constant(let t): return try b.constant(t)
      }
    }
    let node = ImportedNode(
      name: "n", opType: opType, domain: "", opset: opset, inputs: values, outputCount: 1, attributes: attributes)
    b.addOutput(try lowering.lower(node, &b)[0], name: "y")
    return b
  }

  enum Either {
    case input(TensorType)
    case constant(Tensor)
  }

  func run(_ b: GraphBuilder, _ inputs: [Tensor]) throws -> [Double] {
    try Plan(graph: b.graph, inputShapes: inputs.map(\.shape)).run(inputs)[0].doubles
  }

  func f64(_ shape: [Int], _ v: [Double]) -> Tensor { Tensor(uncheckedShape: shape, storage: .float64(v)) }
  func i64(_ v: [Int64]) -> Tensor { Tensor(uncheckedShape: [v.count], storage: .int64(v)) }

  @Test func legacyPowBroadcastsTheExponentFromAxis() throws {
    let b = try lower(
      Pow.self, "Pow", opset: 1, [.input(TensorType(.float64, shape: [2, 3])), .constant(f64([2], [2, 3]))],
      attributes: ["broadcast": .int(1), "axis": .int(0)])
    let x: [Double] = [1, 2, 3, 4, 5, 6]
    #expect(try run(b, [f64([2, 3], x)]) == [1, 4, 9, 64, 125, 216])
    #expect(throws: GraphError.self) {
      try lower(
        Pow.self, "Pow", opset: 6, [.input(TensorType(.float64, shape: [2, 3])), .constant(f64([2], [2, 3]))],
        attributes: ["broadcast": .int(1), "axis": .int(2)])
    }
  }

  @Test func powConvertsConstantExponentsOfAnotherType() throws {
    let b = try lower(
      Pow.self, "Pow", opset: 15, [.input(TensorType(.float32, shape: [3])), .constant(i64([2, 3, -1]))])
    #expect(try run(b, [f64([3], [1.5, -2, 4]).converted(to: .float32)]) == [2.25, -8, 0.25])
    let ints = try lower(Pow.self, "Pow", opset: 15, [.constant(i64([2, -3])), .constant(f64([1], [3]))])
    #expect(ints.type(of: ints.graph.outputs[0]).knownInts == [8, -27])
  }

  @Test func powRefusesComputedOrFractionalExponentsOfAnotherType() throws {
    let computed = #expect(throws: GraphError.self) {
      try lower(
        Pow.self, "Pow", opset: 15, [.input(TensorType(.float64, shape: [3])), .input(TensorType(.int64, shape: [3]))])
    }
    #expect(computed.map { "\($0)" }?.contains("constant exponent only") == true, "\(String(describing: computed))")
    #expect(throws: GraphError.self) {
      try lower(Pow.self, "Pow", opset: 15, [.input(TensorType(.int64, shape: [2])), .constant(f64([1], [2.5]))])
    }
  }

  @Test func integerPowMatchesONNXRuntimesEdges() {
    let p = Pow()
    #expect(p.applyInteger(3, 4) == 81)
    #expect(p.applyInteger(-2, 63) == .min)
    #expect(p.applyInteger(3, 40) == .min)
    #expect(p.applyInteger(2, -1) == 0)
    #expect(p.applyInteger(-1, -3) == -1)
    #expect(p.applyInteger(0, -1) == .min)
    #expect(p.applyInteger(0, 0) == 1)
  }

  @Test func absAndSignCarryInt64Values() throws {
    let t = TensorType(.int64, [.known(3)], value: [.known(-3), .symbol("batch"), .known(4)])
    #expect(try Abs().outputTypes([t])[0].value == [.known(3), .symbol("batch"), .known(4)])
    #expect(try Sign().outputTypes([t])[0].value == [.known(-1), .symbol(""), .known(1)])
    #expect(try Abs().forward([i64([-5, 0, .min])])[0].int64s == [5, 0, .min])
    #expect(try Sign().forward([i64([-5, 0, 7])])[0].int64s == [-1, 0, 1])
  }

  @Test func seluDefaultsDependOnTheOpset() throws {
    let x: [Double] = [-1, 0.5]
    for (opset, alpha, gamma) in [(1, Float(1.6732), Float(1.0507)), (6, Float(1.6732632), Float(1.050701))] {
      let b = try lower(Selu.self, "Selu", opset: opset, [.input(TensorType(.float64, shape: [2]))])
      let (a, g) = (Double(alpha), Double(gamma))
      let want = x.map { $0 > 0 ? g * $0 : g * a * (Foundation.exp($0) - 1) }
      let got = try run(b, [f64([2], x)])
      #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-15 }, "opset \(opset): \(got) vs \(want)")
    }
  }

  @Test func compositesRefuseBadAttributes() {
    let x = Either.input(TensorType(.float32, shape: [2]))
    #expect(throws: GraphError.self) { try lower(Celu.self, "Celu", opset: 12, [x], attributes: ["alpha": .float(0)]) }
    #expect(throws: GraphError.self) {
      try lower(Gelu.self, "Gelu", opset: 20, [x], attributes: ["approximate": .string("erf")])
    }
  }
}
