import Foundation

extension ONNXModel {
  /// Decodes an ONNX model in protobuf's JSON mapping, as
  /// `google.protobuf.json_format.MessageToJson(model)` writes it: lowerCamelCase keys, or the
  /// proto field names (`preserving_proto_field_name=True`); int64 values as strings or numbers;
  /// `bytes` fields (`rawData`, string attributes) in base64; enums by name or number; floats
  /// as numbers or `"NaN"`, `"Infinity"`, `"-Infinity"`.
  ///
  /// Syntax errors name the line and column; other errors the JSON path of the offending value
  /// (`graph.node[3].attribute[0].i`). `modelPath` names the source and becomes `sourcePath`.
  public static func decodeJSON(bytes: [UInt8], modelPath: String? = nil) throws(ONNXFormatError) -> ONNXModel {
    let label = modelPath ?? "<memory>"
    do {
      return try decode(JSONField.parse(bytes, file: label, format: "ONNX JSON"), modelPath: modelPath)
    } catch let error as ONNXFormatError {
      throw error
    } catch {
      throw .invalidJSON(path: label, format: "ONNX JSON", location: "", reason: "\(error)")
    }
  }

  private static func decode(_ model: JSONField, modelPath: String?) throws -> ONNXModel {
    let graph = try model.required("graph")
    return ONNXModel(
      irVersion: try model.optional("irVersion", "ir_version")?.int64() ?? 0,
      producerName: try model.optional("producerName", "producer_name")?.string() ?? "",
      producerVersion: try model.optional("producerVersion", "producer_version")?.string() ?? "",
      domain: try model.optional("domain")?.string() ?? "",
      modelVersion: try model.optional("modelVersion", "model_version")?.int64() ?? 0,
      docString: try model.optional("docString", "doc_string")?.string() ?? "",
      opsetImports: try model.list("opsetImport", "opset_import").map { o in
        ONNXOpsetImport(domain: try o.optional("domain")?.string() ?? "", version: try o.optional("version")?.int64() ?? 0)
      },
      graph: try graph.graphProto(depth: 0),
      metadata: try model.list("metadataProps", "metadata_props").map { try $0.keyValue() },
      sourcePath: modelPath)
  }
}

/// Turning a JSONSerialization error into a line and column of the text.
enum JSONText {
  static func reason(of error: Error) -> String {
    let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
    if let range = detail.range(of: " around character") { return String(detail[..<range.lowerBound]) }
    return detail
  }

  /// "line L, column C" for the character offset JSONSerialization reports, or "" without one.
  static func location(of error: Error, in bytes: [UInt8]) -> String {
    let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
    guard let range = detail.range(of: "around character "),
      let offset = Int(detail[range.upperBound...].prefix { $0.isNumber })
    else { return "" }
    var line = 1
    var column = 1
    for b in bytes.prefix(offset) {
      if b == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
    }
    return "line \(line), column \(column)"
  }
}

/// A parsed JSON value. Numbers keep their exact value: integers as `Int64`/`UInt64`, others as
/// the nearest `Double` (Foundation's JSONDecoder parses exactly; JSONSerialization does not).
public indirect enum JSONValue: Decodable, Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// Tries the most common kinds first (numbers fill weight lists), since every failed attempt
  /// costs an error; an integral double of 2⁵³ or more is decoded again as an exact integer.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let d = try? c.decode(Double.self) {
      if d.rounded() == d, abs(d) >= 0x1p53 {
        if let i = try? c.decode(Int64.self) {
          self = .int(i)
          return
        }
        if let u = try? c.decode(UInt64.self) {
          self = .uint(u)
          return
        }
      }
      self = d.rounded() == d && abs(d) < 0x1p53 && !(d == 0 && d.sign == .minus) ? .int(Int64(d)) : .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else if let o = try? c.decode([String: JSONValue].self) {
      self = .object(o)
    } else {
      self = .bool(try c.decode(Bool.self))
    }
  }
}

