//===- KMeans.cpp - k-means clustering with k-means++ seeding -------------===//
#include "runtime/classical/KMeans.h"

#include <Eigen/Dense>

#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>

namespace kiln::ml {

namespace {

constexpr Index kBlock = 256;

/// Centers transposed (d x kPad, row-major, padded with zero columns to a
/// multiple of 8) with their squared norms (+inf for the padding): the
/// layout of the assignment kernel below.
struct CenterTable {
  static constexpr Index kLanes = 8;
  Index k, kPad;
  RowMatrix t;
  Vector norm;
  explicit CenterTable(const RowMatrix &C)
      : k(C.rows()), kPad((C.rows() + kLanes - 1) / kLanes * kLanes),
        t(RowMatrix::Zero(C.cols(), kPad)),
        norm(Vector::Constant(kPad, std::numeric_limits<double>::infinity())) {
    t.leftCols(k) = C.transpose();
    norm.head(k) = C.rowwise().squaredNorm();
  }
};

/// acc[j] = |c_j|^2 - 2 x.c_j for every center j (kPad entries): for each
/// feature one broadcast multiply-add over 8 contiguous centers at a time
/// (for small k this beats packing the rows for a GEMM).
inline void partialDistances(const double *x, const CenterTable &ct, double *acc) {
  using Lane = Eigen::Array<double, CenterTable::kLanes, 1>;
  const Index d = ct.t.rows(), kPad = ct.kPad;
  for (Index j0 = 0; j0 < kPad; j0 += CenterTable::kLanes) {
    Lane a = Eigen::Map<const Lane>(ct.norm.data() + j0);
    for (Index f = 0; f < d; ++f)
      a += (-2.0 * x[f]) * Eigen::Map<const Lane>(ct.t.data() + f * kPad + j0);
    Eigen::Map<Lane>(acc + j0) = a;
  }
}

struct Assignment {
  Labels labels;
  Vector dist; ///< squared distance to the assigned center
};

void assign(const RowMatrix &X, const Vector &xNorm, const RowMatrix &C, int threads,
            Assignment &a) {
  CenterTable ct(C);
  Index n = X.rows(), k = C.rows();
  parallelFor(n, threads, [&](Index b, Index e) {
    std::vector<double> acc(static_cast<std::size_t>(ct.kPad));
    for (Index i = b; i < e; ++i) {
      partialDistances(X.row(i).data(), ct, acc.data());
      Index best = 0;
      for (Index j = 1; j < k; ++j)
        if (acc[static_cast<std::size_t>(j)] < acc[static_cast<std::size_t>(best)])
          best = j;
      a.dist[i] = std::max(0.0, xNorm[i] + acc[static_cast<std::size_t>(best)]);
      a.labels[i] = static_cast<int>(best);
    }
  }, kBlock);
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
  Vector xNorm = X.rowwise().squaredNorm();
  std::uniform_int_distribution<Index> first(0, n - 1);
  C.row(0) = X.row(first(rng));
  Vector closest(n);
  for (Index i = 0; i < n; ++i)
    closest[i] = (X.row(i) - C.row(0)).squaredNorm();
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Vector cumulative(n);
  RowMatrix cand(trials, X.cols());
  std::vector<Index> candIdx(static_cast<std::size_t>(trials));
  Matrix D(n, trials);
  for (int c = 1; c < k; ++c) {
    std::partial_sum(closest.data(), closest.data() + n, cumulative.data());
    for (int t = 0; t < trials; ++t) {
      double r = unit(rng) * cumulative[n - 1];
      Index i = std::lower_bound(cumulative.data(), cumulative.data() + n, r) - cumulative.data();
      candIdx[static_cast<std::size_t>(t)] = std::min(i, n - 1);
      cand.row(t) = X.row(candIdx[static_cast<std::size_t>(t)]);
    }
    // Squared distances of every row to the candidates in one GEMM, then
    // the potential (sum of min(closest, d)) of each candidate.
    CenterTable ct(cand);
    Vector potential = Vector::Zero(trials);
    std::vector<double> acc(static_cast<std::size_t>(ct.kPad));
    for (Index i = 0; i < n; ++i) {
      partialDistances(X.row(i).data(), ct, acc.data());
      for (int t = 0; t < trials; ++t) {
        double d = std::min(closest[i], std::max(0.0, xNorm[i] + acc[static_cast<std::size_t>(t)]));
        D(i, t) = d;
        potential[t] += d;
      }
    }
    Index best;
    potential.minCoeff(&best);
    C.row(c) = cand.row(best);
    closest = D.col(best);
  }
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
  Eigen::RowVectorXd colMean = X.colwise().mean();
  Vector var = ((X.rowwise() - colMean).array().square().colwise().mean()).transpose();
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
