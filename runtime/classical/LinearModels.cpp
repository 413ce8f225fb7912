//===- LinearModels.cpp - Least squares, ridge, MAP, RANSAC ---------------===//
#include "runtime/classical/LinearModels.h"

#include "runtime/classical/Metrics.h"

#include <Eigen/Dense>

#include <cmath>
#include <numeric>

namespace kiln::ml {

namespace {

/// X and y centered (when fitIntercept), with their means.
struct Centered {
  Matrix X;
  Vector y, xMean;
  double yMean = 0;
};

Centered center(const Matrix &X, const Vector &y, bool fitIntercept) {
  Centered c;
  if (fitIntercept) {
    c.xMean = X.colwise().mean().transpose();
    c.yMean = y.mean();
    c.X = X.rowwise() - c.xMean.transpose();
    c.y = y.array() - c.yMean;
  } else {
    c.xMean = Vector::Zero(X.cols());
    c.X = X;
    c.y = y;
  }
  return c;
}

Vector leastSquares(const Matrix &X, const Vector &y) {
  return X.completeOrthogonalDecomposition().solve(y);
}

void checkFit(const std::string &who, const Matrix &X, const Vector &y) {
  checkData(who, X);
  checkTargets(who, y, X.rows());
}

Vector linearPredict(const std::string &who, bool fitted, const Matrix &X, const Vector &coef,
                     double intercept) {
  checkFitted(who, fitted);
  checkData(who, X);
  checkColumns(who, X, coef.size());
  return (X * coef).array() + intercept;
}

double median(std::vector<double> v) {
  std::size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(m), v.end());
  double hi = v[m];
  if (v.size() % 2 == 1)
    return hi;
  double lo = *std::max_element(v.begin(), v.begin() + static_cast<long>(m));
  return 0.5 * (lo + hi);
}

} // namespace

// --- StandardScaler -------------------------------------------------------

StandardScaler &StandardScaler::fit(const Matrix &X) {
  checkData("kiln.ml.StandardScaler.fit", X);
  mean_ = X.colwise().mean().transpose();
  scale_ = ((X.rowwise() - mean_.transpose()).array().square().colwise().mean()).sqrt().transpose();
  for (Index j = 0; j < scale_.size(); ++j)
    if (scale_[j] < 10 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(mean_[j])))
      scale_[j] = 1.0;
  fitted_ = true;
  return *this;
}

Matrix StandardScaler::transform(const Matrix &X) const {
  const std::string who = "kiln.ml.StandardScaler.transform";
  checkFitted(who, fitted_);
  checkData(who, X);
  checkColumns(who, X, mean_.size());
  return (X.rowwise() - mean_.transpose()).array().rowwise() / scale_.transpose().array();
}

Matrix StandardScaler::inverseTransform(const Matrix &X) const {
  const std::string who = "kiln.ml.StandardScaler.inverseTransform";
  checkFitted(who, fitted_);
  checkData(who, X);
  checkColumns(who, X, mean_.size());
  return (X.array().rowwise() * scale_.transpose().array()).matrix().rowwise() +
         mean_.transpose();
}

void StandardScaler::save(const std::string &path) const {
  checkFitted("kiln.ml.StandardScaler.save", fitted_);
  ModelWriter w("StandardScaler");
  w.put("mean", mean_);
  w.put("scale", scale_);
  w.save(path);
}

StandardScaler StandardScaler::load(const std::string &path) {
  ModelReader r(path, "StandardScaler");
  StandardScaler s;
  s.mean_ = r.vector("mean");
  s.scale_ = r.vector("scale", s.mean_.size());
  s.fitted_ = true;
  return s;
}

// --- LinearRegression -----------------------------------------------------

LinearRegression &LinearRegression::fit(const Matrix &X, const Vector &y) {
  checkFit("kiln.ml.LinearRegression.fit", X, y);
  Centered c = center(X, y, options_.fitIntercept);
  coef_ = leastSquares(c.X, c.y);
  intercept_ = c.yMean - c.xMean.dot(coef_);
  fitted_ = true;
  return *this;
}

Vector LinearRegression::predict(const Matrix &X) const {
  return linearPredict("kiln.ml.LinearRegression.predict", fitted_, X, coef_, intercept_);
}

