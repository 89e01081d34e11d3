/// An ONNX model as read from a `.onnx` file (or its JSON form): plain values, no C pointers.
///
/// Only the parts of `ModelProto` onnxgrad uses are kept; unknown fields are dropped.
public struct ONNXModel: Sendable, Equatable {
  public var irVersion: Int64
  public var producerName: String
  public var producerVersion: String
  public var domain: String
  public var modelVersion: Int64
  public var docString: String
  public var opsetImports: [ONNXOpsetImport]
  public var graph: ONNXGraph
  /// `metadata_props`, in file order.
  public var metadata: [ONNXKeyValue]
  /// The file the model was read from, when known; external data is resolved next to it.
  public var sourcePath: String?

  public init(
    irVersion: Int64 = 0, producerName: String = "", producerVersion: String = "",
    domain: String = "", modelVersion: Int64 = 0, docString: String = "",
    opsetImports: [ONNXOpsetImport] = [], graph: ONNXGraph, metadata: [ONNXKeyValue] = [],
    sourcePath: String? = nil
  ) {
    self.irVersion = irVersion
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.domain = domain
    self.modelVersion = modelVersion
    self.docString = docString
    self.opsetImports = opsetImports
    self.graph = graph
    self.metadata = metadata
    self.sourcePath = sourcePath
  }

  /// The folder external data is resolved against: the folder of `sourcePath`, else `.`.
  public var modelDirectory: String {
    guard let path = sourcePath, let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// The opset version imported for `domain` (`""` and `"ai.onnx"` are the same default domain).
  public func opsetVersion(domain: String = "") -> Int64? {
    let wanted = domain == "ai.onnx" ? "" : domain
    return opsetImports.last { ($0.domain == "ai.onnx" ? "" : $0.domain) == wanted }?.version
  }
}

/// One `opset_import` entry: an operator-set domain (`""` is the default `ai.onnx`) and version.
public struct ONNXOpsetImport: Sendable, Equatable, Hashable {
  public var domain: String
  public var version: Int64
  public init(domain: String, version: Int64) {
    self.domain = domain
    self.version = version
  }
}

/// A `StringStringEntryProto`: model metadata and external-data entries.
public struct ONNXKeyValue: Sendable, Equatable, Hashable {
  public var key: String
  public var value: String
  public init(key: String, value: String) {
    self.key = key
    self.value = value
  }
}

/// A `GraphProto`: nodes in file order, initializers, and typed inputs/outputs.
public struct ONNXGraph: Sendable, Equatable {
  public var name: String
  public var nodes: [ONNXNode]
  public var initializers: [ONNXTensorProto]
  /// Graph inputs; in older models this list also names the initializers.
  public var inputs: [ONNXValueInfo]
  public var outputs: [ONNXValueInfo]
  public var valueInfo: [ONNXValueInfo]
  public var docString: String

  public init(
    name: String = "", nodes: [ONNXNode] = [], initializers: [ONNXTensorProto] = [],
    inputs: [ONNXValueInfo] = [], outputs: [ONNXValueInfo] = [], valueInfo: [ONNXValueInfo] = [],
    docString: String = ""
  ) {
    self.name = name
    self.nodes = nodes
    self.initializers = initializers
    self.inputs = inputs
    self.outputs = outputs
    self.valueInfo = valueInfo
    self.docString = docString
  }

  /// The initializer called `name`, if any.
  public func initializer(named name: String) -> ONNXTensorProto? {
    initializers.first { $0.name == name }
  }
}

/// A `NodeProto`.
public struct ONNXNode: Sendable, Equatable {
  public var name: String
  public var opType: String
  /// Operator domain; `""` is the default `ai.onnx` domain.
  public var domain: String
  /// Input value names in order; `""` marks an omitted optional input and is kept.
  public var inputs: [String]
  /// Output value names in order; `""` marks an unused optional output.
  public var outputs: [String]
  /// Attributes in file order.
  public var attributes: [ONNXAttribute]
  public var overload: String
  public var docString: String

  public init(
    name: String = "", opType: String, domain: String = "", inputs: [String] = [],
    outputs: [String] = [], attributes: [ONNXAttribute] = [], overload: String = "",
    docString: String = ""
  ) {
    self.name = name
    self.opType = opType
    self.domain = domain
    self.inputs = inputs
    self.outputs = outputs
    self.attributes = attributes
    self.overload = overload
    self.docString = docString
  }

