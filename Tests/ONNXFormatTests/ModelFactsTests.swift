import Foundation
import ONNXFormat
import TensorCore
import Testing

/// Every fact onnx (Python) reads from a fixture, our reader must read the same.
@Suite struct ModelFactsTests {
  @Test func expectationsAreAvailable() throws {
    let expected = try #require(Expected.shared, "Fixtures/expected.json missing or unreadable")
    #expect(expected.models.count >= 5)
    // The torch exports are part of the fixture set (regenerate without --no-torch).
    #expect(expected.models["torch_legacy.onnx"] != nil)
    #expect(expected.models["torch_dynamo.onnx"] != nil)
  }

  @Test(arguments: Expected.modelNames)
  func modelMatchesOnnx(_ name: String) throws {
    let facts = try #require(Expected.shared?.models[name])
    let model = try ONNXModel.load(path: fixture(name))
    #expect(model.irVersion == facts.ir_version)
    #expect(model.producerName == facts.producer_name)
    #expect(model.producerVersion == facts.producer_version)
    #expect(model.domain == facts.domain)
    #expect(model.modelVersion == facts.model_version)
    #expect(model.docString == facts.doc_string)
    #expect(model.opsetImports == facts.opset_imports.map { ONNXOpsetImport(domain: $0.domain, version: $0.version) })
    #expect(model.metadata == facts.metadata.map { ONNXKeyValue(key: $0.key, value: $0.value) })
    #expect(model.sourcePath == fixture(name))
    #expect(model.modelDirectory == fixturesDirectory)
    try check(model.graph, facts.graph, in: fixturesDirectory)
  }

  @Test func opsetLookupTreatsAiOnnxAsDefault() throws {
    let model = try ONNXModel.load(path: fixture("helper.onnx"))
    #expect(model.opsetVersion() == 20)
    #expect(model.opsetVersion(domain: "ai.onnx") == 20)
    #expect(model.opsetVersion(domain: "com.example") == 1)
    #expect(model.opsetVersion(domain: "com.missing") == nil)
  }

  @Test func helperModelDetails() throws {
    let model = try ONNXModel.load(path: fixture("helper.onnx"))
    let clip = try #require(model.graph.nodes.first { $0.opType == "Clip" })
    #expect(clip.inputs == ["h", "", "B"])  // the omitted optional input is kept
    let custom = try #require(model.graph.nodes.first { $0.opType == "Custom" })
    #expect(custom.domain == "com.example")
    #expect(custom[attribute: "i"]?.int == -7)
    #expect(custom[attribute: "s"]?.string == "héllo")
    #expect(custom[attribute: "sparse"] == .unknown(type: 11))
    #expect(custom.attribute(named: "nope") == nil)
    #expect(custom.attributes.map(\.name) == ["f", "i", "s", "fs", "is", "ss", "t", "ts", "gs", "sparse"])
    let ifNode = try #require(model.graph.nodes.first { $0.opType == "If" })
    #expect(ifNode[attribute: "then_branch"]?.graph?.nodes.first?.opType == "Identity")
    #expect(ifNode[attribute: "else_branch"]?.graph?.nodes.first?.opType == "Neg")
    let z = try #require(model.graph.outputs.first { $0.name == "z" })
    #expect(z.shape == nil)
    #expect(z.dataType == .float)
  }

  @Test func dynamoExportMixesInlineAndExternalInitializers() throws {
    let facts = try #require(Expected.shared?.models["torch_dynamo.onnx"])
    let model = try ONNXModel.load(path: fixture("torch_dynamo.onnx"))
    let locations = Set(model.graph.initializers.map(\.dataLocation))
    #expect(locations == [.inline, .external])
    #expect(Set(facts.graph.initializers.map(\.storage)) == ["raw", "external"])
    for tensor in model.graph.initializers {
      let t = try tensor.materialize(modelDirectory: model.modelDirectory)
      #expect(t.dtype == .float32)
      #expect(t.shape == tensor.dims.map { Int($0) })
    }
  }

  @Test func dataTypeNamesMatchOnnx() throws {
    let names = try #require(Expected.shared?.data_types)
    #expect(names.count >= 17)
    for (number, name) in names {
      let n = try #require(Int32(number))
      #expect(ONNXDataType(rawValue: n).name == name, "data type \(number)")
    }
    #expect(ONNXDataType(rawValue: 999).name == nil)
    #expect(ONNXDataType(rawValue: 999).description == "UNKNOWN(999)")
    #expect(ONNXDataType.float16.description == "FLOAT16(10)")
  }

