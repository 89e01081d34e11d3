public import GraphIR
import Autodiff
import Executor
import MLPFormat
import ONNXFormat
import ONNXImport
import Ops
public import TensorCore

/// A model loaded for differentiation: its graph and what `info` reports about it.
///
/// ```swift
/// let model = try Model.load(path: "models/generator_legacy.onnx")
/// let du = try model.grad(inputs: ["coords": points], of: .init(name: "uv", component: 0), wrt: "coords")
/// ```
public struct Model: Sendable {
  public let graph: Graph
  public let summary: ModelSummary
  /// Graph inputs declared as a narrower integer type than int64 (onnxgrad computes integers in
  /// int64): the declared type's name and the values it holds. Input arrays must stay in range.
  var integerInputRanges: [String: (type: String, range: ClosedRange<Int64>)] = [:]

  public init(graph: Graph, summary: ModelSummary) {
    self.graph = graph
    self.summary = summary
  }

  /// Loads a model: ONNX protobuf (`.onnx`, with external `.onnx.data` beside it if the model
  /// refers to one), ONNX in protobuf's JSON mapping, or onnxgrad's MLP JSON — told apart by
  /// content, not by the file's extension.
  public static func load(path: String) throws -> Model {
    let (onnx, format) = try read(path: path)
    let graph = try ONNXImporter.graph(of: onnx)
    var summary = summarize(onnx, path: path, format: format)
    func describe(_ v: Value) -> ModelSummary.ValueSummary {
      let t = graph.type(of: v)
      return .init(name: graph.name(of: v), dtype: t.dtype.shortName, shape: t.dims.map(\.description))
    }
    summary.inputs = graph.inputs.map(describe)
    summary.outputs = graph.outputs.map(describe)
    var model = Model(graph: graph, summary: summary)
    model.integerInputRanges = integerRanges(onnx)
    return model
  }

  /// The declared integer graph inputs narrower than int64, with their ranges.
  static func integerRanges(_ onnx: ONNXModel) -> [String: (type: String, range: ClosedRange<Int64>)] {
    let ranges: [ONNXDataType: ClosedRange<Int64>] = [
      .int8: -128...127, .uint8: 0...255, .int16: -32768...32767, .uint16: 0...65535,
      .int32: Int64(Int32.min)...Int64(Int32.max), .uint32: 0...Int64(UInt32.max), .uint64: 0...Int64.max,
    ]
    var result: [String: (type: String, range: ClosedRange<Int64>)] = [:]
    for info in onnx.graph.inputs {
      guard let type = info.dataType, let range = ranges[type] else { continue }
      result[info.name] = (type.name ?? "\(type)", range)
    }
    return result
  }

  /// What `onnxgrad info` reports, without importing the graph: it succeeds for models with
  /// unsupported ops too and lists them. External weights are not read.
  public static func inspect(path: String) throws -> ModelSummary {
    let (onnx, format) = try read(path: path)
    return summarize(onnx, path: path, format: format)
  }

  /// The decoded model file and its format (`onnx`, `onnx-json` or `onnxgrad-mlp`).
  static func read(path: String) throws -> (ONNXModel, String) {
    let bytes = try ONNXModel.readModelFile(path: path)
    guard JSONSniff.isJSONObject(bytes) else { return (try ONNXModel.decode(bytes: bytes, modelPath: path), "onnx") }
    if MLPModel.declaresFormat(bytes) { return (try MLPModel.decode(bytes: bytes, path: path), "onnxgrad-mlp") }
    return (try ONNXModel.decodeJSON(bytes: bytes, modelPath: path), "onnx-json")
  }

  static func summarize(_ onnx: ONNXModel, path: String, format: String) -> ModelSummary {
    var histogram: [String: Int] = [:]
    for n in onnx.graph.nodes { histogram[n.opType, default: 0] += 1 }
    var parameters = 0
    for t in onnx.graph.initializers where t.dataType.tensorDType?.isFloatingPoint == true {
      parameters += (try? t.elementCount()) ?? 0
    }
    let initializerNames = Set(onnx.graph.initializers.map(\.name))
    func describe(_ info: ONNXValueInfo) -> ModelSummary.ValueSummary {
      .init(
        name: info.name, dtype: info.dataType.map { $0.tensorDType?.shortName ?? "\($0)" } ?? "?",
        shape: info.shape?.map { $0.description } ?? ["?"])
    }
    return ModelSummary(
      path: path, format: format, irVersion: Int(onnx.irVersion),
      opset: Int(onnx.opsetVersion(domain: "") ?? 0), producer: onnx.producerName,
      producerVersion: onnx.producerVersion,
      inputs: onnx.graph.inputs.filter { !initializerNames.contains($0.name) }.map(describe),
      outputs: onnx.graph.outputs.map(describe), opHistogram: histogram, parameterCount: parameters,
      unsupportedOps: ONNXImporter.unsupportedOps(of: onnx), notes: halfPrecisionNotes(onnx))
  }

  /// One note per graph input or output declared FLOAT16 or BFLOAT16: onnxgrad computes those in
  /// float32 (f2 and f4 arrays are read exactly), so results are at least as accurate as a
  /// half-precision run and can differ from one in the last bits of half precision.
  static func halfPrecisionNotes(_ onnx: ONNXModel) -> [String] {
    let declared = onnx.graph.inputs.map { ("input", $0) } + onnx.graph.outputs.map { ("output", $0) }
    return declared.compactMap { role, info in
      guard let type = info.dataType, type == .float16 || type == .bfloat16 else { return nil }
      return "\(role) '\(info.name)' is declared \(type.name ?? "\(type)"); onnxgrad computes it in float32"
    }
  }

