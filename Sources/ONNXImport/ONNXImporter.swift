public import GraphIR
public import ONNXFormat
import Ops
import TensorCore

/// Lowers a decoded ONNX model to a `Graph`: initializers become constants, graph inputs
/// (those that are not initializers) become graph inputs with their declared (possibly
/// symbolic) shapes, and each node goes through the lowering its op file registers.
public enum ONNXImporter {
  static let lowerings: [String: any ONNXLowering.Type] = {
    var table: [String: any ONNXLowering.Type] = [:]
    for l in OpRegistry.onnxLowerings + OpRegistry.compositeLowerings { for op in l.onnxOpTypes { table[op] = l } }
    return table
  }()

  /// ONNX op types onnxgrad can import.
  public static var supportedOps: [String] { lowerings.keys.sorted() }

  /// Every op of `model` that has no lowering for the opset the model imports, one entry per
  /// op type (first node, count), in order of first use.
  public static func unsupportedOps(of model: ONNXModel) -> [UnsupportedOp] {
    var found: [UnsupportedOp] = []
    for (index, node) in model.graph.nodes.enumerated() {
      let domain = node.domain.isEmpty ? "ai.onnx" : node.domain
      let opset = Int(model.opsetVersion(domain: node.domain) ?? 0)
      let reason: String
      if let lowering = lowerings[node.opType], node.domain.isEmpty || node.domain == "ai.onnx" {
        guard !lowering.onnxOpsets.contains(opset) else { continue }
        reason = "supported for opsets \(lowering.onnxOpsets.lowerBound)…\(lowering.onnxOpsets.upperBound) only"
      } else {
        reason = node.domain.isEmpty || node.domain == "ai.onnx" ? "not implemented" : "ops outside the default ONNX domain are not supported"
      }
      if let i = found.firstIndex(where: { $0.opType == node.opType && $0.domain == domain }) {
        found[i].count += 1
      } else {
        let name = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
        found.append(UnsupportedOp(opType: node.opType, domain: domain, opset: opset, node: name, count: 1, reason: reason))
      }
    }
    return found
  }

  /// The graph of `model`; tensor data (external too) is read relative to `model.modelDirectory`.
  /// Nodes no graph output needs are dropped.
  public static func graph(of model: ONNXModel) throws -> Graph {
    let opset = Int(model.opsetVersion(domain: "") ?? model.opsetVersion(domain: "ai.onnx") ?? 0)
    guard opset > 0 else {
      throw ONNXImportError.invalidModel("the model imports no version of the default ONNX domain (opset_import is empty)")
    }
    let unsupported = unsupportedOps(of: model)
    guard unsupported.isEmpty else { throw ONNXImportError.unsupportedOps(unsupported, supported: supportedOps) }
    var b = GraphBuilder()
    var values: [String: Value] = [:]
    let directory = model.modelDirectory
    for initializer in model.graph.initializers {
      let t = try initializer.materialize(modelDirectory: directory)
      let v = try b.constant(t, name: initializer.name)
      b.rename(v, initializer.name)
      values[initializer.name] = v
    }
    var declared = Set<String>()
    for info in model.graph.inputs {
      guard declared.insert(info.name).inserted else {
        throw ONNXImportError.invalidModel("graph input '\(info.name)' is declared twice")
      }
      if values[info.name] == nil {
        values[info.name] = b.addInput(name: info.name, type: try tensorType(of: info, role: "input"))
      }
    }
    for (index, node) in model.graph.nodes.enumerated() {
      let name = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
      let outs = try lower(node, name: name, opset: opset, directory: directory, values: values, &b)
      for (onnxName, v) in zip(node.outputs, outs) where !onnxName.isEmpty {
        guard values[onnxName] == nil else {
          throw ONNXImportError.node(name: name, opType: node.opType, detail: "output '\(onnxName)' is already defined earlier in the graph")
        }
        values[onnxName] = v
        b.rename(v, onnxName)
      }
    }
    for info in model.graph.outputs {
      guard let v = values[info.name] else {
        throw ONNXImportError.invalidModel("graph output '\(info.name)' is not produced by any node")
      }
      b.addOutput(v, name: info.name)
    }
    let graph = b.graph.withoutDeadCode()
    try graph.verify()
    return graph
  }

  private static func lower(
    _ node: ONNXNode, name: String, opset: Int, directory: String, values: [String: Value], _ b: inout GraphBuilder
  ) throws -> [Value] {
    guard let lowering = lowerings[node.opType] else {
      throw ONNXImportError.node(name: name, opType: node.opType, detail: "no lowering (internal: the op check missed it)")
    }
    let inputs = try node.inputs.map { input -> Value? in
      if input.isEmpty { return nil }
      guard let v = values[input] else {
        throw ONNXImportError.node(name: name, opType: node.opType, detail: "input '\(input)' is not defined before this node")
      }
      return v
    }
    var attributes: [String: Attribute] = [:]
    for a in node.attributes { attributes[a.name] = try attribute(a.value, directory: directory) }
    let imported = ImportedNode(
      name: name, opType: node.opType, domain: node.domain, opset: opset, inputs: inputs,
      outputCount: node.outputs.count, attributes: attributes)
    let outs: [Value]
    do {
      outs = try lowering.lower(imported, &b)
    } catch let error as GraphError {
      throw ONNXImportError.node(name: name, opType: node.opType, detail: detail(of: error))
    }
    guard outs.count >= node.outputs.filter({ !$0.isEmpty }).count else {
      throw ONNXImportError.node(name: name, opType: node.opType, detail: "produces \(outs.count) outputs, the model expects \(node.outputs.count)")
    }
    return outs
  }

  private static func detail(of error: GraphError) -> String {
    switch error {
    case .invalidInputs(_, _, let reason): reason
    default: error.description
    }
  }

  private static func attribute(_ value: ONNXAttribute.Value, directory: String) throws -> Attribute {
    switch value {
    case .float(let f): .float(Double(f))
    case .int(let i): .int(Int(i))
    case .string(let s): .string(s)
    case .floats(let fs): .floats(fs.map(Double.init))
    case .ints(let xs): .ints(xs.map { Int($0) })
    case .strings(let ss): .strings(ss)
    case .tensor(let t): .tensor(try t.materialize(modelDirectory: directory))
    case .graph: .other("graph")
    case .tensors: .other("tensors")
    case .graphs: .other("graphs")
    case .unknown(let type): .other("attribute type \(type)")
    }
  }

  static func tensorType(of info: ONNXValueInfo, role: String) throws -> TensorType {
    guard let elem = info.dataType else {
      throw ONNXImportError.invalidModel("graph \(role) '\(info.name)' has no tensor element type")
    }
    guard let dtype = elem.tensorDType else {
      throw ONNXImportError.invalidModel("graph \(role) '\(info.name)' has element type \(elem); onnxgrad reads FLOAT, DOUBLE and INT64 inputs")
    }
    guard let shape = info.shape else {
      throw ONNXImportError.invalidModel("graph \(role) '\(info.name)' declares no shape; onnxgrad needs at least its rank")
    }
    let dims: [Dim] = shape.enumerated().map { axis, dim in
      switch dim {
      case .value(let n): .known(n)
      case .param(let p): .symbol(p)
      case .unknown: .symbol("?\(info.name).\(axis)")
      }
    }
    return TensorType(dtype, dims)
  }
}