/// A value inside a JSON document with the path that leads to it, for readers of JSON model
/// formats: every accessor throws `ONNXFormatError.invalidJSON` naming the JSON path.
public struct JSONField {
  public let value: JSONValue
  /// `graph.node[3].attribute[0]`; empty at the top level.
  public let path: String
  /// The file, for messages.
  public let file: String
  /// The format's name, for messages (`ONNX JSON`).
  public let format: String

  public init(value: JSONValue, path: String = "", file: String, format: String) {
    self.value = value
    self.path = path
    self.file = file
    self.format = format
  }

  /// Parses `bytes` (an optional UTF-8 byte order mark is skipped); syntax errors name the
  /// line and column.
  public static func parse(_ bytes: [UInt8], file: String, format: String) throws -> JSONField {
    let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    do {
      return JSONField(value: try JSONDecoder().decode(JSONValue.self, from: Data(text)), file: file, format: format)
    } catch {
      var location = ""
      var reason = "the text is not valid JSON"
      do {
        _ = try JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])
      } catch {
        location = JSONText.location(of: error, in: text)
        reason = JSONText.reason(of: error)
      }
      throw ONNXFormatError.invalidJSON(path: file, format: format, location: location, reason: reason)
    }
  }

  /// An error about this value.
  public func fail(_ reason: String) -> ONNXFormatError {
    .invalidJSON(path: file, format: format, location: path.isEmpty ? "the top level" : path, reason: reason)
  }

  private func child(_ key: String, _ v: JSONValue) -> JSONField {
    JSONField(value: v, path: path.isEmpty ? key : "\(path).\(key)", file: file, format: format)
  }

  public func object() throws -> [String: JSONValue] {
    guard case .object(let o) = value else { throw fail("expected an object, found \(kind)") }
    return o
  }

  /// The member under the first of `keys` present (camelCase or proto field name); nil when
  /// absent or null.
  public func optional(_ keys: String...) throws -> JSONField? {
    let o = try object()
    for k in keys {
      if let v = o[k], !v.isNull { return child(k, v) }
    }
    return nil
  }

  public func required(_ keys: String...) throws -> JSONField {
    let o = try object()
    for k in keys {
      if let v = o[k], !v.isNull { return child(k, v) }
    }
    throw fail("the required field '\(keys[0])' is missing")
  }

  /// The elements of the list under the first of `keys` present; empty when absent.
  public func list(_ keys: String...) throws -> [JSONField] {
    let o = try object()
    for k in keys {
      guard let v = o[k], !v.isNull else { continue }
      return try child(k, v).elements()
    }
    return []
  }

  /// The elements of this value, which must be a list.
  public func elements() throws -> [JSONField] {
    guard case .array(let a) = value else { throw fail("expected a list, found \(kind)") }
    return a.enumerated().map { JSONField(value: $1, path: "\(path)[\($0)]", file: file, format: format) }
  }

  public var kind: String {
    switch value {
    case .null: "null"
    case .bool: "a boolean"
    case .int, .uint, .double: "a number"
    case .string: "a string"
    case .array: "a list"
    case .object: "an object"
    }
  }

  public func string() throws -> String {
    guard case .string(let s) = value else { throw fail("expected a string, found \(kind)") }
    return s
  }

  /// An int64: a string of digits (protobuf's JSON form) or an integral number.
  public func int64() throws -> Int64 {
    switch value {
    case .int(let i): return i
    case .uint(let u):
      guard let i = Int64(exactly: u) else { throw fail("\(u) does not fit in int64") }
      return i
    case .double(let d):
      guard let i = Int64(exactly: d) else { throw fail("expected an int64, found \(d)") }
      return i
    case .string(let s):
      guard let i = Int64(s) else { throw fail("expected an int64, found \"\(s)\"") }
      return i
    default: throw fail("expected an int64, found \(kind)")
    }
  }

  public func int32() throws -> Int32 {
    let v = try int64()
    guard let i = Int32(exactly: v) else { throw fail("\(v) does not fit in int32") }
    return i
  }

  public func uint64() throws -> UInt64 {
    switch value {
    case .uint(let u): return u
    case .string(let s):
      guard let u = UInt64(s) else { throw fail("expected a uint64, found \"\(s)\"") }
      return u
    default:
      guard let u = UInt64(exactly: try int64()) else { throw fail("expected a uint64, found a negative number") }
      return u
    }
  }

  /// A number, or `"NaN"`, `"Infinity"`, `"-Infinity"` (or a decimal string).
  public func double() throws -> Double {
    switch value {
    case .int(let i): return Double(i)
    case .uint(let u): return Double(u)
    case .double(let d): return d
    case .string(let s):
      switch s {
      case "NaN": return .nan
      case "Infinity": return .infinity
      case "-Infinity": return -.infinity
      default:
        guard let v = Double(s) else { throw fail("expected a number, found \"\(s)\"") }
        return v
      }
    default: throw fail("expected a number, found \(kind)")
    }
  }

  /// A float32 field: the float nearest to the written decimal.
  public func float() throws -> Float {
    if case .string(let s) = value, let f = Float(s) { return f }
    return Float(try double())
  }

  /// A `bytes` field: standard or URL-safe base64, padding optional.
  public func bytes() throws -> [UInt8] {
    var s = try string().replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while s.count % 4 != 0 { s += "=" }
    guard let d = Data(base64Encoded: s) else { throw fail("expected base64 bytes") }
    return [UInt8](d)
  }

  /// An enum value by name (from `names`, index = number) or by number.
  public func enumNumber(_ names: [String]) throws -> Int32 {
    if case .string(let s) = value {
      guard let i = names.firstIndex(of: s) else {
        throw fail("unknown enum value \"\(s)\" (expected one of \(names.filter { !$0.isEmpty }.joined(separator: ", ")))")
      }
      return Int32(i)
    }
    return try int32()
  }
}

