#include <immintrin.h>
#include <sleef.h>
#include "CVectorMathAVX512.h"

/* One array loop per SLEEF routine and element type. */
#define UNARY(NAME, SLEEF_F32, SLEEF_F64)                                          \
  long og512_##NAME##_f32(const float *x, float *y, long n) {                    \
    long i = 0;                                                                  \
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, SLEEF_F32(_mm512_loadu_ps(x + i)));  \
    return i;                                                                    \
  }                                                                              \
  long og512_##NAME##_f64(const double *x, double *y, long n) {                  \
    long i = 0;                                                                  \
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, SLEEF_F64(_mm512_loadu_pd(x + i)));  \
    return i;                                                                    \
  }

UNARY(tanh, Sleef_tanhf16_u10, Sleef_tanhd8_u10)
UNARY(exp, Sleef_expf16_u10, Sleef_expd8_u10)
UNARY(log, Sleef_logf16_u10, Sleef_logd8_u10)
UNARY(sin, Sleef_sinf16_u10, Sleef_sind8_u10)
UNARY(cos, Sleef_cosf16_u10, Sleef_cosd8_u10)
UNARY(erf, Sleef_erff16_u10, Sleef_erfd8_u10)
UNARY(erfc, Sleef_erfcf16_u15, Sleef_erfcd8_u15)
UNARY(expm1, Sleef_expm1f16_u10, Sleef_expm1d8_u10)
UNARY(log1p, Sleef_log1pf16_u10, Sleef_log1pd8_u10)

long og512_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n) {
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 va = sa ? _mm512_loadu_ps(a + i) : _mm512_set1_ps(a[0]);
    __m512 vb = sb ? _mm512_loadu_ps(b + i) : _mm512_set1_ps(b[0]);
    _mm512_storeu_ps(y + i, Sleef_powf16_u10(va, vb));
  }
  return i;
}

long og512_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d va = sa ? _mm512_loadu_pd(a + i) : _mm512_set1_pd(a[0]);
    __m512d vb = sb ? _mm512_loadu_pd(b + i) : _mm512_set1_pd(b[0]);
    _mm512_storeu_pd(y + i, Sleef_powd8_u10(va, vb));
  }
  return i;
}