  @Test func attributeTypeNumbersMatchOnnx() throws {
    let names = try #require(Expected.shared?.attribute_types)
    let ours: [(ONNXAttribute.Value, String)] = [
      (.float(0), "FLOAT"), (.int(0), "INT"), (.string(""), "STRING"), (.floats([]), "FLOATS"),
      (.ints([]), "INTS"), (.strings([]), "STRINGS"), (.tensors([]), "TENSORS"), (.graphs([]), "GRAPHS"),
      (.graph(ONNXGraph()), "GRAPH"), (.tensor(ONNXTensorProto(dataType: .float, dims: [])), "TENSOR"),
    ]
    for (value, name) in ours {
      #expect(names[String(value.typeNumber)] == name)
    }
  }

  @Test func decodeFromMemoryHasNoSourcePath() throws {
    let data = try #require(FileManager.default.contents(atPath: fixture("torch_legacy.onnx")))
    let model = try ONNXModel.decode(bytes: [UInt8](data))
    #expect(model.sourcePath == nil)
    #expect(model.modelDirectory == ".")
    #expect(model.graph.nodes.map(\.opType) == ["Gemm", "LeakyRelu", "Gemm"])
  }
}

// MARK: - Structural comparison against the onnx facts

func check(_ graph: ONNXGraph, _ facts: GraphFacts, in directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
  #expect(graph.name == facts.name, sourceLocation: sourceLocation)
  check(graph.inputs, facts.inputs, sourceLocation: sourceLocation)
  check(graph.outputs, facts.outputs, sourceLocation: sourceLocation)
  check(graph.valueInfo, facts.value_info, sourceLocation: sourceLocation)
  #expect(graph.nodes.count == facts.nodes.count, "nodes of \(facts.name)", sourceLocation: sourceLocation)
  for (node, nf) in zip(graph.nodes, facts.nodes) {
    #expect(node.name == nf.name, sourceLocation: sourceLocation)
    #expect(node.opType == nf.op_type, sourceLocation: sourceLocation)
    #expect(node.domain == nf.domain, sourceLocation: sourceLocation)
    #expect(node.inputs == nf.inputs, "inputs of \(nf.name)", sourceLocation: sourceLocation)
    #expect(node.outputs == nf.outputs, "outputs of \(nf.name)", sourceLocation: sourceLocation)
    #expect(node.attributes.map(\.name) == nf.attributes.map(\.name), sourceLocation: sourceLocation)
    for (attr, af) in zip(node.attributes, nf.attributes) {
      try check(attr, af, node: nf.name, in: directory, sourceLocation: sourceLocation)
    }
  }
  #expect(graph.initializers.map(\.name) == facts.initializers.map(\.name), sourceLocation: sourceLocation)
  for (tensor, tf) in zip(graph.initializers, facts.initializers) {
    try check(tensor, tf, in: directory, sourceLocation: sourceLocation)
  }
}

func check(_ infos: [ONNXValueInfo], _ facts: [ValueInfoFacts], sourceLocation: SourceLocation) {
  #expect(infos.map(\.name) == facts.map(\.name), sourceLocation: sourceLocation)
  for (info, f) in zip(infos, facts) {
    #expect(info.elemType == f.elem_type, "elem_type of \(f.name)", sourceLocation: sourceLocation)
    #expect(info.shape == f.shape.map { $0.map(\.dim) }, "shape of \(f.name)", sourceLocation: sourceLocation)
  }
}