extension JSONValue {
  var isNull: Bool {
    if case .null = self { return true }
    return false
  }
}

extension JSONField {
  func keyValue() throws -> ONNXKeyValue {
    ONNXKeyValue(key: try optional("key")?.string() ?? "", value: try optional("value")?.string() ?? "")
  }

  func graphProto(depth: Int) throws -> ONNXGraph {
    guard depth <= ONNXModel.maxGraphNesting else {
      throw ONNXFormatError.nestingTooDeep(path: file, limit: ONNXModel.maxGraphNesting)
    }
    return ONNXGraph(
      name: try optional("name")?.string() ?? "",
      nodes: try list("node").map { try $0.nodeProto(depth: depth) },
      initializers: try list("initializer").map { try $0.tensorProto() },
      inputs: try list("input").map { try $0.valueInfo() },
      outputs: try list("output").map { try $0.valueInfo() },
      valueInfo: try list("valueInfo", "value_info").map { try $0.valueInfo() },
      docString: try optional("docString", "doc_string")?.string() ?? "")
  }

  func nodeProto(depth: Int) throws -> ONNXNode {
    ONNXNode(
      name: try optional("name")?.string() ?? "",
      opType: try optional("opType", "op_type")?.string() ?? "",
      domain: try optional("domain")?.string() ?? "",
      inputs: try list("input").map { try $0.string() },
      outputs: try list("output").map { try $0.string() },
      attributes: try list("attribute").map { try $0.attribute(depth: depth) },
      overload: try optional("overload")?.string() ?? "",
      docString: try optional("docString", "doc_string")?.string() ?? "")
  }

  static let attributeTypes = [
    "UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS",
    "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS",
  ]

