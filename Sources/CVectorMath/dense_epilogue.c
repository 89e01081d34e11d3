#include <math.h>
#include "CVectorMath.h"

/* Per-row loops written plainly and built three times (AVX-512, AVX2, baseline); the loader
 * picks one for the CPU. Each computes exactly what the unfused ops compute: LeakyRelu / Relu
 * and StepMul (whose row loop it calls), Tanh and TanhDerivativeMul, Add for the bias. */

#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
/* Elementwise: each element is read before it is written at the same index (see step_mul.c). */
#define ELEMENTWISE _Pragma("clang loop vectorize(assume_safety)")

#define EPILOGUE(T, SUFFIX, TANH)                                                                  \
  CLONES static void bias_##SUFFIX(T *z, const T *bias, long n) {                                 \
    if (bias)                                                                                      \
      ELEMENTWISE for (long j = 0; j < n; j++) z[j] = z[j] + bias[j];                              \
  }                                                                                                \
  CLONES static void leaky_##SUFFIX(T *z, long n, T slope) {                                      \
    if (slope == 0)                                                                                \
      for (long j = 0; j < n; j++) z[j] = (z[j] > 0 || z[j] != z[j]) ? z[j] : (T)0;               \
    else                                                                                           \
      for (long j = 0; j < n; j++) z[j] = z[j] > 0 ? z[j] : slope * z[j];                         \
  }                                                                                                \
  CLONES static void tanh_tangents_##SUFFIX(T *t, const T *y, long n) {                           \
    ELEMENTWISE for (long j = 0; j < n; j++) t[j] = t[j] * (((T)1 + y[j]) * ((T)1 - y[j]));       \
  }                                                                                                \
  void og_dense_epilogue_##SUFFIX(T *primal, T *tangents, long rows, long n, long directions,      \
                                  const T *bias, int activation, T slope) {                        \
    for (long r = 0; r < rows; r++) {                                                              \
      T *z = primal + r * n;                                                                       \
      bias_##SUFFIX(z, bias, n);                                                                   \
      switch (activation) {                                                                        \
      case OG_ACTIVATION_LEAKY_RELU:                                                               \
        for (long k = 0; k < directions; k++)                                                      \
          og_stepmul_##SUFFIX(tangents + (k * rows + r) * n, z, tangents + (k * rows + r) * n, n, n, slope, 1); \
        leaky_##SUFFIX(z, n, slope);                                                               \
        break;                                                                                     \
      case OG_ACTIVATION_TANH:                                                                     \
        TANH(z, z, n);                                                                             \
        for (long k = 0; k < directions; k++) tanh_tangents_##SUFFIX(tangents + (k * rows + r) * n, z, n); \
        break;                                                                                     \
      default:                                                                                     \
        break;                                                                                     \
      }                                                                                            \
    }                                                                                              \
  }

EPILOGUE(float, f32, og_tanh_f32)
EPILOGUE(double, f64, og_tanh_f64)

/* The tanh epilogue of a layer carrying a second-order jet (TanhJetMul): rows marked in
 * `target` are scaled by f'(z) = (1 + y)(1 − y) and then receive their terms
 * c·f''(z)·t_a·t_b with f''(z) = −2·y·(1 + y)(1 − y), read from the unscaled rows a and b
 * (never targets); the other rows are scaled last. Same arithmetic, in the same order, as
 * TanhJetMul's kernel. */
