//===- Discriminant.cpp - Gaussian naive Bayes, LDA, QDA ------------------===//
#include "runtime/classical/Discriminant.h"

#include "runtime/classical/Metrics.h"

#include <Eigen/Dense>

#include <cmath>

namespace kiln::ml {

namespace {

const double kLog2Pi = std::log(2.0 * M_PI);

/// Rows of log-scores -> log-probabilities.
Matrix normalizeLog(const Matrix &S) {
  Matrix out = S;
  for (Index i = 0; i < S.rows(); ++i) {
    Eigen::RowVectorXd row = S.row(i);
    out.row(i).array() -= logSumExp(row.data(), row.size());
  }
  return out;
}

Labels argmaxLabels(const Matrix &S, const Labels &classes) {
  Labels out(S.rows());
  for (Index i = 0; i < S.rows(); ++i) {
    Index j;
    S.row(i).maxCoeff(&j);
    out[i] = classes[j];
  }
  return out;
}

struct ClassStats {
  LabelEncoding enc;
  Matrix means; ///< K x d
  Vector counts;
};

ClassStats classStats(const std::string &who, const Matrix &X, const Labels &y) {
  checkData(who, X);
  checkLabels(who, y, X.rows());
  ClassStats s;
  s.enc = encodeLabels(who, y, 2);
  Index k = s.enc.classes.size();
  s.means = Matrix::Zero(k, X.cols());
  s.counts = Vector::Zero(k);
  for (Index i = 0; i < X.rows(); ++i) {
    int c = s.enc.index[static_cast<std::size_t>(i)];
    s.means.row(c) += X.row(i);
    s.counts[c] += 1;
  }
  s.means.array().colwise() /= s.counts.array();
  return s;
}

void checkPredict(const std::string &who, bool fitted, const Matrix &X, Index cols) {
  checkFitted(who, fitted);
  checkData(who, X);
  checkColumns(who, X, cols);
}

} // namespace

// --- GaussianNB -------------------------------------------------------------

GaussianNB &GaussianNB::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.GaussianNB.fit";
  if (!(options_.varSmoothing >= 0))
    fail(who, ": varSmoothing is ", options_.varSmoothing, "; expected >= 0");
  ClassStats s = classStats(who, X, y);
  Index k = s.enc.classes.size(), d = X.cols();
  double maxVar = (X.rowwise() - X.colwise().mean()).array().square().colwise().mean().maxCoeff();
  double epsilon = options_.varSmoothing * maxVar;
  if (maxVar == 0) // every feature constant: smooth relative to 1
    epsilon = options_.varSmoothing;
  vars_ = Matrix::Zero(k, d);
  for (Index i = 0; i < X.rows(); ++i) {
    int c = s.enc.index[static_cast<std::size_t>(i)];
    vars_.row(c) += (X.row(i) - s.means.row(c)).array().square().matrix();
  }
  vars_.array().colwise() /= s.counts.array();
  vars_.array() += epsilon;
  if (!(vars_.minCoeff() > 0))
    fail(who, ": a feature of X (", shapeOf(X),
         ") has zero variance within a class and varSmoothing is 0; expected varSmoothing > 0");
  classes_ = s.enc.classes;
  means_ = s.means;
  priors_ = s.counts / static_cast<double>(X.rows());
  return *this;
}

Matrix GaussianNB::jointLogLikelihood(const Matrix &X, const char *method) const {
  const std::string who = std::string("kiln.ml.GaussianNB.") + method;
  checkPredict(who, classes_.size() > 0, X, means_.cols());
  Index k = classes_.size();
  Matrix S(X.rows(), k);
  for (Index c = 0; c < k; ++c) {
    double constant = std::log(priors_[c]) - 0.5 * (vars_.row(c).array() * 2 * M_PI).log().sum();
    Eigen::RowVectorXd inv = vars_.row(c).cwiseInverse();
    S.col(c) = ((X.rowwise() - means_.row(c)).array().square().rowwise() * inv.array())
                   .rowwise()
                   .sum() *
                   -0.5 +
               constant;
  }
  return S;
}

