//===- Decomposition.h - PCA and FastICA ------------------------*- C++ -*-===//
//
//   kiln::ml::PCA pca({.nComponents = 32});
//   Matrix Z = pca.fit(X).transform(X);      // n x 32
//
// PCA: eigen-decomposition of the covariance matrix (accumulated over row
// blocks on `threads` threads) when rows >= columns, a thin SVD of the
// centered data otherwise. Components are the rows of components(), sorted
// by decreasing variance; each is signed so that its largest-magnitude
// entry is positive (a deterministic choice; the sign of a principal axis
// is arbitrary).
//
// FastICA (Hyvarinen's fixed-point algorithm, symmetric/parallel variant):
// the data are centered and whitened to unit variance by PCA, then the
// unmixing matrix W is iterated as W <- E[g(Wx) x^T] - diag(E[g'(Wx)]) W
// followed by symmetric decorrelation W <- (W W^T)^(-1/2) W, with g = tanh
// (logcosh), x exp(-x^2/2) (exp) or x^3 (cube).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_DECOMPOSITION_H
#define KILN_RUNTIME_CLASSICAL_DECOMPOSITION_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

struct PCAOptions {
  int nComponents = 0; ///< 0: min(rows, columns)
  bool whiten = false; ///< scale each component to unit variance
  int threads = 0;
};

class PCA {
public:
  explicit PCA(PCAOptions options = {}) : options_(options) {}
  PCA &fit(const Matrix &X);
  /// (X - mean) C^T, divided by sqrt(explained variance) when whitening.
  Matrix transform(const Matrix &X) const;
  Matrix fitTransform(const Matrix &X) { return fit(X).transform(X); }
  Matrix inverseTransform(const Matrix &Z) const;
  /// k x d, one component per row.
  const Matrix &components() const { return components_; }
  const Vector &mean() const { return mean_; }
  const PCAOptions &options() const { return options_; }
  /// Variance along each component (divided by n - 1).
  const Vector &explainedVariance() const { return explainedVariance_; }
  /// explainedVariance / total variance.
  const Vector &explainedVarianceRatio() const { return explainedVarianceRatio_; }
  void save(const std::string &path) const;
  static PCA load(const std::string &path);

private:
  PCAOptions options_;
  Matrix components_;
  Vector mean_, explainedVariance_, explainedVarianceRatio_;
};

enum class IcaFunction { LogCosh, Exp, Cube };

struct FastICAOptions {
  int nComponents = 0; ///< 0: number of columns
  IcaFunction fun = IcaFunction::LogCosh;
  int maxIter = 200;
  double tol = 1e-4;
  uint64_t seed = 0;
};

class FastICA {
public:
  explicit FastICA(FastICAOptions options = {}) : options_(options) {}
  FastICA &fit(const Matrix &X);
  /// Estimated sources: (X - mean) unmixing^T, unit variance each.
  Matrix transform(const Matrix &X) const;
  Matrix fitTransform(const Matrix &X) { return fit(X).transform(X); }
  /// Back to data space: S mixing^T + mean.
  Matrix inverseTransform(const Matrix &S) const;
  /// k x d
  const Matrix &unmixing() const { return unmixing_; }
  /// d x k
  const Matrix &mixing() const { return mixing_; }
  const Vector &mean() const { return mean_; }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  void save(const std::string &path) const;
  static FastICA load(const std::string &path);

private:
  FastICAOptions options_;
  Matrix unmixing_, mixing_;
  Vector mean_;
  int iterations_ = 0;
  bool converged_ = false;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_DECOMPOSITION_H
