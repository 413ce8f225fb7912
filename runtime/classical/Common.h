//===- Common.h - Shared pieces of Kiln's classical ML ----------*- C++ -*-===//
//
// Types, input checks, threading and model-file helpers used by every
// algorithm in runtime/classical/. Data is an Eigen::MatrixXd with one row
// per sample; class labels are Eigen::VectorXi (any integers; models keep the
// sorted distinct labels they saw in fit and predict those).
//
// Every check throws kiln::Error with a message of the form
// "kiln.ml.KMeans.fit: X has 5 rows but nClusters is 8 (expected
// nClusters <= rows)": the algorithm and method, the shapes, what was
// expected.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_COMMON_H
#define KILN_RUNTIME_CLASSICAL_COMMON_H

#include "runtime/Error.h"
#include "runtime/Tensor.h"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace kiln::ml {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Labels = Eigen::VectorXi;
using Index = Eigen::Index;
/// Row-major matrix, used internally where algorithms walk samples.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The deterministic random generator of every algorithm (seeded by its
/// options' `seed`).
using Rng = std::mt19937_64;

/// "3x4": the shape of a matrix in error messages.
std::string shapeOf(const Matrix &m);

// --- Threads ------------------------------------------------------------

/// Threads used when an options struct says 0: the integer in the
/// KILN_NUM_THREADS environment variable if set and positive, else
/// std::thread::hardware_concurrency() (at least 1).
int defaultThreadCount();

/// `requested` if positive, else defaultThreadCount().
int resolveThreads(int requested);

/// Runs fn(begin, end) over [0, n) split into at most `threads` contiguous
/// chunks, on std::threads (the calling thread takes the first chunk). Work
/// smaller than `minPerThread` items per thread uses fewer threads.
template <typename Fn>
void parallelFor(Index n, int threads, Fn &&fn, Index minPerThread = 1) {
  if (n <= 0)
    return;
  Index useful = std::max<Index>(1, n / std::max<Index>(1, minPerThread));
  Index t = std::max<Index>(1, std::min<Index>(threads, useful));
  if (t == 1) {
    fn(Index(0), n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  Index chunk = (n + t - 1) / t;
  for (Index i = 1; i < t; ++i) {
    Index b = i * chunk, e = std::min(n, b + chunk);
    if (b < e)
      pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(Index(0), std::min(n, chunk));
  for (auto &th : pool)
    th.join();
}

/// Runs fn(task) for task in [0, tasks) on up to `threads` std::threads that
/// take tasks from a shared counter (for uneven work such as forest trees).
template <typename Fn> void parallelTasks(Index tasks, int threads, Fn &&fn) {
  std::atomic<Index> next{0};
  auto worker = [&] {
    for (Index t = next++; t < tasks; t = next++)
      fn(t);
  };
  Index t = std::max<Index>(1, std::min<Index>(threads, tasks));
  std::vector<std::thread> pool;
  for (Index i = 1; i < t; ++i)
    pool.emplace_back(worker);
  worker();
  for (auto &th : pool)
    th.join();
}

/// A generator for sub-task `task` of a fit seeded with `seed` (independent
/// of which thread runs it).
inline Rng taskRng(uint64_t seed, uint64_t task) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(task), static_cast<uint32_t>(task >> 32)};
  return Rng(seq);
}

// --- Input checks -------------------------------------------------------

/// X must have at least `minRows` rows, at least one column, and only
/// finite values. `who` is "kiln.ml.Algo.method"; `name` the argument.
void checkData(const std::string &who, const Matrix &X, const char *name = "X",
               Index minRows = 1);
/// A vector of targets: non-empty, finite, `rows` long.
void checkTargets(const std::string &who, const Vector &y, Index rows, const char *name = "y");
/// Labels: `rows` long.
void checkLabels(const std::string &who, const Labels &y, Index rows, const char *name = "y");
/// X must have `cols` columns (the model was fitted on that many features).
void checkColumns(const std::string &who, const Matrix &X, Index cols);
/// Throws "<who>: the model is not fitted (call fit or load first)".
void checkFitted(const std::string &who, bool fitted);
/// Per-sample weights: `rows` long, finite, non-negative, positive sum.
void checkWeights(const std::string &who, const Vector &w, Index rows);

/// The distinct labels of y, sorted, and each sample's index into them.
struct LabelEncoding {
  Labels classes;
  std::vector<int> index; ///< index[i] = position of y[i] in classes
};
/// Encodes y; throws when it has fewer than `minClasses` distinct labels
/// ("... y has a single class (3); expected at least 2 classes").
LabelEncoding encodeLabels(const std::string &who, const Labels &y, int minClasses = 2);

/// Position of each value of y in `classes` (for scoring), -1 if absent.
std::vector<int> indexLabels(const Labels &classes, const Labels &y);

/// log(sum(exp(v))) computed stably.
double logSumExp(const double *v, Index n);

// --- Tensor interop -----------------------------------------------------

/// An f64 tensor [rows, cols] holding m (row-major).
Tensor toTensor(const Matrix &m);
/// An f64 tensor [n] holding v.
Tensor toTensor(const Vector &v);
/// An i64 tensor [n] holding labels.
Tensor toTensor(const Labels &v);
/// A 2-D tensor of any float or int dtype as a matrix (rows = dim 0).
Matrix toMatrix(const Tensor &t);
/// A 1-D tensor as a vector.
Vector toVector(const Tensor &t);
/// A 1-D integer tensor as labels.
Labels toLabels(const Tensor &t);

// --- Model files --------------------------------------------------------

/// Collects a model's arrays and settings and writes them as one
/// safetensors file; metadata "kiln.ml.model" names the model type.
class ModelWriter {
public:
  explicit ModelWriter(std::string modelType);
  void put(const std::string &name, const Matrix &m);
  void put(const std::string &name, const Vector &v);
  void put(const std::string &name, const Labels &v);
  void put(const std::string &name, Tensor t);
  void setting(const std::string &key, const std::string &value);
  void setting(const std::string &key, double value);
  void save(const std::string &path) const;

private:
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// Reads a file written by ModelWriter; every accessor checks presence,
/// rank and shape and names the file in its error.
class ModelReader {
public:
  /// Throws unless the file's "kiln.ml.model" is `modelType`.
  ModelReader(const std::string &path, const std::string &modelType);
  Matrix matrix(const std::string &name, Index rows = -1, Index cols = -1) const;
  Vector vector(const std::string &name, Index size = -1) const;
  Labels labels(const std::string &name, Index size = -1) const;
  const Tensor &tensor(const std::string &name) const;
  bool has(const std::string &name) const;
  std::string setting(const std::string &key) const;
  double number(const std::string &key) const;
  /// An integer setting that must lie in [lo, hi].
  long long integer(const std::string &key, long long lo, long long hi) const;

private:
  [[noreturn]] void bad(const std::string &what) const;
  std::string path_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_COMMON_H
