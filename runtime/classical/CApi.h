//===- CApi.h - C ABI of kiln::ml for compiled code -------------*- C++ -*-===//
//
// Functions compiled graphs call (kiln ops lowered to `func.call`, see
// backends/cpu/LowerML.cpp). Each memref operand arrives expanded the way
// MLIR's LLVM lowering passes a memref to a function without a C interface:
// (allocated, aligned, offset, sizes..., strides...); the KILN_ML_MEMREF*
// macros spell that out. Inputs come first, then scalar settings, then the
// output buffers (fresh, identity layout, sizes from the op's result type).
// Sizes come from the buffers; the op verifier has checked that they agree
// where they are static.
//
// Errors: compiled code cannot unwind, so a function that meets bad data (a
// label or tree index out of range, k > N for a fit, a kiln::Error from
// kiln::ml) records a message naming the op and the shapes, fills its
// outputs with zeros and returns; CompiledModel::run takes the message with
// kiln::ml::capi::takeError() and throws it as a kiln::Error. The message is
// per thread: the functions are called from the graph's sequential part, on
// the thread that called run.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_CAPI_H
#define KILN_RUNTIME_CLASSICAL_CAPI_H

#include <cstdint>
#include <string>
#include <vector>

/// A memref<?xT> / memref<?x?xT> / memref<?x?x?xT> / memref<T> parameter.
#define KILN_ML_MEMREF0(T, n) T *n##A, T *n, int64_t n##Off
#define KILN_ML_MEMREF1(T, n) T *n##A, T *n, int64_t n##Off, int64_t n##N0, int64_t n##S0
#define KILN_ML_MEMREF2(T, n)                                                            \
  T *n##A, T *n, int64_t n##Off, int64_t n##N0, int64_t n##N1, int64_t n##S0,            \
      int64_t n##S1
#define KILN_ML_MEMREF3(T, n)                                                            \
  T *n##A, T *n, int64_t n##Off, int64_t n##N0, int64_t n##N1, int64_t n##N2,            \
      int64_t n##S0, int64_t n##S1, int64_t n##S2

extern "C" {

/// Gaussian naive Bayes: labels[i] = argmax_c log prior[c]
///   - 1/2 sum_d (log(2 pi var[c,d]) + (x[i,d] - mean[c,d])^2 / var[c,d]),
/// as kiln::ml::GaussianNB::predict, but the index of the class.
#define KILN_ML_GNB_DECL(T, SUFFIX)                                                      \
  void kiln_ml_gaussian_nb_predict_##SUFFIX(                                             \
      KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF2(T, m), KILN_ML_MEMREF2(T, v),               \
      KILN_ML_MEMREF1(T, p), KILN_ML_MEMREF1(int64_t, l));
KILN_ML_GNB_DECL(float, f32)
KILN_ML_GNB_DECL(double, f64)
#undef KILN_ML_GNB_DECL

/// Tree ensemble: out[i, k] = sum_t values[t, leaf_t(x_i), k], trees as
/// kiln.tree_ensemble_predict describes. Every node is checked first.
#define KILN_ML_TREES_DECL(T, SUFFIX)                                                    \
  void kiln_ml_tree_ensemble_predict_##SUFFIX(                                           \
      KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF2(int64_t, f), KILN_ML_MEMREF2(T, t),         \
      KILN_ML_MEMREF2(int64_t, l), KILN_ML_MEMREF2(int64_t, r), KILN_ML_MEMREF3(T, v),   \
      KILN_ML_MEMREF2(T, o));
KILN_ML_TREES_DECL(float, f32)
KILN_ML_TREES_DECL(double, f64)
#undef KILN_ML_TREES_DECL

/// Confusion matrix of labels in [0, C), C = the rows of the output.
void kiln_ml_confusion_matrix(KILN_ML_MEMREF1(int64_t, t), KILN_ML_MEMREF1(int64_t, p),
                              KILN_ML_MEMREF2(int64_t, o));

/// kiln::ml::KMeans on x; k = the rows of the centers buffer.
#define KILN_ML_KMEANS_FIT_DECL(T, SUFFIX)                                               \
  void kiln_ml_kmeans_fit_##SUFFIX(KILN_ML_MEMREF2(T, x), int64_t nInit,                 \
                                   int64_t maxIter, int64_t seed,                        \
                                   KILN_ML_MEMREF2(T, c));
/// kiln::ml::PCA on x; components = the rows of the components buffer.
#define KILN_ML_PCA_FIT_DECL(T, SUFFIX)                                                  \
  void kiln_ml_pca_fit_##SUFFIX(KILN_ML_MEMREF2(T, x), int64_t whiten,                   \
                                KILN_ML_MEMREF1(T, m), KILN_ML_MEMREF2(T, c));
/// kiln::ml::LinearRegression (alpha = 0) or Ridge on (x, y).
#define KILN_ML_LINEAR_FIT_DECL(T, SUFFIX)                                               \
  void kiln_ml_linear_fit_##SUFFIX(KILN_ML_MEMREF2(T, x), KILN_ML_MEMREF1(T, y),         \
                                   double alpha, KILN_ML_MEMREF1(T, w),                  \
                                   KILN_ML_MEMREF0(T, b));
KILN_ML_KMEANS_FIT_DECL(float, f32)
KILN_ML_KMEANS_FIT_DECL(double, f64)
KILN_ML_PCA_FIT_DECL(float, f32)
KILN_ML_PCA_FIT_DECL(double, f64)
KILN_ML_LINEAR_FIT_DECL(float, f32)
KILN_ML_LINEAR_FIT_DECL(double, f64)
#undef KILN_ML_KMEANS_FIT_DECL
#undef KILN_ML_PCA_FIT_DECL
#undef KILN_ML_LINEAR_FIT_DECL
}

namespace kiln::ml::capi {

/// One function of the C ABI, for a JIT to register.
struct Symbol {
  const char *name;
  void *address;
};

/// Every function above.
const std::vector<Symbol> &symbols();

/// The first error a C ABI function recorded on this thread since the last
/// call, or "" when none; clears it.
std::string takeError();

/// Records `message` (keeps the first one until takeError).
void setError(std::string message);

} // namespace kiln::ml::capi

#endif // KILN_RUNTIME_CLASSICAL_CAPI_H
