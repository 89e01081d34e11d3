/// Writes a zip archive of stored or raw-deflated members, with zip64 records where sizes need them.
enum ZipWriter {
  private static let max32: UInt64 = 0xFFFF_FFFF
  /// 1980-01-01 00:00 in MS-DOS date/time form: fixed so archives are reproducible.
  private static let dosDate: UInt16 = 0x0021
  private static let dosTime: UInt16 = 0

  /// The archive bytes; `forceZip64` writes zip64 fields even for small archives (for tests).
  static func encode(
    _ members: [(name: String, data: [UInt8])], compressed: Bool, forceZip64: Bool = false
  ) throws(ArchiveFailure) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for member in members {
      let name = Array(member.name.utf8)
      guard !name.isEmpty, name.count <= 0xFFFF else {
        throw ArchiveFailure(message: "member name '\(member.name)' must be 1 to 65535 bytes long")
      }
      let crc = Zlib.crc32(member.data)
      let payload = compressed ? try Zlib.deflate(member.data) : member.data
      let size = UInt64(member.data.count)
      let compressedSize = UInt64(payload.count)
      let offset = UInt64(out.count)
      let sizes64 = forceZip64 || size >= max32 || compressedSize >= max32
      let offset64 = forceZip64 || offset >= max32
      let flags: UInt16 = member.name.utf8.allSatisfy { $0 < 0x80 } ? 0 : 0x0800  // bit 11: UTF-8 name
      let method: UInt16 = compressed ? 8 : 0
      let needed: UInt16 = sizes64 || offset64 ? 45 : 20

      var localExtra: [UInt8] = []
      if sizes64 {
        localExtra.appendLE16(1)
        localExtra.appendLE16(16)
        localExtra.appendLE64(size)
        localExtra.appendLE64(compressedSize)
      }
      out.appendLE32(0x0403_4B50)
      out.appendLE16(needed)
      out.appendLE16(flags)
      out.appendLE16(method)
      out.appendLE16(dosTime)
      out.appendLE16(dosDate)
      out.appendLE32(crc)
      out.appendLE32(sizes64 ? UInt32(max32) : UInt32(compressedSize))
      out.appendLE32(sizes64 ? UInt32(max32) : UInt32(size))
      out.appendLE16(UInt16(name.count))
      out.appendLE16(UInt16(localExtra.count))
      out += name
      out += localExtra
      out += payload

      var centralExtra: [UInt8] = []
      if sizes64 || offset64 {
        var fields: [UInt8] = []
        if sizes64 {
          fields.appendLE64(size)
          fields.appendLE64(compressedSize)
        }
        if offset64 { fields.appendLE64(offset) }
        centralExtra.appendLE16(1)
        centralExtra.appendLE16(UInt16(fields.count))
        centralExtra += fields
      }
      central.appendLE32(0x0201_4B50)
      central.appendLE16(0x0300 | needed)  // made by: Unix
      central.appendLE16(needed)
      central.appendLE16(flags)
      central.appendLE16(method)
      central.appendLE16(dosTime)
      central.appendLE16(dosDate)
      central.appendLE32(crc)
      central.appendLE32(sizes64 ? UInt32(max32) : UInt32(compressedSize))
      central.appendLE32(sizes64 ? UInt32(max32) : UInt32(size))
      central.appendLE16(UInt16(name.count))
      central.appendLE16(UInt16(centralExtra.count))
      central.appendLE16(0)  // comment length
      central.appendLE16(0)  // disk number start
      central.appendLE16(0)  // internal attributes
      central.appendLE32(0o100644 << 16)  // external attributes: regular file, rw-r--r--
      central.appendLE32(offset64 ? UInt32(max32) : UInt32(offset))
      central += name
      central += centralExtra
    }
    let centralOffset = UInt64(out.count)
    let centralSize = UInt64(central.count)
    let count = UInt64(members.count)
    out += central
    let end64 = forceZip64 || count >= 0xFFFF || centralOffset >= max32 || centralSize >= max32
    if end64 {
      let recordOffset = UInt64(out.count)
      out.appendLE32(0x0606_4B50)
      out.appendLE64(44)  // size of the rest of this record
      out.appendLE16(0x0300 | 45)
      out.appendLE16(45)
      out.appendLE32(0)
      out.appendLE32(0)
      out.appendLE64(count)
      out.appendLE64(count)
      out.appendLE64(centralSize)
      out.appendLE64(centralOffset)
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
    out.appendLE32(end64 ? UInt32(max32) : UInt32(centralSize))
    out.appendLE32(end64 ? UInt32(max32) : UInt32(centralOffset))
    out.appendLE16(0)  // comment length
    return out
  }
}
