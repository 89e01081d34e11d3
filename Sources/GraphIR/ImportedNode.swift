public import TensorCore

/// An attribute value of a model node, independent of the file format it came from.
public enum Attribute: Sendable {
  case int(Int)
  case float(Double)
  case string(String)
  case ints([Int])
  case floats([Double])
  case strings([String])
  case tensor(Tensor)
  /// A type the importer keeps but no lowering reads (graphs, sparse tensors…), by type name.
  case other(String)
}

/// A model node as a lowering sees it: attributes decoded, inputs already graph values.
public struct ImportedNode: Sendable {
  public var name: String
  public var opType: String
  public var domain: String
  /// The opset version of the node's domain that the model imports.
  public var opset: Int
  /// Inputs in order; nil for an omitted optional input (empty name in ONNX).
  public var inputs: [Value?]
  public var outputCount: Int
  public var attributes: [String: Attribute]

  public init(
    name: String, opType: String, domain: String, opset: Int, inputs: [Value?], outputCount: Int,
    attributes: [String: Attribute]
  ) {
    self.name = name
    self.opType = opType
    self.domain = domain
    self.opset = opset
    self.inputs = inputs
    self.outputCount = outputCount
    self.attributes = attributes
  }

  private func fail(_ reason: String) -> GraphError {
    .invalidInputs(op: opType, node: name, reason: reason)
  }

  public func int(_ key: String, default value: Int) throws -> Int {
    switch attributes[key] {
    case nil: return value
    case .int(let i): return i
    default: throw fail("attribute '\(key)' should be an int")
    }
  }

  public func float(_ key: String, default value: Double) throws -> Double {
    switch attributes[key] {
    case nil: return value
    case .float(let f): return f
    case .int(let i): return Double(i)
    default: throw fail("attribute '\(key)' should be a float")
    }
  }

  /// Input `i`, which must be present.
  public func input(_ i: Int) throws -> Value {
    guard i < inputs.count, let v = inputs[i] else {
      throw fail("input \(i) is required but missing (node has \(inputs.count) inputs)")
    }
    return v
  }

  /// Input `i` if present.
  public func optionalInput(_ i: Int) -> Value? { i < inputs.count ? inputs[i] : nil }

  /// Checks the input count is within `range`.
  public func expectInputs(_ range: ClosedRange<Int>) throws {
    guard range.contains(inputs.count) else {
      throw fail("expected \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)") inputs, got \(inputs.count)")
    }
  }
}

/// How an ONNX op type becomes graph nodes. Every op file that has an ONNX counterpart provides
/// one; the registry maps op types to them.
public protocol ONNXLowering: Sendable {
  /// ONNX op types (default domain) this lowering handles.
  static var onnxOpTypes: [String] { get }
  /// The opset versions this lowering is written against.
  static var onnxOpsets: ClosedRange<Int> { get }
  /// Emits the nodes for `node`; returns one value per ONNX output.
  static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value]
}
