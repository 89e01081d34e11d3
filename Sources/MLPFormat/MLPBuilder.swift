import Foundation
import NumPyIO
import ONNXFormat
import TensorCore

/// Reads an MLP JSON document layer by layer and emits the equivalent ONNX nodes, checking every
/// size as it goes so errors point at the layer (by JSON path) rather than at a node later.
struct MLPBuilder {
  let root: JSONField
  let directory: String
  let dtype: DType
  private(set) var nodes: [ONNXNode] = []
  private(set) var initializers: [ONNXTensorProto] = []
  private(set) var inputs: [ONNXValueInfo] = []
  private(set) var outputs: [ONNXValueInfo] = []
  /// Feature count (last axis) of every value defined so far.
  private var features: [String: Int] = [:]
  private var archive: [String: Tensor]?

  init(root: JSONField, directory: String) throws {
    self.root = root
    self.directory = directory
    let format = try root.required("format")
    guard try format.string() == MLPModel.formatName else {
      throw format.fail("expected \"\(MLPModel.formatName)\", found \"\(try format.string())\"")
    }
    let version = try root.required("version")
    guard try version.int64() == 1 else { throw version.fail("only version 1 is defined") }
    switch try root.optional("dtype")?.string() ?? "float32" {
    case "float32": dtype = .float32
    case "float64": dtype = .float64
    case let other: throw (try root.required("dtype")).fail("expected \"float32\" or \"float64\", found \"\(other)\"")
    }
  }

  func model(sourcePath: String) -> ONNXModel {
    ONNXModel(
      irVersion: 9, producerName: "onnxgrad-mlp", producerVersion: "1",
      opsetImports: [ONNXOpsetImport(domain: "", version: MLPModel.opset)],
      graph: ONNXGraph(name: "mlp", nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs),
      sourcePath: sourcePath)
  }

  private var elemType: Int32 { dtype == .float64 ? 11 : 1 }

  mutating func build() throws {
    let known: Set = ["format", "version", "dtype", "description", "weights", "inputs", "layers", "outputs"]
    for key in try root.object().keys.sorted() where !known.contains(key) {
      throw root.fail("unknown field '\(key)' (the model takes: \(known.sorted().joined(separator: ", ")))")
    }
    let declared = try root.list("inputs")
    guard !declared.isEmpty else { throw root.fail("the model needs at least one entry in \"inputs\"") }
    for field in declared {
      for key in try field.object().keys.sorted() where key != "name" && key != "features" {
        throw field.fail("an input has no field '\(key)' (it takes: name, features)")
      }
      let name = try newName(field.required("name"))
      let n = try field.required("features")
      guard (1...Int64(Self.maxFeatures)).contains(try n.int64()) else {
        throw n.fail("must be a whole number from 1 to \(Self.maxFeatures)")
      }
      let count = Int(try n.int64())
      features[name] = count
      inputs.append(ONNXValueInfo(name: name, elemType: elemType, shape: [.param("batch"), .value(count)]))
    }
    let layers = try root.list("layers")
    guard !layers.isEmpty else { throw root.fail("the model needs at least one entry in \"layers\"") }
    var previous: String? = inputs.count == 1 ? inputs[0].name : nil
    for (i, layer) in layers.enumerated() {
      let name = try layer.optional("name").map { try newName($0) } ?? "layer\(i)"
      guard features[name] == nil else { throw layer.fail("the value name '\(name)' is already taken") }
      let source: String
      if let given = try layer.optional("input") {
        source = try value(given)
      } else if let previous {
        source = previous
      } else {
        source = ""
      }
      try emit(layer, name: name, input: source)
      previous = name
    }
    let listed = try root.list("outputs")
    if listed.isEmpty {
      guard let last = previous else { throw root.fail("no layer to output") }
      outputs = [ONNXValueInfo(name: last, elemType: elemType, shape: [.param("batch"), .value(features[last] ?? 0)])]
    } else {
      var seen = Set<String>()
      outputs = try listed.map { field in
        let name = try value(field)
        guard seen.insert(name).inserted else { throw field.fail("'\(name)' is listed twice") }
        return ONNXValueInfo(name: name, elemType: elemType, shape: [.param("batch"), .value(features[name] ?? 0)])
      }
    }
  }

