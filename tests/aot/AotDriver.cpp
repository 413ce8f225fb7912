//===- AotDriver.cpp - Runs one AOT-compiled model, for cross-target tests ===//
//
// Built twice by tests/aot/CMakeLists.txt: for x86-64 and, with
// aarch64-linux-gnu-g++, for AArch64 (run under qemu-aarch64). Feeds a
// batch of deterministic inputs to the model named by KILN_AOT_MODEL
// (one f32 input and one f32 output) and
//   aot-driver                 prints the outputs, one per line;
//   aot-driver --compare FILE  compares them with FILE (printed by the
//                              other target's driver); exit 1 if they differ.
// Needs only the generated header and the AOT runtime.
//
//===----------------------------------------------------------------------===//
#include KILN_AOT_HEADER

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

using Model = kiln_aot::KILN_AOT_MODEL;

static float inputValue(int64_t i) {
  return static_cast<float>(((i * 7919) % 2003) / 1001.5 - 1.0);
}

int main(int argc, char **argv) {
  const int64_t batch = 3;
  std::vector<float> x(static_cast<size_t>(Model::input_numel(0, batch)));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = inputValue(static_cast<int64_t>(i));
  std::vector<float> y(static_cast<size_t>(Model::output_numel(0, batch)));
  int status = Model::run(x.data(), batch, y.data());
  if (status != KILN_AOT_OK) {
    std::fprintf(stderr, "%s: %s\n", Model::name, kiln_aot_status_string(status));
    return 1;
  }
  if (argc == 3 && std::strcmp(argv[1], "--compare") == 0) {
    std::FILE *f = std::fopen(argv[2], "r");
    if (!f) {
      std::fprintf(stderr, "cannot open %s\n", argv[2]);
      return 1;
    }
    double worst = 0;
    size_t n = 0;
    for (float expected; std::fscanf(f, "%f", &expected) == 1; ++n)
      if (n < y.size())
        worst = std::fmax(worst, std::fabs(y[n] - expected) / (1e-3 + std::fabs(expected)));
    std::fclose(f);
    if (n != y.size()) {
      std::fprintf(stderr, "%s: %zu reference values, expected %zu\n", Model::name, n, y.size());
      return 1;
    }
    std::printf("%s: %zu outputs, worst relative difference %.3g\n", Model::name, n, worst);
    return worst < 1e-3 ? 0 : 1;
  }
  for (float v : y)
    std::printf("%.9g\n", v);
  return 0;
}
