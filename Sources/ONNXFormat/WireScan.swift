/// A pre-pass over protobuf wire bytes that bounds subgraph nesting before protobuf-c (which
/// recurses without a limit) and our own conversion recurse into it.
///
/// It walks only the fields that can recurse in our schema — ModelProto.graph (7) →
/// GraphProto.node (1) → NodeProto.attribute (5) → AttributeProto.g (6) / graphs (11) — with an
/// explicit stack. Malformed bytes end the scan; protobuf-c then rejects them itself.
enum WireScan {
  private enum Kind { case model, graph, node, attribute }

  private static func child(of kind: Kind, field: UInt64) -> Kind? {
    switch (kind, field) {
    case (.model, 7): .graph
    case (.graph, 1): .node
    case (.node, 5): .attribute
    case (.attribute, 6), (.attribute, 11): .graph
    default: nil
    }
  }

  /// Whether graphs nest more than `limit` levels (the main graph is level 1).
  static func graphNestingExceeds(_ limit: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
    var stack: [(kind: Kind, end: Int)] = [(.model, bytes.count)]
    var graphs = 0
    var pos = 0

    func varint() -> UInt64? {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while pos < bytes.count, shift < 64 {
        let byte = bytes[pos]
        pos += 1
        result |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return result }
        shift += 7
      }
      return nil
    }

    while let top = stack.last {
      if pos >= top.end {
        guard pos == top.end else { return false }
        stack.removeLast()
        if top.kind == .graph { graphs -= 1 }
        continue
      }
      guard let tag = varint() else { return false }
      let field = tag >> 3
      switch tag & 7 {
      case 0: guard varint() != nil else { return false }
      case 1: pos += 8
      case 5: pos += 4
      case 2:
        guard let length = varint(), length <= UInt64(top.end - min(pos, top.end)) else { return false }
        let end = pos + Int(length)
        if let kind = child(of: top.kind, field: field) {
          stack.append((kind, end))
          if kind == .graph {
            graphs += 1
            if graphs > limit { return true }
          }
        } else {
          pos = end
        }
      default: return false
      }
      if pos > top.end { return false }
    }
    return false
  }
}
