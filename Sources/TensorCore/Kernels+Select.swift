extension Kernels {
  /// How three broadcast operands line up with the output, decided once at plan time: the
  /// output's axes are merged wherever every operand allows, then split into an innermost run
  /// (`inner` elements, each operand advancing by its `innerStrides` entry, 0 or 1) and the
  /// outer axes an odometer walks.
  public struct TernaryLayout: Sendable, Equatable {
    public let outer: [Int]
    /// Per operand, its stride along each outer axis.
    public let outerStrides: [[Int]]
    public let inner: Int
    public let innerStrides: [Int]
    public let count: Int

    public init(shapes: [[Int]], outShape: [Int]) {
      count = outShape.reduce(1, *)
      var dims: [Int] = []
      var strides: [[Int]] = shapes.map { _ in [] }
      let full = shapes.map { Broadcasting.strides(of: $0, in: outShape) }
      for axis in outShape.indices where outShape[axis] != 1 {
        let size = outShape[axis]
        if let last = dims.last,
          full.indices.allSatisfy({ k in strides[k][strides[k].count - 1] == full[k][axis] * size })
        {
          dims[dims.count - 1] = last * size
          for k in full.indices { strides[k][strides[k].count - 1] = full[k][axis] }
        } else {
          dims.append(size)
          for k in full.indices { strides[k].append(full[k][axis]) }
        }
      }
      inner = dims.last ?? 1
      innerStrides = strides.map { $0.last ?? 0 }
      outer = Array(dims.dropLast())
      outerStrides = strides.map { Array($0.dropLast()) }
    }
  }

  /// `y = f(a, b, c)` with three-way broadcasting (`Where`, `Clip`).
  @inlinable @inline(__always)
  public static func ternary<A, B, C, Y>(
    _ a: UnsafePointer<A>, _ b: UnsafePointer<B>, _ c: UnsafePointer<C>, _ y: UnsafeMutablePointer<Y>,
    _ layout: TernaryLayout, _ f: (A, B, C) -> Y
  ) {
    guard layout.count > 0 else { return }
    let m = layout.inner
    let (sa, sb, sc) = (layout.innerStrides[0], layout.innerStrides[1], layout.innerStrides[2])
    let rank = layout.outer.count
    let (oa, ob, oc) = (layout.outerStrides[0], layout.outerStrides[1], layout.outerStrides[2])
    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
      for i in 0..<rank { index[i] = 0 }
      var (ia, ib, ic) = (0, 0, 0)
      var base = 0
      while base < layout.count {
        let (ap, bp, cp, yp) = (a + ia, b + ib, c + ic, y + base)
        if sa == 1 && sb == 1 && sc == 1 {
          for j in 0..<m { yp[j] = f(ap[j], bp[j], cp[j]) }
        } else {
          for j in 0..<m { yp[j] = f(ap[j &* sa], bp[j &* sb], cp[j &* sc]) }
        }
        base &+= m
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          ia += oa[axis]
          ib += ob[axis]
          ic += oc[axis]
          if index[axis] < layout.outer[axis] { break }
          ia -= oa[axis] * layout.outer[axis]
          ib -= ob[axis] * layout.outer[axis]
          ic -= oc[axis] * layout.outer[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
  }

  /// `y[i] = f(x[i])` where the result has another element type than the input (casts).
  @inlinable @inline(__always)
  public static func unaryMapped<T, U>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<U>, _ n: Int, _ f: (T) -> U) {
    for i in 0..<n { y[i] = f(x[i]) }
  }
}
