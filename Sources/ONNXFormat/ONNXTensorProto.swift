import TensorCore

/// A `TensorProto` exactly as stored: dims, type, and whichever payload fields the file used.
///
/// Nothing is decoded until `materialize(modelDirectory:)`, so a model with external data can be
/// inspected without reading its weights.
public struct ONNXTensorProto: Sendable, Equatable {
  /// Where the payload lives (`TensorProto.DataLocation`).
  public enum DataLocation: Int32, Sendable, Equatable {
    /// In this message: `raw_data` or one of the typed fields.
    case inline = 0
    /// In another file, described by `externalData` (`location`, `offset`, `length`).
    case external = 1
  }

  public var name: String
  public var dataType: ONNXDataType
  /// Dimensions as written; validated by `materialize`.
  public var dims: [Int64]
  /// `raw_data`: fixed-width little-endian elements, or nil when the field is absent.
  public var rawData: [UInt8]?
  public var floatData: [Float]
  public var doubleData: [Double]
  /// INT32, INT16, INT8, UINT16, UINT8, BOOL, and FLOAT16/BFLOAT16 bit patterns.
  public var int32Data: [Int32]
  public var int64Data: [Int64]
  /// UINT32 and UINT64.
  public var uint64Data: [UInt64]
  public var stringData: [[UInt8]]
  public var dataLocation: DataLocation
  /// `external_data` entries in file order (`location`, `offset`, `length`, `checksum`).
  public var externalData: [ONNXKeyValue]
  public var docString: String

  public init(
    name: String = "", dataType: ONNXDataType, dims: [Int64], rawData: [UInt8]? = nil,
    floatData: [Float] = [], doubleData: [Double] = [], int32Data: [Int32] = [],
    int64Data: [Int64] = [], uint64Data: [UInt64] = [], stringData: [[UInt8]] = [],
    dataLocation: DataLocation = .inline, externalData: [ONNXKeyValue] = [], docString: String = ""
  ) {
    self.name = name
    self.dataType = dataType
    self.dims = dims
    self.rawData = rawData
    self.floatData = floatData
    self.doubleData = doubleData
    self.int32Data = int32Data
    self.int64Data = int64Data
    self.uint64Data = uint64Data
    self.stringData = stringData
    self.dataLocation = dataLocation
    self.externalData = externalData
    self.docString = docString
  }

  /// The value of the `external_data` entry `key` (last one wins, as in onnx), if any.
  public func externalDataValue(_ key: String) -> String? {
    externalData.last { $0.key == key }?.value
  }

  /// The number of elements `dims` describes (1 for a scalar).
  public func elementCount() throws(ONNXFormatError) -> Int {
    var shape: [Int] = []
    for d in dims {
      guard let di = Int(exactly: d) else { throw .invalidDims(tensor: name, dims: dims) }
      shape.append(di)
    }
    guard let count = ShapeSize.count(shape) else { throw .invalidDims(tensor: name, dims: dims) }
    return count
  }

  /// Decodes the payload into a `Tensor` of shape `dims`.
  ///
  /// FLOAT, FLOAT16 and BFLOAT16 become float32, DOUBLE float64, integer types int64, BOOL bool.
  /// External data is read from `location` relative to `modelDirectory`, which it may not leave.
  public func materialize(modelDirectory: String) throws(ONNXFormatError) -> Tensor {
    let count = try elementCount()
    guard let size = dataType.rawElementSize, dataType.tensorDType != nil else {
      throw .unsupportedDataType(tensor: name, dataType: dataType)
    }
    let shape = dims.map { Int($0) }  // each fits: checked by elementCount
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
    guard !overflow else { throw .invalidDims(tensor: name, dims: dims) }

    let storage: Tensor.Storage
    if dataLocation == .external {
      let bytes = try ExternalData.read(tensor: self, byteCount: byteCount, modelDirectory: modelDirectory)
      storage = try bytes.withUnsafeBytes { raw in
        Result { () throws(ONNXFormatError) in try decodeRaw(raw, count: count) }
      }.get()
    } else if let rawData {
      guard rawData.count == byteCount else {
        throw .elementCountMismatch(
          tensor: name, dims: dims, expected: count, found: rawData.count / size,
          source: "raw_data (\(rawData.count) bytes, \(size) per element)")
      }
      storage = try rawData.withUnsafeBytes { raw in
        Result { () throws(ONNXFormatError) in try decodeRaw(raw, count: count) }
      }.get()
    } else {
      storage = try decodeTyped(count: count)
    }
    return Tensor(uncheckedShape: shape, storage: storage)
  }

  // MARK: - Decoding

