//===- Boosting.cpp - AdaBoost (SAMME) and gradient boosting --------------===//
#include "runtime/classical/Boosting.h"

#include "runtime/classical/Metrics.h"

#include <cmath>
#include <numeric>

namespace kiln::ml {

namespace {

void checkPredict(const std::string &who, bool fitted, const Matrix &X, Index cols) {
  checkFitted(who, fitted);
  checkData(who, X);
  checkColumns(who, X, cols);
}

Labels argmaxClasses(const Matrix &S, const Labels &classes) {
  Labels out(S.rows());
  for (Index i = 0; i < S.rows(); ++i) {
    Index j;
    S.row(i).maxCoeff(&j);
    out[i] = classes[j];
  }
  return out;
}

Matrix softmaxRows(Matrix S) {
  for (Index i = 0; i < S.rows(); ++i) {
    Eigen::RowVectorXd row = S.row(i);
    S.row(i) = (row.array() - logSumExp(row.data(), row.size())).exp();
  }
  return S;
}

/// Leaf values of a tree applied to every row of X.
Vector applyTree(const FlatTree &t, const Matrix &X) {
  Vector out(X.rows());
  for (Index i = 0; i < X.rows(); ++i)
    out[i] = t.value[static_cast<std::size_t>(t.leafOf(&X(i, 0), X.rows()))];
  return out;
}

void checkBoostingOptions(const std::string &who, const GradientBoostingOptions &o, Index cols) {
  if (o.nEstimators < 1)
    fail(who, ": nEstimators is ", o.nEstimators, "; expected >= 1");
  if (!(o.learningRate > 0) || !std::isfinite(o.learningRate))
    fail(who, ": learningRate is ", o.learningRate, "; expected > 0");
  if (!(o.subsample > 0 && o.subsample <= 1))
    fail(who, ": subsample is ", o.subsample, "; expected in (0, 1]");
  detail::checkTreeSettings(who, o.maxDepth, o.minSamplesSplit, o.minSamplesLeaf, o.maxBins);
  detail::resolveMaxFeatures(who, o.maxFeatures, cols, false);
}

detail::TreeParams boostParams(const GradientBoostingOptions &o, Index cols, int threads) {
  detail::TreeParams p;
  p.criterion = Criterion::SquaredError;
  p.maxDepth = o.maxDepth;
  p.minSamplesSplit = o.minSamplesSplit;
  p.minSamplesLeaf = o.minSamplesLeaf;
  p.maxFeatures = detail::resolveMaxFeatures("", o.maxFeatures, cols, false);
  p.threads = threads;
  return p;
}

/// Row weights of one stage: all ones, or a subsample (without replacement).
std::vector<double> stageWeights(Index n, double subsample, Rng &rng) {
  std::vector<double> w(static_cast<std::size_t>(n), 1.0);
  if (subsample >= 1)
    return w;
  Index keep = std::max<Index>(1, static_cast<Index>(subsample * static_cast<double>(n)));
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (Index i = keep; i < n; ++i)
    w[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = 0;
  return w;
}

} // namespace

// --- AdaBoost ---------------------------------------------------------------

AdaBoostClassifier &AdaBoostClassifier::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.AdaBoostClassifier.fit";
  const auto &o = options_;
  if (o.nEstimators < 1)
    fail(who, ": nEstimators is ", o.nEstimators, "; expected >= 1");
  if (!(o.learningRate > 0) || !std::isfinite(o.learningRate))
    fail(who, ": learningRate is ", o.learningRate, "; expected > 0");
  detail::checkTreeSettings(who, o.maxDepth, 2, 1, o.maxBins);
  checkData(who, X);
  checkLabels(who, y, X.rows());
  LabelEncoding enc = encodeLabels(who, y, 2);
  Index n = X.rows(), k = enc.classes.size();
  detail::BinnedData bins = detail::binFeatures(X, o.maxBins, 1);
  detail::TreeTargets t;
  t.classIndex = enc.index.data();
  t.classes = static_cast<int>(k);
  detail::TreeParams p;
  p.criterion = Criterion::Gini;
  p.maxDepth = o.maxDepth;
  p.maxFeatures = static_cast<int>(X.cols());
  std::vector<double> w(static_cast<std::size_t>(n), 1.0 / static_cast<double>(n));
  trees_.clear();
  alphas_.clear();
  for (int m = 0; m < o.nEstimators; ++m) {
    Rng rng = taskRng(o.seed, static_cast<uint64_t>(m));
    FlatTree tree = detail::growTree(bins, X, t, w, p, rng);
    Matrix P = detail::predictTrees({tree}, X, 1);
    std::vector<bool> wrong(static_cast<std::size_t>(n));
    double err = 0, total = 0;
    for (Index i = 0; i < n; ++i) {
      Index j;
      P.row(i).maxCoeff(&j);
      wrong[static_cast<std::size_t>(i)] = j != enc.index[static_cast<std::size_t>(i)];
      total += w[static_cast<std::size_t>(i)];
      if (wrong[static_cast<std::size_t>(i)])
        err += w[static_cast<std::size_t>(i)];
    }
    err /= total;
    if (err <= 0) { // perfect: keep it and stop
      trees_.push_back(std::move(tree));
      alphas_.push_back(1.0);
      break;
    }
    if (err >= 1.0 - 1.0 / static_cast<double>(k)) {
      if (trees_.empty())
        fail(who, ": the first tree (depth ", o.maxDepth, ") is no better than chance (weighted error ",
             err, " with ", k, " classes); expected a deeper tree or separable classes");
      break;
    }
    double alpha = o.learningRate * (std::log((1 - err) / err) + std::log(static_cast<double>(k - 1)));
    trees_.push_back(std::move(tree));
    alphas_.push_back(alpha);
    double sum = 0;
    for (Index i = 0; i < n; ++i) {
      if (wrong[static_cast<std::size_t>(i)] && w[static_cast<std::size_t>(i)] > 0)
        w[static_cast<std::size_t>(i)] *= std::exp(alpha);
      sum += w[static_cast<std::size_t>(i)];
    }
    for (auto &v : w)
      v /= sum;
  }
  classes_ = enc.classes;
  features_ = X.cols();
  return *this;
}

Matrix AdaBoostClassifier::decisionFunction(const Matrix &X) const {
  checkPredict("kiln.ml.AdaBoostClassifier.decisionFunction", !trees_.empty(), X, features_);
  Index k = classes_.size();
  Matrix D = Matrix::Zero(X.rows(), k);
  double totalAlpha = 0;
  for (std::size_t m = 0; m < trees_.size(); ++m) {
    const FlatTree &t = trees_[m];
    for (Index i = 0; i < X.rows(); ++i) {
      const double *v = t.value.data() + static_cast<std::size_t>(t.leafOf(&X(i, 0), X.rows())) *
                                             static_cast<std::size_t>(k);
      D(i, std::max_element(v, v + k) - v) += alphas_[m];
    }
    totalAlpha += alphas_[m];
  }
  return D / totalAlpha;
}

Labels AdaBoostClassifier::predict(const Matrix &X) const {
  return argmaxClasses(decisionFunction(X), classes_);
}

Matrix AdaBoostClassifier::predictProba(const Matrix &X) const {
  return softmaxRows(decisionFunction(X) / static_cast<double>(classes_.size() - 1));
}

double AdaBoostClassifier::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void AdaBoostClassifier::save(const std::string &path) const {
  checkFitted("kiln.ml.AdaBoostClassifier.save", !trees_.empty());
  ModelWriter w("AdaBoostClassifier");
  w.put("classes", classes_);
  detail::putTrees(w, trees_);
  w.put("alphas", Vector(Eigen::Map<const Vector>(alphas_.data(), static_cast<Index>(alphas_.size()))));
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

AdaBoostClassifier AdaBoostClassifier::load(const std::string &path) {
  ModelReader r(path, "AdaBoostClassifier");
  AdaBoostClassifier m;
  m.classes_ = r.labels("classes");
  m.features_ = r.integer("features", 1, 1LL << 40);
  m.trees_ = detail::getTrees(r, m.features_, static_cast<int>(m.classes_.size()));
  Vector a = r.vector("alphas", static_cast<Index>(m.trees_.size()));
  m.alphas_.assign(a.data(), a.data() + a.size());
  return m;
}

// --- Gradient boosting: regression -----------------------------------------

GradientBoostingRegressor &GradientBoostingRegressor::fit(const Matrix &X, const Vector &y) {
  const std::string who = "kiln.ml.GradientBoostingRegressor.fit";
  checkBoostingOptions(who, options_, X.cols());
  checkData(who, X);
  checkTargets(who, y, X.rows());
  const auto &o = options_;
  int threads = resolveThreads(o.threads);
  detail::BinnedData bins = detail::binFeatures(X, o.maxBins, threads);
  detail::TreeParams p = boostParams(o, X.cols(), threads);
  init_ = y.mean();
  Vector F = Vector::Constant(X.rows(), init_), residual(X.rows());
  detail::TreeTargets t;
  t.y = residual.data();
  trees_.clear();
  for (int m = 0; m < o.nEstimators; ++m) {
    Rng rng = taskRng(o.seed, static_cast<uint64_t>(m));
    residual = y - F;
    std::vector<double> w = stageWeights(X.rows(), o.subsample, rng);
    FlatTree tree = detail::growTree(bins, X, t, w, p, rng);
    for (auto &v : tree.value)
      v *= o.learningRate;
    F += applyTree(tree, X);
    trees_.push_back(std::move(tree));
  }
  features_ = X.cols();
  return *this;
}

Vector GradientBoostingRegressor::predict(const Matrix &X) const {
  checkPredict("kiln.ml.GradientBoostingRegressor.predict", !trees_.empty(), X, features_);
  Vector F = Vector::Constant(X.rows(), init_);
  for (const auto &t : trees_)
    F += applyTree(t, X);
  return F;
}

double GradientBoostingRegressor::score(const Matrix &X, const Vector &y) const {
  return r2Score(y, predict(X));
}

void GradientBoostingRegressor::save(const std::string &path) const {
  checkFitted("kiln.ml.GradientBoostingRegressor.save", !trees_.empty());
  ModelWriter w("GradientBoostingRegressor");
  detail::putTrees(w, trees_);
  w.setting("init", init_);
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

GradientBoostingRegressor GradientBoostingRegressor::load(const std::string &path) {
  ModelReader r(path, "GradientBoostingRegressor");
  GradientBoostingRegressor m;
  m.features_ = r.integer("features", 1, 1LL << 40);
  m.trees_ = detail::getTrees(r, m.features_, 1);
  m.init_ = r.number("init");
  return m;
}

// --- Gradient boosting: classification ---------------------------------------

GradientBoostingClassifier &GradientBoostingClassifier::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.GradientBoostingClassifier.fit";
  checkBoostingOptions(who, options_, X.cols());
  checkData(who, X);
  checkLabels(who, y, X.rows());
  LabelEncoding enc = encodeLabels(who, y, 2);
  const auto &o = options_;
  Index n = X.rows(), k = enc.classes.size();
  Index outputs = k == 2 ? 1 : k;
  int threads = resolveThreads(o.threads);
  detail::BinnedData bins = detail::binFeatures(X, o.maxBins, threads);
  // One-hot targets and the initial raw scores (log prior odds / log priors).
  Matrix Y = Matrix::Zero(n, k);
  for (Index i = 0; i < n; ++i)
    Y(i, enc.index[static_cast<std::size_t>(i)]) = 1;
  Vector prior = Y.colwise().mean().transpose();
  init_.resize(outputs);
  if (k == 2)
    init_[0] = std::log(prior[1] / prior[0]);
  else
    init_ = prior.array().log();
  Matrix F = init_.transpose().replicate(n, 1);
  trees_.clear();
  // Several trees per stage (multi-class) grow in parallel, one thread each.
  int inner = outputs > 1 ? 1 : threads;
  detail::TreeParams p = boostParams(o, X.cols(), inner);
  std::vector<Vector> grad(static_cast<std::size_t>(outputs), Vector(n));
  for (int m = 0; m < o.nEstimators; ++m) {
    // Probabilities and negative gradients.
    Matrix P(n, outputs);
    if (k == 2) {
      P.col(0) = (1.0 / (1.0 + (-F.col(0).array()).exp())).matrix();
      grad[0] = Y.col(1) - P.col(0);
    } else {
      P = softmaxRows(F);
      for (Index c = 0; c < k; ++c)
        grad[static_cast<std::size_t>(c)] = Y.col(c) - P.col(c);
    }
    Rng stageRng = taskRng(o.seed, static_cast<uint64_t>(m) * 1000003u);
    std::vector<double> w = stageWeights(n, o.subsample, stageRng);
    std::vector<FlatTree> stage(static_cast<std::size_t>(outputs));
    parallelTasks(outputs, outputs > 1 ? threads : 1, [&](Index c) {
      Rng rng = taskRng(o.seed, static_cast<uint64_t>(m * outputs + c));
      detail::TreeTargets t;
      const Vector &g = grad[static_cast<std::size_t>(c)];
      t.y = g.data();
      std::vector<int32_t> leafOfRow;
      FlatTree tree = detail::growTree(bins, X, t, w, p, rng, &leafOfRow);
      // Newton step per leaf: sum(g) / sum(h), h = p (1 - p) = |g| (1 - |g|).
      std::vector<double> num(static_cast<std::size_t>(tree.nodeCount()), 0.0), den(num);
      for (Index i = 0; i < n; ++i) {
        int32_t leaf = leafOfRow[static_cast<std::size_t>(i)];
        if (leaf < 0)
          continue;
        double gi = g[i], a = std::abs(gi);
        num[static_cast<std::size_t>(leaf)] += gi;
        den[static_cast<std::size_t>(leaf)] += a * (1 - a);
      }
      double scale = k == 2 ? 1.0 : static_cast<double>(k - 1) / static_cast<double>(k);
      for (Index node = 0; node < tree.nodeCount(); ++node) {
        auto s = static_cast<std::size_t>(node);
        double v = den[s] < 1e-150 ? 0.0 : scale * num[s] / den[s];
        tree.value[s] = o.learningRate * v;
      }
      F.col(c) += applyTree(tree, X);
      stage[static_cast<std::size_t>(c)] = std::move(tree);
    });
    for (auto &t : stage)
      trees_.push_back(std::move(t));
  }
  classes_ = enc.classes;
  features_ = X.cols();
  return *this;
}

Matrix GradientBoostingClassifier::decisionFunction(const Matrix &X) const {
  checkPredict("kiln.ml.GradientBoostingClassifier.decisionFunction", !trees_.empty(), X,
               features_);
  Index outputs = init_.size();
  Matrix F = init_.transpose().replicate(X.rows(), 1);
  for (std::size_t t = 0; t < trees_.size(); ++t)
    F.col(static_cast<Index>(t) % outputs) += applyTree(trees_[t], X);
  return F;
}

Matrix GradientBoostingClassifier::predictProba(const Matrix &X) const {
  Matrix F = decisionFunction(X);
  if (F.cols() > 1)
    return softmaxRows(F);
  Matrix P(X.rows(), 2);
  P.col(1) = (1.0 / (1.0 + (-F.col(0).array()).exp())).matrix();
  P.col(0) = 1.0 - P.col(1).array();
  return P;
}

Labels GradientBoostingClassifier::predict(const Matrix &X) const {
  return argmaxClasses(predictProba(X), classes_);
}

double GradientBoostingClassifier::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void GradientBoostingClassifier::save(const std::string &path) const {
  checkFitted("kiln.ml.GradientBoostingClassifier.save", !trees_.empty());
  ModelWriter w("GradientBoostingClassifier");
  w.put("classes", classes_);
  w.put("init", init_);
  detail::putTrees(w, trees_);
  w.setting("features", static_cast<double>(features_));
  w.save(path);
}

GradientBoostingClassifier GradientBoostingClassifier::load(const std::string &path) {
  ModelReader r(path, "GradientBoostingClassifier");
  GradientBoostingClassifier m;
  m.classes_ = r.labels("classes");
  Index k = m.classes_.size();
  if (k < 2)
    fail("kiln.ml.GradientBoostingClassifier.load: '", path, "' has ", k,
         " classes; expected at least 2");
  Index outputs = k == 2 ? 1 : k;
  m.init_ = r.vector("init", outputs);
  m.features_ = r.integer("features", 1, 1LL << 40);
  m.trees_ = detail::getTrees(r, m.features_, 1);
  if (m.trees_.empty() || static_cast<Index>(m.trees_.size()) % outputs != 0)
    fail("kiln.ml.GradientBoostingClassifier.load: '", path, "' holds ", m.trees_.size(),
         " trees; expected a positive multiple of ", outputs);
  return m;
}

} // namespace kiln::ml
