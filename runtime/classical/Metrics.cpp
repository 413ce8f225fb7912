//===- Metrics.cpp - Classification, regression, clustering metrics -------===//
#include "runtime/classical/Metrics.h"

#include <cmath>
#include <map>

namespace kiln::ml {

namespace {

void checkPair(const char *who, Index a, Index b, const char *what = "yPred") {
  if (a == 0)
    fail("kiln.ml.", who, ": yTrue is empty; expected at least one sample");
  if (a != b)
    fail("kiln.ml.", who, ": yTrue has ", a, " values but ", what, " has ", b,
         "; expected equal lengths");
}

void checkFinite(const char *who, const Vector &v, const char *name) {
  for (Index i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      fail("kiln.ml.", who, ": ", name, " has a non-finite value (", v[i], ") at index ", i);
}

/// The sorted union of the labels of a and b.
Labels unionLabels(const Labels &a, const Labels &b) {
  std::vector<int> all(a.data(), a.data() + a.size());
  all.insert(all.end(), b.data(), b.data() + b.size());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return Eigen::Map<Labels>(all.data(), static_cast<Index>(all.size()));
}

/// Per-class true positives, predicted counts and true counts.
struct Counts {
  Labels classes;
  Vector tp, predicted, actual;
};

Counts countClasses(const char *who, const Labels &yTrue, const Labels &yPred) {
  checkPair(who, yTrue.size(), yPred.size());
  Counts c;
  c.classes = unionLabels(yTrue, yPred);
  Index k = c.classes.size();
  c.tp = c.predicted = c.actual = Vector::Zero(k);
  std::vector<int> ti = indexLabels(c.classes, yTrue), pi = indexLabels(c.classes, yPred);
  for (std::size_t i = 0; i < ti.size(); ++i) {
    c.actual[ti[i]] += 1;
    c.predicted[pi[i]] += 1;
    if (ti[i] == pi[i])
      c.tp[ti[i]] += 1;
  }
  return c;
}

double safeDiv(double a, double b) { return b == 0 ? 0.0 : a / b; }

enum class Which { Precision, Recall, F1 };

double prf(const char *who, const Labels &yTrue, const Labels &yPred, Average avg, int positive,
           Which which) {
  Counts c = countClasses(who, yTrue, yPred);
  auto score = [&](double tp, double pred, double act) {
    double p = safeDiv(tp, pred), r = safeDiv(tp, act);
    switch (which) {
    case Which::Precision:
      return p;
    case Which::Recall:
      return r;
    case Which::F1:
      return safeDiv(2 * tp, pred + act);
    }
    return 0.0;
  };
  Index k = c.classes.size();
  switch (avg) {
  case Average::Binary: {
    if (k > 2)
      fail("kiln.ml.", who, ": Average::Binary needs at most 2 distinct labels, got ", k,
           "; use Macro, Micro or Weighted");
    for (Index j = 0; j < k; ++j)
      if (c.classes[j] == positive)
        return score(c.tp[j], c.predicted[j], c.actual[j]);
    return 0.0; // the positive label never occurs
  }
  case Average::Micro:
    return score(c.tp.sum(), c.predicted.sum(), c.actual.sum());
  case Average::Macro:
  case Average::Weighted: {
    double total = 0, weights = 0;
    for (Index j = 0; j < k; ++j) {
      double w = avg == Average::Macro ? 1.0 : c.actual[j];
      total += w * score(c.tp[j], c.predicted[j], c.actual[j]);
      weights += w;
    }
    return safeDiv(total, weights);
  }
  }
  return 0.0;
}

} // namespace

double accuracy(const Labels &yTrue, const Labels &yPred) {
  checkPair("accuracy", yTrue.size(), yPred.size());
  Index same = (yTrue.array() == yPred.array()).count();
  return static_cast<double>(same) / static_cast<double>(yTrue.size());
}

double balancedAccuracy(const Labels &yTrue, const Labels &yPred) {
  Counts c = countClasses("balancedAccuracy", yTrue, yPred);
  double total = 0;
  int present = 0;
  for (Index j = 0; j < c.classes.size(); ++j)
    if (c.actual[j] > 0) {
      total += c.tp[j] / c.actual[j];
      ++present;
    }
  return total / present;
}

Eigen::MatrixXi confusionMatrix(const Labels &yTrue, const Labels &yPred) {
  checkPair("confusionMatrix", yTrue.size(), yPred.size());
  Labels classes = unionLabels(yTrue, yPred);
  std::vector<int> ti = indexLabels(classes, yTrue), pi = indexLabels(classes, yPred);
  Eigen::MatrixXi m = Eigen::MatrixXi::Zero(classes.size(), classes.size());
  for (std::size_t i = 0; i < ti.size(); ++i)
    m(ti[i], pi[i]) += 1;
  return m;
}

double precision(const Labels &yTrue, const Labels &yPred, Average avg, int positive) {
  return prf("precision", yTrue, yPred, avg, positive, Which::Precision);
}
double recall(const Labels &yTrue, const Labels &yPred, Average avg, int positive) {
  return prf("recall", yTrue, yPred, avg, positive, Which::Recall);
}
double f1Score(const Labels &yTrue, const Labels &yPred, Average avg, int positive) {
  return prf("f1Score", yTrue, yPred, avg, positive, Which::F1);
}

double logLoss(const Labels &yTrue, const Matrix &proba) {
  checkPair("logLoss", yTrue.size(), proba.rows(), "proba (rows)");
  checkFinite("logLoss", Eigen::Map<const Vector>(proba.data(), proba.size()), "proba");
  LabelEncoding enc = encodeLabels("kiln.ml.logLoss", yTrue, 1);
  if (proba.cols() != enc.classes.size())
    fail("kiln.ml.logLoss: proba is ", shapeOf(proba), " but yTrue has ", enc.classes.size(),
         " distinct labels; expected one column per label");
  const double eps = 1e-15;
  double total = 0;
  for (Index i = 0; i < proba.rows(); ++i) {
    double rowSum = 0;
    for (Index j = 0; j < proba.cols(); ++j)
      rowSum += std::clamp(proba(i, j), eps, 1 - eps);
    double p = std::clamp(proba(i, enc.index[static_cast<std::size_t>(i)]), eps, 1 - eps);
    total -= std::log(p / rowSum);
  }
  return total / static_cast<double>(proba.rows());
}

double binaryLogLoss(const Labels &yTrue, const Vector &p) {
  checkPair("binaryLogLoss", yTrue.size(), p.size(), "p");
  Matrix proba(p.size(), 2);
  proba.col(0) = 1.0 - p.array();
  proba.col(1) = p;
  for (Index i = 0; i < yTrue.size(); ++i)
    if (yTrue[i] != 0 && yTrue[i] != 1)
      fail("kiln.ml.binaryLogLoss: needs yTrue in {0, 1}, got ", yTrue[i], " at index ", i);
  double total = 0;
  const double eps = 1e-15;
  for (Index i = 0; i < p.size(); ++i) {
    double a = std::clamp(proba(i, 0), eps, 1 - eps), b = std::clamp(proba(i, 1), eps, 1 - eps);
    total -= std::log((yTrue[i] == 1 ? b : a) / (a + b));
  }
  return total / static_cast<double>(p.size());
}

double rocAuc(const Labels &yTrue, const Vector &score) {
  checkPair("rocAuc", yTrue.size(), score.size(), "score");
  checkFinite("rocAuc", score, "score");
  LabelEncoding enc = encodeLabels("kiln.ml.rocAuc", yTrue, 2);
  if (enc.classes.size() != 2)
    fail("kiln.ml.rocAuc: yTrue has ", enc.classes.size(), " classes; expected 2");
  // Mann-Whitney U: average ranks over ties.
  Index n = score.size();
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i)
    order[static_cast<std::size_t>(i)] = i;
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return score[a] < score[b]; });
  double rankSumPos = 0, nPos = 0;
  for (Index i = 0; i < n;) {
    Index j = i;
    while (j < n && score[order[static_cast<std::size_t>(j)]] == score[order[static_cast<std::size_t>(i)]])
      ++j;
    double avgRank = 0.5 * static_cast<double>(i + 1 + j); // ranks i+1..j
    for (Index k = i; k < j; ++k)
      if (enc.index[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] == 1) {
        rankSumPos += avgRank;
        nPos += 1;
      }
    i = j;
  }
  double nNeg = static_cast<double>(n) - nPos;
  return (rankSumPos - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

static void checkRegression(const char *who, const Vector &a, const Vector &b) {
  checkPair(who, a.size(), b.size());
  checkFinite(who, a, "yTrue");
  checkFinite(who, b, "yPred");
}

double meanSquaredError(const Vector &yTrue, const Vector &yPred) {
  checkRegression("meanSquaredError", yTrue, yPred);
  return (yTrue - yPred).squaredNorm() / static_cast<double>(yTrue.size());
}

double meanAbsoluteError(const Vector &yTrue, const Vector &yPred) {
  checkRegression("meanAbsoluteError", yTrue, yPred);
  return (yTrue - yPred).cwiseAbs().sum() / static_cast<double>(yTrue.size());
}

double r2Score(const Vector &yTrue, const Vector &yPred) {
  checkRegression("r2Score", yTrue, yPred);
  double ssRes = (yTrue - yPred).squaredNorm();
  double ssTot = (yTrue.array() - yTrue.mean()).square().sum();
  if (ssTot == 0)
    return ssRes == 0 ? 1.0 : 0.0;
  return 1.0 - ssRes / ssTot;
}

double explainedVariance(const Vector &yTrue, const Vector &yPred) {
  checkRegression("explainedVariance", yTrue, yPred);
  Vector d = yTrue - yPred;
  double varRes = (d.array() - d.mean()).square().mean();
  double varTrue = (yTrue.array() - yTrue.mean()).square().mean();
  if (varTrue == 0)
    return varRes == 0 ? 1.0 : 0.0;
  return 1.0 - varRes / varTrue;
}

double silhouetteScore(const Matrix &X, const Labels &labels, int threads) {
  const std::string who = "kiln.ml.silhouetteScore";
  checkData(who, X);
  checkLabels(who, labels, X.rows(), "labels");
  LabelEncoding enc = encodeLabels(who, labels, 2);
  Index k = enc.classes.size(), n = X.rows();
  if (k > n - 1)
    fail(who, ": ", k, " clusters for ", n, " samples; expected 2 <= clusters <= samples - 1");
  Vector sizes = Vector::Zero(k);
  for (int c : enc.index)
    sizes[c] += 1;
  RowMatrix R = X;
  Vector s(n);
  parallelFor(n, resolveThreads(threads), [&](Index b, Index e) {
    Vector sums(k);
    for (Index i = b; i < e; ++i) {
      sums.setZero();
      for (Index j = 0; j < n; ++j)
        sums[enc.index[static_cast<std::size_t>(j)]] += (R.row(i) - R.row(j)).norm();
      int own = enc.index[static_cast<std::size_t>(i)];
      if (sizes[own] <= 1) {
        s[i] = 0;
        continue;
      }
      double a = sums[own] / (sizes[own] - 1);
      double bmin = std::numeric_limits<double>::infinity();
      for (Index c = 0; c < k; ++c)
        if (c != own)
          bmin = std::min(bmin, sums[c] / sizes[c]);
      double m = std::max(a, bmin);
      s[i] = m > 0 ? (bmin - a) / m : 0.0;
    }
  }, 64);
  return s.mean();
}

double adjustedRandIndex(const Labels &a, const Labels &b) {
  checkPair("adjustedRandIndex", a.size(), b.size(), "b");
  LabelEncoding ea = encodeLabels("kiln.ml.adjustedRandIndex", a, 1);
  LabelEncoding eb = encodeLabels("kiln.ml.adjustedRandIndex", b, 1);
  Index ka = ea.classes.size(), kb = eb.classes.size(), n = a.size();
  // Special cases where the formula is 0/0 (sklearn returns 1).
  if ((ka == 1 && kb == 1) || (ka == n && kb == n) || n < 2)
    return 1.0;
  Matrix table = Matrix::Zero(ka, kb);
  for (Index i = 0; i < n; ++i)
    table(ea.index[static_cast<std::size_t>(i)], eb.index[static_cast<std::size_t>(i)]) += 1;
  auto comb2 = [](double x) { return x * (x - 1) / 2; };
  double sumCells = table.unaryExpr(comb2).sum();
  double sumRows = table.rowwise().sum().unaryExpr(comb2).sum();
  double sumCols = table.colwise().sum().unaryExpr(comb2).sum();
  double expected = sumRows * sumCols / comb2(static_cast<double>(n));
  double maxIndex = 0.5 * (sumRows + sumCols);
  if (maxIndex == expected)
    return 1.0;
  return (sumCells - expected) / (maxIndex - expected);
}

} // namespace kiln::ml
