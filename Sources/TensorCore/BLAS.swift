internal import CBLAS

/// General matrix multiply through CBLAS: `C = alpha · op(A) · op(B) + beta · C`, row-major.
///
/// This is the only Swift file that sees CBLAS. `op(A)` is `m×k`, `op(B)` is `k×n`, `C` is `m×n`;
/// `lda`/`ldb` are the row strides of A and B as stored.
public enum BLAS {
  public static func gemm<T: FloatElement>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
    a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    let ta = transA ? CblasTrans : CblasNoTrans
    let tb = transB ? CblasTrans : CblasNoTrans
    if k == 0 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    if T.self == Float.self {
      a.withMemoryRebound(to: Float.self, capacity: 1) { pa in
        b.withMemoryRebound(to: Float.self, capacity: 1) { pb in
          c.withMemoryRebound(to: Float.self, capacity: 1) { pc in
            cblas_sgemm(
              CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha), pa, Int32(lda), pb,
              Int32(ldb), Float(beta), pc, Int32(ldc))
          }
        }
      }
    } else {
      a.withMemoryRebound(to: Double.self, capacity: 1) { pa in
        b.withMemoryRebound(to: Double.self, capacity: 1) { pb in
          c.withMemoryRebound(to: Double.self, capacity: 1) { pc in
            cblas_dgemm(
              CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha), pa, Int32(lda), pb,
              Int32(ldb), Double(beta), pc, Int32(ldc))
          }
        }
      }
    }
  }
}
