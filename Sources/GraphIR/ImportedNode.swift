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

  public func ints(_ key: String, default value: [Int]?) throws -> [Int]? {
    switch attributes[key] {
    case nil: return value
    case .ints(let xs): return xs
    case .int(let x): return [x]
    default: throw fail("attribute '\(key)' should be a list of ints")
    }
  }

  public func string(_ key: String, default value: String) throws -> String {
    switch attributes[key] {
    case nil: return value
    case .string(let s): return s
    default: throw fail("attribute '\(key)' should be a string")
    }
  }

  /// `axis` (negative counts from the end, ONNX style) of a value of rank `rank`, counted from
  /// the end (−1 is the last axis), so an op built with it applies unchanged to tangents that
  /// carry extra leading direction axes.
  public func axisFromEnd(_ axis: Int, rank: Int, what: String = "axis") throws -> Int {
    guard (-rank..<rank).contains(axis) else {
      throw fail("\(what) \(axis) is out of range for an input of rank \(rank) (valid: \(-rank)…\(rank - 1))")
    }
    return axis < 0 ? axis : axis - rank
  }

  /// The elements of input `i`, which must be known when the model is loaded (a constant, or
  /// computed from sizes alone, like `Shape` → `Gather`).
  public func knownInts(input i: Int, _ b: GraphBuilder, what: String) throws -> [Int] {
    let v = try input(i)
    guard let ints = b.type(of: v).knownInts else {
      throw fail("\(what) (input \(i)) must be known when the model is loaded: a constant, or computed from sizes alone; here it is \(b.type(of: v))")
    }
    return ints
  }

  /// Input `i` as a constant tensor when it is one (initializer, `Constant` or folded).
  public func constantInput(_ i: Int, _ b: GraphBuilder) -> Tensor? {
    optionalInput(i).flatMap { b.constantValue(of: $0) }
  }

  /// An error about this node.
  public func error(_ reason: String) -> GraphError { fail(reason) }

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
      let count = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
      throw fail("expected \(count) input\(range == 1...1 ? "" : "s"), got \(inputs.count)")
    }
  }
}

/// How an ONNX op type becomes graph nodes. Every op file that has an ONNX counterpart provides
/// one; the registry maps op types to them.
public protocol ONNXLowering: Sendable {
  /// ONNX op types this lowering handles, in `onnxDomain`.
  static var onnxOpTypes: [String] { get }
  /// The operator-set domain of those op types: `""` for the default (`ai.onnx`), or another
  /// such as `ai.onnx.ml`.
  static var onnxDomain: String { get }
  /// The opset versions this lowering is written against.
  static var onnxOpsets: ClosedRange<Int> { get }
  /// Emits the nodes for `node`; returns one value per ONNX output.
  static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value]
}

extension ONNXLowering {
  public static var onnxDomain: String { "" }
}