double LinearRegression::score(const Matrix &X, const Vector &y) const {
  return r2Score(y, predict(X));
}

void LinearRegression::save(const std::string &path) const {
  checkFitted("kiln.ml.LinearRegression.save", fitted_);
  ModelWriter w("LinearRegression");
  w.put("coef", coef_);
  w.setting("intercept", intercept_);
  w.setting("fit_intercept", options_.fitIntercept ? 1.0 : 0.0);
  w.save(path);
}

LinearRegression LinearRegression::load(const std::string &path) {
  ModelReader r(path, "LinearRegression");
  LinearRegression m;
  m.coef_ = r.vector("coef");
  m.intercept_ = r.number("intercept");
  m.options_.fitIntercept = r.integer("fit_intercept", 0, 1) != 0;
  m.fitted_ = true;
  return m;
}

// --- Ridge ----------------------------------------------------------------

Ridge &Ridge::fit(const Matrix &X, const Vector &y) {
  const std::string who = "kiln.ml.Ridge.fit";
  if (!(options_.alpha >= 0) || !std::isfinite(options_.alpha))
    fail(who, ": alpha is ", options_.alpha, "; expected a finite alpha >= 0");
  checkFit(who, X, y);
  Centered c = center(X, y, options_.fitIntercept);
  if (options_.alpha == 0) {
    coef_ = leastSquares(c.X, c.y);
  } else {
    Matrix A = c.X.transpose() * c.X;
    A.diagonal().array() += options_.alpha;
    coef_ = A.llt().solve(c.X.transpose() * c.y);
  }
  intercept_ = c.yMean - c.xMean.dot(coef_);
  fitted_ = true;
  return *this;
}

Vector Ridge::predict(const Matrix &X) const {
  return linearPredict("kiln.ml.Ridge.predict", fitted_, X, coef_, intercept_);
}

double Ridge::score(const Matrix &X, const Vector &y) const { return r2Score(y, predict(X)); }

void Ridge::save(const std::string &path) const {
  checkFitted("kiln.ml.Ridge.save", fitted_);
  ModelWriter w("Ridge");
  w.put("coef", coef_);
  w.setting("intercept", intercept_);
  w.setting("alpha", options_.alpha);
  w.setting("fit_intercept", options_.fitIntercept ? 1.0 : 0.0);
  w.save(path);
}

Ridge Ridge::load(const std::string &path) {
  ModelReader r(path, "Ridge");
  Ridge m;
  m.coef_ = r.vector("coef");
  m.intercept_ = r.number("intercept");
  m.options_.alpha = r.number("alpha");
  m.options_.fitIntercept = r.integer("fit_intercept", 0, 1) != 0;
  m.fitted_ = true;
  return m;
}

// --- BayesianLinearRegression ---------------------------------------------

