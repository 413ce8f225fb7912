//===- CApi.cpp - C ABI of kiln::ml for compiled code ---------------------===//
#include "runtime/classical/CApi.h"

#include <cmath>
#include <vector>

namespace {

/// Same arithmetic as GaussianNB::jointLogLikelihood, in double.
template <typename T>
void gaussianNBPredict(const T *x, int64_t n, int64_t d, int64_t xS0, int64_t xS1,
                       const T *m, int64_t c, int64_t mS0, int64_t mS1, const T *v,
                       int64_t vS0, int64_t vS1, const T *p, int64_t pS0, int64_t *l,
                       int64_t lS0) {
  std::vector<double> constant(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j)
      s += std::log(static_cast<double>(v[k * vS0 + j * vS1]) * 2 * M_PI);
    constant[k] = std::log(static_cast<double>(p[k * pS0])) - 0.5 * s;
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t best = 0;
    double bestScore = -INFINITY;
    for (int64_t k = 0; k < c; ++k) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j) {
        double diff = static_cast<double>(x[i * xS0 + j * xS1]) - m[k * mS0 + j * mS1];
        s += diff * diff * (1.0 / static_cast<double>(v[k * vS0 + j * vS1]));
      }
      double score = s * -0.5 + constant[k];
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    l[i * lS0] = best;
  }
}

} // namespace

#define KILN_ML_GNB_DEF(T, SUFFIX)                                                     \
  extern "C" void kiln_ml_gaussian_nb_predict_##SUFFIX(                                \
      T *, T *x, int64_t xOff, int64_t n, int64_t d, int64_t xS0, int64_t xS1, T *,    \
      T *m, int64_t mOff, int64_t c, int64_t, int64_t mS0, int64_t mS1, T *, T *v,     \
      int64_t vOff, int64_t, int64_t, int64_t vS0, int64_t vS1, T *, T *p,             \
      int64_t pOff, int64_t, int64_t pS0, int64_t *, int64_t *l, int64_t lOff,         \
      int64_t, int64_t lS0) {                                                          \
    gaussianNBPredict<T>(x + xOff, n, d, xS0, xS1, m + mOff, c, mS0, mS1, v + vOff,    \
                         vS0, vS1, p + pOff, pS0, l + lOff, lS0);                      \
  }
KILN_ML_GNB_DEF(float, f32)
KILN_ML_GNB_DEF(double, f64)
