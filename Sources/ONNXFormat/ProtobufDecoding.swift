// With WireScan.swift (its pre-pass), the only file in onnxgrad that sees the protobuf-c API: it unpacks a ModelProto, copies
// everything we use into the Swift structs, and frees the C message.

import Foundation
import TensorCore
internal import COnnxProto

extension ONNXModel {
  /// How many subgraph levels (graph attributes inside graphs) a model may nest.
  public static let maxGraphNesting = 32

  /// Reads and decodes the ONNX model at `path`: protobuf, or protobuf's JSON mapping when the
  /// file's first non-blank character is `{` (chosen by content, not by extension).
  public static func load(path: String) throws(ONNXFormatError) -> ONNXModel {
    let data = try readModelFile(path: path)
    if JSONSniff.isJSONObject(data) { return try decodeJSON(bytes: data, modelPath: path) }
    return try data.withUnsafeBytes { buffer in
      Result { () throws(ONNXFormatError) in try decode(buffer: buffer, modelPath: path) }
    }.get()
  }

  /// The bytes of the model file at `path`, which must lead (through any links) to a regular
  /// file that fits in a quarter of this machine's memory.
  public static func readModelFile(path: String) throws(ONNXFormatError) -> [UInt8] {
    do {
      return try RegularFile.read(path, expecting: "a model file", maxBytes: ShapeSize.memoryBudget / 4)
    } catch {
      throw .cannotRead(path: path, reason: error.reason)
    }
  }

  /// Decodes ONNX protobuf bytes; `modelPath` names the source in errors and becomes `sourcePath`.
  public static func decode(bytes: [UInt8], modelPath: String? = nil) throws(ONNXFormatError) -> ONNXModel {
    try bytes.withUnsafeBytes { buffer in
      Result { () throws(ONNXFormatError) in try decode(buffer: buffer, modelPath: modelPath) }
    }.get()
  }

  private static func decode(buffer: UnsafeRawBufferPointer, modelPath: String?) throws(ONNXFormatError) -> ONNXModel {
    let label = modelPath ?? "<memory>"
    guard let base = buffer.baseAddress, buffer.count > 0 else { throw .emptyFile(path: label) }
    switch WireScan.check(buffer, graphLimit: maxGraphNesting) {
    case nil: break
    case .graphsTooDeep: throw .nestingTooDeep(path: label, limit: maxGraphNesting)
    case .nulInString(let field): throw .nulInString(path: label, field: field)
    }
    let unpacked = onnx__model_proto__unpack(nil, buffer.count, base.assumingMemoryBound(to: UInt8.self))
    guard let message = unpacked else { throw .notAModel(path: label, byteCount: buffer.count) }
    defer { onnx__model_proto__free_unpacked(message, nil) }

    let m = message.pointee
    guard let graph = m.graph else { throw .missingGraph(path: label) }
    return ONNXModel(
      irVersion: m.has_ir_version != 0 ? m.ir_version : 0,
      producerName: string(m.producer_name),
      producerVersion: string(m.producer_version),
      domain: string(m.domain),
      modelVersion: m.has_model_version != 0 ? m.model_version : 0,
      docString: string(m.doc_string),
      opsetImports: messages(m.n_opset_import, m.opset_import) {
        ONNXOpsetImport(domain: string($0.domain), version: $0.has_version != 0 ? $0.version : 0)
      },
      graph: convert(graph.pointee),
      metadata: messages(m.n_metadata_props, m.metadata_props, convert),
      sourcePath: modelPath)
  }
}

// MARK: - Conversions (C message → Swift value)

private func string(_ p: UnsafeMutablePointer<CChar>?) -> String {
  guard let p else { return "" }
  return String(cString: p)
}

private func bytes(_ b: ProtobufCBinaryData) -> [UInt8] {
  guard b.len > 0, let data = b.data else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: b.len))
}

private func array<T>(_ n: Int, _ p: UnsafeMutablePointer<T>?) -> [T] {
  guard n > 0, let p else { return [] }
  return Array(UnsafeBufferPointer(start: p, count: n))
}

/// Converts a repeated message field, skipping NULL slots (protobuf-c never writes them).
private func messages<T, R>(
  _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ convert: (T) -> R
) -> [R] {
  guard n > 0, let p else { return [] }
  var out = [R]()
  out.reserveCapacity(n)
  for i in 0..<n {
    if let element = p[i] { out.append(convert(element.pointee)) }
  }
  return out
}

private func strings(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
  guard n > 0, let p else { return [] }
  return (0..<n).map { string(p[$0]) }
}

private func convert(_ e: Onnx__StringStringEntryProto) -> ONNXKeyValue {
  ONNXKeyValue(key: string(e.key), value: string(e.value))
}

