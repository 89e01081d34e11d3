internal import COnnxProto

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pre-pass over ModelProto wire bytes, before protobuf-c unpacks them, for what protobuf-c
/// does not check or cannot report:
///
/// - nesting: protobuf-c recurses without a limit into graphs inside attributes (the only
///   recursion our schema, proto/onnx.proto, has), so graphs deeper than a limit are refused;
/// - NUL bytes in string fields: protobuf-c hands strings over NUL-terminated, so `"a\0b"` would
///   silently become `"a"` and two names could alias one value.
///
/// The walk follows protobuf-c's own field descriptors with an explicit stack (no recursion).
/// Bytes it cannot parse end the scan without a finding; protobuf-c then rejects them itself.
enum WireScan {
  /// The first problem found, if any.
  enum Finding: Equatable {
    /// Graphs nest more than the limit (the main graph is level 1).
    case graphsTooDeep
    /// A string field holds a NUL byte; `field` is its path of field names (`graph.node.name`).
    case nulInString(field: String)
  }

  private struct Frame {
    var descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    var end: Int
    var path: String
  }

  /// Scans `bytes` as a ModelProto; graphs may nest `graphLimit` levels.
  static func check(_ bytes: UnsafeRawBufferPointer, graphLimit: Int) -> Finding? {
    withUnsafePointer(to: onnx__model_proto__descriptor) { model in
      scan(bytes, root: model, graphLimit: graphLimit)
    }
  }

  private static func scan(
    _ bytes: UnsafeRawBufferPointer, root: UnsafePointer<ProtobufCMessageDescriptor>, graphLimit: Int
  ) -> Finding? {
    var stack = [Frame(descriptor: root, end: bytes.count, path: "")]
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
    func isGraph(_ d: UnsafePointer<ProtobufCMessageDescriptor>) -> Bool {
      strcmp(d.pointee.name, "onnx.GraphProto") == 0
    }

    while let top = stack.last {
      if pos >= top.end {
        guard pos == top.end else { return nil }
        stack.removeLast()
        if isGraph(top.descriptor) { graphs -= 1 }
        continue
      }
      guard let tag = varint(), tag >> 3 <= UInt64(UInt32.max) else { return nil }
      switch tag & 7 {
      case 0: guard varint() != nil else { return nil }
      case 1: pos += 8
      case 5: pos += 4
      case 2:
        guard let length = varint(), length <= UInt64(top.end - min(pos, top.end)) else { return nil }
        let end = pos + Int(length)
        guard let field = protobuf_c_message_descriptor_get_field(top.descriptor, UInt32(tag >> 3)) else {
          pos = end
          continue
        }
        let name = String(cString: field.pointee.name)
        let path = top.path.isEmpty ? name : "\(top.path).\(name)"
        switch field.pointee.type {
        case PROTOBUF_C_TYPE_STRING:
          if UnsafeRawBufferPointer(rebasing: bytes[pos..<end]).contains(0) { return .nulInString(field: path) }
          pos = end
        case PROTOBUF_C_TYPE_MESSAGE:
          guard let child = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) else {
            pos = end
            continue
          }
          if isGraph(UnsafePointer(child)) {
            graphs += 1
            if graphs > graphLimit { return .graphsTooDeep }
          }
          stack.append(Frame(descriptor: UnsafePointer(child), end: end, path: path))
        default:
          pos = end
        }
      default: return nil
      }
      if pos > top.end { return nil }
    }
    return nil
  }
}
