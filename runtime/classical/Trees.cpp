//===- Trees.cpp - Decision trees, random forests, extra trees ------------===//
#include "runtime/classical/Trees.h"

#include "runtime/classical/Metrics.h"

#include <cmath>

namespace kiln::ml {

int32_t FlatTree::leafOf(const double *x, Index stride) const {
  int32_t node = 0;
  while (feature[static_cast<std::size_t>(node)] >= 0) {
    auto s = static_cast<std::size_t>(node);
    node = x[feature[s] * stride] <= threshold[s] ? left[s] : right[s];
  }
  return node;
}

int FlatTree::depth() const {
  std::vector<int> d(feature.size(), 0);
  int best = 0;
  for (std::size_t i = 0; i < feature.size(); ++i) {
    best = std::max(best, d[i]);
    if (feature[i] >= 0) {
      d[static_cast<std::size_t>(left[i])] = d[i] + 1;
      d[static_cast<std::size_t>(right[i])] = d[i] + 1;
    }
  }
  return best;
}

namespace detail {

Matrix predictTrees(const std::vector<FlatTree> &trees, const Matrix &X, int threads,
                    const std::vector<double> *treeWeights) {
  int outputs = trees.empty() ? 1 : trees[0].outputs;
  Matrix out = Matrix::Zero(X.rows(), outputs);
  double totalWeight = 0;
  for (std::size_t t = 0; t < trees.size(); ++t)
    totalWeight += treeWeights ? (*treeWeights)[t] : 1.0;
  const Index stride = X.rows();
  parallelFor(X.rows(), threads, [&](Index b, Index e) {
    for (std::size_t t = 0; t < trees.size(); ++t) {
      const FlatTree &tree = trees[t];
      double w = (treeWeights ? (*treeWeights)[t] : 1.0) / totalWeight;
      for (Index i = b; i < e; ++i) {
        int32_t leaf = tree.leafOf(&X(i, 0), stride);
        const double *v = tree.value.data() + static_cast<std::size_t>(leaf) * static_cast<std::size_t>(outputs);
        for (int c = 0; c < outputs; ++c)
          out(i, c) += w * v[c];
      }
    }
  }, 256);
  return out;
}

void putTrees(ModelWriter &w, const std::vector<FlatTree> &trees) {
  std::vector<int64_t> offsets{0}, feature, left, right;
  std::vector<double> threshold, value;
  int outputs = trees.empty() ? 1 : trees[0].outputs;
  for (const auto &t : trees) {
    feature.insert(feature.end(), t.feature.begin(), t.feature.end());
    left.insert(left.end(), t.left.begin(), t.left.end());
    right.insert(right.end(), t.right.begin(), t.right.end());
    threshold.insert(threshold.end(), t.threshold.begin(), t.threshold.end());
    value.insert(value.end(), t.value.begin(), t.value.end());
    offsets.push_back(static_cast<int64_t>(feature.size()));
  }
  auto n = static_cast<int64_t>(feature.size());
  w.put("tree.offsets", Tensor::fromValues<int64_t>({static_cast<int64_t>(offsets.size())}, offsets));
  w.put("tree.feature", Tensor::fromValues<int64_t>({n}, feature));
  w.put("tree.left", Tensor::fromValues<int64_t>({n}, left));
  w.put("tree.right", Tensor::fromValues<int64_t>({n}, right));
  w.put("tree.threshold", Tensor::fromValues<double>({n}, threshold));
  w.put("tree.value", Tensor::fromValues<double>({n, outputs}, value));
}

std::vector<FlatTree> getTrees(const ModelReader &r, Index features, int outputs) {
  auto ints = [&](const char *name) {
    const Tensor &t = r.tensor(name);
    if (t.dtype() != DType::I64 || t.rank() != 1)
      fail("kiln.ml: model tensor '", name, "' is ", t.typeString(), "; expected a 1-D i64 tensor");
    return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.numel());
  };
  std::vector<int64_t> offsets = ints("tree.offsets"), feature = ints("tree.feature"),
                       left = ints("tree.left"), right = ints("tree.right");
  auto n = static_cast<int64_t>(feature.size());
  Vector threshold = r.vector("tree.threshold", n);
  Matrix value = r.matrix("tree.value", n, outputs);
  if (left.size() != feature.size() || right.size() != feature.size())
    fail("kiln.ml: tree arrays have different lengths");
  if (offsets.size() < 2 || offsets.front() != 0 || offsets.back() != n)
    fail("kiln.ml: tree.offsets must start at 0 and end at the node count ", n);
  std::vector<FlatTree> trees;
  for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
    int64_t b = offsets[t], e = offsets[t + 1];
    if (!(b < e))
      fail("kiln.ml: tree ", t, " has no nodes (offsets must increase)");
    FlatTree tree;
    tree.outputs = outputs;
    for (int64_t g = b; g < e; ++g) {
      int64_t local = g - b, f = feature[static_cast<std::size_t>(g)];
      int64_t l = left[static_cast<std::size_t>(g)], rr = right[static_cast<std::size_t>(g)];
      bool leaf = f == -1;
      if (f < -1 || f >= features)
        fail("kiln.ml: tree ", t, " node ", local, " splits on feature ", f, "; expected -1..",
             features - 1);
      if (!leaf && !(l > local && l < e - b && rr > local && rr < e - b))
        fail("kiln.ml: tree ", t, " node ", local, " has children ", l, ", ", rr,
             "; expected indices after the node and inside the tree");
      tree.feature.push_back(static_cast<int32_t>(f));
      tree.left.push_back(static_cast<int32_t>(leaf ? -1 : l));
      tree.right.push_back(static_cast<int32_t>(leaf ? -1 : rr));
      tree.threshold.push_back(threshold[g]);
      for (int c = 0; c < outputs; ++c)
        tree.value.push_back(value(g, c));
    }
    trees.push_back(std::move(tree));
  }
  return trees;
}

} // namespace detail

