import RealModule

/// A floating-point element type a kernel can be written once for (Float and Double).
///
/// Kernels are generic over `FloatElement`; `Tensor` stores each type in its own array case and
/// these hooks move between the two.
public protocol FloatElement: BinaryFloatingPoint, Real, Sendable {
  static var dtype: DType { get }
  /// The elements of `storage`, or nil when it holds another type.
  static func elements(of storage: Tensor.Storage) -> [Self]?
  /// Wraps elements as storage of this type.
  static func storage(_ elements: [Self]) -> Tensor.Storage
}

extension Float: FloatElement {
  public static var dtype: DType { .float32 }
  public static func elements(of storage: Tensor.Storage) -> [Float]? {
    if case .float32(let a) = storage { return a }
    return nil
  }
  public static func storage(_ elements: [Float]) -> Tensor.Storage { .float32(elements) }
}

extension Double: FloatElement {
  public static var dtype: DType { .float64 }
  public static func elements(of storage: Tensor.Storage) -> [Double]? {
    if case .float64(let a) = storage { return a }
    return nil
  }
  public static func storage(_ elements: [Double]) -> Tensor.Storage { .float64(elements) }
}
