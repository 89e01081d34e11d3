internal import CXSMM

/// A row-major product `C = A·op(B)` of one fixed shape, `A` `m×k` (row stride `k`), `C` `m×n`
/// (row stride `n`), compiled once by libxsmm's JIT and bound to one `B`.
///
/// Why: for the products of MLP layers up to 128 wide, libxsmm's generated kernels beat oneDNN,
/// OpenBLAS and Eigen at every row count measured here (f32, 100×100 weights: 0.27 µs for 3 rows
/// against 1.07 µs for OpenBLAS's three matrix-vector products and 0.55 µs for oneDNN; 8.5 µs
/// against 11.9 µs for 100 rows). libxsmm 1.17 generates no kernel for a transposed operand, so
/// `op(B) = Bᵀ` is packed once, at preparation: `B` must then not change while this is used.
///
/// `@unchecked Sendable`: every field is set once in `init`; a libxsmm kernel only reads its
/// operands, so one prepared product may run on several threads at once (on distinct outputs).
public final class PreparedGEMM<T: FloatElement>: @unchecked Sendable {
  @usableFromInline let kernel: UnsafeRawPointer
  @usableFromInline let b: UnsafePointer<T>
  private let packed: UnsafeMutablePointer<T>?

  /// Whether a prepared kernel is used for this shape: outputs 16–128 wide, inner size ≤ 128
  /// (narrower outputs do better as OpenBLAS matrix-vector products; larger weights as
  /// oneDNN/Eigen GEMMs that block for the cache).
  public static func pays(m: Int, n: Int, k: Int) -> Bool { m >= 1 && (16...128).contains(n) && (1...128).contains(k) }

  /// Prepares the product, or nil when it does not pay (`pays`) or libxsmm makes no kernel.
  /// `b` is `k×n` with row stride `ldb` (read at each call: it must stay valid), or `n×k` when
  /// `transB` (copied, transposed, now: later changes to it are not seen).
  public init?(m: Int, n: Int, k: Int, transB: Bool, b: UnsafePointer<T>, ldb: Int) {
    guard Self.pays(m: m, n: n, k: k) else { return nil }
    let ldPrepared = transB ? n : ldb
    let made: UnsafeMutableRawPointer? =
      T.self == Float.self ? og_xsmm_kernel_f32(m, n, k, k, ldPrepared, n) : og_xsmm_kernel_f64(m, n, k, k, ldPrepared, n)
    guard let made else { return nil }
    kernel = UnsafeRawPointer(made)
    if transB {
      let p = UnsafeMutablePointer<T>.allocate(capacity: k * n)
      for i in 0..<k { for j in 0..<n { p[i * n + j] = b[j * ldb + i] } }
      packed = p
      self.b = UnsafePointer(p)
    } else {
      packed = nil
      self.b = b
    }
  }

  deinit { packed?.deallocate() }

  /// `C = A·op(B)`.
  @inlinable @inline(__always)
  public func callAsFunction(_ a: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>) {
    if T.self == Float.self {
      Self.run32(kernel, UnsafeRawPointer(a), UnsafeRawPointer(b), UnsafeMutableRawPointer(c))
    } else {
      Self.run64(kernel, UnsafeRawPointer(a), UnsafeRawPointer(b), UnsafeMutableRawPointer(c))
    }
  }

  @usableFromInline
  static func run32(_ kernel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeMutableRawPointer) {
    og_xsmm_run_f32(
      kernel, a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), c.assumingMemoryBound(to: Float.self))
  }

  @usableFromInline
  static func run64(_ kernel: UnsafeRawPointer, _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeMutableRawPointer) {
    og_xsmm_run_f64(
      kernel, a.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), c.assumingMemoryBound(to: Double.self))
  }
}

extension BLAS {
  /// `C = A·op(B)` with `A` `m×k` and `C` `m×n` in contiguous rows, bound once to `b` (`k×n`,
  /// or `n×k` when `transB`, row stride `ldb`) and called many times: libxsmm's prepared kernel
  /// where it pays (`PreparedGEMM.pays`) and may read `b` now (not transposed, or
  /// `bIsConstant`), else `gemm`. Plans use this for every weight product they can.
  @inlinable
  public static func rowProduct<T: FloatElement>(
    m: Int, n: Int, k: Int, transB: Bool, b: UnsafePointer<T>, ldb: Int, bIsConstant: Bool
  ) -> (UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void {
    if bIsConstant || !transB, let prepared = PreparedGEMM(m: m, n: n, k: k, transB: transB, b: b, ldb: ldb) {
      return { a, c in prepared(a, c) }
    }
    return { a, c in
      gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: ldb, beta: 0, c: c, ldc: n)
    }
  }
}
