//===- GemmBench.cpp - Peak FMA and GEMM: Kiln vs OpenBLAS vs Eigen -------===//
//
//   BM_PeakFMA                       the machine's limit: independent FMA chains
//                                    in registers (16 accumulators x 16 lanes)
//   BM_Gemm/<system>/<M>/<K>/<N>/<threads>
//                                    square 64..2048 and the skinny shapes
//                                    1x1024x1024 and 64x1024x1024; operands are
//                                    runtime inputs (nothing pre-packed)
//
// systems: kiln (JIT, kiln::setNumThreads), openblas (cblas_sgemm,
// openblas_set_num_threads), eigen (single thread). GFLOPS counts 2*M*K*N.
// The skinny 1xKxN shape is a GEMV: memory-bound (4 MB of B per call), so its
// GB/s counter (bytes of A, B and C moved once) is the number to read.
//
//===----------------------------------------------------------------------===//
#include "benchmarks/Layers.h"
#include "frontend/Kiln.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>
#include <immintrin.h>

#ifdef KILN_HAVE_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
#endif

namespace {

kiln::Tensor randomMatrix(int64_t rows, int64_t cols, uint64_t seed) {
  kiln::Generator gen(seed);
  return kiln::init::make(kiln::init::uniform(-1, 1), {rows, cols}, gen);
}

void counters(benchmark::State &state, int64_t m, int64_t k, int64_t n) {
  double it = static_cast<double>(state.iterations());
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * m * k * n * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["GBps"] = benchmark::Counter(
      4.0 * (m * k + k * n + m * n) * 1e-9 * it, benchmark::Counter::kIsRate);
}

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec splat(float v) { return _mm512_set1_ps(v); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
#else
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec splat(float v) { return _mm256_set1_ps(v); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
#endif

void BM_PeakFMA(benchmark::State &state) {
  // 12 independent chains: more than FMA latency (4) x FMA ports (2), in
  // named locals so they stay in registers (an array whose address escapes
  // would live on the stack).
  Vec a = splat(0.999f), b = splat(0.001f);
  Vec c0 = splat(0), c1 = splat(1), c2 = splat(2), c3 = splat(3), c4 = splat(4),
      c5 = splat(5), c6 = splat(6), c7 = splat(7), c8 = splat(8), c9 = splat(9),
      c10 = splat(10), c11 = splat(11);
  constexpr int kSteps = 1 << 16;
  for (auto _ : state) {
    for (int s = 0; s < kSteps; ++s) {
      c0 = fma(c0, a, b);
      c1 = fma(c1, a, b);
      c2 = fma(c2, a, b);
      c3 = fma(c3, a, b);
      c4 = fma(c4, a, b);
      c5 = fma(c5, a, b);
      c6 = fma(c6, a, b);
      c7 = fma(c7, a, b);
      c8 = fma(c8, a, b);
      c9 = fma(c9, a, b);
      c10 = fma(c10, a, b);
      c11 = fma(c11, a, b);
      asm volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5));
      asm volatile("" : "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11));
    }
  }
  Vec sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  benchmark::DoNotOptimize(sum);
  state.counters["GFLOPS"] = benchmark::Counter(
      12.0 * kLanes * 2 * kSteps * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

/// Kiln's matmul with B a runtime input (`constantB` false: the same
/// contract as BLAS) or a compile-time constant (a weight, packed when the
/// model is compiled); `pack` false disables packed B panels altogether.
void gemmKiln(benchmark::State &state, bool constantB, bool pack) {
  int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  kiln::setNumThreads(static_cast<int>(state.range(3)));
  kiln::Model model("gemm");
  // Separate statements: argument evaluation order would be unspecified.
  kiln::Value a = model.input("a", {m, k});
  kiln::Value b = constantB ? model.constant(randomMatrix(k, n, 2)) : model.input("b", {k, n});
  model.output(kiln::matmul(a, b), "c");
  kiln::JitOptions options;
  options.packB = pack;
  kiln::CompiledModel net = kiln::jit(model, options);
  std::vector<kiln::Tensor> in = {randomMatrix(m, k, 1)};
  if (!constantB)
    in.push_back(randomMatrix(k, n, 2));
  std::vector<kiln::Tensor> out = {kiln::Tensor({m, n})};
  net.runInto(in, out);
  for (auto _ : state) {
    net.runInto(in, out);
    benchmark::DoNotOptimize(out[0].rawData());
  }
  kiln::setNumThreads(0);
  counters(state, m, k, n);
}

void BM_GemmKiln(benchmark::State &state) { gemmKiln(state, false, true); }
void BM_GemmKilnNoPack(benchmark::State &state) { gemmKiln(state, false, false); }
void BM_GemmKilnConstB(benchmark::State &state) { gemmKiln(state, true, true); }

#ifdef KILN_HAVE_OPENBLAS
void BM_GemmOpenBlas(benchmark::State &state) {
  int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  openblas_set_num_threads(static_cast<int>(state.range(3)));
  kiln::Tensor a = randomMatrix(m, k, 1), b = randomMatrix(k, n, 2), c({m, n});
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), 1.0f, a.data<float>(),
                static_cast<int>(k), b.data<float>(), static_cast<int>(n), 0.0f,
                c.data<float>(), static_cast<int>(n));
    benchmark::DoNotOptimize(c.rawData());
  }
  counters(state, m, k, n);
}
#endif

void BM_GemmEigen(benchmark::State &state) {
  int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  using M = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  M a = M::Random(m, k), b = M::Random(k, n), c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  counters(state, m, k, n);
}

void shapes(benchmark::internal::Benchmark *b, bool threaded) {
  for (const auto &s : kiln::bench::gemmShapes())
    for (int64_t t : threaded ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1})
      b->Args({s[0], s[1], s[2], t});
  b->ArgNames({"M", "K", "N", "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

} // namespace

BENCHMARK(BM_PeakFMA)->UseRealTime();
BENCHMARK(BM_GemmKiln)->Name("BM_Gemm/kiln")->Apply([](auto *b) { shapes(b, true); });
BENCHMARK(BM_GemmKilnNoPack)->Name("BM_Gemm/kiln_nopack")->Apply([](auto *b) { shapes(b, false); });
BENCHMARK(BM_GemmKilnConstB)->Name("BM_Gemm/kiln_constb")->Apply([](auto *b) { shapes(b, true); });
#ifdef KILN_HAVE_OPENBLAS
BENCHMARK(BM_GemmOpenBlas)->Name("BM_Gemm/openblas")->Apply([](auto *b) { shapes(b, true); });
#endif
BENCHMARK(BM_GemmEigen)->Name("BM_Gemm/eigen")->Apply([](auto *b) { shapes(b, false); });