  public var inputNames: [String] { graph.inputs.map { graph.name(of: $0) } }
  public var outputNames: [String] { graph.outputs.map { graph.name(of: $0) } }

  /// The same model computing in `dtype`: float constants and float inputs converted, and ops
  /// that name a float dtype (casts) retargeted (`--dtype f64` runs an f32 model in double).
  public func converted(to dtype: DType) throws -> Model {
    guard dtype.isFloatingPoint else { throw ONNXGradError.unsupportedModelFile("cannot run a model in \(dtype)") }
    var g = graph
    for i in g.types.indices where g.types[i].dtype.isFloatingPoint { g.types[i].dtype = dtype }
    g.nodes = g.nodes.map { node in
      if let op = node.op as? any FloatRetargetable {
        var n = node
        n.op = op.retargeted(to: dtype)
        return n
      }
      guard let c = node.op.constantValue, c.dtype.isFloatingPoint else { return node }
      var n = node
      n.op = Constant(c.converted(to: dtype))
      return n
    }
    var s = summary
    s.inputs = s.inputs.map { var v = $0; if v.dtype != "i64" { v.dtype = dtype.shortName }; return v }
    s.outputs = s.outputs.map { var v = $0; if v.dtype != "i64" { v.dtype = dtype.shortName }; return v }
    return Model(graph: g, summary: s)
  }

  /// Whether no node on the way to `outputs` mixes rows of axis 0 (so rows can run apart).
  /// Whether row b of each named output (all outputs when nil) depends only on row b of the
  /// batched inputs (axis 0), so that the batch may be computed in chunks of rows.
  public func rowsAreIndependent(outputs names: [String]? = nil) -> Bool {
    let values = names.map { $0.compactMap { graph.output(named: $0) } } ?? graph.outputs
    return rowsIndependent(outputs: values)
  }

  func rowsIndependent(outputs: [Value]) -> Bool {
    let batched = graph.inputs.filter { graph.type(of: $0).rank >= 1 }
    return (try? BatchIndependence.check(graph, batched: batched, outputs: outputs)) != nil
  }

  func input(_ name: String) throws -> Value {
    guard let v = graph.input(named: name) else { throw ONNXGradError.unknownInput(name, valid: inputNames) }
    return v
  }

  func output(_ name: String) throws -> Value {
    guard let v = graph.output(named: name) else { throw ONNXGradError.unknownOutput(name, valid: outputNames) }
    return v
  }

  /// The output called `name`, which must hold floats to have a derivative.
  func differentiableOutput(_ name: String) throws -> Value {
    let v = try output(name)
    let dtype = graph.type(of: v).dtype
    guard dtype.isFloatingPoint else {
      throw ONNXGradError.notDifferentiable(
        "output '\(name)' holds \(dtype) values (class labels, indices or flags), which have no derivative; differentiate a float output instead (the model's float outputs: \(graph.outputs.filter { graph.type(of: $0).dtype.isFloatingPoint }.map { "'\(graph.name(of: $0))'" }.joined(separator: ", ")))")
    }
    return v
  }

  /// The tensors for every graph input, in graph order, converted to the input's dtype.
  ///
  /// Float arrays are converted to the input's float dtype (f64 → f32 rounds to nearest);
  /// integer and bool arrays are refused for float inputs; float arrays for integer inputs must
  /// hold whole numbers, and arrays for a BOOL input only 0 and 1.
  public func orderedInputs(_ inputs: [String: Tensor]) throws -> [Tensor] {
    for name in inputs.keys where graph.input(named: name) == nil {
      throw ONNXGradError.unknownInput(name, valid: inputNames)
    }
    return try graph.inputs.map { v in
      let name = graph.name(of: v)
      guard let t = inputs[name] else { throw ONNXGradError.missingInput(name) }
      let type = graph.type(of: v)
      if type.dtype.isFloatingPoint && !t.dtype.isFloatingPoint {
        throw ONNXGradError.inputType(
          name: name, detail: "the model takes \(type.dtype) but the array holds integers or booleans; convert it, e.g. with a.astype(np.float32)")
      }
      let values = type.dtype == .bool && t.dtype != .bool ? t.doubles : []
      if let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
        let value = values[bad]
        throw ONNXGradError.inputType(
          name: name,
          detail: "the model declares it BOOL, which holds 0 and 1 (False and True), but the array holds \(Int64(exactly: value).map(String.init) ?? "\(value)") at flat index \(bad); convert it, e.g. with a != 0")
      }
      var converted = t.converted(to: type.dtype)
      if type.dtype == .int64 && t.dtype.isFloatingPoint {
        do {
          converted = Tensor(uncheckedShape: t.shape, storage: .int64(try t.int64Values()))
        } catch {
          throw ONNXGradError.inputType(
            name: name, detail: "the model takes integers (i64) but the array holds floats that are not all whole numbers (\(error))")
        }
      }
      if let declared = integerInputRanges[name], case .int64(let values) = converted.storage,
        let bad = values.firstIndex(where: { !declared.range.contains($0) })
      {
        throw ONNXGradError.inputType(
          name: name,
          detail: "the model declares it \(declared.type), which holds \(declared.range.lowerBound)…\(declared.range.upperBound), but the array holds \(values[bad]) at flat index \(bad)")
      }
      return converted
    }
  }
}
