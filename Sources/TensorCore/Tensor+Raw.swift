extension Tensor {
  /// Copies the elements' bytes to `p` (which must hold `count × dtype.byteSize` bytes).
  public func copyBytes(to p: UnsafeMutableRawPointer) {
    func copy<E>(_ a: [E]) {
      a.withUnsafeBytes { if let base = $0.baseAddress { p.copyMemory(from: base, byteCount: $0.count) } }
    }
    switch storage {
    case .float32(let a): copy(a)
    case .float64(let a): copy(a)
    case .int64(let a): copy(a)
    case .bool(let a): copy(a)
    }
  }

  /// A tensor whose `shape.product` elements of `dtype` `write` stores at the address it is
  /// given (elements it leaves unwritten are unspecified).
  public init(shape: [Int], dtype: DType, writingWith write: (UnsafeMutableRawPointer) throws -> Void) rethrows {
    let n = shape.reduce(1, *)
    func array<E>(_: E.Type) throws -> [E] {
      try [E](unsafeUninitializedCapacity: max(n, 1)) { buffer, count in
        if let base = buffer.baseAddress { try write(UnsafeMutableRawPointer(base)) }
        count = n
      }
    }
    switch dtype {
    case .float32: self.init(uncheckedShape: shape, storage: .float32(try array(Float.self)))
    case .float64: self.init(uncheckedShape: shape, storage: .float64(try array(Double.self)))
    case .int64: self.init(uncheckedShape: shape, storage: .int64(try array(Int64.self)))
    case .bool: self.init(uncheckedShape: shape, storage: .bool(try array(Bool.self)))
    }
  }

  /// A tensor holding a copy of the `shape.product` elements of `dtype` at `p`.
  public init(copyingFrom p: UnsafeRawPointer, shape: [Int], dtype: DType) {
    self.init(shape: shape, dtype: dtype) { $0.copyMemory(from: p, byteCount: shape.reduce(1, *) * dtype.byteSize) }
  }
}

extension Tensor {
  /// Tensors of the given shapes and dtypes whose element buffers `fill` writes in place (their
  /// addresses are stable for the duration of `fill`). Elements `fill` leaves unwritten are
  /// unspecified.
  public static func makeUninitialized(
    _ specs: [(shape: [Int], dtype: DType)], _ fill: ([UnsafeMutableRawPointer]) throws -> Void
  ) throws -> [Tensor] {
    var pointers: [UnsafeMutableRawPointer] = []
    pointers.reserveCapacity(specs.count)
    var tensors: [Tensor] = []
    tensors.reserveCapacity(specs.count)
    try build(specs[...], &pointers, &tensors, fill)
    return tensors.reversed()
  }

  /// Allocates the first spec's tensor, then the rest inside its initialiser, and calls `fill`
  /// innermost; `tensors` receives them innermost first (reverse spec order).
  private static func build(
    _ specs: ArraySlice<(shape: [Int], dtype: DType)>, _ pointers: inout [UnsafeMutableRawPointer],
    _ tensors: inout [Tensor], _ fill: ([UnsafeMutableRawPointer]) throws -> Void
  ) throws {
    guard let (shape, dtype) = specs.first else {
      try fill(pointers)
      return
    }
    let t = try Tensor(shape: shape, dtype: dtype) { p in
      pointers.append(p)
      try build(specs.dropFirst(), &pointers, &tensors, fill)
    }
    tensors.append(t)
  }
}

extension Tensor {
  /// Calls `body` with the address of every tensor's elements (stable for the call; read only).
  /// An empty tensor gets the address of a zero-length placeholder.
  public static func withRawPointers<R>(_ tensors: [Tensor], _ body: ([UnsafeRawPointer]) throws -> R) throws -> R {
    var pointers: [UnsafeRawPointer] = []
    pointers.reserveCapacity(tensors.count)
    return try withPointers(tensors[...], &pointers, body)
  }

  /// Never written or read: zero bytes are copied from it (so sharing it needs no lock).
  nonisolated(unsafe) private static let placeholder = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)

  private static func withPointers<R>(
    _ rest: ArraySlice<Tensor>, _ pointers: inout [UnsafeRawPointer], _ body: ([UnsafeRawPointer]) throws -> R
  ) throws -> R {
    guard let first = rest.first else { return try body(pointers) }
    func next(_ raw: UnsafeRawBufferPointer) throws -> R {
      pointers.append(raw.baseAddress ?? UnsafeRawPointer(placeholder))
      return try withPointers(rest.dropFirst(), &pointers, body)
    }
    switch first.storage {
    case .float32(let a): return try a.withUnsafeBytes(next)
    case .float64(let a): return try a.withUnsafeBytes(next)
    case .int64(let a): return try a.withUnsafeBytes(next)
    case .bool(let a): return try a.withUnsafeBytes(next)
    }
  }
}
