import Autodiff
import Executor
import GraphIR
import Ops
import TensorCore
import Testing

/// Lowerings of the structural ops that ONNX Runtime cannot be the reference for (forms it has
/// no kernel for, errors), shape arithmetic on symbolic sizes, and their batch rules.
@Suite struct StructureLowering {
  let batch = Dim.symbol("batch")

  func node(_ op: String, _ opset: Int, _ inputs: [Value?], outputs: Int = 1, _ attributes: [String: Attribute] = [:])
    -> ImportedNode
  {
    ImportedNode(
      name: op, opType: op, domain: "", opset: opset, inputs: inputs, outputCount: outputs, attributes: attributes)
  }

  func input(_ b: inout GraphBuilder, _ dims: [Dim]) -> Value {
    b.addInput(name: "x", type: TensorType(.float64, dims))
  }

  @Test func concatOpset1DefaultsToAxis1() throws {
    var b = GraphBuilder()
    let x = input(&b, [.known(2), .known(1)])
    let y = b.addInput(name: "y", type: TensorType(.float64, shape: [2, 2]))
    let out = try Concat.lower(node("Concat", 1, [x, y]), &b)
    #expect(b.type(of: out[0]).dims == [.known(2), .known(3)])
    #expect(throws: GraphError.self) { try Concat.lower(node("Concat", 4, [x, y]), &b) }
  }

  /// Legacy `x.view(x.size(0), -1)`: the batch stays symbolic through Shape → Gather →
  /// Unsqueeze → Concat → Reshape, and the Reshape keeps rows.
  @Test func viewChainKeepsTheSymbolicBatch() throws {
    var b = GraphBuilder()
    let x = input(&b, [batch, .known(2), .known(3)])
    let shape = try Shape.lower(node("Shape", 20, [x]), &b)[0]
    #expect(b.type(of: shape).value == [batch, .known(2), .known(3)])
    let same = try Identity.lower(node("Identity", 16, [shape]), &b)[0]
    #expect(b.type(of: same).value == [batch, .known(2), .known(3)])
    let zero = try b.constant(Tensor(uncheckedShape: [], storage: .int64([0])))
    let size = try Gather.lower(node("Gather", 20, [same, zero]), &b)[0]
    #expect(b.type(of: size).rank == 0 && b.type(of: size).value == [batch])
    let size1 = try Unsqueeze.lower(node("Unsqueeze", 20, [size, try b.ints([0])]), &b)[0]
    let target = try Concat.lower(node("Concat", 20, [size1, try b.ints([-1])], ["axis": .int(0)]), &b)[0]
    #expect(b.type(of: target).value == [batch, .known(-1)])
    let y = try Reshape.lower(node("Reshape", 20, [x, target]), &b)[0]
    #expect(b.type(of: y).dims == [batch, .known(6)])
    b.addOutput(y)
    try BatchIndependence.check(b.graph, batched: [x], outputs: [y])
    let plan = try Plan(graph: b.graph, inputShapes: [[4, 2, 3]])
    let xs = Tensor(uncheckedShape: [4, 2, 3], storage: .float64((0..<24).map(Double.init)))
    #expect(try plan.run([xs])[0] == (try xs.reshaped([4, 6])))
  }

  /// Legacy `torch.chunk(x, 2, dim=1)`: Shape → Gather → Add/Div/Mul → Slice, known sizes.
  @Test func chunkChainResolvesWhenBuilt() throws {
    var b = GraphBuilder()
    let x = input(&b, [batch, .known(5)])
    let size = try Gather.lower(
      node("Gather", 20, [try Shape.lower(node("Shape", 20, [x]), &b)[0], try b.ints([1])]), &b)[0]
    let chunk = try b.div(b.add(size, b.ints([1])), b.ints([2]))
    let first = try Slice.lower(node("Slice", 20, [x, try b.ints([0]), chunk, try b.ints([1])]), &b)[0]
    let second = try Slice.lower(node("Slice", 20, [x, chunk, try b.mul(chunk, b.ints([2])), try b.ints([1])]), &b)[0]
    #expect(b.type(of: first).dims == [batch, .known(3)])
    #expect(b.type(of: second).dims == [batch, .known(2)])
  }

  @Test func squeezeWithoutAxesNeedsKnownSizes() throws {
    var b = GraphBuilder()
    let x = input(&b, [batch, .known(1)])
    #expect(throws: GraphError.self) { try Squeeze.lower(node("Squeeze", 13, [x]), &b) }
    let y = input(&b, [.known(1), .known(3), .known(1)])
    let squeezed = try Squeeze.lower(node("Squeeze", 13, [y]), &b)[0]
    #expect(b.type(of: squeezed).dims == [.known(3)])
  }

