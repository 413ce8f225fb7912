//===- CApiFit.cpp - C ABI of kiln::ml for compiled code: fitting ---------===//
//
// kiln.kmeans_fit, kiln.pca_fit and kiln.linear_fit: the buffers are copied
// into Eigen matrices (double), the kiln::ml estimator is fitted and its
// parameters are written back in the buffers' element type. The copies are
// O(N D), small next to the fits. A kiln::Error from kiln::ml becomes the
// op's run-time error (CApi.h).
//
//===----------------------------------------------------------------------===//
#include "runtime/classical/CApi.h"
#include "runtime/classical/CApiViews.h"
#include "runtime/classical/Decomposition.h"
#include "runtime/classical/KMeans.h"
#include "runtime/classical/LinearModels.h"

#include <cmath>

namespace kiln::ml::capi {
namespace {

template <typename T> Matrix toMatrix(View2<T> x) {
  Matrix m(x.n0, x.n1);
  for (int64_t i = 0; i < x.n0; ++i)
    for (int64_t j = 0; j < x.n1; ++j)
      m(i, j) = x(i, j);
  return m;
}

template <typename T> void fromMatrix(const Matrix &m, View2<T> out) {
  for (int64_t i = 0; i < out.n0; ++i)
    for (int64_t j = 0; j < out.n1; ++j)
      out(i, j) = static_cast<T>(m(i, j));
}

/// Runs `fit`; a kiln::Error becomes op's run-time error.
template <typename Fn> bool guarded(const char *op, Fn &&fit) {
  try {
    fit();
    return true;
  } catch (const std::exception &e) {
    opError(op, e.what());
    return false;
  }
}

/// N >= `needed` rows (`what` = the setting that needs them).
bool enoughRows(const char *op, int64_t n, int64_t d, int64_t needed, const char *what) {
  if (n >= needed)
    return true;
  opError(op, what, " = ", needed, " exceeds the ", n, " rows of input ",
          shapeString({n, d}), "; expected at least ", needed, " samples");
  return false;
}

template <typename T>
void kmeansFit(View2<T> x, int64_t nInit, int64_t maxIter, int64_t seed, View2<T> c) {
  const char *op = "kiln.kmeans_fit";
  c.fill(T(0));
  if (!enoughRows(op, x.n0, x.n1, c.n0, "n_clusters"))
    return;
  guarded(op, [&] {
    KMeansOptions o;
    o.nClusters = static_cast<int>(c.n0);
    o.nInit = static_cast<int>(nInit);
    o.maxIter = static_cast<int>(maxIter);
    o.seed = static_cast<uint64_t>(seed);
    KMeans km(o);
    km.fit(toMatrix(x));
    fromMatrix(km.centers(), c);
  });
}

template <typename T> void pcaFit(View2<T> x, int64_t whiten, View1<T> mean, View2<T> c) {
  const char *op = "kiln.pca_fit";
  mean.fill(T(0));
  c.fill(T(0));
  if (!enoughRows(op, x.n0, x.n1, c.n0, "n_components"))
    return;
  guarded(op, [&] {
    PCAOptions o;
    o.nComponents = static_cast<int>(c.n0);
    PCA pca(o);
    pca.fit(toMatrix(x));
    Matrix comp = pca.components();
    if (whiten) // as ml::pcaTransform in the DSL (frontend/MLOps.cpp)
      for (Index j = 0; j < comp.rows(); ++j)
        comp.row(j) /= std::sqrt(std::max(pca.explainedVariance()[j], 1e-300));
    for (Index j = 0; j < mean.n0; ++j)
      mean(j) = static_cast<T>(pca.mean()[j]);
    fromMatrix(comp, c);
  });
}

template <typename T>
void linearFit(View2<T> x, View1<T> y, double alpha, View1<T> w, T *b) {
  const char *op = "kiln.linear_fit";
  w.fill(T(0));
  *b = T(0);
  if (y.n0 != x.n0) {
    opError(op, "target ", shapeString({y.n0}),
            " does not have one value per row of input ", shapeString({x.n0, x.n1}));
    return;
  }
  if (!enoughRows(op, x.n0, x.n1, 1, "one sample"))
    return;
  guarded(op, [&] {
    Matrix X = toMatrix(x);
    Vector t(y.n0);
    for (int64_t i = 0; i < y.n0; ++i)
      t[i] = y(i);
    Vector coef;
    double intercept;
    if (alpha == 0) {
      LinearRegression lr;
      lr.fit(X, t);
      coef = lr.coef();
      intercept = lr.intercept();
    } else {
      RidgeOptions o;
      o.alpha = alpha;
      Ridge ridge(o);
      ridge.fit(X, t);
      coef = ridge.coef();
      intercept = ridge.intercept();
    }
    for (Index j = 0; j < w.n0; ++j)
      w(j) = static_cast<T>(coef[j]);
    *b = static_cast<T>(intercept);
  });
}

} // namespace
} // namespace kiln::ml::capi

using namespace kiln::ml::capi;

#define KILN_ML_FIT_DEFS(T, SUFFIX)                                                      \
  extern "C" void kiln_ml_kmeans_fit_##SUFFIX(KILN_ML_MEMREF2(T, x), int64_t nInit,      \
                                              int64_t maxIter, int64_t seed,             \
                                              KILN_ML_MEMREF2(T, c)) {                   \
    kmeansFit<T>(KILN_ML_VIEW2(x), nInit, maxIter, seed, KILN_ML_VIEW2(c));              \
  }                                                                                      \
  extern "C" void kiln_ml_pca_fit_##SUFFIX(KILN_ML_MEMREF2(T, x), int64_t whiten,        \
                                           KILN_ML_MEMREF1(T, m),                        \
                                           KILN_ML_MEMREF2(T, c)) {                      \
    pcaFit<T>(KILN_ML_VIEW2(x), whiten, KILN_ML_VIEW1(m), KILN_ML_VIEW2(c));             \
  }                                                                                      \
  extern "C" void kiln_ml_linear_fit_##SUFFIX(                                           \
      KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF1(T, y), double alpha, KILN_ML_MEMREF1(T, w), \
      KILN_ML_MEMREF0(T, b)) {                                                           \
    linearFit<T>(KILN_ML_VIEW2(x), KILN_ML_VIEW1(y), alpha, KILN_ML_VIEW1(w), b + bOff); \
  }
KILN_ML_FIT_DEFS(float, f32)
KILN_ML_FIT_DEFS(double, f64)
