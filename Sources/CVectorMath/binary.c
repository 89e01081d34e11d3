#include "CVectorMath.h"

/* Elementwise a op b over arrays (one operand may repeat every `period` elements, or be one
 * element): the kernels behind Add, Sub, Mul and Div in plans. Swift's generic loops are not
 * vectorised beyond SSE2, so the loops are plain C built for AVX-512, AVX2 and the baseline,
 * and the loader picks one for the CPU. Each element is read before the output element at the
 * same index is written, so y may be a full-size operand (the loops are vectorised without
 * clang's run-time overlap check, which would send in-place calls to the scalar loop). Plain
 * IEEE operations, one per element: results are bitwise those of the scalar loops. */

#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define ELEMENTWISE _Pragma("clang loop vectorize(assume_safety)")

#define OPS(T, SUFFIX)                                                                           \
  CLONES static void both_##SUFFIX(int op, const T *a, const T *b, T *y, long m) {              \
    switch (op) {                                                                                \
    case OG_BINARY_ADD: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] + b[j]; break;      \
    case OG_BINARY_SUB: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] - b[j]; break;      \
    case OG_BINARY_MUL: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] * b[j]; break;      \
    default: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] / b[j]; break;                 \
    }                                                                                            \
  }                                                                                              \
  CLONES static void scalar_b_##SUFFIX(int op, const T *a, T s, T *y, long m) {                 \
    switch (op) {                                                                                \
    case OG_BINARY_ADD: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] + s; break;         \
    case OG_BINARY_SUB: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] - s; break;         \
    case OG_BINARY_MUL: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] * s; break;         \
    default: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = a[j] / s; break;                    \
    }                                                                                            \
  }                                                                                              \
  CLONES static void scalar_a_##SUFFIX(int op, T s, const T *b, T *y, long m) {                 \
    switch (op) {                                                                                \
    case OG_BINARY_ADD: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = s + b[j]; break;         \
    case OG_BINARY_SUB: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = s - b[j]; break;         \
    case OG_BINARY_MUL: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = s * b[j]; break;         \
    default: ELEMENTWISE for (long j = 0; j < m; j++) y[j] = s / b[j]; break;                    \
    }                                                                                            \
  }                                                                                              \
  void og_binary_##SUFFIX(int op, const T *a, long pa, const T *b, long pb, T *y, long n) {     \
    if (n <= 0) return;                                                                          \
    if (pa == n && pb == n) {                                                                    \
      both_##SUFFIX(op, a, b, y, n);                                                             \
    } else if (pa == n && pb == 1) {                                                             \
      scalar_b_##SUFFIX(op, a, b[0], y, n);                                                      \
    } else if (pb == n && pa == 1) {                                                             \
      scalar_a_##SUFFIX(op, a[0], b, y, n);                                                      \
    } else if (pa == n && pb > 0) {                                                              \
      for (long base = 0; base + pb <= n; base += pb) both_##SUFFIX(op, a + base, b, y + base, pb); \
    } else if (pb == n && pa > 0) {                                                              \
      for (long base = 0; base + pa <= n; base += pa) both_##SUFFIX(op, a, b + base, y + base, pa); \
    }                                                                                            \
  }

OPS(float, f32)
OPS(double, f64)
