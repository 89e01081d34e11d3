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
    }
  }

  /// A tensor holding a copy of the `shape.product` elements of `dtype` at `p`.
  public init(copyingFrom p: UnsafeRawPointer, shape: [Int], dtype: DType) {
    let n = shape.reduce(1, *)
    switch dtype {
    case .float32:
      self.init(uncheckedShape: shape, storage: .float32(Array(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Float.self), count: n))))
    case .float64:
      self.init(uncheckedShape: shape, storage: .float64(Array(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Double.self), count: n))))
    case .int64:
      self.init(uncheckedShape: shape, storage: .int64(Array(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Int64.self), count: n))))
    }
  }
}
