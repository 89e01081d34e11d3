import TensorCore

/// Reorders column-major (Fortran order) elements into row-major (C order).
enum FortranOrder {
  static func toC(_ storage: Tensor.Storage, shape: [Int]) -> Tensor.Storage {
    switch storage {
    case .float32(let a): .float32(toC(a, shape: shape))
    case .float64(let a): .float64(toC(a, shape: shape))
    case .int64(let a): .int64(toC(a, shape: shape))
    }
  }

  /// `source[i0 + d0·(i1 + d1·(…))]` lands at the C-order position of `(i0, i1, …)`.
  static func toC<T>(_ source: [T], shape: [Int]) -> [T] {
    let rank = shape.count
    guard rank > 1, !source.isEmpty else { return source }
    // Fortran stride of each axis.
    var fStride = [Int](repeating: 1, count: rank)
    for k in 1..<rank { fStride[k] = fStride[k - 1] * shape[k - 1] }
    var out: [T] = []
    out.reserveCapacity(source.count)
    var index = [Int](repeating: 0, count: rank)
    var offset = 0
    for _ in 0..<source.count {
      out.append(source[offset])
      // Advance the C-order multi-index (last axis fastest) and the Fortran offset with it.
      var k = rank - 1
      while k >= 0 {
        index[k] += 1
        offset += fStride[k]
        if index[k] < shape[k] { break }
        offset -= fStride[k] * shape[k]
        index[k] = 0
        k -= 1
      }
    }
    return out
  }
}
