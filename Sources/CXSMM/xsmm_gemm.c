#include <limits.h>
#include <pthread.h>
#include <libxsmm.h>
#include "CXSMM.h"

/* libxsmm is column-major: row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, which is the same
 * memory, so B goes first with the m and n of the call swapped. */

static pthread_once_t initialised = PTHREAD_ONCE_INIT;
static void initialise(void) { libxsmm_init(); }

static int fits(long m, long n, long k, long lda, long ldb, long ldc) {
  return m > 0 && n > 0 && k > 0 && m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX &&
         ldc <= INT_MAX;
}

void *og_xsmm_kernel_f32(long m, long n, long k, long lda, long ldb, long ldc) {
  if (!fits(m, n, k, lda, ldb, ldc)) return NULL;
  pthread_once(&initialised, initialise);
  const libxsmm_blasint ld_b = ldb, ld_a = lda, ld_c = ldc;
  const float alpha = 1, beta = 0;
  return (void *)libxsmm_smmdispatch(n, m, k, &ld_b, &ld_a, &ld_c, &alpha, &beta, NULL, NULL);
}

void *og_xsmm_kernel_f64(long m, long n, long k, long lda, long ldb, long ldc) {
  if (!fits(m, n, k, lda, ldb, ldc)) return NULL;
  pthread_once(&initialised, initialise);
  const libxsmm_blasint ld_b = ldb, ld_a = lda, ld_c = ldc;
  const double alpha = 1, beta = 0;
  return (void *)libxsmm_dmmdispatch(n, m, k, &ld_b, &ld_a, &ld_c, &alpha, &beta, NULL, NULL);
}

void og_xsmm_run_f32(const void *kernel, const float *a, const float *b, float *c) {
  ((libxsmm_smmfunction)kernel)(b, a, c);
}

void og_xsmm_run_f64(const void *kernel, const double *a, const double *b, double *c) {
  ((libxsmm_dmmfunction)kernel)(b, a, c);
}
