// f64 GEMM through Eigen (the GEMM XLA's CPU backend runs on). This target is compiled for
// AVX-512; Debian's OpenBLAS is pinned to AVX2 kernels on this project's machines, which makes
// Eigen's AVX-512 kernel 1.8x faster on the MLP shapes here. Callers check the CPU first.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>
#include "CEigenGEMM.h"

namespace {
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;
using Map = Eigen::Map<RowMajor, 0, Eigen::OuterStride<>>;

template <typename L, typename R>
void multiply(Map &c, const L &left, const R &right, double alpha, double beta) {
  if (beta == 0) {
    c.noalias() = alpha * left * right;
  } else {
    if (beta != 1) c *= beta;
    c.noalias() += alpha * left * right;
  }
}
}  // namespace

extern "C" void og_dgemm_avx512(int trans_a, int trans_b, long m, long n, long k, double alpha, const double *a,
                                long lda, const double *b, long ldb, double beta, double *c, long ldc) {
  Map cm(c, m, n, Eigen::OuterStride<>(ldc));
  ConstMap am(a, trans_a ? k : m, trans_a ? m : k, Eigen::OuterStride<>(lda));
  ConstMap bm(b, trans_b ? n : k, trans_b ? k : n, Eigen::OuterStride<>(ldb));
  if (trans_a && trans_b) multiply(cm, am.transpose(), bm.transpose(), alpha, beta);
  else if (trans_a) multiply(cm, am.transpose(), bm, alpha, beta);
  else if (trans_b) multiply(cm, am, bm.transpose(), alpha, beta);
  else multiply(cm, am, bm, alpha, beta);
}