  /// The first attribute called `name`, if any.
  public func attribute(named name: String) -> ONNXAttribute? {
    attributes.first { $0.name == name }
  }

  /// The value of the attribute called `name`, if any.
  public subscript(attribute name: String) -> ONNXAttribute.Value? {
    attribute(named: name)?.value
  }
}

/// An `AttributeProto`: a name and one typed value.
public struct ONNXAttribute: Sendable, Equatable {
  /// The attribute's value, by `AttributeProto.type`.
  public indirect enum Value: Sendable, Equatable {
    case float(Float)
    case int(Int64)
    /// `s`, decoded as UTF-8 (invalid sequences are replaced).
    case string(String)
    case tensor(ONNXTensorProto)
    case graph(ONNXGraph)
    case floats([Float])
    case ints([Int64])
    case strings([String])
    case tensors([ONNXTensorProto])
    case graphs([ONNXGraph])
    /// A type we do not read (sparse tensors, type protos, or a number newer than this file),
    /// kept with its `AttributeProto.AttributeType` number so importers can report it.
    case unknown(type: Int32)

    public var float: Float? { if case .float(let v) = self { v } else { nil } }
    public var int: Int64? { if case .int(let v) = self { v } else { nil } }
    public var string: String? { if case .string(let v) = self { v } else { nil } }
    public var tensor: ONNXTensorProto? { if case .tensor(let v) = self { v } else { nil } }
    public var graph: ONNXGraph? { if case .graph(let v) = self { v } else { nil } }
    public var floats: [Float]? { if case .floats(let v) = self { v } else { nil } }
    public var ints: [Int64]? { if case .ints(let v) = self { v } else { nil } }
    public var strings: [String]? { if case .strings(let v) = self { v } else { nil } }
    public var tensors: [ONNXTensorProto]? { if case .tensors(let v) = self { v } else { nil } }
    public var graphs: [ONNXGraph]? { if case .graphs(let v) = self { v } else { nil } }

    /// The `AttributeProto.AttributeType` number of this value.
    public var typeNumber: Int32 {
      switch self {
      case .float: 1
      case .int: 2
      case .string: 3
      case .tensor: 4
      case .graph: 5
      case .floats: 6
      case .ints: 7
      case .strings: 8
      case .tensors: 9
      case .graphs: 10
      case .unknown(let type): type
      }
    }
  }

  public var name: String
  public var value: Value
  /// Set inside function bodies: the attribute refers to the caller's attribute of this name.
  public var refAttrName: String?

  public init(name: String, value: Value, refAttrName: String? = nil) {
    self.name = name
    self.value = value
    self.refAttrName = refAttrName
  }
}

/// One dimension of a declared shape.
public enum ONNXDim: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// A fixed size.
  case value(Int)
  /// A named symbolic size (`batch`, `s0`, …).
  case param(String)
  /// Neither set: an anonymous unknown size.
  case unknown
  /// A `dim_value` that is no size (negative, or past `Int`): kept so that importing the model
  /// can refuse it by name instead of reading it as unknown.
  case invalid(Int64)

  public var description: String {
    switch self {
    case .value(let v): "\(v)"
    case .param(let p): p
    case .unknown: "?"
    case .invalid(let v): "\(v)"
    }
  }
}

/// A `ValueInfoProto`: a value's name and, for tensors, its element type and shape.
public struct ONNXValueInfo: Sendable, Equatable {
  public var name: String
  /// The `TensorProto.DataType` number, or nil when the type is absent or not a tensor.
  public var elemType: Int32?
  /// The declared shape, or nil when the rank is unknown (or the value is not a tensor).
  public var shape: [ONNXDim]?
  public var docString: String

  public init(name: String, elemType: Int32? = nil, shape: [ONNXDim]? = nil, docString: String = "") {
    self.name = name
    self.elemType = elemType
    self.shape = shape
    self.docString = docString
  }

  /// `elemType` as an `ONNXDataType`.
  public var dataType: ONNXDataType? { elemType.map(ONNXDataType.init(rawValue:)) }
}
