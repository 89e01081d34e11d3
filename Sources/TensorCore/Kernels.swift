/// Allocation-free loops over raw buffers, specialised for each element type at the call site
/// (`@inlinable`), used by the op kernels a plan binds to its arena.
public enum Kernels {
  /// `y[i] = f(x[i])`; `x` and `y` may be the same buffer.
  @inlinable @inline(__always)
  public static func unary<T>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
    for i in 0..<n { y[i] = f(x[i]) }
  }

  /// How two broadcast operands line up with the output, decided once at plan time.
  public enum BinaryLayout: Sendable, Equatable {
    /// Both operands have the output's element count.
    case same(count: Int)
    /// `b` is one element.
    case scalarB(count: Int)
    /// `a` is one element.
    case scalarA(count: Int)
    /// `b` repeats every `period` elements of the output (a trailing block of the output shape).
    case periodicB(count: Int, period: Int)
    /// `a` repeats every `period` elements of the output.
    case periodicA(count: Int, period: Int)
    /// Anything else: strides of each operand over the output's axes.
    case strided(outShape: [Int], aStrides: [Int], bStrides: [Int])

    public init(aShape: [Int], bShape: [Int], outShape: [Int]) {
      let n = outShape.reduce(1, *)
      let na = aShape.reduce(1, *)
      let nb = bShape.reduce(1, *)
      func isTrailingBlock(_ s: [Int]) -> Bool {
        let trimmed = Array(s.drop(while: { $0 == 1 }))
        return outShape.count >= trimmed.count && Array(outShape.suffix(trimmed.count)) == trimmed
      }
      if na == n && nb == n && (aShape == bShape || (aShape.filter { $0 != 1 } == bShape.filter { $0 != 1 })) {
        self = .same(count: n)
      } else if nb == 1 && na == n {
        self = .scalarB(count: n)
      } else if na == 1 && nb == n {
        self = .scalarA(count: n)
      } else if na == n && nb > 0 && isTrailingBlock(bShape) {
        self = .periodicB(count: n, period: nb)
      } else if nb == n && na > 0 && isTrailingBlock(aShape) {
        self = .periodicA(count: n, period: na)
      } else {
        self = .strided(
          outShape: outShape, aStrides: Broadcasting.strides(of: aShape, in: outShape),
          bStrides: Broadcasting.strides(of: bShape, in: outShape))
      }
    }
  }

  /// `y = f(a, b)` with broadcasting; `y` may be the same buffer as an operand of full size. The
  /// result may have another element type than the operands (comparisons give `Bool`).
  @inlinable @inline(__always)
  public static func binary<T, U>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<U>, _ layout: BinaryLayout,
    _ f: (T, T) -> U
  ) {
    switch layout {
    case .same(let n):
      for i in 0..<n { y[i] = f(a[i], b[i]) }
    case .scalarB(let n):
      let s = b[0]
      for i in 0..<n { y[i] = f(a[i], s) }
    case .scalarA(let n):
      let s = a[0]
      for i in 0..<n { y[i] = f(s, b[i]) }
    case .periodicB(let n, let m):
      var base = 0
      while base < n {
        let (ab, yb) = (a + base, y + base)
        for j in 0..<m { yb[j] = f(ab[j], b[j]) }
        base &+= m
      }
    case .periodicA(let n, let m):
      var base = 0
      while base < n {
        let (bb, yb) = (b + base, y + base)
        for j in 0..<m { yb[j] = f(a[j], bb[j]) }
        base &+= m
      }
    case .strided(let shape, let sa, let sb):
      forEachStrided(shape: shape, sa, sb) { i, ia, ib in y[i] = f(a[ia], b[ib]) }
    }
  }

  /// `y = Σ x` over the axes where `yStrides` is 0: `x` has `shape`, `y` is zeroed first.
  @inlinable @inline(__always)
  public static func sumTo<T: AdditiveArithmetic>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, shape: [Int], yStrides: [Int], yCount: Int
  ) {
    y.initialize(repeating: .zero, count: yCount)
    let n = shape.reduce(1, *)
    if let period = periodicTarget(shape: shape, strides: yStrides, count: yCount) {
      var base = 0
      while base < n {
        let xb = x + base
        for j in 0..<period { y[j] += xb[j] }
        base &+= period
      }
      return
    }
    forEachStrided(shape: shape, yStrides, yStrides) { i, iy, _ in y[iy] += x[i] }
  }

  /// `y` = `x` broadcast over the axes where `xStrides` is 0; `y` has `shape`.
  @inlinable @inline(__always)
  public static func expand<T>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, shape: [Int], xStrides: [Int]) {
    let n = shape.reduce(1, *)
    let xCount = zip(shape, xStrides).reduce(1) { $1.1 == 0 ? $0 : $0 * $1.0 }
    if let period = periodicTarget(shape: shape, strides: xStrides, count: xCount) {
      guard n > 0 else { return }
      // One period, then the filled prefix copied onto itself (doubling): log(n / period) copies
      // instead of one per period (a broadcast scalar was one memmove per element).
      y.update(from: x, count: period)
      var filled = period
      while filled < n {
        let count = min(filled, n - filled)
        (y + filled).update(from: y, count: count)
        filled += count
      }
      return
    }
    forEachStrided(shape: shape, xStrides, xStrides) { i, ix, _ in y[i] = x[ix] }
  }

  /// Calls `body(i, ia, ib)` for every flat row-major index `i` of `shape`, with `ia` and `ib`
  /// its offsets under the strides `sa` and `sb` (one odometer for every strided loop here).
  @inlinable @inline(__always)
  public static func forEachStrided(shape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let n = shape.reduce(1, *)
    let rank = shape.count
    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
      for i in 0..<rank { index[i] = 0 }
      var ia = 0
      var ib = 0
      for i in 0..<n {
        body(i, ia, ib)
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          ia += sa[axis]
          ib += sb[axis]
          if index[axis] < shape[axis] { break }
          ia -= sa[axis] * shape[axis]
          ib -= sb[axis] * shape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
  }

  /// When the target is a trailing contiguous block of the source (leading axes summed), its size.
  @usableFromInline
  static func periodicTarget(shape: [Int], strides: [Int], count: Int) -> Int? {
    var expected = 1
    var axis = shape.count - 1
    while axis >= 0 && expected < count {
      guard strides[axis] == expected || shape[axis] == 1 else { return nil }
      expected *= shape[axis]
      axis -= 1
    }
    guard expected == count else { return nil }
    while axis >= 0 {
      guard strides[axis] == 0 || shape[axis] == 1 else { return nil }
      axis -= 1
    }
    return count
  }
}
