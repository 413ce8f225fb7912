//===- GaussianMixture.h - Gaussian mixtures by EM --------------*- C++ -*-===//
//
//   kiln::ml::GaussianMixture gmm({.nComponents = 8,
//                                  .covarianceType = kiln::ml::CovarianceType::Diagonal});
//   gmm.fit(X);
//   double avgLogLik = gmm.score(X);
//
// Expectation-maximization from a k-means initialization (one k-means++ run
// per init; the best of nInit runs by log-likelihood is kept).
// Assignment::Soft is classical EM (responsibilities); Assignment::Hard is
// classification EM: each sample is given entirely to its most probable
// component before the M-step. Every covariance gets regCovar added to its
// diagonal (as scikit-learn's reg_covar), which keeps it positive definite
// even for a component holding collinear or repeated points; if it still is
// not, fit throws and names the component. E- and M-steps run over row
// blocks on `threads` threads (the result does not depend on the count).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_GAUSSIANMIXTURE_H
#define KILN_RUNTIME_CLASSICAL_GAUSSIANMIXTURE_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

enum class CovarianceType { Full, Diagonal };
enum class Assignment { Soft, Hard };

struct GaussianMixtureOptions {
  int nComponents = 1;
  CovarianceType covarianceType = CovarianceType::Full;
  Assignment assignment = Assignment::Soft;
  double tol = 1e-3;      ///< on the change of mean log-likelihood
  double regCovar = 1e-6; ///< added to every covariance diagonal
  int maxIter = 100;
  int nInit = 1;
  uint64_t seed = 0;
  int threads = 0;
};

class GaussianMixture {
public:
  explicit GaussianMixture(GaussianMixtureOptions options = {}) : options_(options) {}
  GaussianMixture &fit(const Matrix &X);
  /// Most probable component of each row.
  Labels predict(const Matrix &X) const;
  /// Responsibilities (n x components, rows sum to 1).
  Matrix predictProba(const Matrix &X) const;
  /// log p(x) of each row.
  Vector scoreSamples(const Matrix &X) const;
  /// Mean log-likelihood of the rows.
  double score(const Matrix &X) const;
  /// Bayesian / Akaike information criteria on X.
  double bic(const Matrix &X) const;
  double aic(const Matrix &X) const;

  const Vector &weights() const { return weights_; }
  /// components x features
  const Matrix &means() const { return means_; }
  /// Full: d x d per component; Diagonal: the variances as a d x 1 matrix.
  const std::vector<Matrix> &covariances() const { return covs_; }
  bool converged() const { return converged_; }
  int iterations() const { return iterations_; }
  /// Mean log-likelihood of the training data at the end of fit.
  double lowerBound() const { return lowerBound_; }
  void save(const std::string &path) const;
  static GaussianMixture load(const std::string &path);

private:
  /// Per-component precision factors and log-determinants from covs_.
  void factorize(const char *who);
  /// log(weight_k) + log N(x | k), n x K.
  Matrix weightedLogProb(const Matrix &X, int threads) const;
  void checkInput(const std::string &who, const Matrix &X) const;
  Index parameterCount() const;

  GaussianMixtureOptions options_;
  Vector weights_;
  Matrix means_;
  std::vector<Matrix> covs_;
  std::vector<Matrix> precisionFactors_; ///< P with P^T P = S^-1 (Full), 1/sqrt(var) (Diagonal)
  Vector logDets_;
  bool converged_ = false;
  int iterations_ = 0;
  double lowerBound_ = 0;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_GAUSSIANMIXTURE_H
