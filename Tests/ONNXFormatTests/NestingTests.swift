import ONNXFormat
import Testing

/// Subgraph nesting is bounded before protobuf-c recurses, so hostile files cannot overflow the stack.
@Suite struct NestingTests {
  /// Protobuf wire bytes of a model whose graph holds `depth` graphs nested through If-style
  /// attributes: ModelProto.graph(7) → GraphProto.node(1) → NodeProto.attribute(5) → AttributeProto.g(6).
  static func nestedModel(depth: Int) -> [UInt8] {
    let opType: [UInt8] = [0x22, 2] + Array("If".utf8)  // NodeProto.op_type (4)
    let attrHead: [UInt8] = [0x0A, 11] + Array("then_branch".utf8) + [0xA0, 0x01, 5]  // name (1), type (20) = GRAPH
    let leaf: [UInt8] = [0x12, 4] + Array("leaf".utf8)  // innermost graph: only a name (2)
    // Payload lengths from the inside out, then the bytes from the outside in (linear time).
    var graphLength = [leaf.count]
    var attributeLength = [0]
    var nodeLength = [0]
    for i in 1..<max(depth, 1) {
      let a = attrHead.count + 1 + varint(graphLength[i - 1]).count + graphLength[i - 1]
      let n = opType.count + 1 + varint(a).count + a
      attributeLength.append(a)
      nodeLength.append(n)
      graphLength.append(1 + varint(n).count + n)
    }
    var out: [UInt8] = [0x08, 9]  // ir_version
    out += [0x3A] + varint(graphLength[depth - 1])  // ModelProto.graph (7)
    for i in stride(from: depth - 1, through: 1, by: -1) {
      out += [0x0A] + varint(nodeLength[i]) + opType  // GraphProto.node (1)
      out += [0x2A] + varint(attributeLength[i]) + attrHead  // NodeProto.attribute (5)
      out += [0x32] + varint(graphLength[i - 1])  // AttributeProto.g (6)
    }
    return out + leaf
  }

  @Test func nestingUpToTheLimitLoads() throws {
    let model = try ONNXModel.decode(bytes: Self.nestedModel(depth: ONNXModel.maxGraphNesting))
    var depth = 1
    var graph = model.graph
    while let inner = graph.nodes.first?[attribute: "then_branch"]?.graph {
      depth += 1
      graph = inner
    }
    #expect(depth == ONNXModel.maxGraphNesting)
    #expect(graph.name == "leaf")
  }

  @Test(arguments: [ONNXModel.maxGraphNesting + 1, 100_000])
  func deeperNestingIsRefused(depth: Int) {
    let bytes = Self.nestedModel(depth: depth)
    #expect(throws: ONNXFormatError.nestingTooDeep(path: "<memory>", limit: ONNXModel.maxGraphNesting)) {
      try ONNXModel.decode(bytes: bytes)
    }
  }

  /// A model whose one graph input has a type nested `depth` sequences deep:
  /// TypeProto.sequence_type(4) → Sequence.elem_type(1) → TypeProto …, two messages per level.
  static func nestedType(depth: Int) -> [UInt8] {
    var typeLength = [0]
    var sequenceLength = [0]
    for k in 1...depth {
      sequenceLength.append(1 + varint(typeLength[k - 1]).count + typeLength[k - 1])
      typeLength.append(1 + varint(sequenceLength[k]).count + sequenceLength[k])
    }
    var type: [UInt8] = []
    for k in stride(from: depth, through: 1, by: -1) {
      type += [0x22] + varint(sequenceLength[k]) + [0x0A] + varint(typeLength[k - 1])
    }
    let valueInfo: [UInt8] = [0x0A, 1, UInt8(ascii: "x"), 0x12] + varint(typeLength[depth]) + type  // name (1), type (2)
    let graph: [UInt8] = [0x5A] + varint(valueInfo.count) + valueInfo  // GraphProto.input (11)
    return [0x08, 9, 0x3A] + varint(graph.count) + graph
  }

  static func varint(_ v: Int) -> [UInt8] {
    var v = UInt64(v)
    var out: [UInt8] = []
    while v >= 0x80 {
      out.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    out.append(UInt8(v))
    return out
  }

  /// Our schema keeps sequence types as unknown fields, which neither the pre-pass nor
  /// protobuf-c recurse into: any depth loads (as an input of no tensor type) without recursion.
  @Test(arguments: [40, 100_000])
  func deeplyNestedSequenceTypesAreNotRecursedInto(depth: Int) throws {
    let model = try ONNXModel.decode(bytes: Self.nestedType(depth: depth))
    #expect(model.graph.inputs.map(\.name) == ["x"])
    #expect(model.graph.inputs.first?.elemType == nil)
  }

  @Test func aNULInsideANameIsRefused() {
    let name: [UInt8] = [0x12, 3, UInt8(ascii: "a"), 0, UInt8(ascii: "b")]  // GraphProto.name (2)
    #expect(throws: ONNXFormatError.nulInString(path: "<memory>", field: "graph.name")) {
      try ONNXModel.decode(bytes: [0x08, 9, 0x3A, UInt8(name.count)] + name)
    }
    // NodeProto.input (1) "x\0y", op_type (4) "Relu", inside GraphProto.node (1).
    let node: [UInt8] = [0x0A, 3, UInt8(ascii: "x"), 0, UInt8(ascii: "y"), 0x22, 4] + Array("Relu".utf8)
    let graph: [UInt8] = [0x0A, UInt8(node.count)] + node
    let error = #expect(throws: ONNXFormatError.nulInString(path: "<memory>", field: "graph.node.input")) {
      try ONNXModel.decode(bytes: [0x08, 9, 0x3A, UInt8(graph.count)] + graph)
    }
    #expect(error?.description.contains("holds a NUL byte") == true)
  }
}