BayesianLinearRegression &BayesianLinearRegression::fit(const Matrix &X, const Vector &y) {
  const std::string who = "kiln.ml.BayesianLinearRegression.fit";
  checkFit(who, X, y);
  const auto &o = options_;
  if (o.maxIter < 1)
    fail(who, ": maxIter is ", o.maxIter, "; expected >= 1");
  if (!o.optimizeHyperparameters && (!(o.alphaInit > 0) || !(o.lambdaInit > 0)))
    fail(who, ": with fixed hyperparameters alphaInit (", o.alphaInit, ") and lambdaInit (",
         o.lambdaInit, ") must be > 0");
  Centered c = center(X, y, o.fitIntercept);
  const double n = static_cast<double>(X.rows());
  Index d = X.cols();
  double varY = c.y.squaredNorm() / n;
  double alpha = o.alphaInit > 0 ? o.alphaInit : 1.0 / (varY + std::numeric_limits<double>::epsilon());
  double lambda = o.lambdaInit;

  // With the SVD X = U S V^T, the MAP weights for (alpha, lambda) are
  // V diag(s / (s^2 + lambda/alpha)) U^T y and gamma (the effective number
  // of parameters) is sum(alpha s^2 / (lambda + alpha s^2)).
  Eigen::BDCSVD<Matrix> svd(c.X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  Vector s = svd.singularValues();
  Vector eig = s.array().square();
  Vector uty = svd.matrixU().transpose() * c.y;
  auto mapCoef = [&](double a, double l) -> Vector {
    Vector f = (s.array() / (eig.array() + l / a)).matrix();
    return svd.matrixV() * (f.asDiagonal() * uty);
  };
  Vector coef = mapCoef(alpha, lambda);
  iterations_ = 0;
  if (o.optimizeHyperparameters) {
    for (int it = 0; it < o.maxIter; ++it) {
      iterations_ = it + 1;
      double rss = (c.y - c.X * coef).squaredNorm();
      double gamma = (alpha * eig.array() / (lambda + alpha * eig.array())).sum();
      lambda = (gamma + 2 * o.lambda1) / (coef.squaredNorm() + 2 * o.lambda2);
      alpha = (n - gamma + 2 * o.alpha1) / (rss + 2 * o.alpha2);
      Vector next = mapCoef(alpha, lambda);
      double change = (next - coef).cwiseAbs().sum();
      coef = next;
      if (change < o.tol)
        break;
    }
  }
  if (!std::isfinite(alpha) || !std::isfinite(lambda) || !coef.allFinite())
    fail(who, ": evidence maximization diverged (alpha ", alpha, ", lambda ", lambda,
         ") on X ", shapeOf(X), "; expected targets with non-zero variance");
  alpha_ = alpha;
  lambda_ = lambda;
  coef_ = coef;
  // Posterior covariance (alpha X^T X + lambda I)^-1 = V diag(1/(alpha s^2 + lambda)) V^T,
  // plus 1/lambda on the null space of X when d > rank.
  Matrix A = alpha * (c.X.transpose() * c.X);
  A.diagonal().array() += lambda;
  sigma_ = A.ldlt().solve(Matrix::Identity(d, d));
  xMean_ = c.xMean;
  intercept_ = c.yMean - c.xMean.dot(coef_);
  fitted_ = true;
  return *this;
}

Vector BayesianLinearRegression::predict(const Matrix &X) const {
  return linearPredict("kiln.ml.BayesianLinearRegression.predict", fitted_, X, coef_,
                       intercept_);
}

Vector BayesianLinearRegression::predictStd(const Matrix &X) const {
  const std::string who = "kiln.ml.BayesianLinearRegression.predictStd";
  checkFitted(who, fitted_);
  checkData(who, X);
  checkColumns(who, X, coef_.size());
  Matrix Xc = X.rowwise() - xMean_.transpose();
  Vector var = ((Xc * sigma_).array() * Xc.array()).rowwise().sum();
  return (var.array() + 1.0 / alpha_).sqrt();
}

double BayesianLinearRegression::score(const Matrix &X, const Vector &y) const {
  return r2Score(y, predict(X));
}

void BayesianLinearRegression::save(const std::string &path) const {
  checkFitted("kiln.ml.BayesianLinearRegression.save", fitted_);
  ModelWriter w("BayesianLinearRegression");
  w.put("coef", coef_);
  w.put("x_mean", xMean_);
  w.put("sigma", sigma_);
  w.setting("intercept", intercept_);
  w.setting("alpha", alpha_);
  w.setting("lambda", lambda_);
  w.save(path);
}

BayesianLinearRegression BayesianLinearRegression::load(const std::string &path) {
  ModelReader r(path, "BayesianLinearRegression");
  BayesianLinearRegression m;
  m.coef_ = r.vector("coef");
  Index d = m.coef_.size();
  m.xMean_ = r.vector("x_mean", d);
  m.sigma_ = r.matrix("sigma", d, d);
  m.intercept_ = r.number("intercept");
  m.alpha_ = r.number("alpha");
  m.lambda_ = r.number("lambda");
  m.fitted_ = true;
  return m;
}

// --- RANSAC ---------------------------------------------------------------

RANSAC &RANSAC::fit(const Matrix &X, const Vector &y) {
  const std::string who = "kiln.ml.RANSAC.fit";
  checkFit(who, X, y);
  Index n = X.rows(), d = X.cols();
  Index minSamples = options_.minSamples > 0 ? options_.minSamples : d + 1;
  if (minSamples > n)
    fail(who, ": minSamples is ", minSamples, " but X (", shapeOf(X), ") has only ", n,
         " rows; expected minSamples <= rows");
  if (options_.maxTrials < 1)
    fail(who, ": maxTrials is ", options_.maxTrials, "; expected >= 1");
  if (!(options_.stopProbability > 0 && options_.stopProbability <= 1))
    fail(who, ": stopProbability is ", options_.stopProbability, "; expected in (0, 1]");
  double threshold = options_.residualThreshold;
  if (!(threshold > 0)) {
    std::vector<double> v(y.data(), y.data() + n);
    double med = median(v);
    for (auto &x : v)
      x = std::abs(x - med);
    threshold = median(v);
    if (!(threshold > 0))
      threshold = std::numeric_limits<double>::min(); // y mostly constant: exact fits only
  }
  Rng rng(options_.seed);
  std::vector<Index> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  Index bestCount = 0;
  double bestScore = -std::numeric_limits<double>::infinity();
  std::vector<bool> best;
  long long needed = options_.maxTrials;
  trials_ = 0;
  Matrix Xs(minSamples, d);
  Vector ys(minSamples);
  for (int t = 0; t < options_.maxTrials && t < needed; ++t) {
    ++trials_;
    // Partial Fisher-Yates: the first minSamples entries are the subset.
    for (Index i = 0; i < minSamples; ++i) {
      std::uniform_int_distribution<Index> pick(i, n - 1);
      std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(pick(rng))]);
      Xs.row(i) = X.row(perm[static_cast<std::size_t>(i)]);
      ys[i] = y[perm[static_cast<std::size_t>(i)]];
    }
    LinearRegression sub;
    sub.fit(Xs, ys);
    Vector residual = (y - sub.predict(X)).cwiseAbs();
    std::vector<bool> mask(static_cast<std::size_t>(n));
    Index count = 0;
    for (Index i = 0; i < n; ++i)
      if ((mask[static_cast<std::size_t>(i)] = residual[i] <= threshold))
        ++count;
    if (count == 0 || count < bestCount)
      continue;
    Matrix Xi(count, d);
    Vector yi(count);
    for (Index i = 0, k = 0; i < n; ++i)
      if (mask[static_cast<std::size_t>(i)]) {
        Xi.row(k) = X.row(i);
        yi[k++] = y[i];
      }
    double sc = r2Score(yi, sub.predict(Xi));
    if (count == bestCount && !(sc > bestScore))
      continue;
    bestCount = count;
    bestScore = sc;
    best = mask;
    double ratio = static_cast<double>(count) / static_cast<double>(n);
    double pClean = std::pow(ratio, static_cast<double>(minSamples));
    if (options_.stopProbability >= 1 || pClean <= 0)
      continue;
    if (pClean >= 1) {
      needed = t + 1;
      continue;
    }
    double k = std::log(1 - options_.stopProbability) / std::log(1 - pClean);
    needed = static_cast<long long>(std::min(std::ceil(k), 1e9));
  }
  if (bestCount == 0)
    fail(who, ": no trial found any inlier within residualThreshold ", threshold, " (X ",
         shapeOf(X), ", ", trials_, " trials); expected a larger threshold");
  Matrix Xi(bestCount, d);
  Vector yi(bestCount);
  for (Index i = 0, k = 0; i < n; ++i)
    if (best[static_cast<std::size_t>(i)]) {
      Xi.row(k) = X.row(i);
      yi[k++] = y[i];
    }
  model_ = LinearRegression();
  model_.fit(Xi, yi);
  inliers_ = best;
  return *this;
}

void RANSAC::save(const std::string &path) const {
  checkFitted("kiln.ml.RANSAC.save", model_.fitted_);
  ModelWriter w("RANSAC");
  w.put("coef", model_.coef_);
  w.setting("intercept", model_.intercept_);
  w.save(path);
}

RANSAC RANSAC::load(const std::string &path) {
  ModelReader r(path, "RANSAC");
  RANSAC m;
  m.model_.coef_ = r.vector("coef");
  m.model_.intercept_ = r.number("intercept");
  m.model_.fitted_ = true;
  return m;
}

} // namespace kiln::ml
