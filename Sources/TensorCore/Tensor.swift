/// A dense, row-major (C order) n-dimensional array of one `DType`.
///
/// Value semantics: storage is a Swift array, copied on write. A rank-0 tensor has shape `[]`
/// and one element.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
  /// The elements, one case per dtype.
  public enum Storage: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    case bool([Bool])

    public var count: Int {
      switch self {
      case .float32(let a): a.count
      case .float64(let a): a.count
      case .int64(let a): a.count
      case .bool(let a): a.count
      }
    }
  }

  public var shape: [Int]
  public var storage: Storage

  /// Creates a tensor; fails when the element count does not match the shape.
  public init(shape: [Int], storage: Storage) throws {
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError("negative dimension in shape \(shape)")
    }
    guard shape.reduce(1, *) == storage.count else {
      throw TensorError("shape \(shape) needs \(shape.reduce(1, *)) elements, got \(storage.count)")
    }
    self.shape = shape
    self.storage = storage
  }

  /// Creates a tensor whose element count is known to match (internal construction paths).
  public init(uncheckedShape shape: [Int], storage: Storage) {
    precondition(shape.reduce(1, *) == storage.count, "shape/storage mismatch")  // reviewed: callers compute both from one shape
    self.shape = shape
    self.storage = storage
  }

  public init<T: FloatElement>(shape: [Int], elements: [T]) throws {
    try self.init(shape: shape, storage: T.storage(elements))
  }

  /// A tensor of `shape` filled with `value`.
  public static func filled(_ value: Double, shape: [Int], dtype: DType) -> Tensor {
    let n = shape.reduce(1, *)
    switch dtype {
    case .float32: return Tensor(uncheckedShape: shape, storage: .float32(Array(repeating: Float(value), count: n)))
    case .float64: return Tensor(uncheckedShape: shape, storage: .float64(Array(repeating: value, count: n)))
    case .int64: return Tensor(uncheckedShape: shape, storage: .int64(Array(repeating: Int64(value), count: n)))
    case .bool: return Tensor(uncheckedShape: shape, storage: .bool(Array(repeating: value != 0, count: n)))
    }
  }

  public static func scalar(_ value: Double, dtype: DType) -> Tensor { filled(value, shape: [], dtype: dtype) }

  public var dtype: DType {
    switch storage {
    case .float32: .float32
    case .float64: .float64
    case .int64: .int64
    case .bool: .bool
    }
  }

  public var rank: Int { shape.count }
  public var count: Int { storage.count }

  /// The elements as `T`, or nil when the tensor holds another dtype.
  public func elements<T: FloatElement>(as: T.Type = T.self) -> [T]? { T.elements(of: storage) }

  /// All elements converted to Double (for comparisons, printing and tests).
  public var doubles: [Double] {
    switch storage {
    case .float32(let a): a.map(Double.init)
    case .float64(let a): a
    case .int64(let a): a.map(Double.init)
    case .bool(let a): a.map { $0 ? 1 : 0 }
    }
  }

  /// All elements converted to Int64, truncating toward zero; NaN, ±inf and values outside
  /// Int64's range become 0 (use `int64Values()` to refuse them instead).
  public var int64s: [Int64] {
    if case .int64(let a) = converted(to: .int64).storage { return a }
    return []
  }

  /// All elements as Int64 (shape arithmetic, indices); float elements must be whole numbers
  /// in Int64's range.
  public func int64Values() throws -> [Int64] {
    func exact<F: BinaryFloatingPoint>(_ a: [F]) throws -> [Int64] {
      try a.map {
        guard let i = Int64(exactly: $0) else { throw TensorError("\($0) is not a whole number in Int64's range") }
        return i
      }
    }
    switch storage {
    case .float32(let a): return try exact(a)
    case .float64(let a): return try exact(a)
    case .int64(let a): return a
    case .bool(let a): return a.map { $0 ? 1 : 0 }
    }
  }

  /// This tensor converted to `dtype` (rounding to nearest for f64 → f32; truncating toward
  /// zero for float → int64, NaN and out-of-range values becoming 0; nonzero → true for bool).
  public func converted(to dtype: DType) -> Tensor {
    if dtype == self.dtype { return self }
    switch dtype {
    case .float32:
      let v: [Float]
      switch storage {
      case .float64(let a): v = a.map { Float($0) }
      case .int64(let a): v = a.map { Float($0) }
      case .float32(let a): v = a
      case .bool(let a): v = a.map { $0 ? 1 : 0 }
      }
      return Tensor(uncheckedShape: shape, storage: .float32(v))
    case .float64: return Tensor(uncheckedShape: shape, storage: .float64(doubles))
    case .int64:
      let v: [Int64]
      switch storage {
      case .float32(let a): v = a.map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 }
      case .float64(let a): v = a.map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 }
      case .int64(let a): v = a
      case .bool(let a): v = a.map { $0 ? 1 : 0 }
      }
      return Tensor(uncheckedShape: shape, storage: .int64(v))
    case .bool:
      let v: [Bool]
      switch storage {
      case .float32(let a): v = a.map { $0 != 0 }
      case .float64(let a): v = a.map { $0 != 0 }
      case .int64(let a): v = a.map { $0 != 0 }
      case .bool(let a): v = a
      }
      return Tensor(uncheckedShape: shape, storage: .bool(v))
    }
  }

  /// The same elements viewed with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    try Tensor(shape: newShape, storage: storage)
  }

  public var description: String {
    "Tensor<\(dtype)>\(shape)"
  }
}
