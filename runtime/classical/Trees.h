//===- Trees.h - CART decision trees, random forests, extra trees -*- C++ -*-===//
//
//   kiln::ml::RandomForestClassifier forest({.nEstimators = 100, .seed = 7});
//   forest.fit(X, labels);
//   Matrix proba = forest.predictProba(Xtest);
//
//   // Extra trees: random thresholds, no bootstrap.
//   kiln::ml::RandomForestClassifier extra(kiln::ml::ForestOptions::extraTrees());
//
// CART: binary splits x[f] <= t chosen greedily to maximize the impurity
// decrease (Gini or entropy for classification, squared error for
// regression). Split search works on binned features: each feature is cut
// into at most maxBins (<= 256) bins once per fit -- one bin per distinct
// value when there are at most maxBins of them (then the search is exact,
// like scikit-learn's, with thresholds half-way between neighbouring
// values), else quantile bins. Large nodes are scanned with per-bin
// histograms, small ones by sorting their bin codes. At each node up to
// maxFeatures features are drawn at random; as in scikit-learn, features that
// are constant in the node do not count and the search continues.
//
// Extra trees (randomSplits): one uniform random threshold between the
// node's min and max of each drawn feature; the best of those is kept.
//
// Forests grow trees in parallel on `threads` threads; tree t uses its own
// generator seeded from (seed, t), so results do not depend on the thread
// count. Trees are stored flattened (feature, threshold, children, value
// arrays per node), which is also the saved format.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_TREES_H
#define KILN_RUNTIME_CLASSICAL_TREES_H

#include "runtime/classical/Common.h"

#include <cstdint>

namespace kiln::ml {

enum class Criterion { Gini, Entropy, SquaredError };

/// Values of `maxFeatures`: a positive count, or one of these.
constexpr int kDefaultFeatures = 0; ///< sqrt for classification forests, all otherwise
constexpr int kAllFeatures = -1;
constexpr int kSqrtFeatures = -2;
constexpr int kLog2Features = -3;

/// A tree as flat arrays; node 0 is the root, children come after parents.
struct FlatTree {
  std::vector<int32_t> feature;   ///< split feature, -1 at a leaf
  std::vector<double> threshold;  ///< x[feature] <= threshold goes left
  std::vector<int32_t> left, right;
  std::vector<double> value;      ///< nodes x outputs: class probabilities or the mean target
  int outputs = 1;