private func convert(_ g: Onnx__GraphProto) -> ONNXGraph {
  ONNXGraph(
    name: string(g.name),
    nodes: messages(g.n_node, g.node, convert),
    initializers: messages(g.n_initializer, g.initializer, convert),
    inputs: messages(g.n_input, g.input, convert),
    outputs: messages(g.n_output, g.output, convert),
    valueInfo: messages(g.n_value_info, g.value_info, convert),
    docString: string(g.doc_string))
}

private func convert(_ n: Onnx__NodeProto) -> ONNXNode {
  ONNXNode(
    name: string(n.name),
    opType: string(n.op_type),
    domain: string(n.domain),
    inputs: strings(n.n_input, n.input),
    outputs: strings(n.n_output, n.output),
    attributes: messages(n.n_attribute, n.attribute, convert),
    overload: string(n.overload),
    docString: string(n.doc_string))
}

private func convert(_ a: Onnx__AttributeProto) -> ONNXAttribute {
  var type = a.has_type != 0 ? Int32(truncatingIfNeeded: a.type.rawValue) : 0
  if type == 0 {
    // IR < 0.0.2 files have no `type`: infer it from the field that is set, as onnx does.
    if a.has_f != 0 { type = 1 }
    else if a.has_i != 0 { type = 2 }
    else if a.has_s != 0 { type = 3 }
    else if a.t != nil { type = 4 }
    else if a.g != nil { type = 5 }
    else if a.n_floats > 0 { type = 6 }
    else if a.n_ints > 0 { type = 7 }
    else if a.n_strings > 0 { type = 8 }
    else if a.n_tensors > 0 { type = 9 }
    else if a.n_graphs > 0 { type = 10 }
  }
  let value: ONNXAttribute.Value
  switch type {
  case 1: value = .float(a.f)
  case 2: value = .int(a.i)
  case 3: value = .string(String(decoding: bytes(a.s), as: UTF8.self))
  case 4:
    // A TENSOR attribute without its tensor is malformed; keep it as unknown rather than trap.
    if let t = a.t { value = .tensor(convert(t.pointee)) } else { value = .unknown(type: type) }
  case 5:
    if let g = a.g { value = .graph(convert(g.pointee)) } else { value = .unknown(type: type) }
  case 6: value = .floats(array(a.n_floats, a.floats))
  case 7: value = .ints(array(a.n_ints, a.ints))
  case 8: value = .strings(array(a.n_strings, a.strings).map { String(decoding: bytes($0), as: UTF8.self) })
  case 9: value = .tensors(messages(a.n_tensors, a.tensors, convert))
  case 10: value = .graphs(messages(a.n_graphs, a.graphs, convert))
  default: value = .unknown(type: type)
  }
  let ref = string(a.ref_attr_name)
  return ONNXAttribute(name: string(a.name), value: value, refAttrName: ref.isEmpty ? nil : ref)
}

private func convert(_ v: Onnx__ValueInfoProto) -> ONNXValueInfo {
  var elemType: Int32?
  var shape: [ONNXDim]?
  if let type = v.type, type.pointee.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
    let tensor = type.pointee.tensor_type
  {
    let t = tensor.pointee
    if t.has_elem_type != 0 { elemType = t.elem_type }
    if let s = t.shape {
      shape = messages(s.pointee.n_dim, s.pointee.dim) { d -> ONNXDim in
        switch d.value_case {
        case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE:
          if d.dim_value >= 0, let v = Int(exactly: d.dim_value) { return .value(v) }
          return .invalid(d.dim_value)
        case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM:
          let p = string(d.dim_param)
          return p.isEmpty ? .unknown : .param(p)
        default: return .unknown
        }
      }
    }
  }
  return ONNXValueInfo(name: string(v.name), elemType: elemType, shape: shape, docString: string(v.doc_string))
}

private func convert(_ t: Onnx__TensorProto) -> ONNXTensorProto {
  ONNXTensorProto(
    name: string(t.name),
    dataType: ONNXDataType(rawValue: t.has_data_type != 0 ? t.data_type : 0),
    dims: array(t.n_dims, t.dims),
    rawData: t.has_raw_data != 0 ? bytes(t.raw_data) : nil,
    floatData: array(t.n_float_data, t.float_data),
    doubleData: array(t.n_double_data, t.double_data),
    int32Data: array(t.n_int32_data, t.int32_data),
    int64Data: array(t.n_int64_data, t.int64_data),
    uint64Data: array(t.n_uint64_data, t.uint64_data),
    stringData: array(t.n_string_data, t.string_data).map(bytes),
    dataLocation: t.has_data_location != 0 && t.data_location.rawValue == 1 ? .external : .inline,
    externalData: messages(t.n_external_data, t.external_data, convert),
    docString: string(t.doc_string))
}
