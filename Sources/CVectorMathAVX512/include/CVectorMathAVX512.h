#ifndef ONNXGRAD_CVECTORMATH_AVX512_H
#define ONNXGRAD_CVECTORMATH_AVX512_H
/* SLEEF's AVX-512 array loops, compiled for AVX-512 as a whole translation unit so that vector
 * arguments are passed in vector registers as SLEEF expects (a target attribute on a baseline
 * file would pass them in memory). Each runs over the longest prefix of whole vectors and returns
 * how many elements it did; CVectorMath calls them only on CPUs that have AVX-512, then finishes
 * the tail with SLEEF's scalar routines. Operands with stride 0 repeat their first element. */
long og512_tanh_f32(const float *x, float *y, long n);
long og512_tanh_f64(const double *x, double *y, long n);
long og512_exp_f32(const float *x, float *y, long n);
long og512_exp_f64(const double *x, double *y, long n);
long og512_log_f32(const float *x, float *y, long n);
long og512_log_f64(const double *x, double *y, long n);
long og512_sin_f32(const float *x, float *y, long n);
long og512_sin_f64(const double *x, double *y, long n);
long og512_cos_f32(const float *x, float *y, long n);
long og512_cos_f64(const double *x, double *y, long n);
long og512_erf_f32(const float *x, float *y, long n);
long og512_erf_f64(const double *x, double *y, long n);
long og512_expm1_f32(const float *x, float *y, long n);
long og512_expm1_f64(const double *x, double *y, long n);
long og512_log1p_f32(const float *x, float *y, long n);
long og512_log1p_f64(const double *x, double *y, long n);
long og512_erfc_f32(const float *x, float *y, long n);
long og512_erfc_f64(const double *x, double *y, long n);
long og512_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n);
long og512_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n);
#endif
