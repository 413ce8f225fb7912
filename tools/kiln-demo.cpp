//===- kiln-demo.cpp - The MLP demo ---------------------------------------===//
//
// Builds a 784-256-128-10 MLP with the DSL, prints its kiln IR and a summary
// of the IR after each lowering stage, JIT-compiles it, runs it on a batch
// of inputs and prints the result next to a plain C++ reference.
//
//===----------------------------------------------------------------------===//
#include "examples/cnn/Nets.h"
#include "frontend/Kiln.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace {

/// The same network as plain loops: y = softmax(W3 relu(W2 relu(W1 x))).
std::vector<float> referenceMlp(const kiln::Model &m, const float *x) {
  auto layer = [&](const std::string &name, const std::vector<float> &in, bool relu) {
    const kiln::Tensor &w = m.parameters().at(name + ".weight");
    const kiln::Tensor &b = m.parameters().at(name + ".bias");
    int64_t out = w.dim(0), inF = w.dim(1);
    std::vector<float> y(out);
    for (int64_t o = 0; o < out; ++o) {
      double acc = b.data<float>()[o];
      for (int64_t i = 0; i < inF; ++i)
        acc += double(w.data<float>()[o * inF + i]) * in[i];
      y[o] = relu && acc < 0 ? 0.f : float(acc);
    }
    return y;
  };
  std::vector<float> h(x, x + 784);
  h = layer("fc1", h, true);
  h = layer("fc2", h, true);
  h = layer("fc3", h, false);
  float mx = h[0];
  for (float v : h)
    mx = std::max(mx, v);
  double sum = 0;
  for (float &v : h)
    sum += (v = std::exp(v - mx));
  for (float &v : h)
    v = float(v / sum);
  return h;
}

/// Compiles the ResNet-style example at O0 and at the default level, shows
/// what the graph optimizations did to the op counts, and checks that both
/// give the same numbers.
int cnnDemo() {
  kiln::Model model("resnet", /*seed=*/7);
  kiln::Value x = model.input("image", {kiln::kBatch, 3, 32, 32});
  model.output(kiln::examples::resnet(model, x), "logits");
  kiln::examples::randomizeBatchNorms(model, 11);

  kiln::JitOptions o0;
  o0.graph.level = 0;
  kiln::CompiledModel plain = kiln::jit(model, o0);
  kiln::CompiledModel optimized = kiln::jit(model);

  auto count = [](const kiln::CompiledModel &m, const char *stage, const std::string &op) {
    for (const kiln::StageSummary &s : m.stageSummaries())
      if (s.stage == stage) {
        auto it = s.opsByName.find(op);
        return it == s.opsByName.end() ? 0 : it->second;
      }
    return 0;
  };
  std::cout << "== ResNet-style CNN (3x32x32 -> 10): graph optimizations ==\n";
  std::printf("  %-22s %8s %8s\n", "op", "O0", "O2");
  for (const char *op : {"kiln.conv2d", "kiln.batch_norm", "kiln.im2col", "kiln.matmul",
                         "kiln.add", "kiln.relu"})
    std::printf("  %-22s %8d %8d\n", op, count(plain, "optimized", op),
                count(optimized, "optimized", op));
  std::printf("  %-22s %8d %8d   (after lowering and fusion)\n", "linalg.generic",
              count(plain, "linalg", "linalg.generic"),
              count(optimized, "linalg", "linalg.generic"));

  kiln::Generator gen(3);
  kiln::Tensor image = kiln::init::make(kiln::init::uniform(-1, 1), {2, 3, 32, 32}, gen);
  auto time = [&](const kiln::CompiledModel &m, kiln::Tensor &out) {
    out = m.run({image})[0];
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i)
      out = m.run({image})[0];
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                     start)
               .count() /
           5;
  };
  kiln::Tensor a, b;
  double msPlain = time(plain, a), msOpt = time(optimized, b);
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    worst = std::max(worst, double(std::fabs(a.data<float>()[i] - b.data<float>()[i])) /
                                std::max(1e-3, double(std::fabs(a.data<float>()[i]))));
  std::printf("  batch 2: O0 %.2f ms, O2 %.2f ms; max relative difference %.1e (%s)\n\n",
              msPlain, msOpt, worst, worst < 1e-4 ? "ok" : "MISMATCH");
  return worst < 1e-4 ? 0 : 1;
}

} // namespace

int main() {
  try {
    kiln::Model model("mlp", /*seed=*/2026);
    kiln::Value x = model.input("x", {kiln::kBatch, 784});
    kiln::nn::Linear fc1(model, "fc1", 784, 256), fc2(model, "fc2", 256, 128),
        fc3(model, "fc3", 128, 10);
    model.output(kiln::softmax(fc3(kiln::relu(fc2(kiln::relu(fc1(x))))), -1), "probs");

    std::cout << "== kiln IR ==\n" << model.str() << "\n";

    kiln::CompiledModel net = kiln::jit(model);
    std::cout << "== lowering (ops per dialect after each stage) ==\n";
    for (const kiln::StageSummary &s : net.stageSummaries()) {
      std::printf("  %-11s %4d ops:", s.stage.c_str(), s.totalOps);
      for (const auto &[dialect, n] : s.opsByDialect)
        std::printf(" %s=%d", dialect.c_str(), n);
      std::printf("\n");
    }
    std::printf("  compiled in %.3f s\n\n", net.compileSeconds());

    const int64_t batch = 4;
    kiln::Tensor input({batch, 784});
    kiln::Generator gen(7);
    for (int64_t i = 0; i < input.numel(); ++i)
      input.data<float>()[i] = float(gen.uniform());
    auto start = std::chrono::steady_clock::now();
    kiln::Tensor probs = net.run({input})[0];
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();

    std::printf("== batch of %lld, probs (kiln | reference) ==\n", (long long)batch);
    double worst = 0;
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<float> ref = referenceMlp(model, input.data<float>() + b * 784);
      std::printf("  sample %lld:", (long long)b);
      for (int64_t j = 0; j < 10; ++j) {
        float k = probs.data<float>()[b * 10 + j];
        worst = std::max(worst, double(std::fabs(k - ref[j]) / std::max(1e-12f, std::fabs(ref[j]))));
        if (j < 4)
          std::printf(" %.6f|%.6f", k, ref[j]);
      }
      std::printf(" ...\n");
    }
    std::printf("max relative difference: %.2e (%s); run took %.3f ms\n", worst,
                worst < 1e-5 ? "ok" : "MISMATCH", ms);
    if (worst >= 1e-5)
      return 1;
    std::printf("\n");
    return cnnDemo();
  } catch (const kiln::Error &e) {
    std::fprintf(stderr, "kiln-demo: %s\n", e.what());
    return 1;
  }
}