  /// Decodes `count` little-endian elements; `raw.count == count * rawElementSize` is checked.
  private func decodeRaw(_ raw: UnsafeRawBufferPointer, count: Int) throws(ONNXFormatError) -> Tensor.Storage {
    func load<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
      T(littleEndian: raw.loadUnaligned(fromByteOffset: i &* MemoryLayout<T>.size, as: T.self))
    }
    func ints<T: FixedWidthInteger>(_ t: T.Type) -> Tensor.Storage {
      .int64((0..<count).map { Int64(load($0, t)) })
    }
    switch dataType {
    case .float: return .float32((0..<count).map { Float(bitPattern: load($0, UInt32.self)) })
    case .double: return .float64((0..<count).map { Double(bitPattern: load($0, UInt64.self)) })
    case .float16: return .float32((0..<count).map { halfToFloat(load($0, UInt16.self)) })
    case .bfloat16: return .float32((0..<count).map { Float(bitPattern: UInt32(load($0, UInt16.self)) << 16) })
    case .int64: return ints(Int64.self)
    case .int32: return ints(Int32.self)
    case .int16: return ints(Int16.self)
    case .int8: return ints(Int8.self)
    case .uint32: return ints(UInt32.self)
    case .uint16: return ints(UInt16.self)
    case .uint8: return ints(UInt8.self)
    case .bool: return .bool((0..<count).map { load($0, UInt8.self) != 0 })
    case .uint64:
      var out = [Int64]()
      out.reserveCapacity(count)
      for i in 0..<count {
        let v = load(i, UInt64.self)
        guard let s = Int64(exactly: v) else {
          throw .valueOutOfRange(tensor: name, dataType: dataType, value: "\(v)")
        }
        out.append(s)
      }
      return .int64(out)
    default: throw .unsupportedDataType(tensor: name, dataType: dataType)
    }
  }

  /// Decodes the typed field the spec assigns to `dataType`.
  private func decodeTyped(count: Int) throws(ONNXFormatError) -> Tensor.Storage {
    func check(_ found: Int, _ field: String) throws(ONNXFormatError) {
      guard found == count else {
        throw .elementCountMismatch(tensor: name, dims: dims, expected: count, found: found, source: field)
      }
    }
    switch dataType {
    case .float:
      try check(floatData.count, "float_data")
      return .float32(floatData)
    case .double:
      try check(doubleData.count, "double_data")
      return .float64(doubleData)
    case .int64:
      try check(int64Data.count, "int64_data")
      return .int64(int64Data)
    case .float16:
      try check(int32Data.count, "int32_data")
      return .float32(int32Data.map { halfToFloat(UInt16(truncatingIfNeeded: $0)) })
    case .bfloat16:
      try check(int32Data.count, "int32_data")
      return .float32(int32Data.map { Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: $0)) << 16) })
    case .bool:
      try check(int32Data.count, "int32_data")
      return .bool(int32Data.map { $0 != 0 })
    case .int32, .int16, .int8, .uint16, .uint8:
      try check(int32Data.count, "int32_data")
      let dt = dataType
      return .int64(
        int32Data.map { v -> Int64 in
          switch dt {
          case .int16: Int64(Int16(truncatingIfNeeded: v))
          case .int8: Int64(Int8(truncatingIfNeeded: v))
          case .uint16: Int64(UInt16(truncatingIfNeeded: v))
          case .uint8: Int64(UInt8(truncatingIfNeeded: v))
          default: Int64(v)
          }
        })
    case .uint32, .uint64:
      try check(uint64Data.count, "uint64_data")
      var out = [Int64]()
      out.reserveCapacity(count)
      for v in uint64Data {
        let narrowed = dataType == .uint32 ? UInt64(UInt32(truncatingIfNeeded: v)) : v
        guard let s = Int64(exactly: narrowed) else {
          throw .valueOutOfRange(tensor: name, dataType: dataType, value: "\(v)")
        }
        out.append(s)
      }
      return .int64(out)
    default:
      throw .unsupportedDataType(tensor: name, dataType: dataType)
    }
  }
}

/// IEEE 754 binary16 bits → Float (exact: every half is a float).
func halfToFloat(_ h: UInt16) -> Float {
  let sign = UInt32(h >> 15) << 31
  let exponent = Int((h >> 10) & 0x1F)
  let mantissa = UInt32(h & 0x3FF)
  switch exponent {
  case 0:
    // Zero or subnormal: mantissa × 2^-24.
    let magnitude = Float(mantissa) * 0x1p-24
    return sign != 0 ? -magnitude : magnitude
  case 31:
    return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
  default:
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
  }
}

extension ONNXTensorProto {
  /// An initializer holding `t` inline as little-endian `raw_data` (FLOAT, DOUBLE, INT64 or BOOL).
  public init(_ t: Tensor, name: String) {
    var raw: [UInt8] = []
    raw.reserveCapacity(t.count * t.dtype.byteSize)
    let type: ONNXDataType
    switch t.storage {
    case .float32(let a):
      type = .float
      for v in a { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
    case .float64(let a):
      type = .double
      for v in a { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
    case .int64(let a):
      type = .int64
      for v in a { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
    case .bool(let a):
      type = .bool
      raw = a.map { $0 ? 1 : 0 }
    }
    self.init(name: name, dataType: type, dims: t.shape.map(Int64.init), rawData: raw)
  }
}
