#ifndef ONNXGRAD_CXSMM_H
#define ONNXGRAD_CXSMM_H
/* Small matrix products through libxsmm's JIT. Row-major C (m×n) = A (m×k) · B (k×n), with row
 * strides lda, ldb, ldc and beta 0 (C is overwritten). A kernel is generated once per shape and
 * stays valid for the process; running it reads and writes only A, B and C. */

/* The kernel for this shape, or NULL when libxsmm cannot generate one. */
void *og_xsmm_kernel_f32(long m, long n, long k, long lda, long ldb, long ldc);
void *og_xsmm_kernel_f64(long m, long n, long k, long lda, long ldb, long ldc);

void og_xsmm_run_f32(const void *kernel, const float *a, const float *b, float *c);
void og_xsmm_run_f64(const void *kernel, const double *a, const double *b, double *c);
#endif
