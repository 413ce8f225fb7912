//===- AotTest.cpp - AOT-compiled models against the JIT ------------------===//
//
// The objects linked into this test were compiled at build time by
// kiln_add_model (tests/aot/CMakeLists.txt) from the models of AotModels.h.
// Each test JITs the same model and checks that the AOT entry point, called
// through its generated C++ header, gives the same outputs; then the
// generated API's error statuses.
//
//===----------------------------------------------------------------------===//
#include "frontend/Aot.h"
#include "tests/aot/AotModels.h"

#include "aot_lenet.h"
#include "aot_mlp.h"
#include "aot_mlp_file.h"
#include "aot_resnet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

namespace {

kiln::Tensor makeInput(const kiln::Shape &shape) {
  kiln::Tensor t(shape, kiln::DType::F32);
  float *p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = kiln::aottest::inputValue(i);
  return t;
}

/// Runs `which` through the JIT and through the AOT function `runAot`, and
/// compares the outputs.
template <typename Model>
void expectAotMatchesJit(const std::string &which, int64_t batch) {
  kiln::Model model(which, kiln::aottest::seedOf(which));
  kiln::aottest::buildModel(which, model);
  kiln::CompiledModel jit = kiln::jit(model);
  kiln::Shape inShape(Model::x_shape, Model::x_shape + Model::x_rank);
  inShape[0] = batch;
  kiln::Tensor x = makeInput(inShape);
  kiln::Tensor expected = jit.run({x})[0];

  std::vector<float> out(expected.numel(), std::nanf(""));
  ASSERT_EQ(static_cast<int64_t>(out.size()), expected.numel());
  ASSERT_EQ(Model::run(x.data<float>(), batch, out.data()), KILN_AOT_OK);
  double worst = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double e = expected.data<float>()[i], a = out[i];
    worst = std::max(worst, std::abs(a - e) / (1e-3 + std::abs(e)));
  }
  EXPECT_LT(worst, 1e-3) << which << ": AOT and JIT outputs differ (worst relative error "
                         << worst << ")";
}

} // namespace

TEST(Aot, MlpMatchesJit) { expectAotMatchesJit<kiln_aot::aot_mlp>("mlp", 5); }
TEST(Aot, LeNetMatchesJit) { expectAotMatchesJit<kiln_aot::aot_lenet>("lenet", 3); }
TEST(Aot, ResNetMatchesJit) { expectAotMatchesJit<kiln_aot::aot_resnet>("resnet", 2); }

// The entry point keeps no state between calls: concurrent calls with
// different batches give the single-threaded results.
TEST(Aot, ConcurrentCalls) {
  using M = kiln_aot::aot_lenet;
  auto input = [](int64_t batch) {
    std::vector<float> x(M::x_numel(batch));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = kiln::aottest::inputValue(static_cast<int64_t>(i));
    return x;
  };
  std::vector<std::vector<float>> expected;
  for (int64_t batch = 1; batch <= 4; ++batch) {
    std::vector<float> x = input(batch), y(M::logits_numel(batch));
    ASSERT_EQ(M::run(x.data(), batch, y.data()), KILN_AOT_OK);
    expected.push_back(y);
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      int64_t batch = t + 1;
      std::vector<float> x = input(batch), y(M::logits_numel(batch));
      for (int round = 0; round < 20; ++round) {
        if (M::run(x.data(), batch, y.data()) != KILN_AOT_OK || y != expected[t])
          ++mismatches[t];
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Aot, HeaderDescribesTheSignature) {
  using M = kiln_aot::aot_lenet;
  EXPECT_STREQ(M::name, "aot_lenet");
  EXPECT_EQ(M::num_inputs, 1);
  EXPECT_EQ(M::num_outputs, 1);
  EXPECT_TRUE(M::has_batch);
  EXPECT_FALSE(M::weights_in_file);
  EXPECT_STREQ(M::x_name, "x");
  EXPECT_STREQ(M::logits_name, "logits");
  EXPECT_EQ(M::x_shape[0], -1);
  EXPECT_EQ(M::x_shape[3], 28);
  EXPECT_EQ(M::x_numel(2), 2 * 28 * 28);
  EXPECT_EQ(kiln_aot_lenet_logits_numel(4), 40);
}

TEST(Aot, BadArgumentsGiveAStatus) {
  std::vector<float> x(784 * 2), y(20);
  EXPECT_EQ(kiln_aot_mlp_run(nullptr, 2, y.data()), KILN_AOT_BAD_ARGUMENT);
  EXPECT_EQ(kiln_aot_mlp_run(x.data(), -1, y.data()), KILN_AOT_BAD_ARGUMENT);
  EXPECT_EQ(kiln_aot_mlp_run(x.data(), 2, x.data()), KILN_AOT_BAD_ARGUMENT);
  EXPECT_EQ(kiln_aot_mlp_run(x.data(), 0, y.data()), KILN_AOT_OK);
  EXPECT_STRNE(kiln_aot_status_string(KILN_AOT_BAD_ARGUMENT), "unknown status");
}

// aot_mlp_file is the MLP with its weights in a file beside the object.
TEST(Aot, WeightsFromAFile) {
  using M = kiln_aot::aot_mlp_file;
  EXPECT_TRUE(M::weights_in_file);
  std::vector<float> x(784 * 2), y(20), ref(20);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = kiln::aottest::inputValue(static_cast<int64_t>(i));
  EXPECT_EQ(M::run(x.data(), 2, y.data()), KILN_AOT_WEIGHTS_NOT_LOADED);
  EXPECT_EQ(M::load_weights("/nonexistent/aot_mlp_file.weights"),
            KILN_AOT_WEIGHTS_UNREADABLE);
  std::string bogus = ::testing::TempDir() + "bogus.weights";
  std::ofstream(bogus) << "KILNWTS1 but not really";
  EXPECT_EQ(M::load_weights(bogus.c_str()), KILN_AOT_WEIGHTS_MISMATCH);
  std::remove(bogus.c_str());
  EXPECT_EQ(M::run(x.data(), 2, y.data()), KILN_AOT_WEIGHTS_NOT_LOADED);

  ASSERT_EQ(M::load_weights(KILN_AOT_MLP_WEIGHTS), KILN_AOT_OK);
  ASSERT_EQ(M::run(x.data(), 2, y.data()), KILN_AOT_OK);
  ASSERT_EQ(kiln_aot::aot_mlp::run(x.data(), 2, ref.data()), KILN_AOT_OK);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], ref[i], 1e-5) << i;
}

