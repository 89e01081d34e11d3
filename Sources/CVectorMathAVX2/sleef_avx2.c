#include <immintrin.h>
#include <sleef.h>
#include "CVectorMathAVX2.h"

/* One array loop per SLEEF routine and element type. */
#define UNARY(NAME, SLEEF_F32, SLEEF_F64)                                          \
  long og256_##NAME##_f32(const float *x, float *y, long n) {                    \
    long i = 0;                                                                  \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, SLEEF_F32(_mm256_loadu_ps(x + i)));  \
    return i;                                                                    \
  }                                                                              \
  long og256_##NAME##_f64(const double *x, double *y, long n) {                  \
    long i = 0;                                                                  \
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, SLEEF_F64(_mm256_loadu_pd(x + i)));  \
    return i;                                                                    \
  }

UNARY(tanh, Sleef_tanhf8_u10, Sleef_tanhd4_u10)
UNARY(exp, Sleef_expf8_u10, Sleef_expd4_u10)
UNARY(log, Sleef_logf8_u10, Sleef_logd4_u10)
UNARY(sin, Sleef_sinf8_u10, Sleef_sind4_u10)
UNARY(cos, Sleef_cosf8_u10, Sleef_cosd4_u10)
UNARY(erf, Sleef_erff8_u10, Sleef_erfd4_u10)
UNARY(erfc, Sleef_erfcf8_u15, Sleef_erfcd4_u15)
UNARY(expm1, Sleef_expm1f8_u10, Sleef_expm1d4_u10)
UNARY(log1p, Sleef_log1pf8_u10, Sleef_log1pd4_u10)

long og256_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 va = sa ? _mm256_loadu_ps(a + i) : _mm256_set1_ps(a[0]);
    __m256 vb = sb ? _mm256_loadu_ps(b + i) : _mm256_set1_ps(b[0]);
    _mm256_storeu_ps(y + i, Sleef_powf8_u10(va, vb));
  }
  return i;
}

long og256_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d va = sa ? _mm256_loadu_pd(a + i) : _mm256_set1_pd(a[0]);
    __m256d vb = sb ? _mm256_loadu_pd(b + i) : _mm256_set1_pd(b[0]);
    _mm256_storeu_pd(y + i, Sleef_powd4_u10(va, vb));
  }
  return i;
}