#define JET_EPILOGUE(T, SUFFIX, TANH)                                                              \
  CLONES static void jet_term_##SUFFIX(T *t, const T *a, const T *b, const T *y, T c, long n) {    \
    ELEMENTWISE for (long j = 0; j < n; j++) {                                                     \
      T d2 = (T)-2 * y[j] * (((T)1 + y[j]) * ((T)1 - y[j]));                                      \
      t[j] = t[j] + c * d2 * a[j] * b[j];                                                          \
    }                                                                                              \
  }                                                                                                \
  void og_dense_jet_epilogue_##SUFFIX(T *primal, T *tangents, long rows, long n, long directions,  \
                                      const T *bias, const unsigned char *target, long nterms,     \
                                      const long *row, const long *a, const long *b, const T *c) { \
    long size = rows * n;                                                                          \
    for (long r = 0; r < rows; r++) bias_##SUFFIX(primal + r * n, bias, n);                        \
    TANH(primal, primal, size);                                                                    \
    for (long k = 0; k < directions; k++)                                                          \
      if (target[k]) tanh_tangents_##SUFFIX(tangents + k * size, primal, size);                   \
    for (long i = 0; i < nterms; i++)                                                              \
      jet_term_##SUFFIX(tangents + row[i] * size, tangents + a[i] * size, tangents + b[i] * size,  \
                        primal, c[i], size);                                                       \
    for (long k = 0; k < directions; k++)                                                          \
      if (!target[k]) tanh_tangents_##SUFFIX(tangents + k * size, primal, size);                  \
  }

/* TanhJetMul's kernel: y = the jet of t through tanh, u = tanh's output (see JET_EPILOGUE). */
#define JET_MUL(T, SUFFIX)                                                                         \
  CLONES static void jet_scale_##SUFFIX(T *y, const T *t, const T *u, long n) {                   \
    ELEMENTWISE for (long j = 0; j < n; j++) y[j] = t[j] * (((T)1 + u[j]) * ((T)1 - u[j]));       \
  }                                                                                                \
  void og_tanh_jet_mul_##SUFFIX(const T *t, const T *u, T *y, long directions, long n,             \
                                const unsigned char *target, long nterms, const long *row,         \
                                const long *a, const long *b, const T *c) {                        \
    for (long k = 0; k < directions; k++)                                                          \
      if (target[k]) jet_scale_##SUFFIX(y + k * n, t + k * n, u, n);                               \
    for (long i = 0; i < nterms; i++)                                                              \
      jet_term_##SUFFIX(y + row[i] * n, t + a[i] * n, t + b[i] * n, u, c[i], n);                   \
    for (long k = 0; k < directions; k++)                                                          \
      if (!target[k]) jet_scale_##SUFFIX(y + k * n, t + k * n, u, n);                              \
  }

/* JetMul's kernel: the same step with f' and f'' given as arrays d1 and d2 ([n]). */
#define JET_MUL_GIVEN(T, SUFFIX)                                                                   \
  CLONES static void given_scale_##SUFFIX(T *y, const T *t, const T *d1, long n) {                \
    ELEMENTWISE for (long j = 0; j < n; j++) y[j] = t[j] * d1[j];                                  \
  }                                                                                                \
  CLONES static void given_term_##SUFFIX(T *y, const T *a, const T *b, const T *d2, T c, long n) { \
    ELEMENTWISE for (long j = 0; j < n; j++) y[j] = y[j] + c * d2[j] * a[j] * b[j];               \
  }                                                                                                \
  void og_jet_mul_##SUFFIX(const T *t, const T *d1, const T *d2, T *y, long directions, long n,    \
                           const unsigned char *target, long nterms, const long *row,              \
                           const long *a, const long *b, const T *c) {                             \
    for (long k = 0; k < directions; k++)                                                          \
      if (target[k]) given_scale_##SUFFIX(y + k * n, t + k * n, d1, n);                            \
    for (long i = 0; i < nterms; i++)                                                              \
      given_term_##SUFFIX(y + row[i] * n, t + a[i] * n, t + b[i] * n, d2, c[i], n);                \
    for (long k = 0; k < directions; k++)                                                          \
      if (!target[k]) given_scale_##SUFFIX(y + k * n, t + k * n, d1, n);                           \
  }

JET_EPILOGUE(float, f32, og_tanh_f32)
JET_EPILOGUE(double, f64, og_tanh_f64)
JET_MUL_GIVEN(float, f32)
JET_MUL_GIVEN(double, f64)
JET_MUL(float, f32)
JET_MUL(double, f64)