namespace {

using detail::TreeParams;

TreeParams makeParams(const std::string &who, Criterion criterion, int maxDepth,
                      int minSamplesSplit, int minSamplesLeaf, int maxFeatures, bool randomSplits,
                      int maxBins, Index cols, bool classificationForest) {
  detail::checkTreeSettings(who, maxDepth, minSamplesSplit, minSamplesLeaf, maxBins);
  TreeParams p;
  p.criterion = criterion;
  p.maxDepth = maxDepth;
  p.minSamplesSplit = minSamplesSplit;
  p.minSamplesLeaf = minSamplesLeaf;
  p.maxFeatures = detail::resolveMaxFeatures(who, maxFeatures, cols, classificationForest);
  p.randomSplits = randomSplits;
  return p;
}

void checkClassificationCriterion(const std::string &who, Criterion c) {
  if (c == Criterion::SquaredError)
    fail(who, ": criterion SquaredError is for regression; expected Gini or Entropy");
}

std::vector<double> weightsOrOnes(const std::string &who, const Vector &w, Index n) {
  if (w.size() == 0)
    return std::vector<double>(static_cast<std::size_t>(n), 1.0);
  checkWeights(who, w, n);
  return std::vector<double>(w.data(), w.data() + n);
}

Labels argmaxClasses(const Matrix &P, const Labels &classes) {
  Labels out(P.rows());
  for (Index i = 0; i < P.rows(); ++i) {
    Index j;
    P.row(i).maxCoeff(&j);
    out[i] = classes[j];
  }
  return out;
}

void checkPredict(const std::string &who, bool fitted, const Matrix &X, Index cols) {
  checkFitted(who, fitted);
  checkData(who, X);
  checkColumns(who, X, cols);
}

std::vector<uint64_t> bootstrapCounts(Index n, Rng &rng) {
  std::vector<uint64_t> c(static_cast<std::size_t>(n), 0);
  std::uniform_int_distribution<Index> pick(0, n - 1);
  for (Index i = 0; i < n; ++i)
    ++c[static_cast<std::size_t>(pick(rng))];
  return c;
}

} // namespace

// --- DecisionTreeClassifier -------------------------------------------------

DecisionTreeClassifier &DecisionTreeClassifier::fit(const Matrix &X, const Labels &y,
                                                    const Vector &sampleWeight) {
  const std::string who = "kiln.ml.DecisionTreeClassifier.fit";
  checkClassificationCriterion(who, options_.criterion);
  checkData(who, X);
  checkLabels(who, y, X.rows());
  LabelEncoding enc = encodeLabels(who, y, 2);
  std::vector<double> w = weightsOrOnes(who, sampleWeight, X.rows());
  TreeParams p = makeParams(who, options_.criterion, options_.maxDepth, options_.minSamplesSplit,
                            options_.minSamplesLeaf, options_.maxFeatures, options_.randomSplits,
                            options_.maxBins, X.cols(), false);
  detail::BinnedData bins = detail::binFeatures(X, options_.maxBins, 1);
  detail::TreeTargets t;
  t.classIndex = enc.index.data();
  t.classes = static_cast<int>(enc.classes.size());
  Rng rng(options_.seed);
  tree_ = detail::growTree(bins, X, t, w, p, rng);
  classes_ = enc.classes;
  features_ = X.cols();
  return *this;
}

