#include <immintrin.h>
#include <sleef.h>
#include "CVectorMath.h"

/* pow over arrays through SLEEF (1.0 ULP, C99 semantics: a negative base with an integral
 * exponent is real). Each operand has stride 1 (an array) or 0 (one element repeated).
 *
 * This calls SLEEF's 128-bit routines (its own dispatcher picks SSE2, SSE4 or AVX2-128 at run
 * time), not the 256/512-bit ones: clang fixes how vector arguments are passed per translation
 * unit, so a target("avx512f") function of a baseline file passes __m512d arguments in memory
 * while SLEEF reads them from zmm0/zmm1; a binary routine then sees a stale second argument
 * (seen here: pow(a, b) returned pow(a, a)). 128-bit vectors are passed in xmm registers by the
 * baseline x86-64 ABI itself. */

void og_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n) {
  sa = sa != 0;
  sb = sb != 0;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    __m128 va = sa ? _mm_loadu_ps(a + i) : _mm_set1_ps(a[0]);
    __m128 vb = sb ? _mm_loadu_ps(b + i) : _mm_set1_ps(b[0]);
    _mm_storeu_ps(y + i, Sleef_powf4_u10(va, vb));
  }
  for (; i < n; i++) y[i] = Sleef_powf_u10(a[i * sa], b[i * sb]);
}

void og_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n) {
  sa = sa != 0;
  sb = sb != 0;
  long i = 0;
  for (; i + 2 <= n; i += 2) {
    __m128d va = sa ? _mm_loadu_pd(a + i) : _mm_set1_pd(a[0]);
    __m128d vb = sb ? _mm_loadu_pd(b + i) : _mm_set1_pd(b[0]);
    _mm_storeu_pd(y + i, Sleef_powd2_u10(va, vb));
  }
  for (; i < n; i++) y[i] = Sleef_pow_u10(a[i * sa], b[i * sb]);
}

double og_pow_scalar(double a, double b) { return Sleef_pow_u10(a, b); }
