/// Writes a zip archive of stored or raw-deflated members, with zip64 records where sizes need them.
///
/// The records are built by `localHeader`, `centralEntry` and `end`, which the streaming writer
/// (`NPZStreamWriter`) shares: it knows every size up front and fills the data in later.
enum ZipWriter {
  static let max32: UInt64 = 0xFFFF_FFFF
  /// 1980-01-01 00:00 in MS-DOS date/time form: fixed so archives are reproducible.
  private static let dosDate: UInt16 = 0x0021
  private static let dosTime: UInt16 = 0

  /// What the local header and the directory entry of one member say.
  struct MemberRecord {
    var name: [UInt8]
    var crc: UInt32
    var size: UInt64
    var compressedSize: UInt64
    var offset: UInt64
    var deflated: Bool
    var forceZip64 = false

    var sizes64: Bool { forceZip64 || size >= max32 || compressedSize >= max32 }
    var offset64: Bool { forceZip64 || offset >= max32 }
    var needed: UInt16 { sizes64 || offset64 ? 45 : 20 }
    /// Bit 11: the name is UTF-8.
    var flags: UInt16 { name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800 }
    var method: UInt16 { deflated ? 8 : 0 }
  }

  /// Checks a member name: 1 to 65535 bytes.
  static func checkedName(_ name: String) throws(ArchiveFailure) -> [UInt8] {
    let bytes = Array(name.utf8)
    guard !bytes.isEmpty, bytes.count <= 0xFFFF else {
      throw ArchiveFailure(message: "member name '\(name)' must be 1 to 65535 bytes long")
    }
    return bytes
  }

  /// The length of `m`'s local header (its data follows).
  static func localHeaderLength(_ m: MemberRecord) -> Int { 30 + m.name.count + (m.sizes64 ? 20 : 0) }

  static func localHeader(_ m: MemberRecord) -> [UInt8] {
    var out: [UInt8] = []
    out.appendLE32(0x0403_4B50)
    out.appendLE16(m.needed)
    out.appendLE16(m.flags)
    out.appendLE16(m.method)
    out.appendLE16(dosTime)
    out.appendLE16(dosDate)
    out.appendLE32(m.crc)
    out.appendLE32(m.sizes64 ? UInt32(max32) : UInt32(m.compressedSize))
    out.appendLE32(m.sizes64 ? UInt32(max32) : UInt32(m.size))
    out.appendLE16(UInt16(m.name.count))
    out.appendLE16(m.sizes64 ? 20 : 0)
    out += m.name
    if m.sizes64 {
      out.appendLE16(1)
      out.appendLE16(16)
      out.appendLE64(m.size)
      out.appendLE64(m.compressedSize)
    }
    return out
  }

  static func centralEntry(_ m: MemberRecord) -> [UInt8] {
    var extra: [UInt8] = []
    if m.sizes64 || m.offset64 {
      var fields: [UInt8] = []
      if m.sizes64 {
        fields.appendLE64(m.size)
        fields.appendLE64(m.compressedSize)
      }
      if m.offset64 { fields.appendLE64(m.offset) }
      extra.appendLE16(1)
      extra.appendLE16(UInt16(fields.count))
      extra += fields
    }
    var out: [UInt8] = []
    out.appendLE32(0x0201_4B50)
    out.appendLE16(0x0300 | m.needed)  // made by: Unix
    out.appendLE16(m.needed)
    out.appendLE16(m.flags)
    out.appendLE16(m.method)
    out.appendLE16(dosTime)
    out.appendLE16(dosDate)
    out.appendLE32(m.crc)
    out.appendLE32(m.sizes64 ? UInt32(max32) : UInt32(m.compressedSize))
    out.appendLE32(m.sizes64 ? UInt32(max32) : UInt32(m.size))
    out.appendLE16(UInt16(m.name.count))
    out.appendLE16(UInt16(extra.count))
    out.appendLE16(0)  // comment length
    out.appendLE16(0)  // disk number start
    out.appendLE16(0)  // internal attributes
    out.appendLE32(0o100644 << 16)  // external attributes: regular file, rw-r--r--
    out.appendLE32(m.offset64 ? UInt32(max32) : UInt32(m.offset))
    out += m.name
    out += extra
    return out
  }

  /// The end records (zip64 ones where needed) for a directory of `count` entries, `size`
  /// bytes, written at `offset`.
  static func end(count: UInt64, directoryOffset offset: UInt64, directorySize size: UInt64, forceZip64: Bool) -> [UInt8] {
    var out: [UInt8] = []
    let end64 = forceZip64 || count >= 0xFFFF || offset >= max32 || size >= max32
    if end64 {
      let recordOffset = offset + size
      out.appendLE32(0x0606_4B50)
      out.appendLE64(44)  // size of the rest of this record
      out.appendLE16(0x0300 | 45)
      out.appendLE16(45)
      out.appendLE32(0)
      out.appendLE32(0)
      out.appendLE64(count)
      out.appendLE64(count)
      out.appendLE64(size)
      out.appendLE64(offset)
      out.appendLE32(0x0706_4B50)  // zip64 end of central directory locator
      out.appendLE32(0)
      out.appendLE64(recordOffset)
      out.appendLE32(1)
    }
    out.appendLE32(0x0605_4B50)
    out.appendLE16(0)
    out.appendLE16(0)
    out.appendLE16(end64 ? 0xFFFF : UInt16(count))
    out.appendLE16(end64 ? 0xFFFF : UInt16(count))
    out.appendLE32(end64 ? UInt32(max32) : UInt32(size))
    out.appendLE32(end64 ? UInt32(max32) : UInt32(offset))
    out.appendLE16(0)  // comment length
    return out
  }

  /// The archive bytes; `forceZip64` writes zip64 fields even for small archives (for tests).
  static func encode(
    _ members: [(name: String, data: [UInt8])], compressed: Bool, forceZip64: Bool = false
  ) throws(ArchiveFailure) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for member in members {
      let payload = compressed ? try Zlib.deflate(member.data) : member.data
      let record = MemberRecord(
        name: try checkedName(member.name), crc: Zlib.crc32(member.data), size: UInt64(member.data.count),
        compressedSize: UInt64(payload.count), offset: UInt64(out.count), deflated: compressed, forceZip64: forceZip64)
      out += localHeader(record)
      out += payload
      central += centralEntry(record)
    }
    let directoryOffset = UInt64(out.count)
    out += central
    out += end(
      count: UInt64(members.count), directoryOffset: directoryOffset, directorySize: UInt64(central.count),
      forceZip64: forceZip64)
    return out
  }
}
