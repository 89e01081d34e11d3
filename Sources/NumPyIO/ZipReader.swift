/// Reads the members of a zip archive (stored or deflated, zip64 aware) from memory.
enum ZipReader {
  private static let max32: UInt64 = 0xFFFF_FFFF

  /// The members in central-directory order, each decompressed and CRC-checked.
  static func members(_ bytes: [UInt8]) throws(ArchiveFailure) -> [(name: String, data: [UInt8])] {
    let directory = try centralDirectory(bytes)
    var result: [(name: String, data: [UInt8])] = []
    var pos = directory.offset
    let end = directory.offset + directory.size
    for index in 0..<directory.count {
      guard pos + 46 <= end, bytes.le32(at: pos) == 0x0201_4B50 else {
        throw ArchiveFailure(message: "central directory entry \(index) is missing or damaged at offset \(pos)")
      }
      let flags = bytes.le16(at: pos + 8)
      let method = bytes.le16(at: pos + 10)
      let crc = bytes.le32(at: pos + 16)
      var compressedSize = UInt64(bytes.le32(at: pos + 20))
      var size = UInt64(bytes.le32(at: pos + 24))
      let nameLength = Int(bytes.le16(at: pos + 28))
      let extraLength = Int(bytes.le16(at: pos + 30))
      let commentLength = Int(bytes.le16(at: pos + 32))
      var localOffset = UInt64(bytes.le32(at: pos + 42))
      let next = pos + 46 + nameLength + extraLength + commentLength
      guard next <= end else { throw ArchiveFailure(message: "central directory entry \(index) runs past the directory") }
      let name = String(decoding: bytes[(pos + 46)..<(pos + 46 + nameLength)], as: UTF8.self)
      // zip64 extra: the 64-bit values of those fields that hold 0xFFFFFFFF, in this order.
      var extra = pos + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let id = bytes.le16(at: extra)
        let length = Int(bytes.le16(at: extra + 2))
        let body = extra + 4
        guard body + length <= extraEnd else { break }
        if id == 1 {
          var field = body
          func next64() throws(ArchiveFailure) -> UInt64 {
            guard field + 8 <= body + length else {
              throw ArchiveFailure(message: "member '\(name)': zip64 extra field is too short")
            }
            defer { field += 8 }
            return bytes.le64(at: field)
          }
          if size == max32 { size = try next64() }
          if compressedSize == max32 { compressedSize = try next64() }
          if localOffset == max32 { localOffset = try next64() }
        }
        extra = body + length
      }
      guard flags & 1 == 0 else { throw ArchiveFailure(message: "member '\(name)' is encrypted") }
      let data = try memberData(
        bytes, name: name, method: method, localOffset: localOffset, compressedSize: compressedSize, size: size,
        limit: directory.offset)
      guard Zlib.crc32(data) == crc else {
        throw ArchiveFailure(message: "member '\(name)': CRC-32 mismatch, the data is damaged")
      }
      result.append((name, data))
      pos = next
    }
    return result
  }

  private static func memberData(
    _ bytes: [UInt8], name: String, method: UInt16, localOffset: UInt64, compressedSize: UInt64, size: UInt64,
    limit: Int
  ) throws(ArchiveFailure) -> [UInt8] {
    guard localOffset <= UInt64(limit), Int(localOffset) + 30 <= limit,
      bytes.le32(at: Int(localOffset)) == 0x0403_4B50
    else { throw ArchiveFailure(message: "member '\(name)': local header missing at offset \(localOffset)") }
    let local = Int(localOffset)
    let start = local + 30 + Int(bytes.le16(at: local + 26)) + Int(bytes.le16(at: local + 28))
    guard compressedSize <= UInt64(limit), start <= limit, Int(compressedSize) <= limit - start else {
      throw ArchiveFailure(
        message: "member '\(name)': truncated, needs \(compressedSize) bytes of data at offset \(start), archive is shorter")
    }
    let payload = bytes[start..<(start + Int(compressedSize))]
    switch method {
    case 0:
      guard size == compressedSize else {
        throw ArchiveFailure(message: "stored member '\(name)' has size \(size) but \(compressedSize) bytes stored")
      }
      return Array(payload)
    case 8:
      // Deflate cannot expand data more than about 1032:1; a larger claim is damage, not data.
      guard size <= compressedSize * 1032 + 1024 else {
        throw ArchiveFailure(message: "member '\(name)': implausible size \(size) for \(compressedSize) deflated bytes")
      }
      return try Zlib.inflate(payload, expectedSize: Int(size))
    default:
      throw ArchiveFailure(message: "member '\(name)' uses compression method \(method); expected stored (0) or deflate (8)")
    }
  }

  /// Locates the central directory through the (zip64) end-of-central-directory record.
  private static func centralDirectory(_ bytes: [UInt8]) throws(ArchiveFailure) -> (offset: Int, size: Int, count: Int) {
    guard bytes.count >= 22 else {
      throw ArchiveFailure(message: "not a zip archive (\(bytes.count) bytes, too short for an end-of-directory record)")
    }
    var eocd = -1
    var i = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 0xFFFF)
    while i >= lowest {
      if bytes.le32(at: i) == 0x0605_4B50 { eocd = i; break }
      i -= 1
    }
    guard eocd >= 0 else {
      let npy = bytes.starts(with: NPYHeader.magic) ? "; it looks like a .npy file" : ""
      throw ArchiveFailure(
        message: "not a zip archive (no end-of-central-directory record; first bytes \(hexBytes(bytes.prefix(4))))\(npy)")
    }
    var count = UInt64(bytes.le16(at: eocd + 10))
    var size = UInt64(bytes.le32(at: eocd + 12))
    var offset = UInt64(bytes.le32(at: eocd + 16))
    if eocd >= 20, bytes.le32(at: eocd - 20) == 0x0706_4B50 {
      let record64 = bytes.le64(at: eocd - 12)
      guard record64 <= UInt64(eocd - 20), Int(record64) + 56 <= eocd - 20,
        bytes.le32(at: Int(record64)) == 0x0606_4B50
      else { throw ArchiveFailure(message: "zip64 end-of-central-directory record missing or damaged") }
      let r = Int(record64)
      count = bytes.le64(at: r + 32)
      size = bytes.le64(at: r + 40)
      offset = bytes.le64(at: r + 48)
    }
    guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
      throw ArchiveFailure(message: "central directory (offset \(offset), \(size) bytes) lies outside the \(bytes.count)-byte archive")
    }
    guard count <= size / 46 else {
      throw ArchiveFailure(message: "directory claims \(count) members in \(size) bytes")
    }
    return (Int(offset), Int(size), Int(count))
  }
}
