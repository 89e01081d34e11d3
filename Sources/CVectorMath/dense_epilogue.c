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
