//===- Distances.cpp - Distances between vectors, pairwise matrices -------===//
#include "runtime/classical/Distances.h"

#include <cmath>

namespace kiln::ml {

const char *metricName(Metric m) {
  switch (m) {
  case Metric::Euclidean:
    return "euclidean";
  case Metric::SqEuclidean:
    return "sqeuclidean";
  case Metric::Manhattan:
    return "manhattan";
  case Metric::Cosine:
    return "cosine";
  case Metric::Chebyshev:
    return "chebyshev";
  case Metric::Minkowski:
    return "minkowski";
  case Metric::Mahalanobis:
    return "mahalanobis";
  }
  return "?";
}

namespace {

void checkPair(const char *who, const double *a, Index na, const double *b, Index nb) {
  if (na != nb)
    fail("kiln.ml.", who, ": vectors have sizes ", na, " and ", nb, "; expected equal sizes");
  if (na == 0)
    fail("kiln.ml.", who, ": vectors are empty; expected at least one element");
  for (Index i = 0; i < na; ++i)
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      fail("kiln.ml.", who, ": non-finite value at index ", i, "; expected finite numbers");
}

void checkMinkowskiP(double p) {
  if (!(p >= 1) || !std::isfinite(p))
    fail("kiln.ml.minkowski: p is ", p, "; expected a finite p >= 1");
}

void checkVI(const Matrix &VI, Index d) {
  if (VI.rows() != d || VI.cols() != d)
    fail("kiln.ml.mahalanobis: VI is ", shapeOf(VI), " for vectors of size ", d,
         "; expected ", d, "x", d);
}

// Kernels on raw pointers (no checks), shared by the vector and the
// pairwise forms.
double kSq(const double *a, const double *b, Index n) {
  double s = 0;
  for (Index i = 0; i < n; ++i) {
    double d = a[i] - b[i];
    s += d * d;
  }
  return s;
}
double kManhattan(const double *a, const double *b, Index n) {
  double s = 0;
  for (Index i = 0; i < n; ++i)
    s += std::abs(a[i] - b[i]);
  return s;
}
double kChebyshev(const double *a, const double *b, Index n) {
  double s = 0;
  for (Index i = 0; i < n; ++i)
    s = std::max(s, std::abs(a[i] - b[i]));
  return s;
}
double kMinkowski(const double *a, const double *b, Index n, double p) {
  double s = 0;
  for (Index i = 0; i < n; ++i)
    s += std::pow(std::abs(a[i] - b[i]), p);
  return std::pow(s, 1.0 / p);
}
double kCosine(const double *a, const double *b, Index n) {
  double ab = 0, aa = 0, bb = 0;
  for (Index i = 0; i < n; ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa == 0 || bb == 0)
    fail("kiln.ml.cosineDistance: a zero vector has no direction; expected non-zero vectors");
  return std::max(0.0, 1.0 - ab / (std::sqrt(aa) * std::sqrt(bb)));
}
double kMahalanobis(const double *a, const double *b, Index n, const Matrix &VI) {
  Vector d = Eigen::Map<const Vector>(a, n) - Eigen::Map<const Vector>(b, n);
  return std::sqrt(std::max(0.0, d.dot(VI * d)));
}

double dispatch(Metric m, const double *a, const double *b, Index n, const DistanceOptions &o) {
  switch (m) {
  case Metric::Euclidean:
    return std::sqrt(kSq(a, b, n));
  case Metric::SqEuclidean:
    return kSq(a, b, n);
  case Metric::Manhattan:
    return kManhattan(a, b, n);
  case Metric::Cosine:
    return kCosine(a, b, n);
  case Metric::Chebyshev:
    return kChebyshev(a, b, n);
  case Metric::Minkowski:
    return kMinkowski(a, b, n, o.p);
  case Metric::Mahalanobis:
    return kMahalanobis(a, b, n, o.VI);
  }
  return 0;
}

} // namespace

double euclidean(const Vector &a, const Vector &b) {
  checkPair("euclidean", a.data(), a.size(), b.data(), b.size());
  return std::sqrt(kSq(a.data(), b.data(), a.size()));
}
double sqEuclidean(const Vector &a, const Vector &b) {
  checkPair("sqEuclidean", a.data(), a.size(), b.data(), b.size());
  return kSq(a.data(), b.data(), a.size());
}
double manhattan(const Vector &a, const Vector &b) {
  checkPair("manhattan", a.data(), a.size(), b.data(), b.size());
  return kManhattan(a.data(), b.data(), a.size());
}
double cosineDistance(const Vector &a, const Vector &b) {
  checkPair("cosineDistance", a.data(), a.size(), b.data(), b.size());
  return kCosine(a.data(), b.data(), a.size());
}
double chebyshev(const Vector &a, const Vector &b) {
  checkPair("chebyshev", a.data(), a.size(), b.data(), b.size());
  return kChebyshev(a.data(), b.data(), a.size());
}
double minkowski(const Vector &a, const Vector &b, double p) {
  checkPair("minkowski", a.data(), a.size(), b.data(), b.size());
  checkMinkowskiP(p);
  return kMinkowski(a.data(), b.data(), a.size(), p);
}
double mahalanobis(const Vector &a, const Vector &b, const Matrix &VI) {
  checkPair("mahalanobis", a.data(), a.size(), b.data(), b.size());
  checkVI(VI, a.size());
  return kMahalanobis(a.data(), b.data(), a.size(), VI);
}

Matrix pairwiseDistances(const Matrix &X, const Matrix &Y, Metric metric,
                         const DistanceOptions &options) {
  const std::string who = std::string("kiln.ml.pairwiseDistances(") + metricName(metric) + ")";
  checkData(who, X, "X");
  checkData(who, Y, "Y");
  if (X.cols() != Y.cols())
    fail(who, ": X is ", shapeOf(X), " and Y is ", shapeOf(Y),
         "; expected the same number of columns");
  if (metric == Metric::Minkowski)
    checkMinkowskiP(options.p);
  if (metric == Metric::Mahalanobis)
    checkVI(options.VI, X.cols());
  if (metric == Metric::Cosine) {
    for (Index i = 0; i < X.rows(); ++i)
      if (X.row(i).squaredNorm() == 0)
        fail(who, ": row ", i, " of X is zero; cosine distance needs non-zero rows");
    for (Index i = 0; i < Y.rows(); ++i)
      if (Y.row(i).squaredNorm() == 0)
        fail(who, ": row ", i, " of Y is zero; cosine distance needs non-zero rows");
  }
  RowMatrix A = X, B = Y;
  Matrix D(X.rows(), Y.rows());
  Index d = X.cols();
  parallelFor(X.rows(), resolveThreads(options.threads), [&](Index b, Index e) {
    for (Index i = b; i < e; ++i)
      for (Index j = 0; j < B.rows(); ++j)
        D(i, j) = dispatch(metric, A.row(i).data(), B.row(j).data(), d, options);
  }, 16);
  return D;
}

Matrix pairwiseDistances(const Matrix &X, Metric metric, const DistanceOptions &options) {
  return pairwiseDistances(X, X, metric, options);
}

} // namespace kiln::ml
