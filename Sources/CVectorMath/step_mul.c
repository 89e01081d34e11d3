#include "CVectorMath.h"

/* The rows of y = t * (x > 0 ? hi : lo), x one row of m elements shared by all rows. This runs
 * over every [K, B, n] tangent of a ReLU network; the compiler does not vectorise Swift's
 * generic loops beyond SSE2, so the row loop is plain C built for AVX-512, AVX2 and the
 * baseline, and the loader picks one for the CPU. Each element is read before it is written
 * at the same index, so the loop is vectorised even when y is t (which clang's run-time overlap
 * check would otherwise send to the scalar loop). */

#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define ELEMENTWISE _Pragma("clang loop vectorize(assume_safety)")

#define STEPMUL(T, SUFFIX)                                                                      \
  CLONES static void row_##SUFFIX(const T *t, const T *x, T *y, long m, T lo, T hi) {          \
    ELEMENTWISE for (long j = 0; j < m; j++) y[j] = t[j] * (x[j] > 0 ? hi : lo);              \
  }                                                                                            \
  void og_stepmul_##SUFFIX(const T *t, const T *x, T *y, long n, long m, T lo, T hi) {         \
    if (m <= 0 || n <= 0) return;                                                              \
    for (long base = 0; base + m <= n; base += m) row_##SUFFIX(t + base, x, y + base, m, lo, hi); \
  }

STEPMUL(float, f32)
STEPMUL(double, f64)
