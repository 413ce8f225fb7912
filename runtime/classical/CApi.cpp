//===- CApi.cpp - C ABI of kiln::ml for compiled code: inference ----------===//
//
// The inference and metric functions of CApi.h (plain loops on the strided
// buffers), the symbol table a JIT registers, and the per-thread error slot.
// The fitting functions are in CApiFit.cpp.
//
//===----------------------------------------------------------------------===//
#include "runtime/classical/CApi.h"
#include "runtime/classical/CApiViews.h"
#include "runtime/classical/Common.h"

#include <cmath>
#include <vector>

namespace kiln::ml::capi {
namespace {

thread_local std::string pendingError;

/// Same arithmetic as GaussianNB::jointLogLikelihood, in double.
template <typename T>
void gaussianNBPredict(View2<T> x, View2<T> m, View2<T> v, View1<T> p, View1<int64_t> l) {
  int64_t c = m.n0, d = x.n1;
  std::vector<double> constant(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j)
      s += std::log(static_cast<double>(v(k, j)) * 2 * M_PI);
    constant[k] = std::log(static_cast<double>(p(k))) - 0.5 * s;
  }
  for (int64_t i = 0; i < x.n0; ++i) {
    int64_t best = 0;
    double bestScore = -INFINITY;
    for (int64_t k = 0; k < c; ++k) {
      double s = 0;
      for (int64_t j = 0; j < d; ++j) {
        double diff = static_cast<double>(x(i, j)) - m(k, j);
        s += diff * diff * (1.0 / static_cast<double>(v(k, j)));
      }
      double score = s * -0.5 + constant[k];
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    l(i) = best;
  }
}

/// Every feature index in [-1, D) and every child after its parent and
/// inside the tree, so a walk reads in bounds and ends.
bool checkTrees(View2<int64_t> f, View2<int64_t> l, View2<int64_t> r, int64_t d) {
  const char *op = "kiln.tree_ensemble_predict";
  int64_t m = f.n1;
  for (int64_t t = 0; t < f.n0; ++t)
    for (int64_t node = 0; node < m; ++node) {
      int64_t feature = f(t, node);
      if (feature < -1 || feature >= d) {
        opError(op, "tree ", t, " node ", node, " splits on feature ", feature,
                "; expected -1 (a leaf) or a feature in [0, ", d, ") of input ",
                shapeString({-1, d}));
        return false;
      }
      if (feature < 0)
        continue;
      for (int64_t child : {l(t, node), r(t, node)})
        if (child <= node || child >= m) {
          opError(op, "tree ", t, " node ", node, " has child ", child,
                  "; expected a node in (", node, ", ", m, ") of trees ",
                  shapeString({f.n0, m}));
          return false;
        }
    }
  return true;
}

template <typename T>
void treeEnsemblePredict(View2<T> x, View2<int64_t> f, View2<T> th, View2<int64_t> l,
                         View2<int64_t> r, View3<T> v, View2<T> out) {
  out.fill(T(0));
  if (!checkTrees(f, l, r, x.n1))
    return;
  int64_t k = v.n2;
  parallelFor(
      x.n0, resolveThreads(0),
      [&](Index b, Index e) {
        // Trees outer, a block of rows inner: one tree's nodes stay in cache.
        for (int64_t t = 0; t < f.n0; ++t)
          for (int64_t i = b; i < e; ++i) {
            int64_t node = 0;
            for (int64_t feature; (feature = f(t, node)) >= 0;)
              node = x(i, feature) <= th(t, node) ? l(t, node) : r(t, node);
            for (int64_t c = 0; c < k; ++c)
              out(i, c) += v(t, node, c);
          }
      },
      512);
}

} // namespace

void setError(std::string message) {
  if (pendingError.empty())
    pendingError = std::move(message);
}

std::string takeError() {
  std::string e;
  e.swap(pendingError);
  return e;
}

} // namespace kiln::ml::capi

using namespace kiln::ml::capi;

