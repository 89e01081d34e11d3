import TensorCore

/// Converts raw `.npy` element bytes to tensor storage and back.
enum NPYElements {
  /// Decodes `count` elements of `descr` starting at `offset` (the caller checked the length).
  static func decode(
    _ bytes: [UInt8], from offset: Int, count: Int, descr: NPYDescr, source: String
  ) throws(NumPyIOError) -> Tensor.Storage {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(NumPyIOError) in try decode(raw, from: offset, count: count, descr: descr, source: source) }
    }.get()
  }

  /// Decodes `count` elements of `descr` starting at `offset` of `bytes` (a file's memory map,
  /// say; the caller checked the length).
  static func decode(
    _ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int, descr: NPYDescr, source: String
  ) throws(NumPyIOError) -> Tensor.Storage {
    let size = descr.size
    let big = descr.bigEndian
    /// The raw bits of element `i`, in host order.
    func bits(_ i: Int) -> UInt64 {
      var v: UInt64 = 0
      let base = offset + i * size
      if big {
        for k in 0..<size { v = v << 8 | UInt64(bytes[base + k]) }
      } else {
        for k in (0..<size).reversed() { v = v << 8 | UInt64(bytes[base + k]) }
      }
      return v
    }
    switch (descr.kind, size) {
    case (.float, 4):
      if !big, let fast: [Float] = copyNative(bytes, from: offset, count: count) { return .float32(fast) }
      return .float32((0..<count).map { Float(bitPattern: UInt32(truncatingIfNeeded: bits($0))) })
    case (.float, 8):
      if !big, let fast: [Double] = copyNative(bytes, from: offset, count: count) { return .float64(fast) }
      return .float64((0..<count).map { Double(bitPattern: bits($0)) })
    case (.float, _):
      return .float32((0..<count).map { halfToFloat(UInt16(truncatingIfNeeded: bits($0))) })
    case (.signed, 8):
      if !big, let fast: [Int64] = copyNative(bytes, from: offset, count: count) { return .int64(fast) }
      return .int64((0..<count).map { Int64(bitPattern: bits($0)) })
    case (.signed, _):
      // Sign-extend from `size` bytes.
      let shift = UInt64(64 - 8 * size)
      return .int64((0..<count).map { Int64(bitPattern: bits($0) << shift) >> shift })
    case (.unsigned, _):
      var out: [Int64] = []
      out.reserveCapacity(count)
      for i in 0..<count {
        let v = bits(i)
        guard v <= UInt64(Int64.max) else {
          throw NumPyIOError(
            file: source, kind: .valueOutOfRange,
            "value \(v) at flat index \(i) of '\(descr.text)' does not fit in int64 (max \(Int64.max))")
        }
        out.append(Int64(v))
      }
      return .int64(out)
    case (.bool, _):
      return .bool((0..<count).map { bytes[offset + $0] != 0 })
    }
  }

  /// A byte copy of little-endian elements on a little-endian host; nil elsewhere.
  private static func copyNative<T>(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) -> [T]? {
    #if _endian(little)
      let length = count * MemoryLayout<T>.stride
      return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
        initialized = count
      }
    #else
      return nil
    #endif
  }

  /// IEEE 754 binary16 to binary32 (exact).
  static func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    case 31:
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    default:
      return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
  }

  /// Calls `body` with `storage`'s `.npy` bytes (little-endian): the storage's own memory where
  /// it already has that layout, an encoded copy otherwise (bool, big-endian hosts).
  static func withEncodedBytes<R, E: Error>(
    _ storage: Tensor.Storage, _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    #if _endian(little)
      switch storage {
      case .float32(let a): return try withBytes(a, body)
      case .float64(let a): return try withBytes(a, body)
      case .int64(let a): return try withBytes(a, body)
      case .bool: break
      }
    #endif
    var bytes: [UInt8] = []
    encode(storage, into: &bytes)
    return try withBytes(bytes, body)
  }

  /// `withUnsafeBytes` with a typed throw.
  private static func withBytes<T, R, E: Error>(_ a: [T], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try a.withUnsafeBytes { raw in Result { () throws(E) in try body(raw) } }.get()
  }

  /// The little-endian bytes of `storage` (what NumPy writes for '<f4', '<f8', '<i8', '|b1').
  static func encode(_ storage: Tensor.Storage, into out: inout [UInt8]) {
    #if _endian(little)
      switch storage {
      case .float32(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
      case .float64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
      case .int64(let a): a.withUnsafeBytes { out.append(contentsOf: $0) }
      case .bool(let a): out.append(contentsOf: a.map { $0 ? 1 : 0 })
      }
    #else
      switch storage {
      case .float32(let a): for v in a { out.appendLE32(v.bitPattern) }
      case .float64(let a): for v in a { out.appendLE64(v.bitPattern) }
      case .int64(let a): for v in a { out.appendLE64(UInt64(bitPattern: v)) }
      case .bool(let a): out.append(contentsOf: a.map { $0 ? 1 : 0 })
      }
    #endif
  }
}
