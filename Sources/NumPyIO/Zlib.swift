internal import CZlib

/// CRC-32 and raw deflate/inflate (no zlib or gzip wrapper, as zip members store them) via zlib.
enum Zlib {
  private static let chunk = 1 << 30

  /// The CRC-32 zip uses.
  static func crc32(_ bytes: [UInt8]) -> UInt32 { crc32(bytes, continuing: 0) }

  /// The CRC-32 of the bytes already summed as `crc` followed by `bytes`.
  static func crc32(_ bytes: [UInt8], continuing previous: UInt32) -> UInt32 {
    bytes.withUnsafeBytes { crc32($0, continuing: previous) }
  }

  /// The CRC-32 of the bytes already summed as `crc` followed by `bytes`.
  static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32) -> UInt32 {
    var crc = UInt(previous)
    bytes.withMemoryRebound(to: UInt8.self) { buffer in
      var start = 0
      while start < buffer.count {
        let n = min(chunk, buffer.count - start)
        crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + start }, UInt32(n))
        start += n
      }
    }
    return UInt32(truncatingIfNeeded: crc)
  }

  /// Raw deflate at zlib's default level (what Python's zipfile uses for ZIP_DEFLATED).
  static func deflate(_ input: [UInt8]) throws(ArchiveFailure) -> [UInt8] {
    var stream = z_stream()
    let initCode = deflateInit2_(
      &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    guard initCode == Z_OK else { throw ArchiveFailure(message: "zlib deflateInit2 failed (code \(initCode))") }
    defer { deflateEnd(&stream) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 18)
    var code: Int32 = Z_OK
    input.withUnsafeBufferPointer { source in
      var consumed = 0
      repeat {
        let n = min(chunk, source.count - consumed)
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + consumed })
        stream.avail_in = UInt32(n)
        consumed += n
        let flush = consumed == source.count ? Z_FINISH : Z_NO_FLUSH
        repeat {
          buffer.withUnsafeMutableBufferPointer { b in
            stream.next_out = b.baseAddress
            stream.avail_out = UInt32(b.count)
            code = CZlib.deflate(&stream, flush)
          }
          out.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
        } while stream.avail_out == 0 && code == Z_OK
      } while consumed < source.count && code == Z_OK
    }
    guard code == Z_STREAM_END else { throw ArchiveFailure(message: "zlib deflate failed (code \(code))") }
    return out
  }

  /// Raw inflate of a complete stream that must produce exactly `expectedSize` bytes.
  static func inflate(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(ArchiveFailure) -> [UInt8] {
    var stream = z_stream()
    let initCode = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard initCode == Z_OK else { throw ArchiveFailure(message: "zlib inflateInit2 failed (code \(initCode))") }
    defer { inflateEnd(&stream) }
    // One spare byte detects a stream longer than announced.
    var out = [UInt8](repeating: 0, count: expectedSize + 1)
    var code: Int32 = Z_OK
    var produced = 0
    let source = input.bindMemory(to: UInt8.self)
    do {
      out.withUnsafeMutableBufferPointer { target in
        var consumed = 0
        while code == Z_OK {
          if stream.avail_in == 0 {
            let n = min(chunk, source.count - consumed)
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + consumed })
            stream.avail_in = UInt32(n)
            consumed += n
          }
          let room = min(chunk, target.count - produced)
          if room == 0 { break }
          stream.next_out = target.baseAddress.map { $0 + produced }
          stream.avail_out = UInt32(room)
          code = CZlib.inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          if code == Z_BUF_ERROR && stream.avail_in == 0 && consumed == source.count { break }
        }
      }
    }
    guard code == Z_STREAM_END else {
      if produced > expectedSize {
        throw ArchiveFailure(message: "deflated data is longer than the \(expectedSize) bytes the directory says")
      }
      let reason = code == Z_OK || code == Z_BUF_ERROR ? "the stream ends early" : "corrupt deflate data (zlib code \(code))"
      throw ArchiveFailure(message: "cannot inflate: \(reason)")
    }
    guard produced == expectedSize else {
      throw ArchiveFailure(message: "inflated to \(produced) bytes, the directory says \(expectedSize)")
    }
    out.removeLast()
    return out
  }
}

/// A zip or zlib problem, described without the file name.
struct ArchiveFailure: Error {
  let message: String
}
