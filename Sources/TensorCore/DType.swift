/// Element types a tensor can hold.
///
/// Floating types are what models compute in; `int64` carries shape arithmetic and indices;
/// `bool` holds comparison results (`Greater`, `Equal`) and `Where` conditions.
public enum DType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case float32
  case float64
  case int64
  case bool

  /// Size of one element in bytes.
  public var byteSize: Int {
    switch self {
    case .float32: 4
    case .float64, .int64: 8
    case .bool: 1
    }
  }

  /// Whether values of this type can be differentiated.
  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  /// Short name used in messages and on the command line (`f32`, `f64`, `i64`).
  public var shortName: String {
    switch self {
    case .float32: "f32"
    case .float64: "f64"
    case .int64: "i64"
    case .bool: "bool"
    }
  }

  public var description: String { shortName }
}
