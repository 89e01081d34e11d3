extension Tensor {
  /// Axes reordered: output axis `i` is input axis `perm[i]` (ONNX `Transpose` semantics).
  public func permuted(_ perm: [Int]) throws -> Tensor {
    guard perm.count == rank, Set(perm) == Set(0..<rank) else {
      throw TensorError("permutation \(perm) is not a permutation of the \(rank) axes of shape \(shape)")
    }
    if perm == Array(0..<rank) { return self }
    let outShape = perm.map { shape[$0] }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let strides = perm.map { inStrides[$0] }
    func gather<E>(_ a: [E]) -> [E] {
      let n = a.count
      var index = [Int](repeating: 0, count: rank)
      var src = 0
      return [E](unsafeUninitializedCapacity: n) { buf, count in
        for i in 0..<n {
          buf[i] = a[src]
          var axis = rank - 1
          while axis >= 0 {
            index[axis] += 1
            src += strides[axis]
            if index[axis] < outShape[axis] { break }
            src -= strides[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
          }
        }
        count = n
      }
    }
    switch storage {
    case .float32(let a): return Tensor(uncheckedShape: outShape, storage: .float32(gather(a)))
    case .float64(let a): return Tensor(uncheckedShape: outShape, storage: .float64(gather(a)))
    case .int64(let a): return Tensor(uncheckedShape: outShape, storage: .int64(gather(a)))
    }
  }
}
