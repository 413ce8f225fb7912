//===- KilnBench.cpp - Kiln's benchmarks (Google Benchmark) ---------------===//
//
// Names show the system and the size so a script can pair them from
// --benchmark_format=json: BM_Matmul/kiln/1024 vs BM_Matmul/eigen/1024.
// GFLOPS counters count 2*M*N*K per matmul. Everything runs on one thread
// (Eigen is built without OpenMP here).
//
//   build/bin/kiln-bench --benchmark_min_time=0.5
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

namespace {

kiln::Tensor randomTensor(const kiln::Shape &shape, uint64_t seed) {
  kiln::Generator gen(seed);
  return kiln::init::make(kiln::init::uniform(-1, 1), shape, gen);
}

void setFlops(benchmark::State &state, double flopsPerIteration) {
  state.counters["GFLOPS"] = benchmark::Counter(
      flopsPerIteration * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

//===----------------------------------------------------------------------===//
// Matmul: both operands are runtime inputs.
//===----------------------------------------------------------------------===//

void BM_MatmulKiln(benchmark::State &state) {
  int64_t n = state.range(0);
  kiln::Model m("matmul");
  kiln::Value a = m.input("a", {n, n}), b = m.input("b", {n, n});
  m.output(kiln::matmul(a, b), "c");
  kiln::CompiledModel net = kiln::jit(m);
  std::vector<kiln::Tensor> in = {randomTensor({n, n}, 1), randomTensor({n, n}, 2)};
  std::vector<kiln::Tensor> out = {kiln::Tensor({n, n})};
  for (auto _ : state) {
    net.runInto(in, out);
    benchmark::DoNotOptimize(out[0].rawData());
  }
  setFlops(state, 2.0 * n * n * n);
}

void BM_MatmulEigen(benchmark::State &state) {
  int64_t n = state.range(0);
  using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  M a = M::Random(n, n), b = M::Random(n, n), c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  setFlops(state, 2.0 * n * n * n);
}

//===----------------------------------------------------------------------===//
// MLP 784-256-128-10 (relu, softmax).
//===----------------------------------------------------------------------===//

double mlpFlops(int64_t batch) {
  return 2.0 * batch * (784.0 * 256 + 256.0 * 128 + 128.0 * 10);
}

void BM_MlpKiln(benchmark::State &state) {
  int64_t batch = state.range(0);
  kiln::Model m("mlp", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, 784});
  kiln::nn::Linear fc1(m, "fc1", 784, 256), fc2(m, "fc2", 256, 128), fc3(m, "fc3", 128, 10);
  m.output(kiln::softmax(fc3(kiln::relu(fc2(kiln::relu(fc1(x)))))), "probs");
  kiln::CompiledModel net = kiln::jit(m);
  std::vector<kiln::Tensor> in = {randomTensor({batch, 784}, 3)};
  std::vector<kiln::Tensor> out = {kiln::Tensor({batch, 10})};
  for (auto _ : state) {
    net.runInto(in, out);
    benchmark::DoNotOptimize(out[0].rawData());
  }
  setFlops(state, mlpFlops(batch));
}

void BM_MlpEigen(benchmark::State &state) {
  int64_t batch = state.range(0);
  using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  M w1 = M::Random(784, 256), w2 = M::Random(256, 128), w3 = M::Random(128, 10);
  Eigen::RowVectorXf b1 = Eigen::RowVectorXf::Random(256),
                     b2 = Eigen::RowVectorXf::Random(128),
                     b3 = Eigen::RowVectorXf::Random(10);
  M x = M::Random(batch, 784), h1(batch, 256), h2(batch, 128), y(batch, 10);
  for (auto _ : state) {
    h1.noalias() = x * w1;
    h1 = (h1.rowwise() + b1).cwiseMax(0.f);
    h2.noalias() = h1 * w2;
    h2 = (h2.rowwise() + b2).cwiseMax(0.f);
    y.noalias() = h2 * w3;
    y.rowwise() += b3;
    for (int64_t r = 0; r < batch; ++r) {
      auto row = y.row(r);
      row = (row.array() - row.maxCoeff()).exp();
      row /= row.sum();
    }
    benchmark::DoNotOptimize(y.data());
  }
  setFlops(state, mlpFlops(batch));
}

} // namespace

BENCHMARK(BM_MatmulKiln)->Name("BM_Matmul/kiln")->Arg(256)->Arg(512)->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MatmulEigen)->Name("BM_Matmul/eigen")->Arg(256)->Arg(512)->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MlpKiln)->Name("BM_MLP/kiln")->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MlpEigen)->Name("BM_MLP/eigen")->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
