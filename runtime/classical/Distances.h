//===- Distances.h - Distances between vectors and pairwise matrices -*- C++ -*-===//
//
// SciPy's definitions (scipy.spatial.distance): euclidean, squared
// euclidean, manhattan (cityblock), cosine distance (1 - cosine
// similarity), chebyshev, minkowski of order p >= 1, and mahalanobis with
// an inverse covariance VI. pairwiseDistances is scipy's cdist: D(i, j) =
// d(X.row(i), Y.row(j)), computed row by row (not with the ||x||^2 +
// ||y||^2 - 2xy shortcut, which loses digits), split across threads.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_DISTANCES_H
#define KILN_RUNTIME_CLASSICAL_DISTANCES_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

enum class Metric { Euclidean, SqEuclidean, Manhattan, Cosine, Chebyshev, Minkowski, Mahalanobis };

/// "euclidean", "minkowski", ...
const char *metricName(Metric m);

double euclidean(const Vector &a, const Vector &b);
double sqEuclidean(const Vector &a, const Vector &b);
double manhattan(const Vector &a, const Vector &b);
/// 1 - a.b / (|a| |b|); a zero vector is an error.
double cosineDistance(const Vector &a, const Vector &b);
double chebyshev(const Vector &a, const Vector &b);
/// (sum |a_i - b_i|^p)^(1/p), p >= 1.
double minkowski(const Vector &a, const Vector &b, double p);
/// sqrt((a-b)^T VI (a-b)), VI a d x d inverse covariance.
double mahalanobis(const Vector &a, const Vector &b, const Matrix &VI);

/// Options of pairwiseDistances: `p` for Minkowski, `VI` for Mahalanobis.
struct DistanceOptions {
  double p = 2.0;
  Matrix VI;
  int threads = 0;
};

/// |X| x |Y| matrix of distances between the rows of X and of Y.
Matrix pairwiseDistances(const Matrix &X, const Matrix &Y, Metric metric,
                         const DistanceOptions &options = {});
/// X against itself.
Matrix pairwiseDistances(const Matrix &X, Metric metric, const DistanceOptions &options = {});

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_DISTANCES_H
