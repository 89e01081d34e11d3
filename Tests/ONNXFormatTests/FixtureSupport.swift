import Foundation
import ONNXFormat
import TensorCore

/// The fixture folder written by tools/make_onnx_format_fixtures.py.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures").path

func fixture(_ name: String) -> String { fixturesDirectory + "/" + name }

/// expected.json: facts read back from the fixtures by the onnx Python package.
struct Expected: Decodable, Sendable {
  let models: [String: ModelFacts]
  let data_types: [String: String]
  let attribute_types: [String: String]
  /// JSON form file → the protobuf model it was written from.
  let json_forms: [String: String]

  static let shared: Expected? = {
    guard let data = FileManager.default.contents(atPath: fixture("expected.json")) else { return nil }
    return try? JSONDecoder().decode(Expected.self, from: data)
  }()

  static var modelNames: [String] { (shared?.models.keys).map { $0.sorted() } ?? [] }

  /// "model/initializer" for every initializer of every fixture model.
  static var initializerIDs: [String] {
    modelNames.flatMap { model in
      (shared?.models[model]?.graph.initializers ?? []).map { "\(model)/\($0.name)" }
    }
  }
}

struct ModelFacts: Decodable, Sendable {
  struct Opset: Decodable, Sendable { let domain: String; let version: Int64 }
  struct KeyValue: Decodable, Sendable { let key: String; let value: String }
  let ir_version: Int64
  let producer_name: String
  let producer_version: String
  let domain: String
  let model_version: Int64
  let doc_string: String
  let opset_imports: [Opset]
  let metadata: [KeyValue]
  let graph: GraphFacts
}

struct GraphFacts: Decodable, Sendable {
  let name: String
  let inputs: [ValueInfoFacts]
  let outputs: [ValueInfoFacts]
  let value_info: [ValueInfoFacts]
  let nodes: [NodeFacts]
  let initializers: [TensorFacts]
}

struct ValueInfoFacts: Decodable, Sendable {
  let name: String
  let elem_type: Int32?
  let shape: [DimFact]?
}

enum DimFact: Decodable, Equatable, Sendable {
  case value(Int)
  case param(String)
  case unknown

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .unknown
    } else if let v = try? c.decode(Int.self) {
      self = .value(v)
    } else {
      self = .param(try c.decode(String.self))
    }
  }

  var dim: ONNXDim {
    switch self {
    case .value(let v): .value(v)
    case .param(let p): .param(p)
    case .unknown: .unknown
    }
  }
}

struct NodeFacts: Decodable, Sendable {
  let name: String
  let op_type: String
  let domain: String
  let inputs: [String]
  let outputs: [String]
  let attributes: [AttributeFacts]
}

struct AttributeFacts: Decodable, Sendable {
  indirect enum Value: Sendable {
    case float(String), int(Int64), string(String), floats([String]), ints([Int64]), strings([String])
    case tensor(TensorFacts), tensors([TensorFacts]), graph(GraphFacts), graphs([GraphFacts])
    case unknown
  }
  let name: String
  let type: Int32
  let value: Value

  private enum Keys: String, CodingKey { case name, type, value }

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    name = try c.decode(String.self, forKey: .name)
    type = try c.decode(Int32.self, forKey: .type)
    switch type {
    case 1: value = .float(try c.decode(String.self, forKey: .value))
    case 2: value = .int(try c.decode(Int64.self, forKey: .value))
    case 3: value = .string(try c.decode(String.self, forKey: .value))
    case 4: value = .tensor(try c.decode(TensorFacts.self, forKey: .value))
    case 5: value = .graph(try c.decode(GraphFacts.self, forKey: .value))
    case 6: value = .floats(try c.decode([String].self, forKey: .value))
    case 7: value = .ints(try c.decode([Int64].self, forKey: .value))
    case 8: value = .strings(try c.decode([String].self, forKey: .value))
    case 9: value = .tensors(try c.decode([TensorFacts].self, forKey: .value))
    case 10: value = .graphs(try c.decode([GraphFacts].self, forKey: .value))
    default: value = .unknown
    }
  }
}

struct TensorFacts: Decodable, Sendable {
  let name: String
  let data_type: Int32
  let dims: [Int64]
  /// "raw", "typed" or "external".
  let storage: String
  let external_data: [String: String]?
  /// The TensorCore dtype the tensor must materialize as; nil when it must be refused.
  let dtype: String?
  /// Element values as Python wrote them: repr(float) or str(int).
  let values: [String]?
}

/// Bitwise equality for floats written by Python's repr (nan == nan, -0.0 ≠ 0.0).
func sameFloat(_ a: Double, _ b: Double) -> Bool {
  (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
}

/// A fresh empty folder under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("onnxformat-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}
