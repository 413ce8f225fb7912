//===- Boosting.h - AdaBoost (SAMME) and gradient boosting ------*- C++ -*-===//
//
// - AdaBoostClassifier: SAMME (Zhu, Zou, Rosset, Hastie 2009). Each round
//   fits a weighted CART tree (depth maxDepth, default stumps), weighs it by
//   alpha = learningRate * (log((1 - err) / err) + log(K - 1)) and multiplies
//   the weights of misclassified samples by exp(alpha). Stops early on a
//   perfect round; a first round no better than chance (err >= 1 - 1/K) is an
//   error.
// - GradientBoostingRegressor: squared loss; each stage fits a regression
//   tree to the residuals, shrunk by learningRate; starts from the mean.
// - GradientBoostingClassifier: log loss (binomial for 2 classes, softmax
//   with one tree per class and stage for K > 2), starting from the log
//   prior odds; each tree is fitted to the negative gradient and its leaves
//   are set by one Newton step (sum g / sum h), as Friedman (2001).
// Trees are grown by the same binned CART as Trees.h; for large nodes the
// feature scan runs on `threads` threads (and the K trees of a multi-class
// stage are grown in parallel). subsample < 1 gives stochastic gradient
// boosting (rows drawn without replacement per stage).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_BOOSTING_H
#define KILN_RUNTIME_CLASSICAL_BOOSTING_H

#include "runtime/classical/Trees.h"

namespace kiln::ml {

struct AdaBoostOptions {
  int nEstimators = 50;
  double learningRate = 1.0;
  int maxDepth = 1; ///< depth of each tree (1 = stumps)
  int maxBins = 256;
  uint64_t seed = 0;
};

class AdaBoostClassifier {
public:
  explicit AdaBoostClassifier(AdaBoostOptions options = {}) : options_(options) {}
  AdaBoostClassifier &fit(const Matrix &X, const Labels &y);
  /// Sum of alpha_m * [tree m predicts class k] / sum of alpha (n x classes).
  Matrix decisionFunction(const Matrix &X) const;
  Labels predict(const Matrix &X) const;
  /// softmax(decision / (K - 1)): a monotone map of the weighted vote.
  Matrix predictProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  const std::vector<double> &estimatorWeights() const { return alphas_; }
  const std::vector<FlatTree> &trees() const { return trees_; }
  void save(const std::string &path) const;
  static AdaBoostClassifier load(const std::string &path);

private:
  AdaBoostOptions options_;
  Labels classes_;
  std::vector<FlatTree> trees_;
  std::vector<double> alphas_;
  Index features_ = 0;
};

struct GradientBoostingOptions {
  int nEstimators = 100;
  double learningRate = 0.1;
  int maxDepth = 3;
  int minSamplesSplit = 2;
  int minSamplesLeaf = 1;
  int maxFeatures = kAllFeatures;
  double subsample = 1.0;
  int maxBins = 256;
  uint64_t seed = 0;
  int threads = 0;
};

class GradientBoostingRegressor {
public:
  explicit GradientBoostingRegressor(GradientBoostingOptions options = {}) : options_(options) {}
  GradientBoostingRegressor &fit(const Matrix &X, const Vector &y);
  Vector predict(const Matrix &X) const;
  double score(const Matrix &X, const Vector &y) const;
  const std::vector<FlatTree> &trees() const { return trees_; }
  double init() const { return init_; }
  void save(const std::string &path) const;
  static GradientBoostingRegressor load(const std::string &path);

private:
  GradientBoostingOptions options_;
  std::vector<FlatTree> trees_;
  double init_ = 0;
  Index features_ = 0;
};

class GradientBoostingClassifier {
public:
  explicit GradientBoostingClassifier(GradientBoostingOptions options = {}) : options_(options) {}
  GradientBoostingClassifier &fit(const Matrix &X, const Labels &y);
  /// Raw scores: n x 1 (log-odds) for two classes, n x K otherwise.
  Matrix decisionFunction(const Matrix &X) const;
  Matrix predictProba(const Matrix &X) const;
  Labels predict(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  /// Stage-major: tree t adds its leaf value to output t % outputs.
  const std::vector<FlatTree> &trees() const { return trees_; }
  /// Initial raw score per output (log prior odds).
  const Vector &init() const { return init_; }
  void save(const std::string &path) const;
  static GradientBoostingClassifier load(const std::string &path);

private:
  GradientBoostingOptions options_;
  Labels classes_;
  std::vector<FlatTree> trees_; ///< stage-major: trees_[stage * outputs + k]
  Vector init_;                 ///< per output
  Index features_ = 0;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_BOOSTING_H