  Index nodeCount() const { return static_cast<Index>(feature.size()); }
  /// Index of the leaf reached by one sample (row pointer, stride between features).
  int32_t leafOf(const double *x, Index stride) const;
  int depth() const;
};

struct TreeOptions {
  Criterion criterion = Criterion::Gini; ///< regressors use SquaredError
  int maxDepth = 0;                      ///< 0: unlimited
  int minSamplesSplit = 2;
  int minSamplesLeaf = 1;
  int maxFeatures = kAllFeatures;
  bool randomSplits = false;             ///< extra-tree style thresholds
  int maxBins = 256;
  uint64_t seed = 0;
};

class DecisionTreeClassifier {
public:
  explicit DecisionTreeClassifier(TreeOptions options = {}) : options_(options) {}
  /// sampleWeight may be empty (all ones).
  DecisionTreeClassifier &fit(const Matrix &X, const Labels &y, const Vector &sampleWeight = {});
  Labels predict(const Matrix &X) const;
  Matrix predictProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  const FlatTree &tree() const { return tree_; }
  void save(const std::string &path) const;
  static DecisionTreeClassifier load(const std::string &path);

private:
  TreeOptions options_;
  Labels classes_;
  FlatTree tree_;
  Index features_ = 0;
};

class DecisionTreeRegressor {
public:
  explicit DecisionTreeRegressor(TreeOptions options = regressionDefaults()) : options_(options) {}
  static TreeOptions regressionDefaults() {
    TreeOptions o;
    o.criterion = Criterion::SquaredError;
    return o;
  }
  DecisionTreeRegressor &fit(const Matrix &X, const Vector &y, const Vector &sampleWeight = {});
  Vector predict(const Matrix &X) const;
  double score(const Matrix &X, const Vector &y) const;
  const FlatTree &tree() const { return tree_; }
  void save(const std::string &path) const;
  static DecisionTreeRegressor load(const std::string &path);

private:
  TreeOptions options_;
  FlatTree tree_;
  Index features_ = 0;
};

struct ForestOptions {
  int nEstimators = 100;
  Criterion criterion = Criterion::Gini; ///< regressors use SquaredError
  int maxDepth = 0;
  int minSamplesSplit = 2;
  int minSamplesLeaf = 1;
  int maxFeatures = kDefaultFeatures;
  bool bootstrap = true;
  bool randomSplits = false;
  int maxBins = 256;
  uint64_t seed = 0;
  int threads = 0;
  /// Extra trees: random thresholds on the whole training set.
  static ForestOptions extraTrees() {
    ForestOptions o;
    o.bootstrap = false;
    o.randomSplits = true;
    return o;
  }
};

class RandomForestClassifier {
public:
  explicit RandomForestClassifier(ForestOptions options = {}) : options_(options) {}
  RandomForestClassifier &fit(const Matrix &X, const Labels &y);
  Labels predict(const Matrix &X) const;
  /// Mean of the trees' leaf class frequencies.
  Matrix predictProba(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  const std::vector<FlatTree> &trees() const { return trees_; }
  void save(const std::string &path) const;
  static RandomForestClassifier load(const std::string &path);

private:
  ForestOptions options_;
  Labels classes_;
  std::vector<FlatTree> trees_;
  Index features_ = 0;
};

class RandomForestRegressor {
public:
  explicit RandomForestRegressor(ForestOptions options = {}) : options_(options) {
    options_.criterion = Criterion::SquaredError;
  }
  RandomForestRegressor &fit(const Matrix &X, const Vector &y);
  Vector predict(const Matrix &X) const;
  double score(const Matrix &X, const Vector &y) const;
  const std::vector<FlatTree> &trees() const { return trees_; }
  void save(const std::string &path) const;
  static RandomForestRegressor load(const std::string &path);

private:
  ForestOptions options_;
  std::vector<FlatTree> trees_;
  Index features_ = 0;
};

namespace detail {

/// Features cut into bins once per fit (shared by all trees of an ensemble).
struct BinnedData {
  Index rows = 0, cols = 0;
  std::vector<uint8_t> codes;               ///< column-major rows x cols
  std::vector<std::vector<double>> low, high; ///< per feature and bin: min / max training value
  const uint8_t *column(Index f) const { return codes.data() + f * rows; }
};
BinnedData binFeatures(const Matrix &X, int maxBins, int threads);

/// What a tree is fitted to: class indices (classification) or targets.
struct TreeTargets {
  const int *classIndex = nullptr; ///< n entries in [0, classes)
  int classes = 0;
  const double *y = nullptr;       ///< n entries (regression)
};

struct TreeParams {
  Criterion criterion = Criterion::Gini;
  int maxDepth = 0;
  int minSamplesSplit = 2;
  int minSamplesLeaf = 1;
  int maxFeatures = 0; ///< resolved count, 1..cols
  bool randomSplits = false;
  int threads = 1;     ///< for the feature scan of large nodes
};

/// Grows one tree on the rows with weight > 0. When leafOfRow is not null it
/// receives, for each such row, the leaf it ends in (others: -1).
FlatTree growTree(const BinnedData &bins, const Matrix &X, const TreeTargets &targets,
                  const std::vector<double> &weights, const TreeParams &params, Rng &rng,
                  std::vector<int32_t> *leafOfRow = nullptr);

/// Resolves kDefaultFeatures etc. to a count in [1, cols].
int resolveMaxFeatures(const std::string &who, int maxFeatures, Index cols, bool classification);

/// Checks the TreeOptions-like settings shared by trees and ensembles.
void checkTreeSettings(const std::string &who, int maxDepth, int minSamplesSplit,
                       int minSamplesLeaf, int maxBins);

/// Writes trees as concatenated arrays under `prefix` ("tree.") and reads
/// them back, validating every index (a hostile file cannot cause a crash).
void putTrees(ModelWriter &w, const std::vector<FlatTree> &trees);
std::vector<FlatTree> getTrees(const ModelReader &r, Index features, int outputs);

/// Mean over trees of the leaf values (n x outputs), on `threads` threads.
Matrix predictTrees(const std::vector<FlatTree> &trees, const Matrix &X, int threads,
                    const std::vector<double> *treeWeights = nullptr);

} // namespace detail

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_TREES_H
