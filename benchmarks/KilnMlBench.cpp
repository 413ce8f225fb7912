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

#ifdef KILN_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#endif

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

#ifdef KILN_HAVE_OPENCV
/// Row-major copy of X in OpenCV's `type` (CV_32F or CV_64F).
cv::Mat toMat(const Matrix &X, int type) {
  cv::Mat m(static_cast<int>(X.rows()), static_cast<int>(X.cols()), CV_64F);
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j)
      m.at<double>(static_cast<int>(i), static_cast<int>(j)) = X(i, j);
  if (type == CV_64F)
    return m;
  cv::Mat out;
  m.convertTo(out, type);
  return out;
}

/// k-means++ seeding, 1 attempt, at most 300 iterations (float32: cv::kmeans
/// takes no doubles); quality: the compactness (= inertia).
void BM_OpenCV_KMeans(benchmark::State &state) {
  cv::setNumThreads(static_cast<int>(state.range(0)));
  cv::Mat X = toMat(load("blobs"), CV_32F);
  double inertia = 0;
  for (auto _ : state) {
    cv::Mat labels, centers;
    inertia = cv::kmeans(
        X, 8, labels,
        cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 300, 1e-4), 1,
        cv::KMEANS_PP_CENTERS, centers);
  }
  setCounters(state, "inertia", inertia);
}

/// EM with OpenCV's own k-means initialization, tol 1e-3 on the likelihood;
/// quality: the mean log-likelihood of the samples.
void opencvEm(benchmark::State &state, int covarianceType) {
  cv::setNumThreads(static_cast<int>(state.range(0)));
  cv::Mat X = toMat(load("blobs"), CV_64F);
  double ll = 0;
  for (auto _ : state) {
    auto em = cv::ml::EM::create();
    em->setClustersNumber(8);
    em->setCovarianceMatrixType(covarianceType);
    em->setTermCriteria(
        cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 100, 1e-3));
    cv::Mat logLikelihoods;
    em->trainEM(X, logLikelihoods, cv::noArray(), cv::noArray());
    ll = cv::mean(logLikelihoods)[0];
  }
  setCounters(state, "loglik", ll);
}
void BM_OpenCV_GMMFull(benchmark::State &state) {
  opencvEm(state, cv::ml::EM::COV_MAT_GENERIC);
}
void BM_OpenCV_GMMDiag(benchmark::State &state) {
  opencvEm(state, cv::ml::EM::COV_MAT_DIAGONAL);
}

/// cv::PCA (covariance eigen-decomposition, float64) fit + project.
void BM_OpenCV_PCA(benchmark::State &state) {
  cv::setNumThreads(static_cast<int>(state.range(0)));
  const Matrix &L = load("lowrank");
  cv::Mat X = toMat(L, CV_64F);
  // Total variance with the same 1/N scaling as OpenCV's eigenvalues.
  double total =
      (L.rowwise() - L.colwise().mean()).squaredNorm() / static_cast<double>(L.rows());
  double evr = 0;
  for (auto _ : state) {
    cv::PCA pca(X, cv::noArray(), cv::PCA::DATA_AS_ROW, 32);
    cv::Mat Z = pca.project(X);
    benchmark::DoNotOptimize(Z.data);
    evr = cv::sum(pca.eigenvalues)[0] / total;
  }
  setCounters(state, "evr_sum", evr);
}

/// 100 trees, sqrt(50) = 7 features per split, grown to depth 32 (OpenCV
/// needs a bound) with at least 2 samples to split; test accuracy.
void BM_OpenCV_RandomForest(benchmark::State &state) {
  cv::setNumThreads(static_cast<int>(state.range(0)));
  cv::Mat X = toMat(load("clf_train"), CV_32F), Xt = toMat(load("clf_test"), CV_32F);
  Labels y = labels("clf_train_y"), yt = labels("clf_test_y");
  cv::Mat responses(static_cast<int>(y.size()), 1, CV_32S);
  for (Index i = 0; i < y.size(); ++i)
    responses.at<int>(static_cast<int>(i)) = y[i];
  double acc = 0;
  for (auto _ : state) {
    auto rf = cv::ml::RTrees::create();
    rf->setMaxDepth(32);
    rf->setMinSampleCount(2);
    rf->setActiveVarCount(7);
    rf->setCVFolds(0);
    rf->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, 100, 0));
    rf->train(cv::ml::TrainData::create(X, cv::ml::ROW_SAMPLE, responses));
    cv::Mat pred;
    rf->predict(Xt, pred);
    Index hits = 0;
    for (Index i = 0; i < yt.size(); ++i)
      hits += static_cast<int>(pred.at<float>(static_cast<int>(i))) == yt[i];
    acc = static_cast<double>(hits) / static_cast<double>(yt.size());
  }
  setCounters(state, "accuracy", acc);
}
#endif

} // namespace

BENCHMARK(BM_KMeans)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GMMFull)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GMMDiag)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_PCA)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_LinearSVM)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_RandomForest)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GradientBoosting)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_HMM)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);
#ifdef KILN_HAVE_OPENCV
BENCHMARK(BM_OpenCV_KMeans)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_OpenCV_GMMFull)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_OpenCV_GMMDiag)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_OpenCV_PCA)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_OpenCV_RandomForest)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
#endif

BENCHMARK_MAIN();
