public import TensorCore

/// One dimension of a tensor type: a known size or a named symbolic size (`batch`).
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
    case .symbol(let s): s.isEmpty ? "?" : s
    }
  }
}

/// The static type of a graph value: element type and a shape whose dimensions may be symbolic.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
  public var dtype: DType
  public var dims: [Dim]

  public init(_ dtype: DType, _ dims: [Dim]) {
    self.dtype = dtype
    self.dims = dims
  }

  public init(_ dtype: DType, shape: [Int]) {
    self.init(dtype, shape.map { .known($0) })
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
