#include <immintrin.h>
#include "CVectorMath.h"

/* The rows of y = t * (x > 0 ? hi : lo), x one row of m elements shared by all rows. The
 * compiler does not vectorise Swift's generic loops beyond SSE2, and this loop runs over every
 * [K, B, n] tangent of a ReLU network, so it gets AVX-512 and AVX2 versions here. */

__attribute__((target("avx512f"))) static void row_f32_512(const float *t, const float *x, float *y, long m, float lo, float hi) {
  const __m512 zero = _mm512_setzero_ps(), vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  long j = 0;
  for (; j + 16 <= m; j += 16) {
    __mmask16 k = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + j), zero, _CMP_GT_OQ);
    _mm512_storeu_ps(y + j, _mm512_mul_ps(_mm512_loadu_ps(t + j), _mm512_mask_blend_ps(k, vlo, vhi)));
  }
  for (; j < m; j++) y[j] = t[j] * (x[j] > 0 ? hi : lo);
}

__attribute__((target("avx2"))) static void row_f32_256(const float *t, const float *x, float *y, long m, float lo, float hi) {
  const __m256 zero = _mm256_setzero_ps(), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  long j = 0;
  for (; j + 8 <= m; j += 8) {
    __m256 k = _mm256_cmp_ps(_mm256_loadu_ps(x + j), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(t + j), _mm256_blendv_ps(vlo, vhi, k)));
  }
  for (; j < m; j++) y[j] = t[j] * (x[j] > 0 ? hi : lo);
}

__attribute__((target("avx512f"))) static void row_f64_512(const double *t, const double *x, double *y, long m, double lo, double hi) {
  const __m512d zero = _mm512_setzero_pd(), vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
  long j = 0;
  for (; j + 8 <= m; j += 8) {
    __mmask8 k = _mm512_cmp_pd_mask(_mm512_loadu_pd(x + j), zero, _CMP_GT_OQ);
    _mm512_storeu_pd(y + j, _mm512_mul_pd(_mm512_loadu_pd(t + j), _mm512_mask_blend_pd(k, vlo, vhi)));
  }
  for (; j < m; j++) y[j] = t[j] * (x[j] > 0 ? hi : lo);
}

__attribute__((target("avx2"))) static void row_f64_256(const double *t, const double *x, double *y, long m, double lo, double hi) {
  const __m256d zero = _mm256_setzero_pd(), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
  long j = 0;
  for (; j + 4 <= m; j += 4) {
    __m256d k = _mm256_cmp_pd(_mm256_loadu_pd(x + j), zero, _CMP_GT_OQ);
    _mm256_storeu_pd(y + j, _mm256_mul_pd(_mm256_loadu_pd(t + j), _mm256_blendv_pd(vlo, vhi, k)));
  }
  for (; j < m; j++) y[j] = t[j] * (x[j] > 0 ? hi : lo);
}

int og_cpu_has_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

static int simd_level(void) {
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return cached;
}

void og_stepmul_f32(const float *t, const float *x, float *y, long n, long m, float lo, float hi) {
  if (m <= 0 || n <= 0) return;
  int level = simd_level();
  for (long base = 0; base + m <= n; base += m) {
    if (level == 2) row_f32_512(t + base, x, y + base, m, lo, hi);
    else if (level == 1) row_f32_256(t + base, x, y + base, m, lo, hi);
    else for (long j = 0; j < m; j++) y[base + j] = t[base + j] * (x[j] > 0 ? hi : lo);
  }
}

void og_stepmul_f64(const double *t, const double *x, double *y, long n, long m, double lo, double hi) {
  if (m <= 0 || n <= 0) return;
  int level = simd_level();
  for (long base = 0; base + m <= n; base += m) {
    if (level == 2) row_f64_512(t + base, x, y + base, m, lo, hi);
    else if (level == 1) row_f64_256(t + base, x, y + base, m, lo, hi);
    else for (long j = 0; j < m; j++) y[base + j] = t[base + j] * (x[j] > 0 ? hi : lo);
  }
}
