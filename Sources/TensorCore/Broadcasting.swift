/// NumPy broadcasting: shapes are aligned at their last axis; a dimension of 1 stretches.
public enum Broadcasting {
  /// The broadcast shape of `a` and `b`, or an error naming both shapes.
  public static func shape(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if da == db || db == 1 {
        out[i] = da
      } else if da == 1 {
        out[i] = db
      } else {
        throw TensorError("shapes \(a) and \(b) cannot be broadcast together (axis \(i): \(da) vs \(db))")
      }
    }
    return out
  }

  /// Row-major strides of `shape` as seen from a broadcast `outShape`: 0 on stretched axes.
  public static func strides(of shape: [Int], in outShape: [Int]) -> [Int] {
    let offset = outShape.count - shape.count
    var strides = [Int](repeating: 0, count: outShape.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i + offset] = shape[i] == 1 ? 0 : step
      step *= shape[i]
    }
    return strides
  }
}
