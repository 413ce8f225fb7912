//===- CnnBench.cpp - Convolution and CNN benchmarks ----------------------===//
//
// Each network runs with the graph optimizations as the default pipeline
// (O2) and with each one switched off, so one run measures what each
// optimization is worth:
//
//   BM_Conv3x3/<variant>/<batch>   56x56, 64 -> 64 channels, 3x3, pad 1, bias
//   BM_ResNet/<variant>/<batch>    examples/cnn resnet (3x32x32, 3 stages)
//   BM_LeNet/<variant>/<batch>     examples/cnn lenet (1x28x28)
//
// variants: O2 (everything on), no-fold, no-unfold (every convolution
// direct), no-direct (every convolution unfolded), no-fuse, O0 (nothing).
// benchmarks/compare_pytorch.py runs these next to PyTorch.
//
//===----------------------------------------------------------------------===//
#include "examples/cnn/Nets.h"
#include "frontend/Kiln.h"

#include <benchmark/benchmark.h>

#include <functional>

namespace {

kiln::Tensor randomInput(const kiln::Shape &shape, uint64_t seed) {
  kiln::Generator gen(seed);
  return kiln::init::make(kiln::init::uniform(-1, 1), shape, gen);
}

struct Variant {
  const char *name;
  std::function<void(kiln::GraphOptions &)> apply;
};

const std::vector<Variant> &variants() {
  static const std::vector<Variant> v = {
      {"O2", [](kiln::GraphOptions &) {}},
      {"no-fold", [](kiln::GraphOptions &g) { g.foldBatchNorm = false; }},
      {"no-unfold", [](kiln::GraphOptions &g) { g.unfoldConvolution = false; }},
      {"no-direct", [](kiln::GraphOptions &g) { g.directConvolution = false; }},
      {"no-fuse", [](kiln::GraphOptions &g) { g.fuse = false; }},
      {"O0", [](kiln::GraphOptions &g) { g.level = 0; }},
  };
  return v;
}

using Builder = std::function<kiln::Value(kiln::Model &, kiln::Value)>;

void runNetwork(benchmark::State &state, const Builder &build, kiln::Shape inputShape,
                const Variant &variant, double flopsPerImage) {
  int64_t batch = state.range(0);
  kiln::Model model("net", /*seed=*/1);
  kiln::Shape dynamic = inputShape;
  dynamic.insert(dynamic.begin(), kiln::kBatch);
  kiln::Value x = model.input("x", dynamic);
  model.output(build(model, x), "y");
  kiln::examples::randomizeBatchNorms(model, 2);
  kiln::JitOptions options;
  variant.apply(options.graph);
  kiln::CompiledModel net = kiln::jit(model, options);
  inputShape.insert(inputShape.begin(), batch);
  std::vector<kiln::Tensor> in = {randomInput(inputShape, 3)};
  std::vector<kiln::Tensor> out = net.run(in);
  for (auto _ : state) {
    net.runInto(in, out);
    benchmark::DoNotOptimize(out[0].rawData());
  }
  if (flopsPerImage > 0)
    state.counters["GFLOPS"] = benchmark::Counter(
        flopsPerImage * 1e-9 * batch * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}

kiln::Value conv3x3(kiln::Model &m, kiln::Value x) {
  kiln::nn::Conv2d conv(m, "conv", 64, 64, 3, 1, 1);
  return conv(x);
}

void BM_Compile(benchmark::State &state, bool big);
void BM_ResNet18(benchmark::State &state);

int registerAll() {
  benchmark::RegisterBenchmark("BM_Compile/resnet-example",
                               [](benchmark::State &s) { BM_Compile(s, false); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_Compile/resnet18",
                               [](benchmark::State &s) { BM_Compile(s, true); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_ResNet18/O2", BM_ResNet18)
      ->Arg(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (const Variant &v : variants()) {
    // O0 convolutions are scalar loops: a few iterations say enough.
    auto conv = benchmark::RegisterBenchmark(
        (std::string("BM_Conv3x3/") + v.name).c_str(), [&v](benchmark::State &s) {
          runNetwork(s, conv3x3, {64, 56, 56}, v, 2.0 * 64 * 56 * 56 * 64 * 9);
        });
    conv->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
    auto resnet = benchmark::RegisterBenchmark(
        (std::string("BM_ResNet/") + v.name).c_str(), [&v](benchmark::State &s) {
          runNetwork(s, [](kiln::Model &m, kiln::Value x) {
            return kiln::examples::resnet(m, x);
          }, {3, 32, 32}, v, 0);
        });
    resnet->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
    auto lenet = benchmark::RegisterBenchmark(
        (std::string("BM_LeNet/") + v.name).c_str(), [&v](benchmark::State &s) {
          runNetwork(s, kiln::examples::lenet, {1, 28, 28}, v, 0);
        });
    lenet->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond)->UseRealTime();
  }
  return 0;
}

/// JIT compile time (the whole pipeline, kiln IR to native code) of the
/// example CNN and of ResNet-18; one compile per iteration.
void BM_Compile(benchmark::State &state, bool big) {
  kiln::Model model("net", 1);
  kiln::Shape in = big ? kiln::Shape{kiln::kBatch, 3, 224, 224}
                       : kiln::Shape{kiln::kBatch, 3, 32, 32};
  kiln::Value x = model.input("x", in);
  model.output(big ? kiln::examples::resnet18(model, x) : kiln::examples::resnet(model, x),
               "y");
  for (auto _ : state) {
    kiln::CompiledModel net = kiln::jit(model);
    benchmark::DoNotOptimize(&net);
  }
}

/// ResNet-18 inference, batch 1 (1.8 GFLOP per image).
void BM_ResNet18(benchmark::State &state) {
  runNetwork(state, kiln::examples::resnet18, {3, 224, 224}, variants().front(),
             1.82e9);
}

const int registered = registerAll();

} // namespace
