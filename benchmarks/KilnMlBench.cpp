//===- KilnMlBench.cpp - Classical ML benchmarks (kiln_ml) ----------------===//
//
// Fits each algorithm once per run on the data sets that
// benchmarks/compare_sklearn.py writes (raw little-endian float64 with a
// rows/cols header, in $KILN_ML_BENCH_DATA, default /tmp/kiln-ml-bench), so
// Kiln and scikit-learn see the same numbers. Each benchmark reports the fit
// time and a quality counter (inertia, log-likelihood, accuracy, ...); the
// argument is the thread count.
//
//   build/bin/kiln-ml-bench --benchmark_filter=KMeans
//
//===----------------------------------------------------------------------===//
#include "runtime/classical/Boosting.h"
#include "runtime/classical/Decomposition.h"
#include "runtime/classical/GaussianMixture.h"
#include "runtime/classical/HMM.h"
#include "runtime/classical/KMeans.h"
#include "runtime/classical/Metrics.h"
#include "runtime/classical/SVM.h"
#include "runtime/classical/Trees.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace kiln::ml;

namespace {

std::string dataDir() {
  const char *d = std::getenv("KILN_ML_BENCH_DATA");
  return d ? d : "/tmp/kiln-ml-bench";
}

/// Reads <dir>/<name>.bin: int64 rows, int64 cols, rows*cols float64 row-major.
const Matrix &load(const std::string &name) {
  static std::map<std::string, Matrix> cache;
  auto it = cache.find(name);
  if (it != cache.end())
    return it->second;
  std::string path = dataDir() + "/" + name + ".bin";
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("missing " + path + ": run benchmarks/compare_sklearn.py --write-data");
  int64_t rows = 0, cols = 0;
  in.read(reinterpret_cast<char *>(&rows), 8);
  in.read(reinterpret_cast<char *>(&cols), 8);
  RowMatrix m(rows, cols);
  in.read(reinterpret_cast<char *>(m.data()), static_cast<std::streamsize>(rows * cols * 8));
  if (!in)
    throw std::runtime_error("truncated " + path);
  return cache[name] = m;
}

Labels labels(const std::string &name) {
  const Matrix &m = load(name);
  return m.col(0).unaryExpr([](double v) { return static_cast<int>(v); });
}

void setCounters(benchmark::State &state, const char *name, double value) {
  state.counters[name] = benchmark::Counter(value);
}

void BM_KMeans(benchmark::State &state) {
  const Matrix &X = load("blobs");
  KMeansOptions o;
  o.nClusters = 8;
  o.nInit = 1;
  o.threads = static_cast<int>(state.range(0));
  double inertia = 0;
  for (auto _ : state) {
    KMeans km(o);
    km.fit(X);
    inertia = km.inertia();
  }
  setCounters(state, "inertia", inertia);
}

void gmm(benchmark::State &state, CovarianceType type) {
  const Matrix &X = load("blobs");
  GaussianMixtureOptions o;
  o.nComponents = 8;
  o.covarianceType = type;
  o.threads = static_cast<int>(state.range(0));
  double ll = 0;
  int iters = 0;
  for (auto _ : state) {
    GaussianMixture g(o);
    g.fit(X);
    ll = g.lowerBound();
    iters = g.iterations();
  }
  setCounters(state, "loglik", ll);
  setCounters(state, "iterations", iters);
}
void BM_GMMFull(benchmark::State &state) { gmm(state, CovarianceType::Full); }
void BM_GMMDiag(benchmark::State &state) { gmm(state, CovarianceType::Diagonal); }

void BM_PCA(benchmark::State &state) {
  const Matrix &X = load("lowrank");
  PCAOptions o;
  o.nComponents = 32;
  o.threads = static_cast<int>(state.range(0));
  double evr = 0;
  for (auto _ : state) {
    PCA p(o);
    p.fit(X);
    Matrix Z = p.transform(X);
    benchmark::DoNotOptimize(Z.data());
    evr = p.explainedVarianceRatio().sum();
  }
  setCounters(state, "evr_sum", evr);
}

void BM_LinearSVM(benchmark::State &state) {
  const Matrix &X = load("clf_train_scaled");
  Labels y = labels("clf_train_y");
  const Matrix &Xt = load("clf_test_scaled");
  Labels yt = labels("clf_test_y");
  LinearSVMOptions o;
  o.threads = static_cast<int>(state.range(0));
  double acc = 0;
  for (auto _ : state) {
    LinearSVM s(o);
    s.fit(X, y);
    acc = s.score(Xt, yt);
  }
  setCounters(state, "accuracy", acc);
}

void BM_RandomForest(benchmark::State &state) {
  const Matrix &X = load("clf_train");
  Labels y = labels("clf_train_y");
  const Matrix &Xt = load("clf_test");
  Labels yt = labels("clf_test_y");
  ForestOptions o;
  o.nEstimators = 100;
  o.threads = static_cast<int>(state.range(0));
  double acc = 0;
  for (auto _ : state) {
    RandomForestClassifier rf(o);
    rf.fit(X, y);
    acc = rf.score(Xt, yt);
  }
  setCounters(state, "accuracy", acc);
}

void BM_GradientBoosting(benchmark::State &state) {
  const Matrix &X = load("clf_train");
  Labels y = labels("clf_train_y");
  const Matrix &Xt = load("clf_test");
  Labels yt = labels("clf_test_y");
  GradientBoostingOptions o;
  o.threads = static_cast<int>(state.range(0));
  double acc = 0;
  for (auto _ : state) {
    GradientBoostingClassifier gb(o);
    gb.fit(X, y);
    acc = gb.score(Xt, yt);
  }
  setCounters(state, "accuracy", acc);
}

void BM_HMM(benchmark::State &state) {
  const Matrix &obsM = load("hmm_obs");
  Sequence obs(static_cast<std::size_t>(obsM.rows()));
  for (Index t = 0; t < obsM.rows(); ++t)
    obs[static_cast<std::size_t>(t)] = static_cast<int>(obsM(t, 0));
  const Matrix &init = load("hmm_init"); // rows: start (1), trans (8), emit (8); 16 cols
  Vector start = init.row(0).head(8).transpose();
  Matrix trans = init.block(1, 0, 8, 8), emit = init.block(9, 0, 8, 16);
  HMMOptions o;
  o.maxIter = 20;
  o.tol = 0;
  double ll = 0;
  for (auto _ : state) {
    auto hmm = DiscreteHMM::fromParameters(start, trans, emit, o);
    hmm.fit({obs});
    double vlp = 0;
    Sequence path = hmm.viterbi(obs, &vlp);
    benchmark::DoNotOptimize(path.data());
    ll = hmm.logLikelihood(obs);
  }
  setCounters(state, "loglik", ll);
}

} // namespace

BENCHMARK(BM_KMeans)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GMMFull)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GMMDiag)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_PCA)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_LinearSVM)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_RandomForest)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GradientBoosting)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_HMM)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
