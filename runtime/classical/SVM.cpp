//===- SVM.cpp - Linear support vector machines ---------------------------===//
#include "runtime/classical/SVM.h"

#include "runtime/classical/Metrics.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace kiln::ml {

namespace {

struct BinaryResult {
  Vector w; ///< d + 1 (last = intercept weight on the constant feature)
  int iterations = 0;
  bool converged = false;
};

/// Dual coordinate descent for one binary problem; sign[i] in {-1, +1}.
BinaryResult solveDual(const RowMatrix &X, const std::vector<double> &sign,
                       const LinearSVMOptions &o, uint64_t seed) {
  Index n = X.rows(), d = X.cols();
  const double bias = o.fitIntercept ? o.interceptScaling : 0.0;
  const bool squared = o.loss == SvmLoss::SquaredHinge;
  const double upper = squared ? std::numeric_limits<double>::infinity() : o.C;
  const double diag = squared ? 0.5 / o.C : 0.0;
  Vector w = Vector::Zero(d);
  double wb = 0;
  std::vector<double> alpha(static_cast<std::size_t>(n), 0.0), qii(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i)
    qii[static_cast<std::size_t>(i)] = X.row(i).squaredNorm() + bias * bias + diag;
  // Shrinking (Hsieh et al. 2008, section 3.4): a variable at a bound whose
  // gradient points outside by more than last epoch's extreme projected
  // gradient is dropped from the active set; when the active set
  // converges, every variable is checked again before stopping.
  std::vector<Index> active(static_cast<std::size_t>(n));
  std::iota(active.begin(), active.end(), 0);
  const double inf = std::numeric_limits<double>::infinity();
  double pgMaxOld = inf, pgMinOld = -inf;
  Rng rng(seed);
  BinaryResult r;
  for (int epoch = 0; epoch < o.maxIter; ++epoch) {
    r.iterations = epoch + 1;
    std::shuffle(active.begin(), active.end(), rng);
    double pgMax = -inf, pgMin = inf;
    std::size_t kept = 0;
    for (std::size_t a = 0; a < active.size(); ++a) {
      Index i = active[a];
      auto si = static_cast<std::size_t>(i);
      const double *x = X.row(i).data();
      double dot = wb * bias;
      for (Index j = 0; j < d; ++j)
        dot += w[j] * x[j];
      double al = alpha[si];
      double g = sign[si] * dot - 1.0 + diag * al;
      double pg = 0;
      if (al == 0) {
        if (g > pgMaxOld)
          continue; // shrink
        pg = std::min(g, 0.0);
      } else if (al == upper) {
        if (g < pgMinOld)
          continue; // shrink
        pg = std::max(g, 0.0);
      } else {
        pg = g;
      }
      active[kept++] = i;
      pgMax = std::max(pgMax, pg);
      pgMin = std::min(pgMin, pg);
      if (std::abs(pg) > 1e-12) {
        double next = std::min(std::max(al - g / qii[si], 0.0), upper);
        double step = (next - al) * sign[si];
        alpha[si] = next;
        for (Index j = 0; j < d; ++j)
          w[j] += step * x[j];
        wb += step * bias;
      }
    }
    active.resize(kept);
    if (pgMax - pgMin <= o.tol || active.empty()) {
      if (static_cast<Index>(active.size()) == n) {
        r.converged = true;
        break;
      }
      active.resize(static_cast<std::size_t>(n));
      std::iota(active.begin(), active.end(), 0);
      pgMaxOld = inf;
      pgMinOld = -inf;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? inf : pgMax;
    pgMinOld = pgMin >= 0 ? -inf : pgMin;
  }
  r.w.resize(d + 1);
  r.w.head(d) = w;
  r.w[d] = wb * bias;
  return r;
}

} // namespace

LinearSVM &LinearSVM::fit(const Matrix &X, const Labels &y) {
  const std::string who = "kiln.ml.LinearSVM.fit";
  const auto &o = options_;
  if (!(o.C > 0) || !std::isfinite(o.C))
    fail(who, ": C is ", o.C, "; expected a finite C > 0");
  if (o.maxIter < 1 || !(o.tol > 0))
    fail(who, ": maxIter (", o.maxIter, ") must be >= 1 and tol (", o.tol, ") > 0");
  if (o.fitIntercept && !(o.interceptScaling > 0))
    fail(who, ": interceptScaling is ", o.interceptScaling, "; expected > 0");
  checkData(who, X);
  checkLabels(who, y, X.rows());
  LabelEncoding enc = encodeLabels(who, y, 2);
  Index k = enc.classes.size(), d = X.cols(), n = X.rows();
  Index machines = k == 2 ? 1 : k;
  RowMatrix R = X;
  std::vector<BinaryResult> results(static_cast<std::size_t>(machines));
  parallelFor(machines, resolveThreads(o.threads), [&](Index b, Index e) {
    for (Index m = b; m < e; ++m) {
      int positive = k == 2 ? 1 : static_cast<int>(m);
      std::vector<double> sign(static_cast<std::size_t>(n));
      for (Index i = 0; i < n; ++i)
        sign[static_cast<std::size_t>(i)] =
            enc.index[static_cast<std::size_t>(i)] == positive ? 1.0 : -1.0;
      results[static_cast<std::size_t>(m)] = solveDual(R, sign, o, o.seed + static_cast<uint64_t>(m));
    }
  });
  coef_.resize(machines, d);
  intercept_.resize(machines);
  iterations_ = 0;
  converged_ = true;
  for (Index m = 0; m < machines; ++m) {
    const auto &r = results[static_cast<std::size_t>(m)];
    coef_.row(m) = r.w.head(d).transpose();
    intercept_[m] = r.w[d];
    iterations_ = std::max(iterations_, r.iterations);
    converged_ = converged_ && r.converged;
  }
  classes_ = enc.classes;
  return *this;
}

Matrix LinearSVM::decisionFunction(const Matrix &X) const {
  const std::string who = "kiln.ml.LinearSVM.decisionFunction";
  checkFitted(who, classes_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, coef_.cols());
  return (X * coef_.transpose()).rowwise() + intercept_.transpose();
}

Labels LinearSVM::predict(const Matrix &X) const {
  Matrix D = decisionFunction(X);
  Labels out(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    if (D.cols() == 1) {
      out[i] = classes_[D(i, 0) > 0 ? 1 : 0];
    } else {
      Index j;
      D.row(i).maxCoeff(&j);
      out[i] = classes_[j];
    }
  }
  return out;
}

double LinearSVM::score(const Matrix &X, const Labels &y) const { return accuracy(y, predict(X)); }

void LinearSVM::save(const std::string &path) const {
  checkFitted("kiln.ml.LinearSVM.save", classes_.size() > 0);
  ModelWriter w("LinearSVM");
  w.put("classes", classes_);
  w.put("coef", coef_);
  w.put("intercept", intercept_);
  w.save(path);
}

LinearSVM LinearSVM::load(const std::string &path) {
  ModelReader r(path, "LinearSVM");
  LinearSVM m;
  m.classes_ = r.labels("classes");
  Index k = m.classes_.size();
  if (k < 2)
    fail("kiln.ml.LinearSVM.load: '", path, "' has ", k, " classes; expected at least 2");
  Index machines = k == 2 ? 1 : k;
  m.coef_ = r.matrix("coef", machines);
  m.intercept_ = r.vector("intercept", machines);
  m.converged_ = true;
  return m;
}

} // namespace kiln::ml
