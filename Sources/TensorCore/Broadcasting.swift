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

  /// Elementwise `op(a, b)` with broadcasting, into a new array of `outShape`.
  public static func apply<T>(
    _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], outShape: [Int], _ op: (T, T) -> T
  ) -> [T] {
    let n = outShape.reduce(1, *)
    if aShape == bShape {
      return zip(a, b).map(op)
    }
    if b.count == 1 {
      let s = b[0]
      return a.count == n ? a.map { op($0, s) } : indexed(a, aShape, b, bShape, outShape, op)
    }
    if a.count == 1 {
      let s = a[0]
      return b.count == n ? b.map { op(s, $0) } : indexed(a, aShape, b, bShape, outShape, op)
    }
    if a.count == n, outShape.count >= bShape.count, Array(outShape.suffix(bShape.count)) == bShape {
      let m = b.count
      return [T](unsafeUninitializedCapacity: n) { buf, count in
        for i in 0..<n { buf[i] = op(a[i], b[i % m]) }
        count = n
      }
    }
    if b.count == n, outShape.count >= aShape.count, Array(outShape.suffix(aShape.count)) == aShape {
      let m = a.count
      return [T](unsafeUninitializedCapacity: n) { buf, count in
        for i in 0..<n { buf[i] = op(a[i % m], b[i]) }
        count = n
      }
    }
    return indexed(a, aShape, b, bShape, outShape, op)
  }

  private static func indexed<T>(
    _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], _ outShape: [Int], _ op: (T, T) -> T
  ) -> [T] {
    let n = outShape.reduce(1, *)
    let sa = strides(of: aShape, in: outShape)
    let sb = strides(of: bShape, in: outShape)
    let rank = outShape.count
    var index = [Int](repeating: 0, count: rank)
    var ia = 0
    var ib = 0
    return [T](unsafeUninitializedCapacity: n) { buf, count in
      for i in 0..<n {
        buf[i] = op(a[ia], b[ib])
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          ia += sa[axis]
          ib += sb[axis]
          if index[axis] < outShape[axis] { break }
          ia -= sa[axis] * outShape[axis]
          ib -= sb[axis] * outShape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
      count = n
    }
  }

  /// Sums `x` (of `shape`) down to `target`, undoing a broadcast of `target` to `shape`.
  ///
  /// Leading axes that `target` lacks and axes where `target` has 1 are summed.
  public static func sum<T: AdditiveArithmetic>(_ x: [T], shape: [Int], to target: [Int]) throws -> [T] {
    guard (try? Broadcasting.shape(target, shape)) == shape else {
      throw TensorError("cannot sum shape \(shape) down to \(target)")
    }
    if shape == target { return x }
    let outCount = target.reduce(1, *)
    var out = [T](repeating: .zero, count: outCount)
    let st = strides(of: target, in: shape)
    let rank = shape.count
    var index = [Int](repeating: 0, count: rank)
    var io = 0
    for i in 0..<x.count {
      out[io] += x[i]
      var axis = rank - 1
      while axis >= 0 {
        index[axis] += 1
        io += st[axis]
        if index[axis] < shape[axis] { break }
        io -= st[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return out
  }
}

extension Broadcasting {
  /// `x` (of `shape`) broadcast to `outShape` (same rank or lower, right-aligned).
  public static func expand<T>(_ x: [T], shape: [Int], to outShape: [Int]) throws -> [T] {
    guard (try? Broadcasting.shape(shape, outShape)) == outShape else {
      throw TensorError("cannot broadcast shape \(shape) to \(outShape)")
    }
    if shape == outShape { return x }
    let n = outShape.reduce(1, *)
    if x.count == 1 { return [T](repeating: x[0], count: n) }
    let sx = strides(of: shape, in: outShape)
    let rank = outShape.count
    var index = [Int](repeating: 0, count: rank)
    var src = 0
    return [T](unsafeUninitializedCapacity: n) { buf, count in
      for i in 0..<n {
        buf[i] = x[src]
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          src += sx[axis]
          if index[axis] < outShape[axis] { break }
          src -= sx[axis] * outShape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
      count = n
    }
  }
}

extension Tensor {
  /// Applies `f32`/`f64` to the float elements, keeping the dtype; int64 tensors are refused.
  public func mapFloats(
    shape newShape: [Int]? = nil, _ f32: ([Float]) throws -> [Float], _ f64: ([Double]) throws -> [Double]
  ) throws -> Tensor {
    switch storage {
    case .float32(let a): return try Tensor(shape: newShape ?? shape, storage: .float32(f32(a)))
    case .float64(let a): return try Tensor(shape: newShape ?? shape, storage: .float64(f64(a)))
    case .int64: throw TensorError("expected a float tensor, got int64 \(shape)")
    }
  }
}