  /// A name for a new value: not empty, not taken.
  private func newName(_ field: JSONField) throws -> String {
    let name = try field.string()
    guard !name.isEmpty else { throw field.fail("a name may not be empty") }
    guard features[name] == nil else { throw field.fail("the value name '\(name)' is already taken") }
    return name
  }

  /// The name of an existing value.
  private func value(_ field: JSONField) throws -> String {
    let name = try field.string()
    guard features[name] != nil else {
      throw field.fail("no input or earlier layer is called '\(name)' (known: \(features.keys.sorted().joined(separator: ", ")))")
    }
    return name
  }

  // MARK: - Layers

  /// Most features a value may have (far beyond any MLP; keeps every size computation small).
  static let maxFeatures = 1 << 24

  /// The fields each layer type takes besides `type`, `name` and `input`.
  static let fields: [String: Set<String>] = [
    "linear": ["weight", "bias", "in_features", "out_features"], "leaky_relu": ["negative_slope"], "elu": ["alpha"],
    "celu": ["alpha"], "gelu": ["approximate"], "softplus": ["beta", "threshold"], "hardtanh": ["min_val", "max_val"],
    "sin": ["frequency"], "cos": ["frequency"], "scale": ["factor"], "softmax": ["dim"], "log_softmax": ["dim"],
    "layer_norm": ["weight", "bias", "eps"], "batch_norm": ["running_mean", "running_var", "weight", "bias", "eps"],
    "concat": ["inputs"], "add": ["inputs"], "mul": ["inputs"], "residual": ["from"], "dropout": ["p"],
    "relu": [], "tanh": [], "sigmoid": [], "silu": [], "exp": [], "mish": [], "softsign": [], "selu": [],
    "hardsigmoid": [], "hardswish": [], "identity": [], "relu6": [],
  ]

