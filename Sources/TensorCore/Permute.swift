extension Tensor {
  /// Axes reordered: output axis `i` is input axis `perm[i]` (ONNX `Transpose` semantics).
  ///
  /// A strided gather: `Kernels.expand` with the input's strides taken in `perm`'s order.
  public func permuted(_ perm: [Int]) throws -> Tensor {
    var seen: UInt64 = 0
    for axis in perm where (0..<min(rank, 64)).contains(axis) { seen |= 1 << UInt64(axis) }
    guard perm.count == rank, rank <= 64, seen == (rank == 64 ? UInt64.max : (1 << UInt64(rank)) - 1) else {
      throw TensorError("permutation \(perm) is not a permutation of the \(rank) axes of shape \(shape)")
    }
    if perm == Array(0..<rank) { return self }
    let outShape = perm.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let strides = perm.map { inStrides[$0] }
    func gather<E>(_ a: [E]) -> [E] {
      a.withUnsafeBufferPointer { source in
        [E](unsafeUninitializedCapacity: a.count) { out, count in
          if let x = source.baseAddress, let y = out.baseAddress { Kernels.expand(x, y, shape: outShape, xStrides: strides) }
          count = a.count
        }
      }
    }
    switch storage {
    case .float32(let a): return Tensor(uncheckedShape: outShape, storage: .float32(gather(a)))
    case .float64(let a): return Tensor(uncheckedShape: outShape, storage: .float64(gather(a)))
    case .int64(let a): return Tensor(uncheckedShape: outShape, storage: .int64(gather(a)))
    case .bool(let a): return Tensor(uncheckedShape: outShape, storage: .bool(gather(a)))
    }
  }
}
