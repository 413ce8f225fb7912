//===- LinearModels.h - Least squares, ridge, MAP, RANSAC -------*- C++ -*-===//
//
// Linear regression models y ~ X w + b, plus StandardScaler (the usual
// preprocessing step of the linear and margin-based models).
//
//   kiln::ml::Ridge ridge({.alpha = 1.0});
//   ridge.fit(Xtrain, ytrain);
//   double r2 = ridge.score(Xtest, ytest);
//
// - LinearRegression: ordinary least squares; the minimum-norm solution
//   (complete orthogonal decomposition) when X is rank deficient.
// - Ridge: minimizes ||y - Xw - b||^2 + alpha ||w||^2 (b not penalized).
// - BayesianLinearRegression: MAP estimation. With a Gaussian prior
//   w ~ N(0, I / lambda) and Gaussian noise of precision alpha, the
//   posterior of w is Gaussian and its mode (= mean) is the ridge solution
//   with penalty lambda / alpha. The hyperparameters are either fixed
//   (optimizeHyperparameters = false) or chosen by maximizing the marginal
//   likelihood (evidence) under Gamma hyperpriors, as MacKay's / Tipping's
//   evidence approximation (sklearn's BayesianRidge does the same).
//   predict() returns the MAP prediction, predictStd() the predictive
//   standard deviation.
// - RANSAC: repeatedly fits least squares on random minimal subsets, keeps
//   the subset with the largest consensus set (|residual| <= threshold,
//   ties broken by R^2 on the consensus set) and refits on it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_LINEARMODELS_H
#define KILN_RUNTIME_CLASSICAL_LINEARMODELS_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

/// Standardizes features: (x - mean) / std (population std; a constant
/// feature keeps scale 1, so it maps to 0).
class StandardScaler {
public:
  StandardScaler &fit(const Matrix &X);
  Matrix transform(const Matrix &X) const;
  Matrix fitTransform(const Matrix &X) { return fit(X).transform(X); }
  Matrix inverseTransform(const Matrix &X) const;
  const Vector &mean() const { return mean_; }
  const Vector &scale() const { return scale_; }
  void save(const std::string &path) const;
  static StandardScaler load(const std::string &path);

private:
  Vector mean_, scale_;
  bool fitted_ = false;
};

struct LinearRegressionOptions {
  bool fitIntercept = true;
};

class LinearRegression {
public:
  explicit LinearRegression(LinearRegressionOptions options = {}) : options_(options) {}
  LinearRegression &fit(const Matrix &X, const Vector &y);
  Vector predict(const Matrix &X) const;
  /// R^2 on (X, y).
  double score(const Matrix &X, const Vector &y) const;
  const Vector &coef() const { return coef_; }
  double intercept() const { return intercept_; }
  void save(const std::string &path) const;
  static LinearRegression load(const std::string &path);

private:
  friend class RANSAC;
  LinearRegressionOptions options_;
  Vector coef_;
  double intercept_ = 0;
  bool fitted_ = false;
};

struct RidgeOptions {
  double alpha = 1.0; ///< L2 penalty, >= 0
  bool fitIntercept = true;
};

class Ridge {
public:
  explicit Ridge(RidgeOptions options = {}) : options_(options) {}
  Ridge &fit(const Matrix &X, const Vector &y);
  Vector predict(const Matrix &X) const;
  double score(const Matrix &X, const Vector &y) const;
  const Vector &coef() const { return coef_; }
  double intercept() const { return intercept_; }
  void save(const std::string &path) const;
  static Ridge load(const std::string &path);

private:
  RidgeOptions options_;
  Vector coef_;
  double intercept_ = 0;
  bool fitted_ = false;
};

struct BayesianLinearRegressionOptions {
  /// true: choose alpha and lambda by evidence maximization; false: use
  /// alphaInit and lambdaInit as fixed prior/noise precisions.
  bool optimizeHyperparameters = true;
  int maxIter = 300;
  double tol = 1e-3;
  /// Gamma hyperprior shapes/rates on alpha (noise) and lambda (weights).
  double alpha1 = 1e-6, alpha2 = 1e-6, lambda1 = 1e-6, lambda2 = 1e-6;
  /// Starting (or fixed) precisions; alphaInit <= 0 means 1 / var(y).
  double alphaInit = 0, lambdaInit = 1;
  bool fitIntercept = true;
};

class BayesianLinearRegression {
public:
  explicit BayesianLinearRegression(BayesianLinearRegressionOptions options = {})
      : options_(options) {}
  BayesianLinearRegression &fit(const Matrix &X, const Vector &y);
  /// MAP (posterior mean) prediction.
  Vector predict(const Matrix &X) const;
  /// Predictive standard deviation: sqrt(1/alpha + x^T Sigma x).
  Vector predictStd(const Matrix &X) const;
  double score(const Matrix &X, const Vector &y) const;
  const Vector &coef() const { return coef_; }
  double intercept() const { return intercept_; }
  double alpha() const { return alpha_; }
  double lambda() const { return lambda_; }
  /// Posterior covariance of the weights.
  const Matrix &sigma() const { return sigma_; }
  int iterations() const { return iterations_; }
  void save(const std::string &path) const;
  static BayesianLinearRegression load(const std::string &path);

private:
  BayesianLinearRegressionOptions options_;
  Vector coef_, xMean_;
  Matrix sigma_;
  double intercept_ = 0, alpha_ = 0, lambda_ = 0;
  int iterations_ = 0;
  bool fitted_ = false;
};

struct RANSACOptions {
  int minSamples = 0;             ///< subset size; 0 = features + 1
  double residualThreshold = 0;   ///< <= 0: median absolute deviation of y
  int maxTrials = 100;
  double stopProbability = 0.99;  ///< stop once this sure a clean subset was drawn
  uint64_t seed = 0;
};

class RANSAC {
public:
  explicit RANSAC(RANSACOptions options = {}) : options_(options) {}
  RANSAC &fit(const Matrix &X, const Vector &y);
  Vector predict(const Matrix &X) const { return model_.predict(X); }
  double score(const Matrix &X, const Vector &y) const { return model_.score(X, y); }
  /// The final least-squares model, fitted on the consensus set.
  const LinearRegression &estimator() const { return model_; }
  /// inlierMask()[i] is true when training sample i is in the consensus set.
  const std::vector<bool> &inlierMask() const { return inliers_; }
  int trials() const { return trials_; }
  void save(const std::string &path) const;
  static RANSAC load(const std::string &path);

private:
  RANSACOptions options_;
  LinearRegression model_;
  std::vector<bool> inliers_;
  int trials_ = 0;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_LINEARMODELS_H