  private mutating func emit(_ layer: JSONField, name: String, input: String) throws {
    let type = try layer.required("type").string()
    guard let allowed = Self.fields[type] else {
      throw try layer.required("type").fail("unknown layer type \"\(type)\"; known: \(Self.fields.keys.sorted().joined(separator: ", "))")
    }
    let combining = ["concat", "add", "mul"].contains(type)
    for key in try layer.object().keys.sorted() where !allowed.contains(key) && !["type", "name"].contains(key) {
      guard key == "input" && !combining else {
        throw layer.fail("a \(type) layer has no field '\(key)' (it takes: \((["type", "name"] + (combining ? [] : ["input"]) + allowed.sorted()).joined(separator: ", ")))")
      }
    }
    func source() throws -> String {
      guard !input.isEmpty else {
        throw layer.fail("the model has several inputs: say which value this layer reads with \"input\"")
      }
      return input
    }
    let n = features[input] ?? 0
    switch type {
    case "linear":
      let x = try source()
      let w = try tensor(layer.required("weight"), name: "\(name).weight")
      guard w.rank == 2, w.shape[1] == n else {
        throw try layer.required("weight").fail("expected shape [out_features, \(n)] (PyTorch's layout; the input '\(x)' has \(n) features), got \(w.shape)")
      }
      let out = w.shape[0]
      try check(layer, "in_features", n)
      try check(layer, "out_features", out)
      var args = [x, constant(w, "\(name).weight")]
      if let b = try layer.optional("bias") {
        let bias = try tensor(b, name: "\(name).bias")
        guard bias.shape == [out] else { throw b.fail("expected shape [\(out)], got \(bias.shape)") }
        args.append(constant(bias, "\(name).bias"))
      }
      node("Gemm", args, name, ["transB": .int(1)])
      features[name] = out
    case "relu": unary("Relu", try source(), name, n)
    case "tanh": unary("Tanh", try source(), name, n)
    case "sigmoid": unary("Sigmoid", try source(), name, n)
    case "exp": unary("Exp", try source(), name, n)
    case "mish": unary("Mish", try source(), name, n)
    case "softsign": unary("Softsign", try source(), name, n)
    case "selu": unary("Selu", try source(), name, n)
    case "identity", "dropout": unary("Identity", try source(), name, n)
    case "hardswish": unary("HardSwish", try source(), name, n)
    case "hardsigmoid":
      unary("HardSigmoid", try source(), name, n, ["alpha": .float(1.0 / 6), "beta": .float(0.5)])
    case "leaky_relu":
      unary("LeakyRelu", try source(), name, n, ["alpha": .float(Float(try number(layer, "negative_slope", 0.01)))])
    case "elu": unary("Elu", try source(), name, n, ["alpha": .float(Float(try number(layer, "alpha", 1)))])
    case "celu": unary("Celu", try source(), name, n, ["alpha": .float(Float(try number(layer, "alpha", 1)))])
    case "gelu":
      let approximate = try layer.optional("approximate")?.string() ?? "none"
      guard ["none", "tanh"].contains(approximate) else {
        throw try layer.required("approximate").fail("expected \"none\" or \"tanh\", found \"\(approximate)\"")
      }
      unary("Gelu", try source(), name, n, ["approximate": .string(approximate)])
    case "silu":
      let x = try source()
      node("Sigmoid", [x], "\(name)/sigmoid")
      node("Mul", [x, "\(name)/sigmoid"], name)
      features[name] = n
    case "softplus":
      try softplus(layer, try source(), name, n)
    case "hardtanh", "relu6":
      let low = type == "relu6" ? 0 : try number(layer, "min_val", -1)
      let high = type == "relu6" ? 6 : try number(layer, "max_val", 1)
      guard low <= high else { throw layer.fail("min_val \(low) is above max_val \(high)") }
      node("Clip", [try source(), scalar(low, "\(name).min"), scalar(high, "\(name).max")], name)
      features[name] = n
    case "sin", "cos":
      let frequency = try number(layer, "frequency", 1)
      var x = try source()
      if frequency != 1 {
        node("Mul", [x, scalar(frequency, "\(name).frequency")], "\(name)/scaled")
        x = "\(name)/scaled"
      }
      unary(type == "sin" ? "Sin" : "Cos", x, name, n)
    case "scale":
      node("Mul", [try source(), scalar(try number(layer, "factor", nil), "\(name).factor")], name)
      features[name] = n
    case "softmax", "log_softmax":
      let dim = try layer.optional("dim")?.int64() ?? -1
      guard dim == -1 || dim == 1 else { throw try layer.required("dim").fail("only the feature axis (1 or -1) is supported") }
      unary(type == "softmax" ? "Softmax" : "LogSoftmax", try source(), name, n, ["axis": .int(-1)])
    case "layer_norm":
      let x = try source()
      let weight = try layer.optional("weight").map { try vector($0, "\(name).weight", n) } ?? ones(n, "\(name).weight")
      let bias = try layer.optional("bias").map { try vector($0, "\(name).bias", n) } ?? zeros(n, "\(name).bias")
      node("LayerNormalization", [x, weight, bias], name, ["axis": .int(-1), "epsilon": .float(Float(try number(layer, "eps", 1e-5)))])
      features[name] = n
    case "batch_norm":
      let x = try source()
      let mean = try vector(layer.required("running_mean"), "\(name).running_mean", n)
      let variance = try vector(layer.required("running_var"), "\(name).running_var", n)
      let weight = try layer.optional("weight").map { try vector($0, "\(name).weight", n) } ?? ones(n, "\(name).weight")
      let bias = try layer.optional("bias").map { try vector($0, "\(name).bias", n) } ?? zeros(n, "\(name).bias")
      node("BatchNormalization", [x, weight, bias, mean, variance], name, ["epsilon": .float(Float(try number(layer, "eps", 1e-5)))])
      features[name] = n
    case "concat":
      let parts = try layer.list("inputs").map { try value($0) }
      guard parts.count >= 2 else { throw layer.fail("\"inputs\" must name at least two values to concatenate") }
      let width = parts.reduce(0) { $0 + (features[$1] ?? 0) }
      guard width <= Self.maxFeatures else { throw layer.fail("the concatenation has \(width) features, more than \(Self.maxFeatures)") }
      node("Concat", parts, name, ["axis": .int(-1)])
      features[name] = width
    case "add", "mul":
      let fields = try layer.list("inputs")
      let parts = try fields.map { try value($0) }
      guard parts.count >= 2 else { throw layer.fail("\"inputs\" must name at least two values") }
      try sameFeatures(parts, fields)
      var acc = parts[0]
      for (k, part) in parts.enumerated().dropFirst() {
        let out = k == parts.count - 1 ? name : "\(name)/\(k)"
        node(type == "add" ? "Add" : "Mul", [acc, part], out)
        acc = out
      }
      features[name] = features[parts[0]]
    case "residual":
      let x = try source()
      let fromField = try layer.required("from")
      let from = try value(fromField)
      try sameFeatures([x, from], [layer, fromField])
      node("Add", [x, from], name)
      features[name] = n
    default:
      throw try layer.required("type").fail("unknown layer type \"\(type)\"")
    }
  }

