import Foundation
import ONNXFormat
import Testing

/// Every message the ONNX JSON reader gives for a value of the wrong kind, each produced by a
/// document with exactly that fault and compared in full: the JSON path and the reason.
@Suite struct ONNXJSONMessages {
  /// A model whose graph is `graph` (a JSON object's text).
  static func model(graph: String, top: String = #""irVersion": "8""#) -> String {
    #"{\#(top), "opsetImport": [{"version": "17"}], "graph": \#(graph)}"#
  }

  /// A graph with one initializer `w` whose other fields are `fields`.
  static func initializer(_ fields: String) -> String {
    model(graph: #"{"initializer": [{"name": "w", "dims": ["1"], \#(fields)}]}"#)
  }

  /// A graph with one Constant node whose attribute is `attribute`.
  static func attribute(_ attribute: String) -> String {
    model(graph: #"{"node": [{"opType": "Constant", "output": ["c"], "attribute": [\#(attribute)]}]}"#)
  }

  static let cases: [(document: String, location: String, reason: String)] = [
    (model(graph: "[]"), "graph", "expected an object, found a list"),
    (#"{"irVersion": "8", "opsetImport": {}, "graph": {}}"#, "opsetImport", "expected a list, found an object"),
    (model(graph: #"{"name": 5}"#), "graph.name", "expected a string, found a number"),
    (model(graph: "{}", top: #""irVersion": 1e30"#), "irVersion", "expected an int64, found 1e+30"),
    (model(graph: "{}", top: #""irVersion": "12x""#), "irVersion", #"expected an int64, found "12x""#),
    (model(graph: "{}", top: #""irVersion": true"#), "irVersion", "expected an int64, found a boolean"),
    (
      model(graph: "{}", top: #""irVersion": 18446744073709551615"#), "irVersion",
      "18446744073709551615 does not fit in int64"
    ),
    (initializer(#""dataType": 1, "int32Data": [5000000000]"#), "graph.initializer[0].int32Data[0]", "5000000000 does not fit in int32"),
    (initializer(#""dataType": 13, "uint64Data": ["-1"]"#), "graph.initializer[0].uint64Data[0]", #"expected a uint64, found "-1""#),
    (initializer(#""dataType": 13, "uint64Data": [-1]"#), "graph.initializer[0].uint64Data[0]", "expected a uint64, found a negative number"),
    (initializer(#""dataType": 1, "floatData": ["abc"]"#), "graph.initializer[0].floatData[0]", #"expected a number, found "abc""#),
    (initializer(#""dataType": 1, "floatData": [true]"#), "graph.initializer[0].floatData[0]", "expected a number, found a boolean"),
    (initializer(#""dataType": 1, "rawData": "!!!!""#), "graph.initializer[0].rawData", "expected base64 bytes"),
    (attribute(#"{"name": "value", "type": "TENSOR"}"#), "graph.node[0].attribute[0]", "a TENSOR attribute without its tensor 't'"),
    (attribute(#"{"name": "value", "type": "GRAPH"}"#), "graph.node[0].attribute[0]", "a GRAPH attribute without its graph 'g'"),
    (
      attribute(#"{"name": "value", "type": "TENSR"}"#), "graph.node[0].attribute[0].type",
      #"unknown enum value "TENSR" (expected one of UNDEFINED, FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, TENSORS, GRAPHS, SPARSE_TENSOR, SPARSE_TENSORS, TYPE_PROTO, TYPE_PROTOS)"#
    ),
  ]

  @Test(arguments: cases.indices)
  func eachFaultHasItsMessage(_ index: Int) throws {
    let c = Self.cases[index]
    let error = #expect(throws: ONNXFormatError.self, "\(c.document)") {
      try ONNXModel.decodeJSON(bytes: Array(c.document.utf8), modelPath: "m.onnx.json")
    }
    #expect(error == .invalidJSON(path: "m.onnx.json", format: "ONNX JSON", location: c.location, reason: c.reason), "\(c.document)")
  }
}
