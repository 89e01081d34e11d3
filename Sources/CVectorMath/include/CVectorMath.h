#ifndef ONNXGRAD_CVECTORMATH_H
#define ONNXGRAD_CVECTORMATH_H
/* Elementwise transcendental functions over arrays, through SLEEF's vector routines
 * (1.0-ULP "u10" variants), picking AVX-512, AVX2 or SLEEF's scalar code at run time.
 * y may equal x. */
void og_tanh_f32(const float *x, float *y, long n);
void og_exp_f32(const float *x, float *y, long n);
void og_log_f32(const float *x, float *y, long n);
/* Logistic sigmoid: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below (no overflow). */
void og_sigmoid_f32(const float *x, float *y, long n);
void og_tanh_f64(const double *x, double *y, long n);
void og_exp_f64(const double *x, double *y, long n);
void og_log_f64(const double *x, double *y, long n);
void og_sigmoid_f64(const double *x, double *y, long n);
/* sin, cos, erf, expm1 (e^x - 1), log1p (log(1 + x)) to 1.0 ULP; erfc (1 - erf x) to 1.5 ULP. */
void og_sin_f32(const float *x, float *y, long n);
void og_sin_f64(const double *x, double *y, long n);
void og_cos_f32(const float *x, float *y, long n);
void og_cos_f64(const double *x, double *y, long n);
void og_erf_f32(const float *x, float *y, long n);
void og_erf_f64(const double *x, double *y, long n);
void og_expm1_f32(const float *x, float *y, long n);
void og_expm1_f64(const double *x, double *y, long n);
void og_log1p_f32(const float *x, float *y, long n);
void og_log1p_f64(const double *x, double *y, long n);
void og_erfc_f32(const float *x, float *y, long n);
void og_erfc_f64(const double *x, double *y, long n);
/* Exact GELU, y = (0.5·x)·erfc(x·(−√½)) (x·Φ(x) without the cancellation of 1 + erf), and its
 * derivative y = Φ(x) + x·φ(x) = 0.5·erfc(x·(−√½)) + x·e^(−x²/2)/√(2π). f32 with onnxgrad's own
 * vectorised erfc (gelu.c: within 4.5 ULP of GELU at its rounded erfc argument; SLEEF's erfc
 * would give 2.3 at 4× the time), f64 with SLEEF's. y may equal x. */
void og_gelu_f32(const float *x, float *y, long n);
void og_gelu_f64(const double *x, double *y, long n);
void og_gelu_derivative_f32(const float *x, float *y, long n);
void og_gelu_derivative_f64(const double *x, double *y, long n);
/* y[i] = pow(a[i*sa], b[i*sb]) (C99 semantics, 1.0 ULP); sa and sb are 1 (array) or 0 (one
 * element repeated). y may equal an operand of stride 1. */
void og_pow_f32(const float *a, long sa, const float *b, long sb, float *y, long n);
void og_pow_f64(const double *a, long sa, const double *b, long sb, double *y, long n);
double og_pow_scalar(double a, double b);

/* Masked scaling over a periodic mask: y[r*m + j] = t[r*m + j] * (x[j] > 0 ? hi : lo) for
 * every row r of the n/m rows (m divides n). y may equal t. */
void og_stepmul_f32(const float *t, const float *x, float *y, long n, long m, float lo, float hi);
void og_stepmul_f64(const double *t, const double *x, double *y, long n, long m, double lo, double hi);

/* y = a op b over n elements, op one of OG_BINARY_*: a repeats every pa elements and b every pb
 * (n: a full array, 1: one element, else a period dividing n that the other operand's n
 * elements repeat); one of pa, pb is n. y may be an operand of n elements. Bitwise the scalar
 * IEEE results. */
enum { OG_BINARY_ADD = 0, OG_BINARY_SUB = 1, OG_BINARY_MUL = 2, OG_BINARY_DIV = 3 };
void og_binary_f32(int op, const float *a, long pa, const float *b, long pb, float *y, long n);
void og_binary_f64(int op, const double *a, long pa, const double *b, long pb, double *y, long n);

/* The epilogue of a dense layer run on a primal block and `directions` tangent blocks of `rows`
 * rows × n: primal[r*n + j] holds (x·op(W))[r][j] and tangents[(k*rows + r)*n + j] holds
 * (ẋ_k·op(W))[r][j]. Adds `bias` (n values, or NULL) to the primal, applies the activation to
 * it, and scales every tangent by the activation's derivative there:
 *   OG_ACTIVATION_IDENTITY    y = z,                          ẏ = ż
 *   OG_ACTIVATION_LEAKY_RELU  y = z > 0 ? z : slope·z,        ẏ = ż·(z > 0 ? 1 : slope)
 *                             (slope 0 is ReLU: NaN stays NaN, −∞ gives 0)
 *   OG_ACTIVATION_TANH        y = tanh z (SLEEF),             ẏ = ż·(1 + y)(1 − y) */