  /// torch.nn.Softplus: `x` where `β·x > threshold`, else `log(1 + e^{βx}) / β`.
  private mutating func softplus(_ layer: JSONField, _ x: String, _ name: String, _ n: Int) throws {
    let beta = try number(layer, "beta", 1)
    let threshold = try number(layer, "threshold", 20)
    guard beta != 0 else { throw try layer.required("beta").fail("must not be 0") }
    var scaled = x
    if beta != 1 {
      node("Mul", [x, scalar(beta, "\(name).beta")], "\(name)/scaled")
      scaled = "\(name)/scaled"
    }
    node("Softplus", [scaled], "\(name)/softplus")
    var smooth = "\(name)/softplus"
    if beta != 1 {
      node("Div", [smooth, scalar(beta, "\(name).beta")], "\(name)/unscaled")
      smooth = "\(name)/unscaled"
    }
    node("Greater", [scaled, scalar(threshold, "\(name).threshold")], "\(name)/linear")
    node("Where", ["\(name)/linear", x, smooth], name)
    features[name] = n
  }

  private func sameFeatures(_ names: [String], _ fields: [JSONField]) throws {
    for (name, field) in zip(names, fields) where features[name] != features[names[0]] {
      throw field.fail("'\(name)' has \(features[name] ?? 0) features but '\(names[0])' has \(features[names[0]] ?? 0)")
    }
  }

  private func check(_ layer: JSONField, _ key: String, _ expected: Int) throws {
    guard let field = try layer.optional(key) else { return }
    guard try field.int64() == expected else { throw field.fail("says \(try field.int64()), but the weight gives \(expected)") }
  }

  private func number(_ layer: JSONField, _ key: String, _ fallback: Double?) throws -> Double {
    guard let field = try layer.optional(key) else {
      guard let fallback else { throw layer.fail("the required field '\(key)' is missing") }
      return fallback
    }
    let v = try field.double()
    guard v.isFinite else { throw field.fail("must be a finite number") }
    return v
  }

  private mutating func unary(_ op: String, _ x: String, _ name: String, _ n: Int, _ attributes: [String: ONNXAttribute.Value] = [:]) {
    node(op, [x], name, attributes)
    features[name] = n
  }

