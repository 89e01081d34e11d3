#ifndef ONNXGRAD_CEIGENGEMM_H
#define ONNXGRAD_CEIGENGEMM_H
#ifdef __cplusplus
extern "C" {
#endif
/* C = alpha * op(A) * op(B) + beta * C, row-major, f64, through Eigen's GEMM built for AVX-512.
 * Call only when og_cpu_has_avx512() (CVectorMath) says the CPU has AVX-512F and DQ. */
void og_dgemm_avx512(int trans_a, int trans_b, long m, long n, long k, double alpha, const double *a, long lda,
                     const double *b, long ldb, double beta, double *c, long ldc);
#ifdef __cplusplus
}
#endif
#endif
