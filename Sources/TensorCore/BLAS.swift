internal import CBLAS
internal import CDNNL
internal import CEigenGEMM
internal import CVectorMath

/// Matrix products, row-major: f32 through oneDNN's `dnnl_sgemm`, f64 through Eigen's GEMM
/// built for AVX-512 where the CPU has it, else CBLAS (OpenBLAS). The only Swift file that sees
/// these libraries.
///
/// `gemm`: `C = alpha · op(A) · op(B) + beta · C` with `op(A)` `m×k`, `op(B)` `k×n`, `C` `m×n`;
/// `lda`/`ldb`/`ldc` are row strides as stored. The generic entry points specialise at the call
/// site and go straight to the Float or Double routine.
///
/// Why two libraries: on this project's machines (AVX-512 AMD EPYC) Debian's OpenBLAS 0.3.21 is
/// pinned to its AVX2 kernels by `OPENBLAS_CORETYPE=Haswell`, because its AVX-512 kernels give
/// wrong results there (the row-chunking tests catch it). oneDNN picks AVX-512 kernels that are
/// correct and 4–5× faster in f32 (243 vs ~50 GFLOP/s on one core); it has no f64 GEMM, for
/// which Eigen's AVX-512 kernel (XLA's CPU GEMM) is 1.8× faster than OpenBLAS's AVX2 one on
/// 50–2048 × 100 × 100 products.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses for each call (process-wide) and OpenMP (so
  /// oneDNN) uses on the calling thread. The command-line tool sets 1 once at start.
  ///
  /// onnxgrad runs BLAS on one thread and parallelises over batch rows itself: on small GEMMs,
  /// waking OpenBLAS's second thread costs more than the multiply.
  public static func setThreads(_ n: Int) {
    openblas_set_num_threads(Int32(n))
    omp_set_num_threads(Int32(n))
  }

  /// OpenBLAS's process-wide thread count.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// Runs `body` with OpenBLAS and this thread's OpenMP on one thread, and restores the
  /// caller's settings afterwards: a library user's own setting survives every run (though
  /// OpenBLAS calls the user makes from other threads during the run see one thread, as
  /// OpenBLAS's setting is process-wide). Costs nothing when both are already 1.
  public static func withOneThread<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
    let blas = openblas_get_num_threads()
    let omp = omp_get_max_threads()
    if blas != 1 { openblas_set_num_threads(1) }
    if omp != 1 { omp_set_num_threads(1) }
    defer {
      if blas != 1 { openblas_set_num_threads(blas) }
      if omp != 1 { omp_set_num_threads(omp) }
    }
    return try body()
  }

  /// Puts OpenMP (so oneDNN's GEMM) on one thread for the calling thread only: for onnxgrad's
  /// own worker threads.
  public static func useOneThreadOnThisThread() {
    omp_set_num_threads(1)
  }

  /// Up to this many rows (and no transposed `A`), a product is one OpenBLAS matrix-vector
  /// product per row: a GEMM call's set-up costs more than it saves there (B = 1 forward:
  /// 1.76 → 1.35 µs for the classic net).
  public static let smallRows = 4

  @inlinable @inline(__always)
  public static func gemm<T: FloatElement>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
    a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    if T.self == Float.self {
      sgemm(
        transA, transB, m, n, k, Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb, Float(beta),
        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc)
    } else {
      dgemm(
        transA, transB, m, n, k, Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb, Double(beta),
        UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc)
    }
  }

  private static let plain = CChar(UInt8(ascii: "N"))
  private static let transposed = CChar(UInt8(ascii: "T"))

  /// `gemm` for Float with `m, n, k > 0`.
  @usableFromInline
  static func sgemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>,
    _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
  ) {
    if m <= smallRows && !transA {
      let t = transB ? CblasNoTrans : CblasTrans
      let (rows, columns) = transB ? (n, k) : (k, n)
      for i in 0..<m {
        cblas_sgemv(CblasRowMajor, t, Int32(rows), Int32(columns), alpha, b, Int32(ldb), a + i * lda, 1, beta, c + i * ldc, 1)
      }
      return
    }
    let status = dnnl_sgemm(
      transA ? transposed : plain, transB ? transposed : plain, dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda), b,
      dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
    if status != dnnl_success {
      cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
        Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }

  /// Whether the CPU runs the AVX-512 build of Eigen's GEMM.
  private static let eigenAVX512 = og_cpu_has_avx512() != 0

  /// `gemm` for Double with `m, n, k > 0`.
  @usableFromInline
  static func dgemm(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double, _ a: UnsafePointer<Double>,
    _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
  ) {
    if m <= smallRows && !transA {
      let t = transB ? CblasNoTrans : CblasTrans
      let (rows, columns) = transB ? (n, k) : (k, n)
      for i in 0..<m {
        cblas_dgemv(CblasRowMajor, t, Int32(rows), Int32(columns), alpha, b, Int32(ldb), a + i * lda, 1, beta, c + i * ldc, 1)
      }
    } else if eigenAVX512 {
      og_dgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    } else {
      cblas_dgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
        Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }
}