  private mutating func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [String: ONNXAttribute.Value] = [:]) {
    nodes.append(
      ONNXNode(
        name: "\(output)/\(op)", opType: op, inputs: inputs, outputs: [output],
        attributes: attributes.sorted { $0.key < $1.key }.map { ONNXAttribute(name: $0.key, value: $0.value) }))
  }

  // MARK: - Weights

  private mutating func constant(_ t: Tensor, _ name: String) -> String {
    initializers.append(ONNXTensorProto(t.converted(to: dtype), name: name))
    return name
  }

  private mutating func scalar(_ v: Double, _ name: String) -> String {
    if initializers.contains(where: { $0.name == name }) { return name }
    return constant(Tensor.scalar(v, dtype: dtype), name)
  }

  private mutating func ones(_ n: Int, _ name: String) -> String { constant(Tensor.filled(1, shape: [n], dtype: dtype), name) }
  private mutating func zeros(_ n: Int, _ name: String) -> String { constant(Tensor.filled(0, shape: [n], dtype: dtype), name) }

  private mutating func vector(_ field: JSONField, _ name: String, _ n: Int) throws -> String {
    let t = try tensor(field, name: name)
    guard t.shape == [n] else { throw field.fail("expected shape [\(n)], got \(t.shape)") }
    return constant(t, name)
  }

  /// A weight: nested lists of numbers, the name of an array in the `weights` archive, or
  /// `{"file": "w.npy"}` / `{"file": "w.npz", "array": "name"}` beside the model.
  private mutating func tensor(_ field: JSONField, name: String) throws -> Tensor {
    if case .array = field.value { return try inline(field) }
    if case .string = field.value {
      let key = try field.string()
      let arrays = try defaultArchive(for: field)
      guard let t = arrays[key] else {
        throw field.fail("the weights archive has no array '\(key)' (it has: \(arrays.keys.sorted().joined(separator: ", ")))")
      }
      return try floats(t, field)
    }
    let file = try field.required("file")
    let path = try resolve(file)
    if path.hasSuffix(".npz") {
      let arrayField = try field.required("array")
      let key = try arrayField.string()
      let members = try NPZ.read(path)
      guard let t = members.first(where: { $0.name == key })?.tensor else {
        throw arrayField.fail("'\(try file.string())' has no array '\(key)'")
      }
      return try floats(t, field)
    }
    return try floats(try NPY.read(path), field)
  }

  private mutating func defaultArchive(for field: JSONField) throws -> [String: Tensor] {
    if let archive { return archive }
    guard let file = try root.optional("weights") else {
      throw field.fail("names an array, but the model has no \"weights\" archive")
    }
    var arrays: [String: Tensor] = [:]
    for member in try NPZ.read(try resolve(file)) { arrays[member.name] = member.tensor }
    archive = arrays
    return arrays
  }

  private func floats(_ t: Tensor, _ field: JSONField) throws -> Tensor {
    guard t.dtype.isFloatingPoint else { throw field.fail("the array holds \(t.dtype), expected floats") }
    return t
  }

  /// A file beside the model: a relative path that stays inside the model's folder (also
  /// through symbolic links).
  private func resolve(_ field: JSONField) throws -> String {
    let relative = try field.string()
    guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
      throw field.fail("'\(relative)' must be a relative path inside the model's folder")
    }
    let path = directory + "/" + relative
    let folder = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    guard target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
      throw field.fail("'\(relative)' leads outside the model's folder")
    }
    return path
  }

  /// Nested lists of numbers as a tensor (f64), checking that every list at one depth has the
  /// same length.
  private func inline(_ field: JSONField) throws -> Tensor {
    var shape: [Int] = []
    var level: [JSONField] = [field]
    while let first = level.first, case .array = first.value {
      var next: [JSONField] = []
      var length: Int?
      for f in level {
        guard case .array = f.value else { throw f.fail("expected a list here (the nesting is ragged)") }
        let items = try f.elements()
        if let length, items.count != length {
          throw f.fail("has \(items.count) elements where its siblings have \(length)")
        }
        length = items.count
        next += items
      }
      shape.append(length ?? 0)
      level = next
      if length == 0 { break }
    }
    let values = try level.map { try $0.double() }
    guard values.count == shape.reduce(1, *) else { throw field.fail("ragged nesting") }
    return Tensor(uncheckedShape: shape, storage: .float64(values))
  }
}

