import Foundation
import ONNXFormat
import TensorCore
import Testing

/// ONNX models in protobuf's JSON mapping (as `json_format.MessageToJson` writes them, in both
/// key styles) decode to exactly what the protobuf files decode to.
@Suite struct JSONFormTests {
  static var forms: [String] { (Expected.shared?.json_forms.keys).map { $0.sorted() } ?? [] }

  @Test func everyReadableModelHasBothJSONForms() throws {
    let forms = try #require(Expected.shared?.json_forms)
    #expect(forms.count == 2 * Expected.modelNames.count)
  }

  @Test(arguments: forms)
  func jsonDecodesToTheProtobufModel(_ form: String) throws {
    let source = try #require(Expected.shared?.json_forms[form])
    var fromJSON = try ONNXModel.load(path: fixture(form))
    var fromProtobuf = try ONNXModel.load(path: fixture(source))
    fromJSON.sourcePath = nil
    fromProtobuf.sourcePath = nil
    #expect(fromJSON == fromProtobuf)
    for (a, b) in zip(fromJSON.graph.initializers, fromProtobuf.graph.initializers) {
      guard let tb = try? b.materialize(modelDirectory: fixturesDirectory) else { continue }
      let ta = try a.materialize(modelDirectory: fixturesDirectory)
      #expect(ta.dtype == tb.dtype && ta.shape == tb.shape && ta.doubles.map(\.bitPattern) == tb.doubles.map(\.bitPattern), "\(a.name)")
    }
  }

  @Test func syntaxErrorsNameLineAndColumn() {
    #expect(throws: ONNXFormatError.invalidJSON(path: fixture("syntax_error.json"), format: "ONNX JSON", location: "line 4, column 12", reason: "Invalid value")) {
      try ONNXModel.load(path: fixture("syntax_error.json"))
    }
  }

  @Test func wrongValuesNameTheirJSONPath() throws {
    let error = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: fixture("wrong_type.json")) }
    guard case .invalidJSON(_, _, let location, let reason)? = error else {
      Issue.record("expected invalidJSON, got \(String(describing: error))")
      return
    }
    #expect(location == "graph.node[0].attribute[0].i")
    #expect(reason.contains("int64"))
  }

  @Test func protobufBytesAreNotTakenForJSON() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("helper.onnx")))
    #expect(!JSONSniff.isJSONObject(bytes))
    #expect(JSONSniff.isJSONObject(Data("\u{FEFF}  \n{\"graph\": {}}".utf8)))
  }
}
