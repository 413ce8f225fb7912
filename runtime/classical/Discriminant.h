//===- Discriminant.h - Gaussian naive Bayes, LDA, QDA ----------*- C++ -*-===//
//
// Generative classifiers with Gaussian class-conditional densities:
//
// - GaussianNB: independent features; each variance gets
//   varSmoothing * (largest feature variance) added, so a feature that is
//   constant within a class does not divide by zero.
// - LinearDiscriminantAnalysis: one covariance shared by all classes (the
//   pooled within-class covariance, divided by n - classes). A singular
//   covariance (collinear or constant features) is handled with a
//   pseudo-inverse on its range: features are scaled to unit within-class
//   variance and directions whose standard deviation is below `tol` are
//   dropped, as scikit-learn's SVD solver does. `shrinkage` in [0, 1]
//   blends the covariance towards (trace / d) I.
// - QuadraticDiscriminantAnalysis: one covariance per class, regularized as
//   (1 - regParam) S_k + regParam I. A singular class covariance with
//   regParam = 0 is an error that suggests regParam > 0.
//
// All three: fit(X, y), predict, predictProba (rows sum to 1), predictLogProba,
// score (accuracy), save/load. Classes are the sorted distinct labels of y.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_DISCRIMINANT_H
#define KILN_RUNTIME_CLASSICAL_DISCRIMINANT_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

struct GaussianNBOptions {
  double varSmoothing = 1e-9;
};

class GaussianNB {
public:
  explicit GaussianNB(GaussianNBOptions options = {}) : options_(options) {}
  GaussianNB &fit(const Matrix &X, const Labels &y);
  Labels predict(const Matrix &X) const;
  Matrix predictProba(const Matrix &X) const;
  Matrix predictLogProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  /// classes x features
  const Matrix &means() const { return means_; }
  const Matrix &variances() const { return vars_; }
  const Vector &priors() const { return priors_; }
  void save(const std::string &path) const;
  static GaussianNB load(const std::string &path);

private:
  Matrix jointLogLikelihood(const Matrix &X, const char *method) const;
  GaussianNBOptions options_;
  Labels classes_;
  Matrix means_, vars_;
  Vector priors_;
};

struct LDAOptions {
  double shrinkage = 0; ///< in [0, 1]
  double tol = 1e-4;    ///< relative singular-value cut-off of the pseudo-inverse
};

class LinearDiscriminantAnalysis {
public:
  explicit LinearDiscriminantAnalysis(LDAOptions options = {}) : options_(options) {}
  LinearDiscriminantAnalysis &fit(const Matrix &X, const Labels &y);
  /// Linear scores x^T coef_k + intercept_k (n x classes).
  Matrix decisionFunction(const Matrix &X) const;
  Labels predict(const Matrix &X) const;
  Matrix predictProba(const Matrix &X) const;
  Matrix predictLogProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  const Matrix &means() const { return means_; }
  /// classes x features
  const Matrix &coef() const { return coef_; }
  const Vector &intercept() const { return intercept_; }
  /// Rank of the pooled covariance after the cut-off.
  int rank() const { return rank_; }
  void save(const std::string &path) const;
  static LinearDiscriminantAnalysis load(const std::string &path);

private:
  LDAOptions options_;
  Labels classes_;
  Matrix means_, coef_;
  Vector intercept_, priors_;
  int rank_ = 0;
};

struct QDAOptions {
  double regParam = 0; ///< in [0, 1]
};

class QuadraticDiscriminantAnalysis {
public:
  explicit QuadraticDiscriminantAnalysis(QDAOptions options = {}) : options_(options) {}
  QuadraticDiscriminantAnalysis &fit(const Matrix &X, const Labels &y);
  /// Log posterior up to a per-row constant (n x classes).
  Matrix decisionFunction(const Matrix &X) const;
  Labels predict(const Matrix &X) const;
  Matrix predictProba(const Matrix &X) const;
  Matrix predictLogProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  const Matrix &means() const { return means_; }
  /// Covariance of class k.
  const Matrix &covariance(int k) const { return covs_.at(static_cast<std::size_t>(k)); }
  /// Class frequencies in the training data.
  const Vector &priors() const { return priors_; }
  void save(const std::string &path) const;
  static QuadraticDiscriminantAnalysis load(const std::string &path);

private:
  void factorize();
  QDAOptions options_;
  Labels classes_;
  Matrix means_;
  Vector priors_, logDets_;
  std::vector<Matrix> covs_, whiteners_; ///< whitener: L^-1 with S = L L^T
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_DISCRIMINANT_H