Labels GaussianNB::predict(const Matrix &X) const {
  return argmaxLabels(jointLogLikelihood(X, "predict"), classes_);
}
Matrix GaussianNB::predictLogProba(const Matrix &X) const {
  return normalizeLog(jointLogLikelihood(X, "predictLogProba"));
}
Matrix GaussianNB::predictProba(const Matrix &X) const {
  return normalizeLog(jointLogLikelihood(X, "predictProba")).array().exp();
}
double GaussianNB::score(const Matrix &X, const Labels &y) const { return accuracy(y, predict(X)); }

void GaussianNB::save(const std::string &path) const {
  checkFitted("kiln.ml.GaussianNB.save", classes_.size() > 0);
  ModelWriter w("GaussianNB");
  w.put("classes", classes_);
  w.put("means", means_);
  w.put("variances", vars_);
  w.put("priors", priors_);
  w.save(path);
}

GaussianNB GaussianNB::load(const std::string &path) {
  ModelReader r(path, "GaussianNB");
  GaussianNB m;
  m.classes_ = r.labels("classes");
  Index k = m.classes_.size();
  m.means_ = r.matrix("means", k);
  m.vars_ = r.matrix("variances", k, m.means_.cols());
  m.priors_ = r.vector("priors", k);
  if (!(m.vars_.minCoeff() > 0) || !(m.priors_.minCoeff() > 0))
    fail("kiln.ml.GaussianNB.load: '", path, "' has a non-positive variance or prior");
  return m;
}

// --- LDA --------------------------------------------------------------------

LinearDiscriminantAnalysis &LinearDiscriminantAnalysis::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.LinearDiscriminantAnalysis.fit";
  if (!(options_.shrinkage >= 0 && options_.shrinkage <= 1))
    fail(who, ": shrinkage is ", options_.shrinkage, "; expected in [0, 1]");
  ClassStats s = classStats(who, X, y);
  Index n = X.rows(), d = X.cols(), k = s.enc.classes.size();
  if (n <= k)
    fail(who, ": X has ", n, " rows for ", k,
         " classes; expected more rows than classes to estimate the pooled covariance");
  Matrix Xc(n, d);
  for (Index i = 0; i < n; ++i)
    Xc.row(i) = X.row(i) - s.means.row(s.enc.index[static_cast<std::size_t>(i)]);
  Matrix cov = Xc.transpose() * Xc / static_cast<double>(n - k);
  if (options_.shrinkage > 0) {
    double mu = cov.trace() / static_cast<double>(d);
    cov *= 1 - options_.shrinkage;
    cov.diagonal().array() += options_.shrinkage * mu;
  }
  // Pseudo-inverse on the range, after scaling to unit within-class variance.
  Vector sd = cov.diagonal().cwiseMax(0).cwiseSqrt();
  for (Index j = 0; j < d; ++j)
    if (!(sd[j] > 0))
      sd[j] = 1;
  Matrix corr = sd.cwiseInverse().asDiagonal() * cov * sd.cwiseInverse().asDiagonal();
  Eigen::SelfAdjointEigenSolver<Matrix> es(corr);
  const double cut = options_.tol * options_.tol; // tol applies to standard deviations
  Matrix pinv = Matrix::Zero(d, d);
  rank_ = 0;
  for (Index j = 0; j < d; ++j) {
    double lambda = es.eigenvalues()[j];
    if (lambda > cut) {
      pinv += es.eigenvectors().col(j) * es.eigenvectors().col(j).transpose() / lambda;
      ++rank_;
    }
  }
  if (rank_ == 0)
    fail(who, ": the pooled within-class covariance of X (", shapeOf(X),
         ") is zero (every class is constant); expected variation within classes");
  pinv = sd.cwiseInverse().asDiagonal() * pinv * sd.cwiseInverse().asDiagonal();
  classes_ = s.enc.classes;
  means_ = s.means;
  priors_ = s.counts / static_cast<double>(n);
  coef_ = means_ * pinv; // K x d
  intercept_.resize(k);
  for (Index c = 0; c < k; ++c)
    intercept_[c] = -0.5 * coef_.row(c).dot(means_.row(c)) + std::log(priors_[c]);
  return *this;
}

