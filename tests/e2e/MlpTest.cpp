//===- MlpTest.cpp - The 784-256-128-10 MLP against the reference ---------===//
//
// The foundation's end-to-end check: an MLP built with the DSL, compiled by
// the JIT, compared with tests/e2e/Reference.cpp's plain loops at batch 1 and
// 64 (and the dynamic batch), to 1e-5 relative error.
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"
#include "tests/e2e/Reference.h"

#include <gtest/gtest.h>

namespace {

struct Mlp {
  kiln::Model model{"mlp", /*seed=*/42};
  kiln::nn::Linear fc1{model, "fc1", 784, 256};
  kiln::nn::Linear fc2{model, "fc2", 256, 128};
  kiln::nn::Linear fc3{model, "fc3", 128, 10};
  explicit Mlp(int64_t batch) {
    kiln::Value x = model.input("x", {batch, 784});
    kiln::Value h = kiln::relu(fc1(x));
    h = kiln::relu(fc2(h));
    model.output(kiln::softmax(fc3(h), -1), "probs");
  }
  kiln::Tensor reference(const kiln::Tensor &x) const {
    const auto &p = model.parameters();
    using namespace kiln::ref;
    kiln::Tensor h = relu(linear(x, p.at("fc1.weight"), p.at("fc1.bias")));
    h = relu(linear(h, p.at("fc2.weight"), p.at("fc2.bias")));
    return softmax(linear(h, p.at("fc3.weight"), p.at("fc3.bias")), -1);
  }
};

void expectClose(const kiln::Tensor &actual, const kiln::Tensor &expected,
                 double rtol, double atol) {
  kiln::Comparison c = kiln::compareTensors(actual, expected, rtol, atol);
  EXPECT_TRUE(c.ok) << c.message;
}

class MlpTest : public ::testing::TestWithParam<std::tuple<int64_t, bool>> {};

TEST_P(MlpTest, MatchesReference) {
  auto [batch, vectorize] = GetParam();
  Mlp mlp(batch);
  kiln::JitOptions options;
  options.vectorize = vectorize;
  kiln::CompiledModel net = kiln::jit(mlp.model, options);
  for (int64_t n : {int64_t(1), int64_t(64), int64_t(5)}) {
    if (batch != kiln::kBatch && n != batch)
      continue;
    SCOPED_TRACE("batch " + std::to_string(n));
    kiln::Tensor x = kiln::ref::randomUniform({n, 784}, -1.f, 1.f, 7 + n);
    std::vector<kiln::Tensor> out = net.run({x});
    ASSERT_EQ(out.size(), 1u);
    // Softmax outputs are in (0, 1]; 1e-5 relative plus a tiny absolute
    // floor for probabilities that underflow towards 0.
    expectClose(out[0], mlp.reference(x), 1e-5, 1e-7);
  }
}

INSTANTIATE_TEST_SUITE_P(Batches, MlpTest,
                         ::testing::Combine(::testing::Values(int64_t(1), int64_t(64),
                                                              kiln::kBatch),
                                            ::testing::Bool()));

} // namespace
