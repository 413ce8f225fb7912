//===- KMeans.cpp - k-means clustering with k-means++ seeding -------------===//
#include "runtime/classical/KMeans.h"

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <mutex>

namespace kiln::ml {

namespace {

constexpr Index kBlock = 256;

/// Squared distances of rows [b, e) of X to every center: |x|^2 - 2 x.c + |c|^2,
/// clipped at 0.
void blockDistances(const RowMatrix &X, const Vector &xNorm, const RowMatrix &C,
                    const Vector &cNorm, Index b, Index e, Matrix &out) {
  out.noalias() = X.middleRows(b, e - b) * C.transpose();
  for (Index j = 0; j < out.cols(); ++j)
    for (Index i = 0; i < out.rows(); ++i)
      out(i, j) = std::max(0.0, xNorm[b + i] - 2 * out(i, j) + cNorm[j]);
}

struct Assignment {
  Labels labels;
  Vector dist; ///< squared distance to the assigned center
};

void assign(const RowMatrix &X, const Vector &xNorm, const RowMatrix &C, int threads,
            Assignment &a) {
  Vector cNorm = C.rowwise().squaredNorm();
  Index n = X.rows();
  Index blocks = (n + kBlock - 1) / kBlock;
  parallelFor(blocks, threads, [&](Index bb, Index be) {
    Matrix D;
    for (Index blk = bb; blk < be; ++blk) {
      Index b = blk * kBlock, e = std::min(n, b + kBlock);
      D.resize(e - b, C.rows());
      blockDistances(X, xNorm, C, cNorm, b, e, D);
      for (Index i = 0; i < e - b; ++i) {
        Index best;
        a.dist[b + i] = D.row(i).minCoeff(&best);
        a.labels[b + i] = static_cast<int>(best);
      }
    }
  });
}

/// Exact squared distance of each row to its assigned center.
double exactInertia(const RowMatrix &X, const RowMatrix &C, const Labels &labels, Vector &dist) {
  double total = 0;
  for (Index i = 0; i < X.rows(); ++i) {
    dist[i] = (X.row(i) - C.row(labels[i])).squaredNorm();
    total += dist[i];
  }
  return total;
}

struct RunResult {
  RowMatrix centers;
  Labels labels;
  double inertia = std::numeric_limits<double>::infinity();
  int iterations = 0;
};

RunResult lloyd(const RowMatrix &X, const Vector &xNorm, RowMatrix C, const KMeansOptions &o,
                double tolerance, int threads) {
  Index n = X.rows(), d = X.cols(), k = C.rows();
  Assignment a{Labels::Constant(n, -1), Vector(n)};
  Labels previous;
  RunResult r;
  for (int it = 0; it < o.maxIter; ++it) {
    r.iterations = it + 1;
    previous = a.labels;
    assign(X, xNorm, C, threads, a);
    // New centers: per-thread partial sums, then combined in a fixed order
    // (the result does not depend on the thread count: the chunks are fixed
    // by `parts`, not by the threads that ran them).
    const Index parts = std::min<Index>(16, std::max<Index>(1, n / 4096));
    std::vector<RowMatrix> sums(static_cast<std::size_t>(parts), RowMatrix::Zero(k, d));
    std::vector<Vector> counts(static_cast<std::size_t>(parts), Vector::Zero(k));
    Index chunk = (n + parts - 1) / parts;
    parallelFor(parts, threads, [&](Index pb, Index pe) {
      for (Index p = pb; p < pe; ++p)
        for (Index i = p * chunk; i < std::min(n, (p + 1) * chunk); ++i) {
          sums[static_cast<std::size_t>(p)].row(a.labels[i]) += X.row(i);
          counts[static_cast<std::size_t>(p)][a.labels[i]] += 1;
        }
    });
    for (Index p = 1; p < parts; ++p) {
      sums[0] += sums[static_cast<std::size_t>(p)];
      counts[0] += counts[static_cast<std::size_t>(p)];
    }
    RowMatrix next = C;
    std::vector<bool> taken(static_cast<std::size_t>(n), false);
    for (Index j = 0; j < k; ++j) {
      if (counts[0][j] > 0) {
        next.row(j) = sums[0].row(j) / counts[0][j];
        continue;
      }
      // Empty cluster: move it to the point farthest from its center.
      Index far = -1;
      double farDist = -1;
      for (Index i = 0; i < n; ++i)
        if (!taken[static_cast<std::size_t>(i)] && a.dist[i] > farDist) {
          farDist = a.dist[i];
          far = i;
        }
      taken[static_cast<std::size_t>(far)] = true;
      next.row(j) = X.row(far);
    }
    double shift = (next - C).squaredNorm();
    C = next;
    if (a.labels == previous || shift <= tolerance)
      break;
  }
  // Final assignment so labels and inertia match the returned centers.
  assign(X, xNorm, C, threads, a);
  r.inertia = exactInertia(X, C, a.labels, a.dist);
  r.centers = C;
  r.labels = a.labels;
  return r;
}

} // namespace

Matrix kmeansPlusPlus(const RowMatrix &X, int k, Rng &rng) {
  Index n = X.rows();
  RowMatrix C(k, X.cols());
  std::uniform_int_distribution<Index> first(0, n - 1);
  C.row(0) = X.row(first(rng));
  Vector closest(n);
  for (Index i = 0; i < n; ++i)
    closest[i] = (X.row(i) - C.row(0)).squaredNorm();
  double potential = closest.sum();
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Vector cumulative(n), candidateDist(n), bestDist(n);
  for (int c = 1; c < k; ++c) {
    std::partial_sum(closest.data(), closest.data() + n, cumulative.data());
    double bestPotential = std::numeric_limits<double>::infinity();
    Index bestCandidate = 0;
    for (int t = 0; t < trials; ++t) {
      double r = unit(rng) * cumulative[n - 1];
      Index cand = std::lower_bound(cumulative.data(), cumulative.data() + n, r) - cumulative.data();
      cand = std::min(cand, n - 1);
      double pot = 0;
      for (Index i = 0; i < n; ++i) {
        candidateDist[i] = std::min(closest[i], (X.row(i) - X.row(cand)).squaredNorm());
        pot += candidateDist[i];
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestCandidate = cand;
        bestDist = candidateDist;
      }
    }
    C.row(c) = X.row(bestCandidate);
    closest = bestDist;
    potential = bestPotential;
  }
  (void)potential;
  return C;
}

KMeans &KMeans::fit(const Matrix &X) {
  const std::string who = "kiln.ml.KMeans.fit";
  const auto &o = options_;
  checkData(who, X);
  if (o.nClusters < 1)
    fail(who, ": nClusters is ", o.nClusters, "; expected >= 1");
  if (o.nClusters > X.rows())
    fail(who, ": X has ", X.rows(), " rows (", shapeOf(X), ") but nClusters is ", o.nClusters,
         "; expected nClusters <= rows");
  if (o.nInit < 1 || o.maxIter < 1)
    fail(who, ": nInit (", o.nInit, ") and maxIter (", o.maxIter, ") must be >= 1");
  if (!(o.tol >= 0))
    fail(who, ": tol is ", o.tol, "; expected >= 0");
  int threads = resolveThreads(o.threads);
  RowMatrix R = X;
  Vector xNorm = R.rowwise().squaredNorm();
  Vector var = (X.rowwise() - X.colwise().mean()).array().square().colwise().mean();
  double tolerance = o.tol * var.mean();
  Rng rng(o.seed);
  RunResult best;
  for (int run = 0; run < o.nInit; ++run) {
    RowMatrix C = kmeansPlusPlus(R, o.nClusters, rng);
    RunResult r = lloyd(R, xNorm, C, o, tolerance, threads);
    if (r.inertia < best.inertia)
      best = std::move(r);
  }
  centers_ = best.centers;
  labels_ = best.labels;
  inertia_ = best.inertia;
  iterations_ = best.iterations;
  return *this;
}

Labels KMeans::predict(const Matrix &X) const {
  const std::string who = "kiln.ml.KMeans.predict";
  checkFitted(who, centers_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, centers_.cols());
  RowMatrix R = X;
  Assignment a{Labels(X.rows()), Vector(X.rows())};
  assign(R, R.rowwise().squaredNorm(), centers_, resolveThreads(options_.threads), a);
  return a.labels;
}

Matrix KMeans::transform(const Matrix &X) const {
  const std::string who = "kiln.ml.KMeans.transform";
  checkFitted(who, centers_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, centers_.cols());
  Matrix D(X.rows(), centers_.rows());
  for (Index j = 0; j < centers_.rows(); ++j)
    D.col(j) = (X.rowwise() - centers_.row(j)).rowwise().norm();
  return D;
}

double KMeans::score(const Matrix &X) const {
  Labels l = predict(X);
  double total = 0;
  for (Index i = 0; i < X.rows(); ++i)
    total += (X.row(i) - centers_.row(l[i])).squaredNorm();
  return -total;
}

void KMeans::save(const std::string &path) const {
  checkFitted("kiln.ml.KMeans.save", centers_.size() > 0);
  ModelWriter w("KMeans");
  w.put("centers", centers_);
  w.setting("inertia", inertia_);
  w.save(path);
}

KMeans KMeans::load(const std::string &path) {
  ModelReader r(path, "KMeans");
  KMeans m;
  m.centers_ = r.matrix("centers");
  m.options_.nClusters = static_cast<int>(m.centers_.rows());
  m.inertia_ = r.number("inertia");
  return m;
}

} // namespace kiln::ml