Matrix LinearDiscriminantAnalysis::decisionFunction(const Matrix &X) const {
  checkPredict("kiln.ml.LinearDiscriminantAnalysis.decisionFunction", classes_.size() > 0, X,
               coef_.cols());
  return (X * coef_.transpose()).rowwise() + intercept_.transpose();
}
Labels LinearDiscriminantAnalysis::predict(const Matrix &X) const {
  return argmaxLabels(decisionFunction(X), classes_);
}
Matrix LinearDiscriminantAnalysis::predictLogProba(const Matrix &X) const {
  return normalizeLog(decisionFunction(X));
}
Matrix LinearDiscriminantAnalysis::predictProba(const Matrix &X) const {
  return predictLogProba(X).array().exp();
}
double LinearDiscriminantAnalysis::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void LinearDiscriminantAnalysis::save(const std::string &path) const {
  checkFitted("kiln.ml.LinearDiscriminantAnalysis.save", classes_.size() > 0);
  ModelWriter w("LinearDiscriminantAnalysis");
  w.put("classes", classes_);
  w.put("means", means_);
  w.put("coef", coef_);
  w.put("intercept", intercept_);
  w.put("priors", priors_);
  w.setting("rank", static_cast<double>(rank_));
  w.save(path);
}

LinearDiscriminantAnalysis LinearDiscriminantAnalysis::load(const std::string &path) {
  ModelReader r(path, "LinearDiscriminantAnalysis");
  LinearDiscriminantAnalysis m;
  m.classes_ = r.labels("classes");
  Index k = m.classes_.size();
  m.means_ = r.matrix("means", k);
  m.coef_ = r.matrix("coef", k, m.means_.cols());
  m.intercept_ = r.vector("intercept", k);
  m.priors_ = r.vector("priors", k);
  m.rank_ = static_cast<int>(r.integer("rank", 0, m.means_.cols()));
  return m;
}

// --- QDA --------------------------------------------------------------------

QuadraticDiscriminantAnalysis &QuadraticDiscriminantAnalysis::fit(const Matrix &X,
                                                                  const Labels &y) {
  const std::string who = "kiln.ml.QuadraticDiscriminantAnalysis.fit";
  const double reg = options_.regParam;
  if (!(reg >= 0 && reg <= 1))
    fail(who, ": regParam is ", reg, "; expected in [0, 1]");
  ClassStats s = classStats(who, X, y);
  Index k = s.enc.classes.size(), d = X.cols();
  std::vector<Matrix> covs(static_cast<std::size_t>(k), Matrix::Zero(d, d));
  for (Index c = 0; c < k; ++c)
    if (s.counts[c] < 2)
      fail(who, ": class ", s.enc.classes[c], " has ", s.counts[c],
           " sample(s); expected at least 2 per class to estimate its covariance");
  for (Index i = 0; i < X.rows(); ++i) {
    int c = s.enc.index[static_cast<std::size_t>(i)];
    Eigen::RowVectorXd r = X.row(i) - s.means.row(c);
    covs[static_cast<std::size_t>(c)].noalias() += r.transpose() * r;
  }
  for (Index c = 0; c < k; ++c) {
    Matrix &S = covs[static_cast<std::size_t>(c)];
    S /= s.counts[c] - 1;
    S *= 1 - reg;
    S.diagonal().array() += reg;
  }
  classes_ = s.enc.classes;
  means_ = s.means;
  priors_ = s.counts / static_cast<double>(X.rows());
  covs_ = std::move(covs);
  factorize();
  return *this;
}