// kiln::compileToObject, the C++ API behind generators: outputs and errors.
namespace {
std::string compileError(kiln::Model &model, const kiln::AotOptions &options) {
  try {
    kiln::compileToObject(model, options);
  } catch (const kiln::Error &e) {
    return e.what();
  }
  return "(no error)";
}
} // namespace

TEST(Aot, CompileToObjectWritesALibraryAndAHeader) {
  kiln::Model model("tiny_api", 1);
  kiln::Value x = model.input("x", {kiln::kBatch, 8});
  kiln::nn::Linear fc(model, "fc", 8, 4);
  model.output(kiln::relu(fc(x)), "y");
  kiln::AotOptions options;
  options.output = ::testing::TempDir() + "libtiny_api.a";
  options.target = "aarch64-linux-gnu";
  options.cpu = "cortex-a72";
  kiln::AotResult r = kiln::compileToObject(model, options);
  EXPECT_EQ(r.name, "tiny_api");
  EXPECT_EQ(r.triple, "aarch64-unknown-linux-gnu");
  EXPECT_EQ(r.headerPath, ::testing::TempDir() + "libtiny_api.h");
  std::ifstream lib(r.objectPath, std::ios::binary);
  std::string magic(8, '\0');
  lib.read(magic.data(), 8);
  EXPECT_EQ(magic, "!<arch>\n");
  std::ifstream header(r.headerPath);
  std::string text((std::istreambuf_iterator<char>(header)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("int kiln_tiny_api_run(const float *x, int64_t batch, float *y)"),
            std::string::npos);
  std::remove(r.objectPath.c_str());
  std::remove(r.headerPath.c_str());
}

TEST(Aot, CompileToObjectErrorsNameTheProblem) {
  kiln::Model model("bad", 1);
  kiln::Value x = model.input("x", {kiln::kBatch, 4});
  kiln::AotOptions options;
  options.output = ::testing::TempDir() + "bad.o";
  EXPECT_NE(compileError(model, options).find("model 'bad' has no outputs"), std::string::npos);
  model.output(kiln::relu(x), "y");
  options.target = "mips-linux-gnu";
  EXPECT_NE(compileError(model, options).find("unknown target 'mips-linux-gnu' (expected one of: "
                                              "x86_64-linux-gnu, aarch64-linux-gnu)"),
            std::string::npos);
  options.target = "aarch64-linux-gnu";
  options.cpu = "znver4";
  EXPECT_NE(compileError(model, options).find("unknown CPU 'znver4' for target aarch64"),
            std::string::npos);
  options.cpu = "generic";
  options.output.clear();
  EXPECT_NE(compileError(model, options).find("no output file"), std::string::npos);
}
