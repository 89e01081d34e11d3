import Foundation
import ONNXFormat
import ONNXImport
import TensorCore
import Testing

/// Every message the import gives for a graph that does not hold together (values, outputs,
/// declared types), each produced by a model with exactly that fault and compared in full.
@Suite struct ImportMessages {
  static let x = HostileModels.input("x", [.param("N"), .value(2)])

  static func relu(_ name: String, _ input: String, _ output: String) -> ONNXNode {
    ONNXNode(name: name, opType: "Relu", inputs: [input], outputs: [output])
  }

  static let cases: [(what: String, nodes: [ONNXNode], inputs: [ONNXValueInfo], outputs: [String], message: String)] = [
    (
      "an output made twice", [relu("a", "x", "y"), relu("b", "x", "y")], [x], ["y"],
      "Relu node 'b': output 'y' is already defined earlier in the graph"
    ),
    ("an input never made", [relu("r", "nope", "y")], [x], ["y"], "Relu node 'r': input 'nope' is not defined before this node"),
    ("an output no node makes", [relu("r", "x", "y")], [x], ["z"], "graph output 'z' is not produced by any node"),
    (
      "an output onnxgrad does not compute",
      [ONNXNode(name: "d", opType: "Dropout", inputs: ["x"], outputs: ["y", "mask"])], [x], ["mask"],
      "graph output 'mask', output 1 of Dropout node 'd', which onnxgrad does not compute"
    ),
    (
      "a node reading what onnxgrad does not compute",
      [ONNXNode(name: "d", opType: "Dropout", inputs: ["x"], outputs: ["y", "mask"]), relu("r", "mask", "z")], [x], ["z"],
      "Relu node 'r': reads 'mask', output 1 of Dropout node 'd', which onnxgrad does not compute"
    ),
    ("an input without a type", [relu("r", "x", "y")], [ONNXValueInfo(name: "x")], ["y"], "graph input 'x' has no tensor element type"),
    (
      "a string input", [relu("r", "x", "y")], [HostileModels.input("x", [.value(2)], type: 8)], ["y"],
      "graph input 'x' has element type STRING(8); onnxgrad reads FLOAT, DOUBLE, FLOAT16, BFLOAT16, the integer types and BOOL"
    ),
    (
      "an input without a shape", [relu("r", "x", "y")], [ONNXValueInfo(name: "x", elemType: 1)], ["y"],
      "graph input 'x' declares no shape; onnxgrad needs at least its rank"
    ),
  ]

  @Test(arguments: cases.indices)
  func eachFaultHasItsMessage(_ index: Int) {
    let c = Self.cases[index]
    #expect {
      _ = try HostileModels.model(c.nodes, inputs: c.inputs, outputs: c.outputs)
    } throws: { error in
      let ok = "\(error)" == c.message
      if !ok { Issue.record("\(c.what): got \(error)") }
      return ok
    }
  }

  @Test func aModelWithoutTheDefaultDomainIsRefused() {
    func model(_ imports: [ONNXOpsetImport]) -> ONNXModel {
      ONNXModel(
        opsetImports: imports,
        graph: ONNXGraph(nodes: [Self.relu("r", "x", "y")], inputs: [Self.x], outputs: [ONNXValueInfo(name: "y")]))
    }
    #expect {
      _ = try ONNXImporter.graph(of: model([]))
    } throws: { error in
      "\(error)" == "the model imports no version of the default ONNX domain (opset_import is empty)"
    }
    #expect {
      _ = try ONNXImporter.graph(of: model([ONNXOpsetImport(domain: "com.example", version: 1)]))
    } throws: { error in
      "\(error)" == "the model imports no version of the default ONNX domain (opset_import lists only 'com.example')"
    }
  }
}