Matrix DecisionTreeClassifier::predictProba(const Matrix &X) const {
  checkPredict("kiln.ml.DecisionTreeClassifier.predictProba", classes_.size() > 0, X, features_);
  return detail::predictTrees({tree_}, X, 1);
}
Labels DecisionTreeClassifier::predict(const Matrix &X) const {
  return argmaxClasses(predictProba(X), classes_);
}
double DecisionTreeClassifier::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void DecisionTreeClassifier::save(const std::string &path) const {
  checkFitted("kiln.ml.DecisionTreeClassifier.save", classes_.size() > 0);
  ModelWriter w("DecisionTreeClassifier");
  w.put("classes", classes_);
  detail::putTrees(w, {tree_});
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

DecisionTreeClassifier DecisionTreeClassifier::load(const std::string &path) {
  ModelReader r(path, "DecisionTreeClassifier");
  DecisionTreeClassifier m;
  m.classes_ = r.labels("classes");
  m.features_ = r.integer("features", 1, 1LL << 40);
  auto trees = detail::getTrees(r, m.features_, static_cast<int>(m.classes_.size()));
  if (trees.size() != 1)
    fail("kiln.ml.DecisionTreeClassifier.load: '", path, "' holds ", trees.size(),
         " trees; expected 1");
  m.tree_ = std::move(trees[0]);
  return m;
}

// --- DecisionTreeRegressor --------------------------------------------------

DecisionTreeRegressor &DecisionTreeRegressor::fit(const Matrix &X, const Vector &y,
                                                  const Vector &sampleWeight) {
  const std::string who = "kiln.ml.DecisionTreeRegressor.fit";
  if (options_.criterion != Criterion::SquaredError)
    fail(who, ": criterion must be SquaredError for regression");
  checkData(who, X);
  checkTargets(who, y, X.rows());
  std::vector<double> w = weightsOrOnes(who, sampleWeight, X.rows());
  TreeParams p = makeParams(who, options_.criterion, options_.maxDepth, options_.minSamplesSplit,
                            options_.minSamplesLeaf, options_.maxFeatures, options_.randomSplits,
                            options_.maxBins, X.cols(), false);
  detail::BinnedData bins = detail::binFeatures(X, options_.maxBins, 1);
  detail::TreeTargets t;
  t.y = y.data();
  Rng rng(options_.seed);
  tree_ = detail::growTree(bins, X, t, w, p, rng);
  features_ = X.cols();
  return *this;
}

Vector DecisionTreeRegressor::predict(const Matrix &X) const {
  checkPredict("kiln.ml.DecisionTreeRegressor.predict", features_ > 0, X, features_);
  return detail::predictTrees({tree_}, X, 1).col(0);
}
double DecisionTreeRegressor::score(const Matrix &X, const Vector &y) const {
  return r2Score(y, predict(X));
}

void DecisionTreeRegressor::save(const std::string &path) const {
  checkFitted("kiln.ml.DecisionTreeRegressor.save", features_ > 0);
  ModelWriter w("DecisionTreeRegressor");
  detail::putTrees(w, {tree_});
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

DecisionTreeRegressor DecisionTreeRegressor::load(const std::string &path) {
  ModelReader r(path, "DecisionTreeRegressor");
  DecisionTreeRegressor m;
  m.features_ = r.integer("features", 1, 1LL << 40);
  auto trees = detail::getTrees(r, m.features_, 1);
  if (trees.size() != 1)
    fail("kiln.ml.DecisionTreeRegressor.load: '", path, "' holds ", trees.size(),
         " trees; expected 1");
  m.tree_ = std::move(trees[0]);
  return m;
}

// --- Forests ----------------------------------------------------------------

namespace {

std::vector<FlatTree> growForest(const std::string &who, const ForestOptions &o, const Matrix &X,
                                 const detail::TreeTargets &t, bool classification) {
  if (o.nEstimators < 1)
    fail(who, ": nEstimators is ", o.nEstimators, "; expected >= 1");
  TreeParams p = makeParams(who, o.criterion, o.maxDepth, o.minSamplesSplit, o.minSamplesLeaf,
                            o.maxFeatures, o.randomSplits, o.maxBins, X.cols(), classification);
  int threads = resolveThreads(o.threads);
  detail::BinnedData bins = detail::binFeatures(X, o.maxBins, threads);
  std::vector<FlatTree> trees(static_cast<std::size_t>(o.nEstimators));
  parallelTasks(o.nEstimators, threads, [&](Index k) {
    Rng rng = taskRng(o.seed, static_cast<uint64_t>(k));
    std::vector<double> w(static_cast<std::size_t>(X.rows()), 1.0);
    if (o.bootstrap) {
      auto counts = bootstrapCounts(X.rows(), rng);
      for (std::size_t i = 0; i < w.size(); ++i)
        w[i] = static_cast<double>(counts[i]);
    }
    trees[static_cast<std::size_t>(k)] = detail::growTree(bins, X, t, w, p, rng);
  });
  return trees;
}

} // namespace

RandomForestClassifier &RandomForestClassifier::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.RandomForestClassifier.fit";
  checkClassificationCriterion(who, options_.criterion);
  checkData(who, X);
  checkLabels(who, y, X.rows());
  LabelEncoding enc = encodeLabels(who, y, 2);
  detail::TreeTargets t;
  t.classIndex = enc.index.data();
  t.classes = static_cast<int>(enc.classes.size());
  trees_ = growForest(who, options_, X, t, true);
  classes_ = enc.classes;
  features_ = X.cols();
  return *this;
}

Matrix RandomForestClassifier::predictProba(const Matrix &X) const {
  checkPredict("kiln.ml.RandomForestClassifier.predictProba", !trees_.empty(), X, features_);
  return detail::predictTrees(trees_, X, resolveThreads(options_.threads));
}
Labels RandomForestClassifier::predict(const Matrix &X) const {
  return argmaxClasses(predictProba(X), classes_);
}
double RandomForestClassifier::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void RandomForestClassifier::save(const std::string &path) const {
  checkFitted("kiln.ml.RandomForestClassifier.save", !trees_.empty());
  ModelWriter w("RandomForestClassifier");
  w.put("classes", classes_);
  detail::putTrees(w, trees_);
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

RandomForestClassifier RandomForestClassifier::load(const std::string &path) {
  ModelReader r(path, "RandomForestClassifier");
  RandomForestClassifier m;
  m.classes_ = r.labels("classes");
  m.features_ = r.integer("features", 1, 1LL << 40);
  m.trees_ = detail::getTrees(r, m.features_, static_cast<int>(m.classes_.size()));
  m.options_.nEstimators = static_cast<int>(m.trees_.size());
  return m;
}

RandomForestRegressor &RandomForestRegressor::fit(const Matrix &X, const Vector &y) {
  const std::string who = "kiln.ml.RandomForestRegressor.fit";
  checkData(who, X);
  checkTargets(who, y, X.rows());
  detail::TreeTargets t;
  t.y = y.data();
  trees_ = growForest(who, options_, X, t, false);
  features_ = X.cols();
  return *this;
}

Vector RandomForestRegressor::predict(const Matrix &X) const {
  checkPredict("kiln.ml.RandomForestRegressor.predict", !trees_.empty(), X, features_);
  return detail::predictTrees(trees_, X, resolveThreads(options_.threads)).col(0);
}
double RandomForestRegressor::score(const Matrix &X, const Vector &y) const {
  return r2Score(y, predict(X));
}

void RandomForestRegressor::save(const std::string &path) const {
  checkFitted("kiln.ml.RandomForestRegressor.save", !trees_.empty());
  ModelWriter w("RandomForestRegressor");
  detail::putTrees(w, trees_);
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

RandomForestRegressor RandomForestRegressor::load(const std::string &path) {
  ModelReader r(path, "RandomForestRegressor");
  RandomForestRegressor m;
  m.features_ = r.integer("features", 1, 1LL << 40);
  m.trees_ = detail::getTrees(r, m.features_, 1);
  m.options_.nEstimators = static_cast<int>(m.trees_.size());
  return m;
}

} // namespace kiln::ml