enum { OG_ACTIVATION_IDENTITY = 0, OG_ACTIVATION_LEAKY_RELU = 1, OG_ACTIVATION_TANH = 2 };
void og_dense_epilogue_f32(float *primal, float *tangents, long rows, long n, long directions, const float *bias,
                           int activation, float slope);
void og_dense_epilogue_f64(double *primal, double *tangents, long rows, long n, long directions, const double *bias,
                           int activation, double slope);

/* The tanh epilogue of a dense layer whose tangent blocks are a second-order jet: adds `bias`,
 * y = tanh z; blocks k with target[k] become f'·t_k + Σ_{i: row[i] = k} c[i]·f''·t_{a[i]}·t_{b[i]}
 * (f' = (1 + y)(1 − y), f'' = −2·y·f', rows a and b unscaled and never targets); the other
 * blocks become f'·t_k. */
void og_dense_jet_epilogue_f32(float *primal, float *tangents, long rows, long n, long directions, const float *bias,
                               const unsigned char *target, long nterms, const long *row, const long *a, const long *b,
                               const float *c);
void og_dense_jet_epilogue_f64(double *primal, double *tangents, long rows, long n, long directions,
                               const double *bias, const unsigned char *target, long nterms, const long *row,
                               const long *a, const long *b, const double *c);
/* A second-order jet step through any elementwise function (JetMul): f' and f'' given as arrays
 * d1 and d2 ([n]) instead of being read from tanh's output. */
void og_jet_mul_f32(const float *t, const float *d1, const float *d2, float *y, long directions, long n,
                    const unsigned char *target, long nterms, const long *row, const long *a, const long *b,
                    const float *c);
void og_jet_mul_f64(const double *t, const double *d1, const double *d2, double *y, long directions, long n,
                    const unsigned char *target, long nterms, const long *row, const long *a, const long *b,
                    const double *c);
/* The same jet step on its own (TanhJetMul): y from the stack t ([directions, n]) and u = tanh's
 * output ([n]); t and y may be the same buffer. */
void og_tanh_jet_mul_f32(const float *t, const float *u, float *y, long directions, long n,
                         const unsigned char *target, long nterms, const long *row, const long *a, const long *b,
                         const float *c);
void og_tanh_jet_mul_f64(const double *t, const double *u, double *y, long directions, long n,
                         const unsigned char *target, long nterms, const long *row, const long *a, const long *b,
                         const double *c);

/* Reductions over the middle axis of x viewed as [outer, n, inner], into y [outer, inner]:
 * sum, sum of squares, max or min (an empty reduction gives 0, 0, -inf, +inf). */
enum { OG_REDUCE_SUM = 0, OG_REDUCE_SUM_SQUARES = 1, OG_REDUCE_MAX = 2, OG_REDUCE_MIN = 3 };
void og_reduce_f32(const float *x, float *y, long outer, long n, long inner, int op);
void og_reduce_f64(const double *x, double *y, long outer, long n, long inner, int op);

/* Layer normalisation of each of the `rows` rows of n elements: mu = mean, r = 1/sqrt(var + eps)
 * (population variance), y = (x - mu)·r·gamma + beta (gamma, beta: n values each, or NULL for
 * 1 and 0). rstd and mean (rows values each) are written when not NULL. y may equal x. */
void og_layer_norm_f32(const float *x, long rows, long n, float eps, const float *gamma, const float *beta,
                       float *y, float *rstd, float *mean);
void og_layer_norm_f64(const double *x, long rows, long n, double eps, const double *gamma, const double *beta,
                       double *y, double *rstd, double *mean);

/* The tangent map of normalisation, row q of t (trows rows of n) against row m = q mod rows of
 * xhat and rstd[m]: P(u) = r·(u - mean(u) - xhat·mean(xhat·u)), with
 *   OG_NORMALIZE_SCALE_NONE    y = P(t)
 *   OG_NORMALIZE_SCALE_BEFORE  y = P(gamma·t)
 *   OG_NORMALIZE_SCALE_AFTER   y = gamma·P(t)
 * where gamma is row m·gstride of gamma: gstride 0 for one row of n values shared by every row,
 * n for a gamma of xhat's shape (NULL for NONE). trows is a multiple of rows. y may equal t. */
enum { OG_NORMALIZE_SCALE_NONE = 0, OG_NORMALIZE_SCALE_BEFORE = 1, OG_NORMALIZE_SCALE_AFTER = 2 };
void og_normalize_tangent_f32(const float *t, long trows, const float *xhat, const float *rstd, long rows, long n,
                              const float *gamma, long gstride, int mode, float *y);
void og_normalize_tangent_f64(const double *t, long trows, const double *xhat, const double *rstd, long rows, long n,
                              const double *gamma, long gstride, int mode, double *y);

/* 1 when the CPU has AVX-512F and AVX-512DQ (what CEigenGEMM is built for), else 0. */
int og_cpu_has_avx512(void);
#endif