#define KILN_ML_GNB_DEF(T, SUFFIX)                                                       \
  extern "C" void kiln_ml_gaussian_nb_predict_##SUFFIX(                                  \
      KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF2(T, m), KILN_ML_MEMREF2(T, v),               \
      KILN_ML_MEMREF1(T, p), KILN_ML_MEMREF1(int64_t, l)) {                              \
    gaussianNBPredict<T>(KILN_ML_VIEW2(x), KILN_ML_VIEW2(m), KILN_ML_VIEW2(v),           \
                         KILN_ML_VIEW1(p), KILN_ML_VIEW1(l));                            \
  }
KILN_ML_GNB_DEF(float, f32)
KILN_ML_GNB_DEF(double, f64)

#define KILN_ML_TREES_DEF(T, SUFFIX)                                                     \
  extern "C" void kiln_ml_tree_ensemble_predict_##SUFFIX(                                \
      KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF2(int64_t, f), KILN_ML_MEMREF2(T, t),         \
      KILN_ML_MEMREF2(int64_t, l), KILN_ML_MEMREF2(int64_t, r), KILN_ML_MEMREF3(T, v),   \
      KILN_ML_MEMREF2(T, o)) {                                                           \
    treeEnsemblePredict<T>(KILN_ML_VIEW2(x), KILN_ML_VIEW2(f), KILN_ML_VIEW2(t),         \
                           KILN_ML_VIEW2(l), KILN_ML_VIEW2(r), KILN_ML_VIEW3(v),         \
                           KILN_ML_VIEW2(o));                                            \
  }
KILN_ML_TREES_DEF(float, f32)
KILN_ML_TREES_DEF(double, f64)

extern "C" void kiln_ml_confusion_matrix(KILN_ML_MEMREF1(int64_t, t),
                                         KILN_ML_MEMREF1(int64_t, p),
                                         KILN_ML_MEMREF2(int64_t, o)) {
  View1<int64_t> yt = KILN_ML_VIEW1(t), yp = KILN_ML_VIEW1(p);
  View2<int64_t> out = KILN_ML_VIEW2(o);
  out.fill(0);
  int64_t c = out.n0;
  if (yt.n0 != yp.n0) {
    opError("kiln.confusion_matrix", "y_true ", shapeString({yt.n0}), " and y_pred ",
            shapeString({yp.n0}), " have different lengths");
    return;
  }
  for (int64_t i = 0; i < yt.n0; ++i) {
    int64_t a = yt(i), b = yp(i);
    if (a < 0 || a >= c || b < 0 || b >= c) {
      out.fill(0);
      opError("kiln.confusion_matrix", "row ", i, " has labels (", a, ", ", b,
              "); expected labels in [0, ", c, ") (num_classes = ", c, ")");
      return;
    }
    ++out(a, b);
  }
}

const std::vector<Symbol> &kiln::ml::capi::symbols() {
#define KILN_ML_SYMBOL(name)                                                             \
  Symbol { #name, reinterpret_cast < void *>(&name) }
  static const std::vector<Symbol> table = {
      KILN_ML_SYMBOL(kiln_ml_gaussian_nb_predict_f32),
      KILN_ML_SYMBOL(kiln_ml_gaussian_nb_predict_f64),
      KILN_ML_SYMBOL(kiln_ml_tree_ensemble_predict_f32),
      KILN_ML_SYMBOL(kiln_ml_tree_ensemble_predict_f64),
      KILN_ML_SYMBOL(kiln_ml_confusion_matrix),
      KILN_ML_SYMBOL(kiln_ml_kmeans_fit_f32),
      KILN_ML_SYMBOL(kiln_ml_kmeans_fit_f64),
      KILN_ML_SYMBOL(kiln_ml_pca_fit_f32),
      KILN_ML_SYMBOL(kiln_ml_pca_fit_f64),
      KILN_ML_SYMBOL(kiln_ml_linear_fit_f32),
      KILN_ML_SYMBOL(kiln_ml_linear_fit_f64),
  };
#undef KILN_ML_SYMBOL
  return table;
}
