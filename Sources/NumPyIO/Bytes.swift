/// Little-endian integer access into bytes (an array, a file's memory map), bounds-checked by
/// the caller.
extension RandomAccessCollection where Element == UInt8, Index == Int {
  func le16(at i: Int) -> UInt16 {
    UInt16(self[i]) | UInt16(self[i + 1]) << 8
  }

  func le32(at i: Int) -> UInt32 {
    UInt32(le16(at: i)) | UInt32(le16(at: i + 2)) << 16
  }

  func le64(at i: Int) -> UInt64 {
    UInt64(le32(at: i)) | UInt64(le32(at: i + 4)) << 32
  }
}

/// Appending little-endian integers.
extension Array where Element == UInt8 {
  mutating func appendLE16(_ v: UInt16) {
    append(UInt8(truncatingIfNeeded: v))
    append(UInt8(truncatingIfNeeded: v >> 8))
  }

  mutating func appendLE32(_ v: UInt32) {
    appendLE16(UInt16(truncatingIfNeeded: v))
    appendLE16(UInt16(truncatingIfNeeded: v >> 16))
  }

  mutating func appendLE64(_ v: UInt64) {
    appendLE32(UInt32(truncatingIfNeeded: v))
    appendLE32(UInt32(truncatingIfNeeded: v >> 32))
  }
}

/// Hex bytes for messages: `50 4b 03 04`.
func hexBytes(_ bytes: some Collection<UInt8>) -> String {
  bytes.map { b in
    let s = String(b, radix: 16)
    return s.count == 1 ? "0" + s : s
  }.joined(separator: " ")
}