  @Test func invalidStructureIsAnErrorNotATrap() throws {
    var b = GraphBuilder()
    let x = input(&b, [batch, .known(4)])
    let scalar = { (i: Int64) in Tensor(uncheckedShape: [], storage: .int64([i])) }
    #expect(throws: GraphError.self) {
      try Gather.lower(node("Gather", 13, [x, try b.constant(scalar(4))], ["axis": .int(1)]), &b)
    }
    #expect(throws: GraphError.self) {
      try Gather.lower(node("Gather", 13, [x, try b.ints([0])], ["axis": .int(2)]), &b)
    }
    #expect(throws: GraphError.self) {
      try Slice.lower(node("Slice", 13, [x, try b.ints([0]), try b.ints([2]), try b.ints([1]), try b.ints([0])]), &b)
    }
    let shape = try b.apply1(Shape(), [x])
    let whole = try Slice.lower(node("Slice", 13, [shape, try b.ints([]), try b.ints([])]), &b)[0]
    #expect(b.type(of: whole).value == [batch, .known(4)])
    #expect(throws: GraphError.self) { try Reshape.lower(node("Reshape", 13, [x, try b.ints([-1, -1])]), &b) }
    #expect(throws: GraphError.self) { try Reshape.lower(node("Reshape", 13, [x, try b.ints([0, 3])]), &b) }
    #expect(throws: GraphError.self) {
      try Reshape.lower(node("Reshape", 14, [x, try b.ints([0, -1])], ["allowzero": .int(1)]), &b)
    }
    #expect(throws: GraphError.self) {
      try Split.lower(node("Split", 13, [x, try b.ints([1, 2])], outputs: 2, ["axis": .int(1)]), &b)
    }
    #expect(throws: GraphError.self) { try Split.lower(node("Split", 11, [x], outputs: 3, ["axis": .int(1)]), &b) }
    #expect(throws: GraphError.self) { try Transpose.lower(node("Transpose", 13, [x], ["perm": .ints([0, 0])]), &b) }
    #expect(throws: GraphError.self) { try Unsqueeze.lower(node("Unsqueeze", 13, [x, try b.ints([1, -3])]), &b) }
    #expect(throws: GraphError.self) { try Expand.lower(node("Expand", 13, [x, try b.ints([3])]), &b) }
    #expect(throws: GraphError.self) {
      try ConstantOfShape.lower(node("ConstantOfShape", 20, [try b.ints([2, -1])]), &b)
    }
    #expect(throws: GraphError.self) {
      try Arange.lower(
        node("Range", 11, [try b.constant(scalar(0)), try b.constant(scalar(3)), try b.constant(scalar(0))]), &b)
    }
    let s = try b.constant(Tensor.scalar(1, dtype: .float64))
    #expect(throws: GraphError.self) { try Arange.lower(node("Range", 11, [x, s, s]), &b) }
  }

  /// Index inputs unknown while the graph is built (an int64 graph input) are refused when a
  /// plan is compiled or run, with an error rather than a trap.
  @Test func indicesUnknownUntilRunAreCheckedThere() throws {
    var b = GraphBuilder()
    let x = input(&b, [.known(2), .known(3)])
    let i = b.addInput(name: "i", type: TensorType(.int64, shape: [2]))
    let y = try b.apply1(Gather(axis: -1), [x, i])
    b.addOutput(y)
    let plan = try Plan(graph: b.graph, inputShapes: [[2, 3], [2]])
    let xs = Tensor.filled(1, shape: [2, 3], dtype: .float64)
    #expect(
      try plan.run([xs, Tensor(uncheckedShape: [2], storage: .int64([2, -3]))])[0]
        == Tensor.filled(1, shape: [2, 2], dtype: .float64))
    #expect(throws: (any Error).self) { try plan.run([xs, Tensor(uncheckedShape: [2], storage: .int64([0, 3]))]) }
  }

  func rowsKept(_ build: (inout GraphBuilder, Value) throws -> Value) throws -> Bool {
    var b = GraphBuilder()
    let x = input(&b, [batch, .known(4)])
    let y = try build(&b, x)
    b.addOutput(y)
    return (try? BatchIndependence.check(b.graph, batched: [x], outputs: [y])) != nil
  }

  @Test func batchRules() throws {
    #expect(try rowsKept { b, x in try b.apply1(Reshape(), [x, try b.ints([-1, 2, 2])]) })
    #expect(try rowsKept { b, x in try b.apply1(Reshape(), [x, try b.ints([0, 2, 2])]) })
    #expect(try !rowsKept { b, x in try b.apply1(Reshape(), [x, try b.ints([-1])]) })
    #expect(try !rowsKept { b, x in try b.apply1(Reshape(), [x, try b.ints([-1, 8])]) })
    #expect(try !rowsKept { b, x in try b.apply1(Transpose(perm: [1, 0]), [x]) })
    #expect(try rowsKept { b, x in try b.slice(x, axis: -1, start: try b.ints([1]), end: try b.ints([3])) })
    #expect(try rowsKept { b, x in try b.slice(x, axis: -2, start: try b.ints([0]), end: try b.ints([Int.max])) })
    #expect(try !rowsKept { b, x in try b.slice(x, axis: -2, start: try b.ints([1]), end: try b.ints([Int.max])) })
    #expect(try rowsKept { b, x in try b.apply1(Gather(axis: -1), [x, try b.ints([3, 0])]) })
    #expect(try !rowsKept { b, x in try b.apply1(Gather(axis: -2), [x, try b.ints([0])]) })
    #expect(try rowsKept { b, x in try b.apply1(Concat(axis: -1), [x, x]) })
    #expect(try !rowsKept { b, x in try b.apply1(Concat(axis: -2), [x, x]) })
    #expect(
      try rowsKept { b, x in
        try b.apply1(
          ConstantOfShape(), [try b.apply1(Shape(), [x]), try b.constant(Tensor.scalar(1, dtype: .float64))])
      })
  }
}