  func attribute(depth: Int) throws -> ONNXAttribute {
    var type = try optional("type")?.enumNumber(Self.attributeTypes) ?? 0
    if type == 0 {
      let present: [(String, Int32)] = [
        ("f", 1), ("i", 2), ("s", 3), ("t", 4), ("g", 5), ("floats", 6), ("ints", 7), ("strings", 8), ("tensors", 9),
        ("graphs", 10),
      ]
      for (key, number) in present where try optional(key) != nil {
        type = number
        break
      }
    }
    let value: ONNXAttribute.Value
    switch type {
    case 1: value = .float(try optional("f")?.float() ?? 0)
    case 2: value = .int(try optional("i")?.int64() ?? 0)
    case 3: value = .string(String(decoding: try optional("s")?.bytes() ?? [], as: UTF8.self))
    case 4:
      guard let t = try optional("t") else { throw fail("a TENSOR attribute without its tensor 't'") }
      value = .tensor(try t.tensorProto())
    case 5:
      guard let g = try optional("g") else { throw fail("a GRAPH attribute without its graph 'g'") }
      value = .graph(try g.graphProto(depth: depth + 1))
    case 6: value = .floats(try list("floats").map { try $0.float() })
    case 7: value = .ints(try list("ints").map { try $0.int64() })
    case 8: value = .strings(try list("strings").map { String(decoding: try $0.bytes(), as: UTF8.self) })
    case 9: value = .tensors(try list("tensors").map { try $0.tensorProto() })
    case 10: value = .graphs(try list("graphs").map { try $0.graphProto(depth: depth + 1) })
    default: value = .unknown(type: type)
    }
    let ref = try optional("refAttrName", "ref_attr_name")?.string() ?? ""
    return ONNXAttribute(name: try optional("name")?.string() ?? "", value: value, refAttrName: ref.isEmpty ? nil : ref)
  }

  func tensorProto() throws -> ONNXTensorProto {
    let location = try optional("dataLocation", "data_location")?.enumNumber(["DEFAULT", "EXTERNAL"]) ?? 0
    return ONNXTensorProto(
      name: try optional("name")?.string() ?? "",
      dataType: ONNXDataType(rawValue: try optional("dataType", "data_type")?.enumNumber(ONNXDataType.names) ?? 0),
      dims: try list("dims").map { try $0.int64() },
      rawData: try optional("rawData", "raw_data")?.bytes(),
      floatData: try list("floatData", "float_data").map { try $0.float() },
      doubleData: try list("doubleData", "double_data").map { try $0.double() },
      int32Data: try list("int32Data", "int32_data").map { try $0.int32() },
      int64Data: try list("int64Data", "int64_data").map { try $0.int64() },
      uint64Data: try list("uint64Data", "uint64_data").map { try $0.uint64() },
      stringData: try list("stringData", "string_data").map { try $0.bytes() },
      dataLocation: location == 1 ? .external : .inline,
      externalData: try list("externalData", "external_data").map { try $0.keyValue() },
      docString: try optional("docString", "doc_string")?.string() ?? "")
  }

  func valueInfo() throws -> ONNXValueInfo {
    var elemType: Int32?
    var shape: [ONNXDim]?
    if let tensor = try optional("type")?.optional("tensorType", "tensor_type") {
      elemType = try tensor.optional("elemType", "elem_type")?.enumNumber(ONNXDataType.names)
      if let s = try tensor.optional("shape") {
        shape = try s.list("dim").map { d throws -> ONNXDim in
          if let v = try d.optional("dimValue", "dim_value") {
            let n = try v.int64()
            guard n >= 0, let i = Int(exactly: n) else { return .invalid(n) }
            return .value(i)
          }
          if let p = try d.optional("dimParam", "dim_param"), case let name = try p.string(), !name.isEmpty {
            return .param(name)
          }
          return .unknown
        }
      }
    }
    return ONNXValueInfo(
      name: try optional("name")?.string() ?? "", elemType: elemType, shape: shape,
      docString: try optional("docString", "doc_string")?.string() ?? "")
  }
}

/// Telling JSON model files from binary ones by their first bytes.
public enum JSONSniff {
  /// Whether the first character that is not blank (after an optional UTF-8 byte order mark) is
  /// `{`. A protobuf ModelProto cannot start that way: `{` (0x7B) would be field 15, wire type 3,
  /// which ModelProto does not have.
  public static func isJSONObject<Bytes: Collection<UInt8>>(_ data: Bytes) -> Bool {
    var bytes = data.prefix(4096)[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return false }
    return first == UInt8(ascii: "{")
  }
}
