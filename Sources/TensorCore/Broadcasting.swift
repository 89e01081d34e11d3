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

  /// Elementwise `op(a, b)` with broadcasting, into a new array of `outShape` (the allocating
  /// form of `Kernels.binary`).
  public static func apply<T>(
    _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], outShape: [Int], _ op: (T, T) -> T
  ) -> [T] {
    let n = outShape.reduce(1, *)
    let layout = Kernels.BinaryLayout(aShape: aShape, bShape: bShape, outShape: outShape)
    return a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        [T](unsafeUninitializedCapacity: n) { out, count in
          if let x = pa.baseAddress, let y = pb.baseAddress, let o = out.baseAddress {
            Kernels.binary(x, y, o, layout, op)
          }
          count = n
        }
      }
    }
  }

  /// Sums `x` (of `shape`) down to `target`, undoing a broadcast of `target` to `shape`
  /// (the allocating form of `Kernels.sumTo`).
  ///
  /// Leading axes that `target` lacks and axes where `target` has 1 are summed.
  public static func sum<T: AdditiveArithmetic>(_ x: [T], shape: [Int], to target: [Int]) throws -> [T] {
    guard (try? Broadcasting.shape(target, shape)) == shape else {
      throw TensorError("cannot sum shape \(shape) down to \(target)")
    }
    if shape == target { return x }
    let outCount = target.reduce(1, *)
    let st = strides(of: target, in: shape)
    return x.withUnsafeBufferPointer { px in
      [T](unsafeUninitializedCapacity: outCount) { out, count in
        if let input = px.baseAddress, let o = out.baseAddress {
          Kernels.sumTo(input, o, shape: shape, yStrides: st, yCount: outCount)
        } else {
          for k in 0..<outCount { out[k] = .zero }
        }
        count = outCount
      }
    }
  }

  /// `x` (of `shape`) broadcast to `outShape` (same rank or lower, right-aligned; the
  /// allocating form of `Kernels.expand`).
  public static func expand<T>(_ x: [T], shape: [Int], to outShape: [Int]) throws -> [T] {
    guard (try? Broadcasting.shape(shape, outShape)) == outShape else {
      throw TensorError("cannot broadcast shape \(shape) to \(outShape)")
    }
    if shape == outShape { return x }
    let n = outShape.reduce(1, *)
    let sx = strides(of: shape, in: outShape)
    return x.withUnsafeBufferPointer { px in
      [T](unsafeUninitializedCapacity: n) { out, count in
        if let input = px.baseAddress, let o = out.baseAddress { Kernels.expand(input, o, shape: outShape, xStrides: sx) }
        count = n
      }
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
