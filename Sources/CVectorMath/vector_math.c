#include <sleef.h>
#include "CVectorMath.h"

#include "CVectorMathAVX2.h"
#include "CVectorMathAVX512.h"

/* The wide loops live in CVectorMathAVX512 and CVectorMathAVX2, each compiled for its ISA as a
 * whole: a target("avx512f") function in this baseline file would pass __m512 arguments to SLEEF
 * in memory while SLEEF reads them from registers. This file picks the loop for the CPU at run
 * time and finishes the tail with SLEEF's scalar routines. */

enum { LEVEL_SCALAR, LEVEL_AVX2, LEVEL_AVX512 };

static int level(void) {
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? LEVEL_AVX512
      : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? LEVEL_AVX2 : LEVEL_SCALAR;
  }
  return cached;
}

int og_cpu_has_avx512(void) { return level() == LEVEL_AVX512; }

/* One array function per (name, element type): the widest loop the CPU has, then the tail. */
#define UNARY(NAME, SCALAR_F32, SCALAR_F64)                                                    \
  void og_##NAME##_f32(const float *x, float *y, long n) {                                   \
    int l = level();                                                                         \
    long i = l == LEVEL_AVX512 ? og512_##NAME##_f32(x, y, n) : l == LEVEL_AVX2 ? og256_##NAME##_f32(x, y, n) : 0; \
    for (; i < n; i++) y[i] = SCALAR_F32(x[i]);                                              \
  }                                                                                          \
  void og_##NAME##_f64(const double *x, double *y, long n) {                                 \
    int l = level();                                                                         \
    long i = l == LEVEL_AVX512 ? og512_##NAME##_f64(x, y, n) : l == LEVEL_AVX2 ? og256_##NAME##_f64(x, y, n) : 0; \
    for (; i < n; i++) y[i] = SCALAR_F64(x[i]);                                              \
  }

UNARY(tanh, Sleef_tanhf_u10, Sleef_tanh_u10)
UNARY(exp, Sleef_expf_u10, Sleef_exp_u10)
UNARY(log, Sleef_logf_u10, Sleef_log_u10)
UNARY(sin, Sleef_sinf_u10, Sleef_sin_u10)
UNARY(cos, Sleef_cosf_u10, Sleef_cos_u10)
UNARY(erf, Sleef_erff_u10, Sleef_erf_u10)
UNARY(erfc, Sleef_erfcf_u15, Sleef_erfc_u15)
UNARY(expm1, Sleef_expm1f_u10, Sleef_expm1_u10)
UNARY(log1p, Sleef_log1pf_u10, Sleef_log1p_u10)

void og_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n) {
  sa = sa != 0;
  sb = sb != 0;
  int l = level();
  long i = l == LEVEL_AVX512 ? og512_pow_f32(a, sa, b, sb, y, n) : l == LEVEL_AVX2 ? og256_pow_f32(a, sa, b, sb, y, n) : 0;
  for (; i < n; i++) y[i] = Sleef_powf_u10(a[i * sa], b[i * sb]);
}

void og_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n) {
  sa = sa != 0;
  sb = sb != 0;
  int l = level();
  long i = l == LEVEL_AVX512 ? og512_pow_f64(a, sa, b, sb, y, n) : l == LEVEL_AVX2 ? og256_pow_f64(a, sa, b, sb, y, n) : 0;
  for (; i < n; i++) y[i] = Sleef_pow_u10(a[i * sa], b[i * sb]);
}

double og_pow_scalar(double a, double b) { return Sleef_pow_u10(a, b); }

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
