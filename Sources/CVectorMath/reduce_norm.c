#include <math.h>
#include "CVectorMath.h"

/* Reductions and layer normalisation over rows. Swift's generic loops are not vectorised beyond
 * SSE2 and a floating-point sum is never vectorised without reassociation, so the row loops are
 * plain C built for AVX-512, AVX2 and the baseline (the loader picks one for the CPU), and every
 * row sum keeps LANES independent partial sums that the compiler turns into vector registers.
 * Loops that write y read every element at the same index first, so y may be an input. */

#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define ELEMENTWISE _Pragma("clang loop vectorize(assume_safety)")
#define LANES 32

#define REDUCE_KERNELS(T, SUFFIX, INF)                                                                  \
  static inline T sum_##SUFFIX(const T *x, long n) {                                                    \
    T acc[LANES] = {0};                                                                                 \
    long j = 0;                                                                                         \
    for (; j + LANES <= n; j += LANES)                                                                  \
      for (int l = 0; l < LANES; l++) acc[l] += x[j + l];                                               \
    T s = 0;                                                                                            \
    for (; j < n; j++) s += x[j];                                                                       \
    for (int l = 0; l < LANES; l++) s += acc[l];                                                        \
    return s;                                                                                           \
  }                                                                                                     \
  static inline T sumsq_##SUFFIX(const T *x, long n, T shift) {                                         \
    T acc[LANES] = {0};                                                                                 \
    long j = 0;                                                                                         \
    for (; j + LANES <= n; j += LANES)                                                                  \
      for (int l = 0; l < LANES; l++) acc[l] += (x[j + l] - shift) * (x[j + l] - shift);                \
    T s = 0;                                                                                            \
    for (; j < n; j++) s += (x[j] - shift) * (x[j] - shift);                                            \
    for (int l = 0; l < LANES; l++) s += acc[l];                                                        \
    return s;                                                                                           \
  }                                                                                                     \
  static inline T max_##SUFFIX(const T *x, long n) {                                                    \
    T acc[LANES];                                                                                       \
    for (int l = 0; l < LANES; l++) acc[l] = -INF;                                                      \
    long j = 0;                                                                                         \
    for (; j + LANES <= n; j += LANES)                                                                  \
      for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];                   \
    T m = -INF;                                                                                         \
    for (; j < n; j++) m = x[j] > m ? x[j] : m;                                                         \
    for (int l = 0; l < LANES; l++) m = acc[l] > m ? acc[l] : m;                                        \
    return m;                                                                                           \
  }                                                                                                     \
  static inline T min_##SUFFIX(const T *x, long n) {                                                    \
    T acc[LANES];                                                                                       \
    for (int l = 0; l < LANES; l++) acc[l] = INF;                                                       \
    long j = 0;                                                                                         \
    for (; j + LANES <= n; j += LANES)                                                                  \
      for (int l = 0; l < LANES; l++) acc[l] = x[j + l] < acc[l] ? x[j + l] : acc[l];                   \
    T m = INF;                                                                                          \
    for (; j < n; j++) m = x[j] < m ? x[j] : m;                                                         \
    for (int l = 0; l < LANES; l++) m = acc[l] < m ? acc[l] : m;                                        \
    return m;                                                                                           \
  }                                                                                                     \
  CLONES void og_reduce_##SUFFIX(const T *x, T *y, long outer, long n, long inner, int op) {            \
    if (inner == 1) {                                                                                   \
      for (long o = 0; o < outer; o++) {                                                                \
        const T *row = x + o * n;                                                                       \
        y[o] = op == OG_REDUCE_SUM ? sum_##SUFFIX(row, n)                                               \
          : op == OG_REDUCE_SUM_SQUARES ? sumsq_##SUFFIX(row, n, 0)                                      \
          : op == OG_REDUCE_MAX ? max_##SUFFIX(row, n) : min_##SUFFIX(row, n);                          \
      }                                                                                                 \
      return;                                                                                           \
    }                                                                                                   \
    T start = op == OG_REDUCE_MAX ? -INF : op == OG_REDUCE_MIN ? INF : 0;                               \
    for (long o = 0; o < outer; o++) {                                                                  \
      T *yr = y + o * inner;                                                                            \
      const T *xb = x + o * n * inner;                                                                  \
      for (long i = 0; i < inner; i++) yr[i] = start;                                                   \
      for (long j = 0; j < n; j++) {                                                                    \
        const T *xr = xb + j * inner;                                                                   \
        switch (op) {                                                                                   \
        case OG_REDUCE_SUM:                                                                             \
          ELEMENTWISE for (long i = 0; i < inner; i++) yr[i] += xr[i];                                  \
          break;                                                                                        \
        case OG_REDUCE_SUM_SQUARES:                                                                     \
          ELEMENTWISE for (long i = 0; i < inner; i++) yr[i] += xr[i] * xr[i];                          \
          break;                                                                                        \
        case OG_REDUCE_MAX:                                                                             \
          ELEMENTWISE for (long i = 0; i < inner; i++) yr[i] = xr[i] > yr[i] ? xr[i] : yr[i];           \
          break;                                                                                        \
        default:                                                                                        \
          ELEMENTWISE for (long i = 0; i < inner; i++) yr[i] = xr[i] < yr[i] ? xr[i] : yr[i];           \
          break;                                                                                        \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }                                                                                                     \
  /* Two sums in one pass: *a = Σ u, *b = Σ v·u where u = g·t (g may be NULL: u = t). */               \
  static inline void dual_##SUFFIX(const T *t, const T *v, const T *g, long n, T *a, T *b) {            \
    T accA[LANES] = {0}, accB[LANES] = {0};                                                             \
    long j = 0;                                                                                         \
    T sa = 0, sb = 0;                                                                                   \
    if (g) {                                                                                            \
      for (; j + LANES <= n; j += LANES)                                                                \
        for (int l = 0; l < LANES; l++) {                                                               \
          T u = g[j + l] * t[j + l];                                                                    \
          accA[l] += u;                                                                                 \
          accB[l] += v[j + l] * u;                                                                      \
        }                                                                                               \
      for (; j < n; j++) {                                                                              \
        T u = g[j] * t[j];                                                                              \
        sa += u;                                                                                        \
        sb += v[j] * u;                                                                                 \
      }                                                                                                 \
    } else {                                                                                            \
      for (; j + LANES <= n; j += LANES)                                                                \
        for (int l = 0; l < LANES; l++) {                                                               \
          accA[l] += t[j + l];                                                                          \
          accB[l] += v[j + l] * t[j + l];                                                               \
        }                                                                                               \
      for (; j < n; j++) {                                                                              \
        sa += t[j];                                                                                     \
        sb += v[j] * t[j];                                                                              \
      }                                                                                                 \
    }                                                                                                   \
    for (int l = 0; l < LANES; l++) {                                                                   \
      sa += accA[l];                                                                                    \
      sb += accB[l];                                                                                    \
    }                                                                                                   \
    *a = sa;                                                                                            \
    *b = sb;                                                                                            \
  }                                                                                                     \
  CLONES void og_layer_norm_##SUFFIX(const T *x, long rows, long n, T eps, const T *gamma, const T *beta, \
                                     T *y, T *rstd, T *mean) {                                          \
    for (long m = 0; m < rows; m++) {                                                                   \
      const T *xr = x + m * n;                                                                          \
      T *yr = y + m * n;                                                                                \
      T mu = sum_##SUFFIX(xr, n) / (T)n;                                                                \
      T r = 1 / sqrt(sumsq_##SUFFIX(xr, n, mu) / (T)n + eps);                                           \
      if (rstd) rstd[m] = r;                                                                            \
      if (mean) mean[m] = mu;                                                                           \
      if (gamma && beta) {                                                                              \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = (xr[j] - mu) * r * gamma[j] + beta[j];         \
      } else if (gamma) {                                                                               \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = (xr[j] - mu) * r * gamma[j];                   \
      } else if (beta) {                                                                                \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = (xr[j] - mu) * r + beta[j];                    \
      } else {                                                                                          \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = (xr[j] - mu) * r;                              \
      }                                                                                                 \
    }                                                                                                   \
  }                                                                                                     \
  CLONES void og_normalize_tangent_##SUFFIX(const T *t, long trows, const T *xhat, const T *rstd, long rows, \
                                            long n, const T *gamma, long gstride, int mode, T *y) {     \
    const T inv = 1 / (T)n;                                                                             \
    for (long q = 0; q < trows; q++) {                                                                  \
      long m = q % rows;                                                                                \
      const T *tr = t + q * n, *xr = xhat + m * n, *gr = gamma ? gamma + m * gstride : 0;               \
      T *yr = y + q * n;                                                                                \
      T a, b;                                                                                           \
      dual_##SUFFIX(tr, xr, mode == OG_NORMALIZE_SCALE_BEFORE ? gr : 0, n, &a, &b);                     \
      const T r = rstd[m], ca = a * inv, cb = b * inv;                                                  \
      if (mode == OG_NORMALIZE_SCALE_BEFORE) {                                                          \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = r * (gr[j] * tr[j] - ca - xr[j] * cb);         \
      } else if (mode == OG_NORMALIZE_SCALE_AFTER) {                                                    \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = gr[j] * (r * (tr[j] - ca - xr[j] * cb));       \
      } else {                                                                                          \
        ELEMENTWISE for (long j = 0; j < n; j++) yr[j] = r * (tr[j] - ca - xr[j] * cb);                 \
      }                                                                                                 \
    }                                                                                                   \
  }

REDUCE_KERNELS(float, f32, INFINITY)
REDUCE_KERNELS(double, f64, INFINITY)