func check(_ attr: ONNXAttribute, _ facts: AttributeFacts, node: String, in directory: String, sourceLocation: SourceLocation) throws {
  let label = "attribute \(facts.name) of \(node)"
  #expect(attr.value.typeNumber == facts.type, "\(label)", sourceLocation: sourceLocation)
  switch facts.value {
  case .float(let text):
    let v = try #require(attr.value.float, "\(label)", sourceLocation: sourceLocation)
    #expect(sameFloat(Double(v), try #require(Double(text))), "\(label)", sourceLocation: sourceLocation)
  case .int(let v): #expect(attr.value.int == v, "\(label)", sourceLocation: sourceLocation)
  case .string(let s): #expect(attr.value.string == s, "\(label)", sourceLocation: sourceLocation)
  case .floats(let texts):
    let vs = try #require(attr.value.floats, "\(label)", sourceLocation: sourceLocation)
    #expect(vs.count == texts.count, "\(label)", sourceLocation: sourceLocation)
    for (v, t) in zip(vs, texts) {
      #expect(sameFloat(Double(v), try #require(Double(t))), "\(label)", sourceLocation: sourceLocation)
    }
  case .ints(let v): #expect(attr.value.ints == v, "\(label)", sourceLocation: sourceLocation)
  case .strings(let v): #expect(attr.value.strings == v, "\(label)", sourceLocation: sourceLocation)
  case .tensor(let tf):
    let t = try #require(attr.value.tensor, "\(label)", sourceLocation: sourceLocation)
    try check(t, tf, in: directory, sourceLocation: sourceLocation)
  case .tensors(let tfs):
    let ts = try #require(attr.value.tensors, "\(label)", sourceLocation: sourceLocation)
    #expect(ts.count == tfs.count, "\(label)", sourceLocation: sourceLocation)
    for (t, tf) in zip(ts, tfs) { try check(t, tf, in: directory, sourceLocation: sourceLocation) }
  case .graph(let gf):
    let g = try #require(attr.value.graph, "\(label)", sourceLocation: sourceLocation)
    try check(g, gf, in: directory, sourceLocation: sourceLocation)
  case .graphs(let gfs):
    let gs = try #require(attr.value.graphs, "\(label)", sourceLocation: sourceLocation)
    #expect(gs.count == gfs.count, "\(label)", sourceLocation: sourceLocation)
    for (g, gf) in zip(gs, gfs) { try check(g, gf, in: directory, sourceLocation: sourceLocation) }
  case .unknown:
    #expect(attr.value == .unknown(type: facts.type), "\(label)", sourceLocation: sourceLocation)
  }
}

/// Checks a tensor's metadata, storage form and (when onnx can decode it) its values.
func check(_ tensor: ONNXTensorProto, _ facts: TensorFacts, in directory: String, sourceLocation: SourceLocation) throws {
  let label = "tensor \(facts.name)"
  #expect(tensor.name == facts.name, sourceLocation: sourceLocation)
  #expect(tensor.dataType.rawValue == facts.data_type, "\(label)", sourceLocation: sourceLocation)
  #expect(tensor.dims == facts.dims, "\(label)", sourceLocation: sourceLocation)
  switch facts.storage {
  case "raw":
    #expect(tensor.dataLocation == .inline && tensor.rawData != nil, "\(label)", sourceLocation: sourceLocation)
  case "typed":
    #expect(tensor.dataLocation == .inline && tensor.rawData == nil, "\(label)", sourceLocation: sourceLocation)
  default:
    #expect(tensor.dataLocation == .external, "\(label)", sourceLocation: sourceLocation)
    var entries: [String: String] = [:]
    for e in tensor.externalData { entries[e.key] = e.value }
    #expect(entries == facts.external_data, "\(label)", sourceLocation: sourceLocation)
  }
  try checkValues(tensor, facts, in: directory, sourceLocation: sourceLocation)
}

func checkValues(_ tensor: ONNXTensorProto, _ facts: TensorFacts, in directory: String, sourceLocation: SourceLocation) throws {
  let label = "tensor \(facts.name)"
  guard let dtypeName = facts.dtype, let values = facts.values else {
    // onnx has no plain numeric decoding we support: it must be refused, naming the tensor.
    let error = #expect(throws: ONNXFormatError.self, "\(label)", sourceLocation: sourceLocation) {
      try tensor.materialize(modelDirectory: directory)
    }
    #expect(error == .unsupportedDataType(tensor: facts.name, dataType: ONNXDataType(facts.data_type)), sourceLocation: sourceLocation)
    return
  }
  let t = try tensor.materialize(modelDirectory: directory)
  #expect(t.dtype.rawValue == dtypeName, "\(label)", sourceLocation: sourceLocation)
  #expect(t.shape == facts.dims.map { Int($0) }, "\(label)", sourceLocation: sourceLocation)
  #expect(t.count == values.count, "\(label)", sourceLocation: sourceLocation)
  if t.dtype == .int64 {
    let expected = values.map { Int64($0) }
    #expect(t.int64s == expected, "\(label)", sourceLocation: sourceLocation)
  } else {
    let got = t.doubles
    for (i, (g, e)) in zip(got, values).enumerated() {
      let want = try #require(Double(e), "\(label)[\(i)] = \(e)", sourceLocation: sourceLocation)
      #expect(sameFloat(g, want), "\(label)[\(i)]: \(g) vs \(e)", sourceLocation: sourceLocation)
    }
  }
}
