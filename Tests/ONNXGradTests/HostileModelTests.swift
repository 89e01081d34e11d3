import Foundation
import GraphIR
import ONNXFormat
@testable import ONNXGrad
import ONNXImport
import TensorCore
import Testing

/// Models built node by node: sizes and attributes a file can hold that once trapped or were
/// refused wrongly (each found by a review probe), now clear errors or right answers.
@Suite struct HostileModels {
  static func tensor(_ name: String, _ t: Tensor) -> ONNXTensorProto { ONNXTensorProto(t, name: name) }
  static func int64s(_ name: String, _ v: [Int64], shape: [Int]? = nil) -> ONNXTensorProto {
    tensor(name, Tensor(uncheckedShape: shape ?? [v.count], storage: .int64(v)))
  }
  static func input(_ name: String, _ dims: [ONNXDim], type: Int32 = 1) -> ONNXValueInfo {
    ONNXValueInfo(name: name, elemType: type, shape: dims)
  }

  static func model(
    _ nodes: [ONNXNode], inputs: [ONNXValueInfo], outputs: [String], initializers: [ONNXTensorProto] = [], opset: Int64 = 17
  ) throws -> Model {
    let onnx = ONNXModel(
      opsetImports: [ONNXOpsetImport(domain: "", version: opset)],
      graph: ONNXGraph(nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs.map { ONNXValueInfo(name: $0) }))
    let summary = ModelSummary(
      path: "-", format: "test", irVersion: 9, opset: Int(opset), producer: "test", producerVersion: "", inputs: [],
      outputs: [], opHistogram: [:], parameterCount: 0)
    return Model(graph: try ONNXImporter.graph(of: onnx), summary: summary)
  }

