import TensorCore

/// An ONNX `TensorProto.DataType` number, with its spec name.
///
/// A struct rather than an enum so that types newer than this file still round-trip.
public struct ONNXDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }
  public init(_ rawValue: Int32) { self.rawValue = rawValue }

  public static let undefined = ONNXDataType(0)
  public static let float = ONNXDataType(1)
  public static let uint8 = ONNXDataType(2)
  public static let int8 = ONNXDataType(3)
  public static let uint16 = ONNXDataType(4)
  public static let int16 = ONNXDataType(5)
  public static let int32 = ONNXDataType(6)
  public static let int64 = ONNXDataType(7)
  public static let string = ONNXDataType(8)
  public static let bool = ONNXDataType(9)
  public static let float16 = ONNXDataType(10)
  public static let double = ONNXDataType(11)
  public static let uint32 = ONNXDataType(12)
  public static let uint64 = ONNXDataType(13)
  public static let complex64 = ONNXDataType(14)
  public static let complex128 = ONNXDataType(15)
  public static let bfloat16 = ONNXDataType(16)
  public static let float8e4m3fn = ONNXDataType(17)
  public static let float8e4m3fnuz = ONNXDataType(18)
  public static let float8e5m2 = ONNXDataType(19)
  public static let float8e5m2fnuz = ONNXDataType(20)
  public static let uint4 = ONNXDataType(21)
  public static let int4 = ONNXDataType(22)
  public static let float4e2m1 = ONNXDataType(23)
  public static let float8e8m0 = ONNXDataType(24)
  public static let uint2 = ONNXDataType(25)
  public static let int2 = ONNXDataType(26)
  public static let float6e2m3 = ONNXDataType(27)
  public static let float6e3m2 = ONNXDataType(28)

  static let names: [String] = [
    "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
    "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4",
    "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2", "FLOAT6E2M3", "FLOAT6E3M2",
  ]

  /// The spec name (`FLOAT`, `INT64`, …), or nil for a number this file does not know.
  public var name: String? {
    Int(rawValue) >= 0 && Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : nil
  }

  /// `FLOAT(1)`, or `UNKNOWN(99)`.
  public var description: String { "\(name ?? "UNKNOWN")(\(rawValue))" }

  /// Bytes per element in `raw_data`, for the fixed-width types we can materialize.
  public var rawElementSize: Int? {
    switch self {
    case .float, .int32, .uint32: 4
    case .double, .int64, .uint64: 8
    case .float16, .bfloat16, .int16, .uint16: 2
    case .int8, .uint8, .bool: 1
    default: nil
    }
  }

  /// The `TensorCore` element type a tensor of this type is materialized as: FLOAT, FLOAT16 and
  /// BFLOAT16 → float32, DOUBLE → float64, integers → int64, BOOL → bool; nil when unsupported.
  public var tensorDType: DType? {
    switch self {
    case .float, .float16, .bfloat16: .float32
    case .double: .float64
    case .int64, .int32, .int16, .int8, .uint64, .uint32, .uint16, .uint8: .int64
    case .bool: .bool
    default: nil
    }
  }
}
