//===- OneDnnBench.cpp - oneDNN baselines: matmul and convolution ---------===//
//
//   BM_Gemm/onednn/<M>/<K>/<N>/<threads>          dnnl::matmul, f32, row-major
//   BM_ConvLayer/onednn/<layer>/<batch>/<threads> dnnl::convolution_forward
//
// A separate executable from kiln-bench: oneDNN runs on GNU OpenMP
// (libgomp), Kiln's code on LLVM's libomp; one runtime per process keeps
// each system's threading as its users get it. The layers and shapes are
// those of kiln-bench (benchmarks/Layers.h).
//
// Convolution: source and destination in plain NCHW (what a caller holding
// NCHW tensors passes), weights in the layout oneDNN picks (format `any`,
// reordered once outside the timed loop), forward inference, with bias.
//
//===----------------------------------------------------------------------===//
#include "benchmarks/Layers.h"

#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

std::vector<float> randomVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

memory filled(const memory::desc &md, const engine &eng, unsigned seed) {
  memory m(md, eng);
  std::vector<float> v = randomVector(md.get_size() / sizeof(float), seed);
  std::copy(v.begin(), v.end(), static_cast<float *>(m.get_data_handle()));
  return m;
}

void BM_GemmOneDnn(benchmark::State &state) {
  int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  omp_set_num_threads(static_cast<int>(state.range(3)));
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::desc a_md({m, k}, dt::f32, tag::ab), b_md({k, n}, dt::f32, tag::ab),
      c_md({m, n}, dt::f32, tag::ab);
  matmul::primitive_desc pd(matmul::desc(a_md, b_md, c_md), eng);
  matmul prim(pd);
  memory a = filled(a_md, eng, 1), b = filled(b_md, eng, 2), c(c_md, eng);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
  prim.execute(s, args);
  s.wait();
  for (auto _ : state) {
    prim.execute(s, args);
    s.wait();
  }
  double it = static_cast<double>(state.iterations());
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * m * k * n * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["GBps"] = benchmark::Counter(4.0 * (m * k + k * n + m * n) * 1e-9 * it,
                                              benchmark::Counter::kIsRate);
}

void BM_ConvOneDnn(benchmark::State &state, const kiln::bench::ConvLayer &l) {
  int64_t batch = state.range(0);
  omp_set_num_threads(static_cast<int>(state.range(1)));
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::dims src_dims = {batch, l.c, l.h, l.w}, dst_dims = {batch, l.oc, l.oh(), l.ow()};
  memory::dims w_dims = l.groups == 1
                            ? memory::dims{l.oc, l.c, l.k, l.k}
                            : memory::dims{l.groups, l.oc / l.groups, l.c / l.groups, l.k, l.k};
  memory::desc src_md(src_dims, dt::f32, tag::nchw), dst_md(dst_dims, dt::f32, tag::nchw),
      bias_md({l.oc}, dt::f32, tag::a), w_any(w_dims, dt::f32, tag::any);
  convolution_forward::desc desc(prop_kind::forward_inference, algorithm::convolution_direct,
                                 src_md, w_any, bias_md, dst_md, {l.stride, l.stride},
                                 {l.pad, l.pad}, {l.pad, l.pad});
  convolution_forward::primitive_desc pd(desc, eng);
  memory::desc w_plain(w_dims, dt::f32, l.groups == 1 ? tag::oihw : tag::goihw);
  memory w_user = filled(w_plain, eng, 2), weights(pd.weights_desc(), eng);
  reorder(w_user, weights).execute(s, w_user, weights);
  memory src = filled(src_md, eng, 1), bias = filled(bias_md, eng, 3), dst(dst_md, eng);
  convolution_forward prim(pd);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src},
                                          {DNNL_ARG_WEIGHTS, weights},
                                          {DNNL_ARG_BIAS, bias},
                                          {DNNL_ARG_DST, dst}};
  prim.execute(s, args);
  s.wait();
  for (auto _ : state) {
    prim.execute(s, args);
    s.wait();
  }
  state.counters["GFLOPS"] = benchmark::Counter(
      l.flops() * batch * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

int registerAll() {
  auto *gemm = benchmark::RegisterBenchmark("BM_Gemm/onednn", BM_GemmOneDnn);
  for (const auto &s : kiln::bench::gemmShapes())
    for (int64_t t : {1, 2})
      gemm->Args({s[0], s[1], s[2], t});
  gemm->ArgNames({"M", "K", "N", "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
  for (const kiln::bench::ConvLayer &l : kiln::bench::convLayers()) {
    auto *b = benchmark::RegisterBenchmark(
        (std::string("BM_ConvLayer/onednn/") + l.name).c_str(),
        [&l](benchmark::State &st) { BM_ConvOneDnn(st, l); });
    for (int64_t t : {1, 2})
      b->Args({l.batch, t});
    b->ArgNames({"batch", "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
  return 0;
}

const int registered = registerAll();

} // namespace

BENCHMARK_MAIN();
