//===- ModelBench.cpp - Layers and end-to-end models ----------------------===//
//
//   BM_ConvLayer/kiln/<layer>/<batch>/<threads>   benchmarks/Layers.h, with bias
//   BM_Model/kiln/<model>/<batch>/<threads>       end-to-end, default pipeline
//   BM_Op/kiln/<op>/<rows>/<threads>              one elementwise/normalization op
//
// models (benchmarks/perf_table.py builds the same ones in PyTorch):
//   mlp              784 -> 1024 -> 1024 -> 10, ReLU
//   transformer_mlp  x[B, 64, 512]: x + fc2(gelu(fc1(layer_norm(x)))), 512 -> 2048 -> 512
//   resnet           examples/cnn resnet (3x32x32)
//   resnet18         examples/cnn resnet18 (3x224x224), batch 1 only
// ops on [rows, 1024]: gelu (erf), layer_norm (last axis, affine), softmax
// (last axis), add_relu (relu(x + y)).
//
//===----------------------------------------------------------------------===//
#include "benchmarks/Layers.h"
#include "examples/cnn/Nets.h"
#include "frontend/Kiln.h"

#include <benchmark/benchmark.h>

#include <functional>

namespace {

kiln::Tensor randomInput(const kiln::Shape &shape, uint64_t seed) {
  kiln::Generator gen(seed);
  return kiln::init::make(kiln::init::uniform(-1, 1), shape, gen);
}

/// Compiles `model` with one dynamic-batch input `x` of `shape` (batch
/// first), runs it at state.range(0) with state.range(1) threads.
void runModel(benchmark::State &state, kiln::Model &model, kiln::Shape shape,
              double flopsPerSample, int extraInputs = 0) {
  int64_t batch = state.range(0);
  kiln::setNumThreads(static_cast<int>(state.range(1)));
  kiln::CompiledModel net = kiln::jit(model);
  shape[0] = batch;
  std::vector<kiln::Tensor> in;
  for (int i = 0; i <= extraInputs; ++i)
    in.push_back(randomInput(shape, 3 + i));
  std::vector<kiln::Tensor> out = net.run(in);
  for (auto _ : state) {
    net.runInto(in, out);
    benchmark::DoNotOptimize(out[0].rawData());
  }
  kiln::setNumThreads(0);
  double it = static_cast<double>(state.iterations());
  if (flopsPerSample > 0)
    state.counters["GFLOPS"] = benchmark::Counter(flopsPerSample * 1e-9 * batch * it,
                                                  benchmark::Counter::kIsRate);
}

void BM_ConvLayer(benchmark::State &state, const kiln::bench::ConvLayer &l) {
  kiln::Model m("conv", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, l.c, l.h, l.w});
  kiln::nn::Conv2d conv(m, "conv", l.c, l.oc, l.k, l.stride, l.pad, 1, l.groups);
  m.output(conv(x), "y");
  runModel(state, m, {0, l.c, l.h, l.w}, l.flops());
}

void BM_Mlp(benchmark::State &state) {
  kiln::Model m("mlp", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, 784});
  kiln::nn::Linear fc1(m, "fc1", 784, 1024), fc2(m, "fc2", 1024, 1024), fc3(m, "fc3", 1024, 10);
  m.output(fc3(kiln::relu(fc2(kiln::relu(fc1(x))))), "y");
  runModel(state, m, {0, 784}, 2.0 * (784 * 1024 + 1024 * 1024 + 1024 * 10));
}

constexpr int64_t kTokens = 64, kDim = 512, kHidden = 2048;

void BM_TransformerMlp(benchmark::State &state) {
  kiln::Model m("block", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, kTokens, kDim});
  kiln::nn::LayerNorm ln(m, "ln", {kDim});
  kiln::nn::Linear fc1(m, "fc1", kDim, kHidden), fc2(m, "fc2", kHidden, kDim);
  m.output(x + fc2(kiln::gelu(fc1(ln(x)))), "y");
  runModel(state, m, {0, kTokens, kDim}, 4.0 * kTokens * kDim * kHidden);
}

void BM_ResNetExample(benchmark::State &state) {
  kiln::Model m("resnet", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, 3, 32, 32});
  m.output(kiln::examples::resnet(m, x), "y");
  kiln::examples::randomizeBatchNorms(m, 2);
  runModel(state, m, {0, 3, 32, 32}, 0);
}

void BM_ResNet18Model(benchmark::State &state) {
  kiln::Model m("resnet18", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, 3, 224, 224});
  m.output(kiln::examples::resnet18(m, x), "y");
  kiln::examples::randomizeBatchNorms(m, 2);
  // 1.82 G multiply-adds per image (convolutions and the classifier).
  runModel(state, m, {0, 3, 224, 224}, 2 * 1.82e9);
}

constexpr int64_t kOpWidth = 1024;

void BM_Op(benchmark::State &state, const std::string &op) {
  kiln::Model m("op", 1);
  kiln::Value x = m.input("x", {kiln::kBatch, kOpWidth});
  int extra = 0;
  if (op == "gelu") {
    m.output(kiln::gelu(x), "y");
  } else if (op == "layer_norm") {
    kiln::nn::LayerNorm ln(m, "ln", {kOpWidth});
    m.output(ln(x), "y");
  } else if (op == "softmax") {
    m.output(kiln::softmax(x, -1), "y");
  } else {
    kiln::Value y = m.input("y", {kiln::kBatch, kOpWidth});
    m.output(kiln::relu(x + y), "z");
    extra = 1;
  }
  runModel(state, m, {0, kOpWidth}, 0, extra);
  state.counters["GBps"] = benchmark::Counter(
      4.0 * kOpWidth * (2 + extra) * state.range(0) * 1e-9 *
          static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

int registerAll() {
  auto args = [](benchmark::internal::Benchmark *b, std::vector<int64_t> batches,
                 const char *first) {
    for (int64_t batch : batches)
      for (int64_t t : {1, 2})
        b->Args({batch, t});
    b->ArgNames({first, "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
  };
  for (const kiln::bench::ConvLayer &l : kiln::bench::convLayers())
    args(benchmark::RegisterBenchmark((std::string("BM_ConvLayer/kiln/") + l.name).c_str(),
                                      [&l](benchmark::State &s) { BM_ConvLayer(s, l); }),
         {l.batch}, "batch");
  args(benchmark::RegisterBenchmark("BM_Model/kiln/mlp", BM_Mlp), {1, 32}, "batch");
  args(benchmark::RegisterBenchmark("BM_Model/kiln/transformer_mlp", BM_TransformerMlp),
       {1, 32}, "batch");
  args(benchmark::RegisterBenchmark("BM_Model/kiln/resnet", BM_ResNetExample), {1, 32},
       "batch");
  args(benchmark::RegisterBenchmark("BM_Model/kiln/resnet18", BM_ResNet18Model), {1},
       "batch");
  for (const char *op : {"gelu", "layer_norm", "softmax", "add_relu"})
    args(benchmark::RegisterBenchmark((std::string("BM_Op/kiln/") + op).c_str(),
                                      [op](benchmark::State &s) { BM_Op(s, op); }),
         {256}, "rows");
  return 0;
}

const int registered = registerAll();

} // namespace
