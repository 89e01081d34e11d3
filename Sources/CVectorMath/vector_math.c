#include <immintrin.h>
#include <sleef.h>
#include "CVectorMath.h"

/* sleef.h declares its 256- and 512-bit routines only when the whole file is compiled for AVX
 * or AVX-512; this file compiles for the baseline and calls them from functions built for those
 * targets after a run-time CPU check, so it declares the ones it uses itself. */
#ifndef __AVX512F__
__attribute__((target("avx512f"))) __m512 Sleef_tanhf16_u10(__m512);
__attribute__((target("avx512f"))) __m512 Sleef_expf16_u10(__m512);
__attribute__((target("avx512f"))) __m512 Sleef_logf16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_tanhd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512d Sleef_expd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512d Sleef_logd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_sinf16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_sind8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_cosf16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_cosd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_erff16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_erfd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_expm1f16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_expm1d8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_log1pf16_u10(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_log1pd8_u10(__m512d);
__attribute__((target("avx512f"))) __m512 Sleef_erfcf16_u15(__m512);
__attribute__((target("avx512f"))) __m512d Sleef_erfcd8_u15(__m512d);
#endif
#ifndef __AVX__
__attribute__((target("avx2,fma"))) __m256 Sleef_tanhf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256 Sleef_expf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256 Sleef_logf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_tanhd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256d Sleef_expd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256d Sleef_logd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_sinf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_sind4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_cosf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_cosd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_erff8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_erfd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_expm1f8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_expm1d4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_log1pf8_u10(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_log1pd4_u10(__m256d);
__attribute__((target("avx2,fma"))) __m256 Sleef_erfcf8_u15(__m256);
__attribute__((target("avx2,fma"))) __m256d Sleef_erfcd4_u15(__m256d);
#endif

enum { LEVEL_SCALAR, LEVEL_AVX2, LEVEL_AVX512 };

static int level(void) {
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") ? LEVEL_AVX512
      : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? LEVEL_AVX2 : LEVEL_SCALAR;
  }
  return cached;
}

int og_cpu_has_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

/* One array function per (name, element type): AVX-512 and AVX2 loops, scalar SLEEF tail. */
#define UNARY_F32(NAME, V16, V8, S)                                                        \
  __attribute__((target("avx512f"))) static long NAME##_512(const float *x, float *y, long n) { \
    long i = 0;                                                                            \
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, V16(_mm512_loadu_ps(x + i)));   \
    return i;                                                                              \
  }                                                                                        \
  __attribute__((target("avx2,fma"))) static long NAME##_256(const float *x, float *y, long n) { \
    long i = 0;                                                                            \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, V8(_mm256_loadu_ps(x + i)));      \
    return i;                                                                              \
  }                                                                                        \
  void og_##NAME##_f32(const float *x, float *y, long n) {                                 \
    int l = level();                                                                       \
    long i = l == LEVEL_AVX512 ? NAME##_512(x, y, n) : l == LEVEL_AVX2 ? NAME##_256(x, y, n) : 0; \
    for (; i < n; i++) y[i] = S(x[i]);                                                     \
  }

#define UNARY_F64(NAME, V8, V4, S)                                                         \
  __attribute__((target("avx512f"))) static long NAME##_512d(const double *x, double *y, long n) { \
    long i = 0;                                                                            \
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, V8(_mm512_loadu_pd(x + i)));      \
    return i;                                                                              \
  }                                                                                        \
  __attribute__((target("avx2,fma"))) static long NAME##_256d(const double *x, double *y, long n) { \
    long i = 0;                                                                            \
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, V4(_mm256_loadu_pd(x + i)));      \
    return i;                                                                              \
  }                                                                                        \
  void og_##NAME##_f64(const double *x, double *y, long n) {                               \
    int l = level();                                                                       \
    long i = l == LEVEL_AVX512 ? NAME##_512d(x, y, n) : l == LEVEL_AVX2 ? NAME##_256d(x, y, n) : 0; \
    for (; i < n; i++) y[i] = S(x[i]);                                                     \
  }

UNARY_F32(tanh, Sleef_tanhf16_u10, Sleef_tanhf8_u10, Sleef_tanhf_u10)
UNARY_F32(exp, Sleef_expf16_u10, Sleef_expf8_u10, Sleef_expf_u10)
UNARY_F32(log, Sleef_logf16_u10, Sleef_logf8_u10, Sleef_logf_u10)
UNARY_F64(tanh, Sleef_tanhd8_u10, Sleef_tanhd4_u10, Sleef_tanh_u10)
UNARY_F64(exp, Sleef_expd8_u10, Sleef_expd4_u10, Sleef_exp_u10)
UNARY_F64(log, Sleef_logd8_u10, Sleef_logd4_u10, Sleef_log_u10)
UNARY_F32(sin, Sleef_sinf16_u10, Sleef_sinf8_u10, Sleef_sinf_u10)
UNARY_F64(sin, Sleef_sind8_u10, Sleef_sind4_u10, Sleef_sin_u10)
UNARY_F32(cos, Sleef_cosf16_u10, Sleef_cosf8_u10, Sleef_cosf_u10)
UNARY_F64(cos, Sleef_cosd8_u10, Sleef_cosd4_u10, Sleef_cos_u10)
UNARY_F32(erf, Sleef_erff16_u10, Sleef_erff8_u10, Sleef_erff_u10)
UNARY_F64(erf, Sleef_erfd8_u10, Sleef_erfd4_u10, Sleef_erf_u10)
UNARY_F32(expm1, Sleef_expm1f16_u10, Sleef_expm1f8_u10, Sleef_expm1f_u10)
UNARY_F64(expm1, Sleef_expm1d8_u10, Sleef_expm1d4_u10, Sleef_expm1_u10)
UNARY_F32(log1p, Sleef_log1pf16_u10, Sleef_log1pf8_u10, Sleef_log1pf_u10)
UNARY_F64(log1p, Sleef_log1pd8_u10, Sleef_log1pd4_u10, Sleef_log1p_u10)
UNARY_F32(erfc, Sleef_erfcf16_u15, Sleef_erfcf8_u15, Sleef_erfcf_u15)
UNARY_F64(erfc, Sleef_erfcd8_u15, Sleef_erfcd4_u15, Sleef_erfc_u15)

/* e = exp(-|x|) vectorised, then the branch-free select of the two stable forms. */
void og_sigmoid_f32(const float *x, float *y, long n) {
  for (long start = 0; start < n; start += 256) {
    long m = n - start < 256 ? n - start : 256;
    float e[256];
    for (long i = 0; i < m; i++) e[i] = -__builtin_fabsf(x[start + i]);
    og_exp_f32(e, e, m);
    for (long i = 0; i < m; i++) {
      float r = 1.0f / (1.0f + e[i]);
      float v = x[start + i];
      y[start + i] = v >= 0 ? r : (v != v ? v : e[i] * r);
    }
  }
}

void og_sigmoid_f64(const double *x, double *y, long n) {
  for (long start = 0; start < n; start += 256) {
    long m = n - start < 256 ? n - start : 256;
    double e[256];
    for (long i = 0; i < m; i++) e[i] = -__builtin_fabs(x[start + i]);
    og_exp_f64(e, e, m);
    for (long i = 0; i < m; i++) {
      double r = 1.0 / (1.0 + e[i]);
      double v = x[start + i];
      y[start + i] = v >= 0 ? r : (v != v ? v : e[i] * r);
    }
  }
}