  static func refused(_ words: [String], _ body: () throws -> Void) {
    #expect {
      try body()
    } throws: { error in
      let ok = words.allSatisfy("\(error)".contains)
      if !ok { Issue.record("got: \(error)") }
      return ok
    }
  }

  @Test func rangeLongerThanIntMaxIsRefused() {
    Self.refused(["more than Int.max"]) {
      _ = try Self.model(
        [ONNXNode(name: "r", opType: "Range", inputs: ["s", "l", "d"], outputs: ["y"])], inputs: [], outputs: ["y"],
        initializers: [Self.int64s("s", [0], shape: []), Self.int64s("l", [.min], shape: []), Self.int64s("d", [-1], shape: [])])
    }
  }

  @Test func splitSizesThatOverflowAreRefused() {
    Self.refused(["sums to more than Int.max"]) {
      _ = try Self.model(
        [
          ONNXNode(
            name: "s", opType: "Split", inputs: ["x"], outputs: ["a", "b"],
            attributes: [ONNXAttribute(name: "split", value: .ints([.max, 1]))])
        ], inputs: [Self.input("x", [.param("N")])], outputs: ["a", "b"], opset: 11)
    }
  }

  @Test func splittingAHugeAxisInHalvesDoesNotOverflow() throws {
    _ = try Self.model(
      [
        ONNXNode(
          name: "s", opType: "Split", inputs: ["x"], outputs: ["a", "b"],
          attributes: [ONNXAttribute(name: "num_outputs", value: .int(2))])
      ], inputs: [Self.input("x", [.value(Int.max)])], outputs: ["a", "b"], opset: 18)
  }

  @Test func powOldBroadcastAxisOutOfRangeIsRefused() {
    Self.refused(["axis 9223372036854775807 is out of range"]) {
      _ = try Self.model(
        [
          ONNXNode(
            name: "p", opType: "Pow", inputs: ["x", "e"], outputs: ["y"],
            attributes: [ONNXAttribute(name: "broadcast", value: .int(1)), ONNXAttribute(name: "axis", value: .int(.max))])
        ], inputs: [Self.input("x", [.value(2), .value(3)])], outputs: ["y"],
        initializers: [Self.tensor("e", Tensor.filled(2, shape: [3], dtype: .float32))], opset: 6)
    }
  }

  @Test func hugeConstantsAreRefusedBeforeFolding() throws {
    let m = try Self.model(
      [
        ONNXNode(name: "c", opType: "ConstantOfShape", inputs: ["shape"], outputs: ["big"]),
        ONNXNode(
          name: "s", opType: "ReduceSum", inputs: ["big"], outputs: ["total"],
          attributes: [ONNXAttribute(name: "keepdims", value: .int(0))]),
        ONNXNode(name: "a", opType: "Add", inputs: ["x", "total"], outputs: ["y"]),
      ], inputs: [Self.input("x", [.value(2)])], outputs: ["y"], initializers: [Self.int64s("shape", [1 << 40])], opset: 11)
    Self.refused(["constants of this graph", "GiB"]) {
      _ = try m.run(inputs: ["x": Tensor.filled(1, shape: [2], dtype: .float32)])
    }
  }

  @Test func negativeCeluAlphaIsRefused() {
    Self.refused(["alpha must be finite and positive"]) {
      _ = try Self.model(
        [ONNXNode(name: "c", opType: "Celu", inputs: ["x"], outputs: ["y"], attributes: [ONNXAttribute(name: "alpha", value: .float(-1))])],
        inputs: [Self.input("x", [.value(3)])], outputs: ["y"])
    }
  }

  /// A model exported without a dynamic batch, big enough to be split into chunks, runs whole.
  @Test func fixedBatchModelsAreNotChunked() throws {
    let m = try Self.model(
      [ONNXNode(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])], inputs: [Self.input("x", [.value(96), .value(4)])],
      outputs: ["y"])
    let x = Tensor(uncheckedShape: [96, 4], storage: .float32((0..<384).map { Float($0 % 7) - 3 }))
    let y = try #require(try m.run(inputs: ["x": x]).first?.tensor)
    #expect(y.doubles == x.doubles.map { max($0, 0) })
    let j = try m.jacobian(inputs: ["x": x], of: "y", wrt: "x").jacobian
    #expect(j.shape == [96, 4, 4])
    let expected = (0..<96).flatMap { b in (0..<4).flatMap { i in (0..<4).map { k in i == k && x.doubles[b * 4 + i] > 0 ? 1.0 : 0 } } }
    #expect(j.doubles == expected)
  }

  /// An embedding lookup (a shared table gathered by batched indices) keeps rows apart.
  @Test func embeddingLookupsKeepRowsApart() throws {
    let table: [Float] = (0..<12).map { Float($0) * 0.1 - 0.5 }
    let m = try Self.model(
      [
        ONNXNode(name: "g", opType: "Gather", inputs: ["W", "idx"], outputs: ["e"]),
        ONNXNode(name: "a", opType: "Add", inputs: ["x", "e"], outputs: ["s"]),
        ONNXNode(name: "t", opType: "Tanh", inputs: ["s"], outputs: ["y"]),
      ],
      inputs: [Self.input("x", [.param("N"), .value(4)]), Self.input("idx", [.param("N")], type: 7)], outputs: ["y"],
      initializers: [Self.tensor("W", Tensor(uncheckedShape: [3, 4], storage: .float32(table)))])
    let x = Tensor(uncheckedShape: [2, 4], storage: .float32([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]))
    let idx = Tensor(uncheckedShape: [2], storage: .int64([2, 0]))
    let j = try m.jacobian(inputs: ["x": x, "idx": idx], of: "y", wrt: "x").jacobian
    for b in 0..<2 {
      for i in 0..<4 {
        let s = Double(x.doubles[b * 4 + i]) + Double(table[Int(idx.int64s[b]) * 4 + i])
        let expected = 1 - Foundation.tanh(s) * Foundation.tanh(s)
        #expect(abs(j.doubles[(b * 4 + i) * 4 + i] - expected) < 1e-6, "row \(b) feature \(i)")
      }
    }
  }

  @Test func logSumExpOfInfiniteRowsIsInfinite() throws {
    let m = try Self.model(
      [
        ONNXNode(
          name: "r", opType: "ReduceLogSumExp", inputs: ["x"], outputs: ["y"],
          attributes: [ONNXAttribute(name: "axes", value: .ints([1])), ONNXAttribute(name: "keepdims", value: .int(0))])
      ], inputs: [Self.input("x", [.value(3), .value(3)])], outputs: ["y"], opset: 13)
    let x = Tensor(uncheckedShape: [3, 3], storage: .float32([-.infinity, -.infinity, -.infinity, .infinity, 1, 2, 0, 0, 0]))
    let y = try #require(try m.run(inputs: ["x": x]).first?.tensor).doubles
    #expect(y[0] == -.infinity && y[1] == .infinity)
    #expect(abs(y[2] - Foundation.log(3)) < 1e-6)
  }

  @Test func duplicateInitializerNamesAreRefused() {
    let w = Tensor(uncheckedShape: [1], storage: .float32([2]))
    Self.refused(["initializer 'w' is declared twice"]) {
      _ = try Self.model(
        [ONNXNode(name: "m", opType: "Mul", inputs: ["x", "w"], outputs: ["y"])], inputs: [Self.input("x", [.value(2)])],
        outputs: ["y"], initializers: [Self.tensor("w", w), Self.tensor("w", w)])
    }
  }

  @Test(arguments: [Int64(-1), 0])
  func aNonPositiveOpsetIsNamed(version: Int64) {
    Self.refused(["opset_import gives the default ONNX domain version \(version)", "expected a positive version"]) {
      _ = try Self.model(
        [ONNXNode(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])], inputs: [Self.input("x", [.value(2)])],
        outputs: ["y"], opset: version)
    }
  }

  @Test func halfPrecisionGraphInputsAndOutputsAreNoted() {
    let onnx = ONNXModel(
      opsetImports: [ONNXOpsetImport(domain: "", version: 17)],
      graph: ONNXGraph(
        nodes: [ONNXNode(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])],
        inputs: [Self.input("x", [.value(2)], type: 10), Self.input("s", [.value(2)])],
        outputs: [ONNXValueInfo(name: "y", elemType: 16, shape: [.value(2)])]))
    #expect(
      Model.summarize(onnx, path: "-", format: "onnx").notes == [
        "input 'x' is declared FLOAT16; onnxgrad computes it in float32",
        "output 'y' is declared BFLOAT16; onnxgrad computes it in float32",
      ])
  }

  @Test func aNegativeDeclaredDimensionIsRefused() {
    Self.refused(["graph input 'x' declares dimension -3 on axis 1", "a dimension is a size of 0 or more"]) {
      _ = try Self.model(
        [ONNXNode(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"])],
        inputs: [Self.input("x", [.param("batch"), .invalid(-3)])], outputs: ["y"])
    }
  }

  @Test func narrowIntegerInputsKeepTheirDeclaredRange() throws {
    let onnx = ONNXModel(
      opsetImports: [ONNXOpsetImport(domain: "", version: 17)],
      graph: ONNXGraph(
        nodes: [ONNXNode(name: "c", opType: "Cast", inputs: ["ids"], outputs: ["y"], attributes: [ONNXAttribute(name: "to", value: .int(1))])],
        inputs: [Self.input("ids", [.param("batch")], type: 2)], outputs: [ONNXValueInfo(name: "y")]))
    var model = try Self.model(onnx.graph.nodes, inputs: onnx.graph.inputs, outputs: ["y"])
    model.integerInputRanges = Model.integerRanges(onnx)
    #expect(model.integerInputRanges["ids"]?.type == "UINT8")
    let ok = Tensor(uncheckedShape: [3], storage: .int64([0, 7, 255]))
    #expect(try model.run(inputs: ["ids": ok]).first?.tensor.doubles == [0, 7, 255])
    Self.refused(["input 'ids'", "declares it UINT8, which holds 0…255, but the array holds 256 at flat index 1"]) {
      _ = try model.run(inputs: ["ids": Tensor(uncheckedShape: [2], storage: .int64([1, 256]))])
    }
    Self.refused(["holds -1 at flat index 0"]) {
      _ = try model.run(inputs: ["ids": Tensor(uncheckedShape: [1], storage: .float32([-1]))])
    }
  }

  /// A BOOL input takes bool arrays, and numbers only where they are 0 or 1.
  @Test func boolInputsTakeOnlyZeroAndOne() throws {
    let model = try Self.model(
      [ONNXNode(name: "c", opType: "Cast", inputs: ["flags"], outputs: ["y"], attributes: [ONNXAttribute(name: "to", value: .int(1))])],
      inputs: [Self.input("flags", [.param("batch")], type: 9)], outputs: ["y"])
    let bools = Tensor(uncheckedShape: [3], storage: .bool([true, false, true]))
    #expect(try model.run(inputs: ["flags": bools]).first?.tensor.doubles == [1, 0, 1])
    let ones = Tensor(uncheckedShape: [3], storage: .int64([1, 0, 1]))
    #expect(try model.run(inputs: ["flags": ones]).first?.tensor.doubles == [1, 0, 1])
    Self.refused([
      "input 'flags': the model declares it BOOL, which holds 0 and 1 (False and True), but the array holds 5 at flat index 2; convert it, e.g. with a != 0"
    ]) {
      _ = try model.run(inputs: ["flags": Tensor(uncheckedShape: [3], storage: .int64([1, 0, 5]))])
    }
  }

  @Test func aCycleIsRefusedByName() {
    Self.refused(["'a'", "'y'"]) {
      _ = try Self.model(
        [
          ONNXNode(name: "a", opType: "Relu", inputs: ["y"], outputs: ["x"]),
          ONNXNode(name: "b", opType: "Relu", inputs: ["x"], outputs: ["y"]),
        ], inputs: [Self.input("z", [.value(2)])], outputs: ["y"])
    }
  }

  @Test func aLongChainOfNodesLoadsRunsAndDifferentiates() throws {
    let n = 20_000
    let nodes = (0..<n).map { i in
      ONNXNode(name: "n\(i)", opType: "Tanh", inputs: [i == 0 ? "x" : "v\(i - 1)"], outputs: [i == n - 1 ? "y" : "v\(i)"])
    }
    let m = try Self.model(nodes, inputs: [Self.input("x", [.param("batch"), .value(1)])], outputs: ["y"])
    let x = Tensor(uncheckedShape: [2, 1], storage: .float32([0.5, -0.25]))
    let y = try #require(try m.run(inputs: ["x": x]).first?.tensor)
    var expected = [0.5, -0.25]
    for _ in 0..<n { expected = expected.map { Foundation.tanh($0) } }
    #expect(toleranceRatio(y, Tensor(uncheckedShape: [2, 1], storage: .float64(expected)).converted(to: .float32), rtol: 1e-3, atol: 1e-4) <= 1)
    let j = try m.jacobian(inputs: ["x": x], of: "y", wrt: "x").jacobian
    #expect(j.shape == [2, 1, 1])
  }

  @Test(arguments: ["If", "Loop", "Scan"])
  func subgraphOpsAreRefusedByName(op: String) {
    let body = ONNXGraph(name: "body", nodes: [ONNXNode(name: "inner", opType: "Relu", inputs: ["x"], outputs: ["z"])])
    Self.refused(["'\(op)'", "node 'control'"]) {
      _ = try Self.model(
        [
          ONNXNode(
            name: "control", opType: op, inputs: ["x"], outputs: ["y"],
            attributes: [ONNXAttribute(name: "body", value: .graph(body))])
        ], inputs: [Self.input("x", [.value(2)])], outputs: ["y"])
    }
  }
}
