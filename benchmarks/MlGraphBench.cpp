//===- MlGraphBench.cpp - Classical-ML ops in a graph vs kiln::ml ---------===//
//
// The same inference as a compiled graph (frontend/MLOps.h) and as the
// kiln::ml call it mirrors, on the same f64 data, to show what each
// lowering route is worth:
//
//   BM_MlGraph_<op>/0   the compiled graph (kiln::jit, default options)
//   BM_MlGraph_<op>/1   kiln::ml on Eigen
//
//   Kmeans   kmeans_assign, native (one matmul + argmax)   vs KMeans::predict
//   Qda      gda_decision, native (one matmul [N,D]x[D,C*D]) vs QDA::decisionFunction
//   Forest   tree_ensemble_predict, C ABI                  vs RandomForest::predictProba
//
// Data: 100k x 16 rows from 8 Gaussian blobs; models fitted on 20k of them.
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"
#include "frontend/MLOps.h"

#include <benchmark/benchmark.h>

#include <functional>
#include <random>

namespace {

namespace ml = kiln::ml;

struct Blobs {
  ml::Matrix X;
  ml::Labels y;
  kiln::Tensor tensor;
};

const Blobs &blobs() {
  static Blobs b = [] {
    Blobs r;
    const ml::Index n = 100000, d = 16;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0, 1);
    ml::Matrix centers(8, d);
    for (ml::Index i = 0; i < centers.size(); ++i)
      centers.data()[i] = 4 * normal(rng);
    r.X.resize(n, d);
    r.y.resize(n);
    r.tensor = kiln::Tensor({n, d}, kiln::DType::F64);
    for (ml::Index i = 0; i < n; ++i) {
      r.y[i] = static_cast<int>(i % 8);
      for (ml::Index j = 0; j < d; ++j) {
        r.X(i, j) = centers(r.y[i], j) + normal(rng);
        r.tensor.data<double>()[i * d + j] = r.X(i, j);
      }
    }
    return r;
  }();
  return b;
}

/// Graph (arg 0) or library (arg 1).
void compare(benchmark::State &state,
             const std::function<kiln::Value(kiln::Value)> &graph,
             const std::function<void()> &library) {
  if (state.range(0) == 0) {
    kiln::Model m("ml_bench");
    kiln::Value x = m.input("x", {kiln::kBatch, 16}, kiln::DType::F64);
    m.output(graph(x));
    kiln::CompiledModel net = kiln::jit(m);
    for (auto _ : state) {
      auto out = net.run({blobs().tensor});
      benchmark::DoNotOptimize(out[0].numel());
    }
  } else {
    for (auto _ : state)
      library();
  }
  state.SetItemsProcessed(state.iterations() * blobs().X.rows());
}

void BM_MlGraph_Kmeans(benchmark::State &state) {
  static ml::KMeans km = [] {
    ml::KMeansOptions o;
    o.nClusters = 8;
    o.nInit = 1;
    ml::KMeans k(o);
    k.fit(blobs().X.topRows(20000));
    return k;
  }();
  compare(
      state, [](kiln::Value x) { return ml::kmeansAssign(x, km); },
      [] { benchmark::DoNotOptimize(km.predict(blobs().X).data()); });
}

void BM_MlGraph_Qda(benchmark::State &state) {
  static ml::QuadraticDiscriminantAnalysis qda = [] {
    ml::QuadraticDiscriminantAnalysis q;
    q.fit(blobs().X.topRows(20000), blobs().y.head(20000));
    return q;
  }();
  compare(
      state, [](kiln::Value x) { return ml::gdaDecision(x, qda); },
      [] { benchmark::DoNotOptimize(qda.decisionFunction(blobs().X).data()); });
}

void BM_MlGraph_Forest(benchmark::State &state) {
  static ml::RandomForestClassifier forest = [] {
    ml::ForestOptions o;
    o.nEstimators = 50;
    o.maxDepth = 8;
    ml::RandomForestClassifier f(o);
    f.fit(blobs().X.topRows(20000), blobs().y.head(20000));
    return f;
  }();
  compare(
      state, [](kiln::Value x) { return ml::treePredict(x, forest); },
      [] { benchmark::DoNotOptimize(forest.predictProba(blobs().X).data()); });
}

} // namespace

BENCHMARK(BM_MlGraph_Kmeans)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MlGraph_Qda)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MlGraph_Forest)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
