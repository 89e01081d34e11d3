public import TensorCore

/// One dimension of a tensor type: a known size or a named symbolic size (`batch`).
///
/// An empty name is a size nothing is known about. Importers give unnamed model dimensions a
/// unique name starting with `?` (printed as `?`), so equal names always mean equal sizes.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
  case known(Int)
  case symbol(String)

  public var value: Int? {
    if case .known(let n) = self { return n }
    return nil
  }

  public var description: String {
    switch self {
    case .known(let n): "\(n)"
    case .symbol(let s): s.isEmpty || s.hasPrefix("?") ? "?" : s
    }
  }
}

/// The static type of a graph value: element type and a shape whose dimensions may be symbolic.
///
/// A small integer or bool tensor (rank ≤ 1, at most `valueLimit` elements) also carries its
/// elements when they are known as the graph is built (`value`): numbers, or symbolic sizes for
/// what `Shape` reads off a value with symbolic dimensions. Shape rules of ops that take sizes,
/// indices or bounds as inputs (Reshape, Expand, Slice, Range…) read them; at plan time every
/// size is known, so every such value is too.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
  public var dtype: DType
  public var dims: [Dim]
  /// The elements (row-major) when known while the graph is built; nil when not tracked.
  public var value: [Dim]?

  /// Most elements a tracked `value` holds.
  public static let valueLimit = 1024

  public init(_ dtype: DType, _ dims: [Dim], value: [Dim]? = nil) {
    self.dtype = dtype
    self.dims = dims
    self.value = value
  }

  public init(_ dtype: DType, shape: [Int]) {
    self.init(dtype, shape.map { .known($0) })
  }

  /// The type of the constant `t`, with its elements as `value` when it is a small integer or
  /// bool tensor of rank ≤ 1.
  public init(of t: Tensor) {
    let tracked = !t.dtype.isFloatingPoint && t.rank <= 1 && t.count <= Self.valueLimit
    self.init(t.dtype, t.shape.map { .known($0) }, value: tracked ? t.int64s.map { .known(Int($0)) } : nil)
  }

  /// `value` when every element is a known number.
  public var knownInts: [Int]? {
    guard let value else { return nil }
    var out: [Int] = []
    out.reserveCapacity(value.count)
    for d in value {
      guard let n = d.value else { return nil }
      out.append(n)
    }
    return out
  }

  /// The tensor this type's `value` and shape pin down, when both are fully known.
  public var knownTensor: Tensor? {
    guard let ints = knownInts, let shape, shape.reduce(1, *) == ints.count, !dtype.isFloatingPoint else { return nil }
    return Tensor(uncheckedShape: shape, storage: .int64(ints.map(Int64.init))).converted(to: dtype)
  }

  /// A copy with `value` set when the type can carry one (integer or bool, rank ≤ 1, at most
  /// `valueLimit` elements, as many elements as the shape holds when the shape is known).
  public func withValue(_ value: [Dim]?) -> TensorType {
    var t = self
    let fits = !dtype.isFloatingPoint && rank <= 1 && (value?.count ?? 0) <= Self.valueLimit
      && (shape.map { $0.reduce(1, *) == value?.count } ?? true)
    t.value = fits ? value : nil
    return t
  }

  public var rank: Int { dims.count }

  /// The shape when every dimension is known.
  public var shape: [Int]? {
    var out: [Int] = []
    out.reserveCapacity(dims.count)
    for d in dims {
      guard let n = d.value else { return nil }
      out.append(n)
    }
    return out
  }

  public var description: String {
    "\(dtype)[\(dims.map(\.description).joined(separator: ", "))]"
      + (value.map { " = [\($0.map(\.description).joined(separator: ", "))]" } ?? "")
  }
}

extension Dim {
  /// NumPy broadcasting of two dimensions; nil when they can never match.
  public static func broadcast(_ a: Dim, _ b: Dim) -> Dim? {
    switch (a, b) {
    case (.known(1), _): return b
    case (_, .known(1)): return a
    case (.known(let x), .known(let y)): return x == y ? a : nil
    case (.symbol(let x), .symbol(let y)): return x == y ? a : .symbol("")
    case (.symbol, .known): return b
    case (.known, .symbol): return a
    }
  }
}