void QuadraticDiscriminantAnalysis::factorize() {
  Index k = classes_.size(), d = means_.cols();
  whiteners_.assign(static_cast<std::size_t>(k), Matrix());
  logDets_.resize(k);
  for (Index c = 0; c < k; ++c) {
    const Matrix &S = covs_[static_cast<std::size_t>(c)];
    // Rank test on the correlation matrix, so features on very different
    // scales are not mistaken for collinear ones.
    Vector sd = S.diagonal().cwiseMax(0).cwiseSqrt();
    Vector inv = sd.unaryExpr([](double v) { return v > 0 ? 1 / v : 0.0; });
    Eigen::SelfAdjointEigenSolver<Matrix> es(inv.asDiagonal() * S * inv.asDiagonal(),
                                             Eigen::EigenvaluesOnly);
    double lo = es.eigenvalues().minCoeff();
    if (!(lo > 1e-12) || !(sd.minCoeff() > 0)) {
      Index rank = (es.eigenvalues().array() > 1e-12).count();
      fail("kiln.ml.QuadraticDiscriminantAnalysis: the covariance of class ", classes_[c],
           " is singular (rank ", rank, " of ", d, ", smallest eigenvalue ", lo,
           "); expected a full-rank covariance: set regParam > 0 (e.g. 0.01)");
    }
    Eigen::LLT<Matrix> llt(S);
    Matrix L = llt.matrixL();
    whiteners_[static_cast<std::size_t>(c)] =
        L.triangularView<Eigen::Lower>().solve(Matrix::Identity(d, d));
    logDets_[c] = 2 * L.diagonal().array().log().sum();
  }
}

Matrix QuadraticDiscriminantAnalysis::decisionFunction(const Matrix &X) const {
  checkPredict("kiln.ml.QuadraticDiscriminantAnalysis.decisionFunction", classes_.size() > 0, X,
               means_.cols());
  Index k = classes_.size();
  Matrix S(X.rows(), k);
  for (Index c = 0; c < k; ++c) {
    Matrix Z = (X.rowwise() - means_.row(c)) * whiteners_[static_cast<std::size_t>(c)].transpose();
    S.col(c) = -0.5 * Z.rowwise().squaredNorm().array() - 0.5 * logDets_[c] + std::log(priors_[c]);
  }
  return S;
}
Labels QuadraticDiscriminantAnalysis::predict(const Matrix &X) const {
  return argmaxLabels(decisionFunction(X), classes_);
}
Matrix QuadraticDiscriminantAnalysis::predictLogProba(const Matrix &X) const {
  return normalizeLog(decisionFunction(X));
}
Matrix QuadraticDiscriminantAnalysis::predictProba(const Matrix &X) const {
  return predictLogProba(X).array().exp();
}
double QuadraticDiscriminantAnalysis::score(const Matrix &X, const Labels &y) const {
  return accuracy(y, predict(X));
}

void QuadraticDiscriminantAnalysis::save(const std::string &path) const {
  checkFitted("kiln.ml.QuadraticDiscriminantAnalysis.save", classes_.size() > 0);
  ModelWriter w("QuadraticDiscriminantAnalysis");
  w.put("classes", classes_);
  w.put("means", means_);
  w.put("priors", priors_);
  for (std::size_t c = 0; c < covs_.size(); ++c)
    w.put("covariance." + std::to_string(c), covs_[c]);
  w.setting("reg_param", options_.regParam);
  w.save(path);
}

QuadraticDiscriminantAnalysis QuadraticDiscriminantAnalysis::load(const std::string &path) {
  ModelReader r(path, "QuadraticDiscriminantAnalysis");
  QuadraticDiscriminantAnalysis m;
  m.classes_ = r.labels("classes");
  Index k = m.classes_.size();
  m.means_ = r.matrix("means", k);
  Index d = m.means_.cols();
  m.priors_ = r.vector("priors", k);
  for (Index c = 0; c < k; ++c)
    m.covs_.push_back(r.matrix("covariance." + std::to_string(c), d, d));
  m.options_.regParam = r.number("reg_param");
  m.factorize();
  return m;
}

} // namespace kiln::ml
