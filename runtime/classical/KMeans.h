//===- KMeans.h - k-means clustering with k-means++ seeding -----*- C++ -*-===//
//
//   kiln::ml::KMeans km({.nClusters = 8, .seed = 1});
//   km.fit(X);                       // nInit runs, best inertia kept
//   Labels cluster = km.predict(Xnew);
//
// Lloyd's algorithm from greedy k-means++ seeds (each new center is the best
// of 2 + log(k) candidates drawn with probability proportional to D(x)^2).
// Stops when the squared center shift is below tol * mean feature variance
// or the assignment no longer changes. An empty cluster is re-seeded with the
// point farthest from its center. The assignment step (a GEMM per block of
// rows) and the center sums run on `threads` threads; results do not depend
// on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_KMEANS_H
#define KILN_RUNTIME_CLASSICAL_KMEANS_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

struct KMeansOptions {
  int nClusters = 8;
  int nInit = 10;    ///< independent seedings; the lowest inertia wins
  int maxIter = 300;
  double tol = 1e-4; ///< relative to the mean variance of the features
  uint64_t seed = 0;
  int threads = 0;   ///< 0: KILN_NUM_THREADS or all cores
};

class KMeans {
public:
  explicit KMeans(KMeansOptions options = {}) : options_(options) {}
  KMeans &fit(const Matrix &X);
  /// Index of the nearest center of each row.
  Labels predict(const Matrix &X) const;
  /// Euclidean distance of each row to each center (n x k).
  Matrix transform(const Matrix &X) const;
  /// -inertia of X (higher is better, like sklearn).
  double score(const Matrix &X) const;

  const Matrix &centers() const { return centers_; }
  /// Cluster of each training row.
  const Labels &labels() const { return labels_; }
  /// Sum of squared distances of the training rows to their centers.
  double inertia() const { return inertia_; }
  int iterations() const { return iterations_; }
  void save(const std::string &path) const;
  static KMeans load(const std::string &path);

private:
  KMeansOptions options_;
  Matrix centers_;
  Labels labels_;
  double inertia_ = 0;
  int iterations_ = 0;
};

/// Greedy k-means++ seeding of k centers from the rows of X (k x d). Exposed
/// for GaussianMixture's initialization and for tests.
Matrix kmeansPlusPlus(const RowMatrix &X, int k, Rng &rng);

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_KMEANS_H
