/// Reads the members of a zip archive (stored or deflated, zip64 aware) from memory.
enum ZipReader {
  private static let max32: UInt64 = 0xFFFF_FFFF

  /// One member: its central-directory entry, zip64 fields resolved, and where its data lies.
  struct Entry {
    var name: String
    var flags: UInt16
    var method: UInt16
    var crc: UInt32
    var compressedSize: UInt64
    var size: UInt64
    var localOffset: UInt64
    /// Where the member's data starts, after its local header.
    var dataStart = 0
  }

  /// The members in central-directory order, each decompressed and CRC-checked.
  ///
  /// Refuses, before inflating anything, what numpy and CPython's `zipfile` refuse too: members
  /// whose local header disagrees with the directory (name, method, sizes) and members whose
  /// data overlap (one deflate stream listed many times: a zip bomb). `maxTotalSize` bounds the
  /// sum of the decompressed sizes the directory declares.
  static func members(_ bytes: [UInt8], maxTotalSize: UInt64 = .max) throws(ArchiveFailure)
    -> [(name: String, data: [UInt8])]
  {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(ArchiveFailure) in
        let entries = try locatedMembers(raw, maxTotalSize: maxTotalSize)
        var result: [(name: String, data: [UInt8])] = []
        for e in entries { result.append((e.name, try memberData(raw, e))) }
        return result
      }
    }.get()
  }

  /// Every member's place, checked as `members` checks them, without reading any data.
  static func locatedMembers(_ bytes: UnsafeRawBufferPointer, maxTotalSize: UInt64 = .max) throws(ArchiveFailure)
    -> [Entry]
  {
    let directory = try centralDirectory(bytes)
    var entries = try directoryEntries(bytes, directory)
    var total: UInt64 = 0
    for i in entries.indices {
      entries[i].dataStart = try checkedDataStart(bytes, entries[i], limit: directory.offset)
      total = total.addingReportingOverflow(entries[i].size).overflow ? .max : total + entries[i].size
      guard total <= maxTotalSize else {
        throw ArchiveFailure(
          message: "the members decompress to more than the \(maxTotalSize) bytes this run may use (member '\(entries[i].name)' brings the total to \(total)); raise --max-memory if the archive is genuine")
      }
    }
    let byStart = entries.sorted { $0.dataStart < $1.dataStart }
    for (a, b) in zip(byStart, byStart.dropFirst()) where UInt64(a.dataStart) + a.compressedSize > UInt64(b.localOffset) {
      throw ArchiveFailure(message: "members '\(a.name)' and '\(b.name)' overlap in the archive; each member must have its own data")
    }
    for e in entries where e.method != 0 && e.method != 8 {
      throw ArchiveFailure(message: "member '\(e.name)' uses compression method \(e.method); expected stored (0) or deflate (8)")
    }
    for e in entries where e.method == 0 && e.size != e.compressedSize {
      throw ArchiveFailure(message: "stored member '\(e.name)' has size \(e.size) but \(e.compressedSize) bytes stored")
    }
    for e in entries where e.method == 8 && e.size > e.compressedSize * 1032 + 1024 {
      // Deflate cannot expand data more than about 1032:1; a larger claim is damage, not data.
      throw ArchiveFailure(message: "member '\(e.name)': implausible size \(e.size) for \(e.compressedSize) deflated bytes")
    }
    return entries
  }

  /// The member's data, inflated if deflated, CRC-checked.
  static func memberData(_ bytes: UnsafeRawBufferPointer, _ e: Entry) throws(ArchiveFailure) -> [UInt8] {
    let payload = UnsafeRawBufferPointer(rebasing: bytes[e.dataStart..<(e.dataStart + Int(e.compressedSize))])
    let data = e.method == 0 ? Array(payload) : try Zlib.inflate(payload, expectedSize: Int(e.size))
    guard Zlib.crc32(data) == e.crc else {
      throw ArchiveFailure(message: "member '\(e.name)': CRC-32 mismatch, the data is damaged")
    }
    return data
  }

  private static func directoryEntries(_ bytes: UnsafeRawBufferPointer, _ directory: (offset: Int, size: Int, count: Int))
    throws(ArchiveFailure) -> [Entry]
  {
    var entries: [Entry] = []
    var pos = directory.offset
    let end = directory.offset + directory.size
    for index in 0..<directory.count {
      guard pos + 46 <= end, bytes.le32(at: pos) == 0x0201_4B50 else {
        throw ArchiveFailure(message: "central directory entry \(index) is missing or damaged at offset \(pos)")
      }
      let nameLength = Int(bytes.le16(at: pos + 28))
      let extraLength = Int(bytes.le16(at: pos + 30))
      let commentLength = Int(bytes.le16(at: pos + 32))
      let next = pos + 46 + nameLength + extraLength + commentLength
      guard next <= end else { throw ArchiveFailure(message: "central directory entry \(index) runs past the directory") }
      var e = Entry(
        name: String(decoding: bytes[(pos + 46)..<(pos + 46 + nameLength)], as: UTF8.self),
        flags: bytes.le16(at: pos + 8), method: bytes.le16(at: pos + 10), crc: bytes.le32(at: pos + 16),
        compressedSize: UInt64(bytes.le32(at: pos + 20)), size: UInt64(bytes.le32(at: pos + 24)),
        localOffset: UInt64(bytes.le32(at: pos + 42)))
      try readZip64Extra(bytes, from: pos + 46 + nameLength, length: extraLength, into: &e, offsetToo: true)
      guard e.flags & 1 == 0 else { throw ArchiveFailure(message: "member '\(e.name)' is encrypted") }
      entries.append(e)
      pos = next
    }
    return entries
  }

  /// Replaces the fields that hold 0xFFFFFFFF by their 64-bit values from a zip64 extra field
  /// (size, compressed size, then — in the central directory — the local header offset).
  private static func readZip64Extra(
    _ bytes: UnsafeRawBufferPointer, from start: Int, length: Int, into e: inout Entry, offsetToo: Bool
  ) throws(ArchiveFailure) {
    var extra = start
    let extraEnd = start + length
    while extra + 4 <= extraEnd {
      let id = bytes.le16(at: extra)
      let fieldLength = Int(bytes.le16(at: extra + 2))
      let body = extra + 4
      guard body + fieldLength <= extraEnd else { break }
      if id == 1 {
        var field = body
        let name = e.name
        func next64() throws(ArchiveFailure) -> UInt64 {
          guard field + 8 <= body + fieldLength else {
            throw ArchiveFailure(message: "member '\(name)': zip64 extra field is too short")
          }
          defer { field += 8 }
          return bytes.le64(at: field)
        }
        if e.size == max32 { e.size = try next64() }
        if e.compressedSize == max32 { e.compressedSize = try next64() }
        if offsetToo, e.localOffset == max32 { e.localOffset = try next64() }
      }
      extra = body + fieldLength
    }
  }

  /// Checks the member's local header against its directory entry and returns where its data
  /// starts; the data must lie before the central directory (`limit`).
  private static func checkedDataStart(_ bytes: UnsafeRawBufferPointer, _ e: Entry, limit: Int) throws(ArchiveFailure) -> Int {
    guard e.localOffset <= UInt64(limit), Int(e.localOffset) + 30 <= limit,
      bytes.le32(at: Int(e.localOffset)) == 0x0403_4B50
    else { throw ArchiveFailure(message: "member '\(e.name)': local header missing at offset \(e.localOffset)") }
    let local = Int(e.localOffset)
    let nameLength = Int(bytes.le16(at: local + 26))
    let extraLength = Int(bytes.le16(at: local + 28))
    let start = local + 30 + nameLength + extraLength
    guard start <= limit else { throw ArchiveFailure(message: "member '\(e.name)': local header runs past the data") }
    var header = Entry(
      name: String(decoding: bytes[(local + 30)..<(local + 30 + nameLength)], as: UTF8.self),
      flags: bytes.le16(at: local + 6), method: bytes.le16(at: local + 8), crc: bytes.le32(at: local + 14),
      compressedSize: UInt64(bytes.le32(at: local + 18)), size: UInt64(bytes.le32(at: local + 22)),
      localOffset: e.localOffset)
    try readZip64Extra(bytes, from: local + 30 + nameLength, length: extraLength, into: &header, offsetToo: false)
    func disagree(_ what: String, _ local: String, _ central: String) -> ArchiveFailure {
      ArchiveFailure(message: "member '\(e.name)': the local header's \(what) (\(local)) disagrees with the directory's (\(central))")
    }
    guard header.name == e.name else { throw disagree("name", "'\(header.name)'", "'\(e.name)'") }
    guard header.method == e.method else { throw disagree("compression method", "\(header.method)", "\(e.method)") }
    // With a data descriptor (flag bit 3) the local sizes and CRC may be zero; they follow the data.
    if header.flags & 8 == 0 {
      guard header.compressedSize == e.compressedSize else {
        throw disagree("compressed size", "\(header.compressedSize)", "\(e.compressedSize)")
      }
      guard header.size == e.size else { throw disagree("size", "\(header.size)", "\(e.size)") }
    }
    guard e.compressedSize <= UInt64(limit - start) else {
      throw ArchiveFailure(
        message: "member '\(e.name)': truncated, needs \(e.compressedSize) bytes of data at offset \(start), archive is shorter")
    }
    return start
  }

  /// Locates the central directory through the (zip64) end-of-central-directory record.
  private static func centralDirectory(_ bytes: UnsafeRawBufferPointer) throws(ArchiveFailure) -> (offset: Int, size: Int, count: Int) {
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
