//===- OpsTest.cpp - Every DSL op, compiled, against the reference --------===//
//
// Each test builds a small model from a lambda (usually several ops of one
// group as several outputs, to keep the number of JIT compilations low),
// compiles it, runs it on seeded random inputs and compares every output with
// tests/e2e/Reference.cpp's plain loops (which share no code with the
// compiler). Sizes are deliberately odd (not multiples of 4, 8 or 64), and
// broadcasting, batch 1 / batch > 1 and the dynamic batch dimension are
// covered. Matmul and linear run with JitOptions::vectorize on and off.
//
// Also: the README example, concurrent run() calls on one CompiledModel, and
// the errors of CompiledModel::run.
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"
#include "tests/e2e/Reference.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using kiln::testing::errorOf;

using kiln::DType;
using kiln::Model;
using kiln::Shape;
using kiln::Tensor;
using kiln::Value;
namespace ref = kiln::ref;

//===----------------------------------------------------------------------===//
// Tolerances (|actual - expected| <= atol + rtol * |expected|). The reference
// computes in double and rounds the result to f32 once.
//===----------------------------------------------------------------------===//

/// Data movement, relu, neg, abs, max/min, amax, argmax: no arithmetic, so
/// the result must be bit-identical.
constexpr double kExactRtol = 0, kExactAtol = 0;
/// add/sub/mul/div (one IEEE-rounded f32 operation each): 1e-6 relative
/// (~8 ulp, room for a reciprocal-multiply) and 1e-7 absolute.
constexpr double kArithRtol = 1e-6, kArithAtol = 1e-7;
/// Transcendental ops (exp, log, sqrt, rsqrt, pow, sigmoid, tanh, gelu, silu,
/// softmax, log_softmax): f32 library/polynomial approximations are good to a
/// few ulp, so 1e-5 relative, plus 1e-6 absolute for results that pass
/// through 0 after cancellation (gelu/silu at large negative x, tanh near 0).
constexpr double kTransRtol = 1e-5, kTransAtol = 1e-6;
/// Sums and means of up to ~60 values in [-1, 1] accumulated in f32: the
/// rounding error grows with the count (~n * 6e-8 * max), so 1e-5 relative
/// plus 1e-5 absolute for sums that cancel to near 0.
constexpr double kReduceRtol = 1e-5, kReduceAtol = 1e-5;
/// Matmul / linear with K up to ~200 and inputs in [-1, 1], accumulated in
/// f32 (in any order, e.g. tiled/vectorized): 1e-4 relative, 1e-5 absolute.
constexpr double kMatmulRtol = 1e-4, kMatmulAtol = 1e-5;

/// One expected output of a model built by runAndCheck.
struct Check {
  std::string label;
  Tensor expected;
  double rtol;
  double atol;
};

using BuildFn = std::function<std::vector<Value>(Model &, const std::vector<Value> &)>;

/// Compares one output: dtype, shape and values (compareTensors), printing
/// compareTensors' message and `label` on failure.
void expectMatches(const std::string &label, const Tensor &actual, const Tensor &expected,
                   double rtol, double atol) {
  SCOPED_TRACE(label);
  ASSERT_TRUE(actual.defined()) << label << ": output is undefined";
  EXPECT_EQ(actual.dtype(), expected.dtype())
      << label << ": got " << actual.typeString() << ", expected " << expected.typeString();
  kiln::Comparison c = kiln::compareTensors(actual, expected, rtol, atol);
  EXPECT_TRUE(c.ok) << label << ": " << c.message;
}

/// True when every element is finite.
bool allFinite(const Tensor &t) {
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(t.at(i)))
      return false;
  return true;
}

/// Builds a model with one input per entry of `declared` (f32), whose outputs
/// are what `build` returns, and compiles it.
kiln::CompiledModel compile(const std::vector<Shape> &declared, const BuildFn &build,
                            const kiln::JitOptions &options = {},
                            std::vector<Value> *outputsOut = nullptr) {
  Model m("ops");
  std::vector<Value> ins;
  for (size_t i = 0; i < declared.size(); ++i)
    ins.push_back(m.input("in" + std::to_string(i), declared[i]));
  std::vector<Value> outs = build(m, ins);
  for (size_t i = 0; i < outs.size(); ++i)
    m.output(outs[i], "out" + std::to_string(i));
  if (outputsOut)
    *outputsOut = outs;
  return kiln::jit(m, options);
}

/// Runs `net` on `inputs` and checks the outputs against `checks`, in order.
void runAndCheck(const kiln::CompiledModel &net, const std::vector<Tensor> &inputs,
                 const std::vector<Check> &checks) {
  std::vector<Tensor> out = net.run(inputs);
  ASSERT_EQ(out.size(), checks.size());
  for (size_t i = 0; i < checks.size(); ++i)
    expectMatches(checks[i].label, out[i], checks[i].expected, checks[i].rtol,
                  checks[i].atol);
}

/// The usual case: a model whose inputs have exactly the shapes of `inputs`.
void runAndCheck(const std::vector<Tensor> &inputs, const BuildFn &build,
                 const std::vector<Check> &checks, const kiln::JitOptions &options = {}) {
  std::vector<Shape> shapes;
  for (const Tensor &t : inputs)
    shapes.push_back(t.shape());
  kiln::CompiledModel net = compile(shapes, build, options);
  runAndCheck(net, inputs, checks);
}

Tensor uniform(Shape shape, float lo, float hi, uint64_t seed) {
  return ref::randomUniform(std::move(shape), lo, hi, seed);
}

Tensor scalarTensor(double v) { return Tensor::full({}, v); }

//===----------------------------------------------------------------------===//
// Elementwise binary ops and broadcasting
//===----------------------------------------------------------------------===//

struct BroadcastCase {
  const char *name;
  Shape a, b;
};

class BinaryOpsTest : public ::testing::TestWithParam<BroadcastCase> {};

TEST_P(BinaryOpsTest, MatchReference) {
  const BroadcastCase &bc = GetParam();
  // a > 0 so that pow has positive bases and b / a is finite; b has both
  // signs (and max/min see both orders).
  Tensor a = uniform(bc.a, 0.5f, 2.0f, 11);
  Tensor b = uniform(bc.b, -2.0f, 2.0f, 12);
  runAndCheck(
      {a, b},
      [](Model &, const std::vector<Value> &in) -> std::vector<Value> {
        Value x = in[0], y = in[1];
        return {kiln::add(x, y),     kiln::sub(x, y),     kiln::mul(x, y),
                kiln::div(y, x),     kiln::maximum(x, y), kiln::minimum(x, y),
                kiln::pow(x, y),     kiln::sub(y, x),     kiln::maximum(y, x),
                kiln::div(x, kiln::abs(y) + 0.5)};
      },
      {{"add", ref::add(a, b), kArithRtol, kArithAtol},
       {"sub", ref::sub(a, b), kArithRtol, kArithAtol},
       {"mul", ref::mul(a, b), kArithRtol, kArithAtol},
       {"div", ref::div(b, a), kArithRtol, kArithAtol},
       {"maximum", ref::maximum(a, b), kExactRtol, kExactAtol},
       {"minimum", ref::minimum(a, b), kExactRtol, kExactAtol},
       {"pow", ref::pow(a, b), kTransRtol, kTransAtol},
       {"sub (swapped)", ref::sub(b, a), kArithRtol, kArithAtol},
       {"maximum (swapped)", ref::maximum(b, a), kExactRtol, kExactAtol},
       // Two roundings (|b| + 0.5, then the division): 2e-6 relative.
       {"div by |b|+0.5", ref::div(a, ref::add(ref::abs(b), scalarTensor(0.5))), 2e-6,
        kArithAtol}});
}

INSTANTIATE_TEST_SUITE_P(
    Broadcasting, BinaryOpsTest,
    ::testing::Values(BroadcastCase{"same_7x13", {7, 13}, {7, 13}},
                      BroadcastCase{"scalar_rhs", {3, 5}, {}},
                      BroadcastCase{"scalar_lhs", {}, {3, 5}},
                      BroadcastCase{"row", {5, 7}, {7}},
                      BroadcastCase{"column", {5, 7}, {5, 1}},
                      BroadcastCase{"row_times_column", {1, 9}, {6, 1}},
                      BroadcastCase{"rank_mismatch_3d_vs_2d", {2, 1, 5}, {3, 1}},
                      BroadcastCase{"rank_mismatch_4d_vs_1d", {2, 3, 1, 5}, {5}},
                      BroadcastCase{"batch1_3d", {1, 4, 3}, {1, 4, 3}}),
    [](const ::testing::TestParamInfo<BroadcastCase> &info) {
      return std::string(info.param.name);
    });

TEST(OpsTest, OperatorsWithValuesAndScalars) {
  Tensor a = uniform({3, 7}, 0.5f, 2.0f, 21); // nonzero divisor
  Tensor b = uniform({3, 7}, -3.0f, 3.0f, 22);
  Tensor s = scalarTensor(2.5), t = scalarTensor(0.3);
  runAndCheck(
      {a, b},
      [](Model &, const std::vector<Value> &in) -> std::vector<Value> {
        Value x = in[0], y = in[1];
        return {x + y,   x - y,   x * y,   y / x,   x + 2.5, x - 2.5, y * 2.5,
                y / 2.5, 2.5 + x, 2.5 - x, 2.5 * y, 2.5 / x, -y,      kiln::neg(y),
                y * 0.3, 0.3 - y};
      },
      {{"x + y", ref::add(a, b), kArithRtol, kArithAtol},
       {"x - y", ref::sub(a, b), kArithRtol, kArithAtol},
       {"x * y", ref::mul(a, b), kArithRtol, kArithAtol},
       {"y / x", ref::div(b, a), kArithRtol, kArithAtol},
       {"x + 2.5", ref::add(a, s), kArithRtol, kArithAtol},
       {"x - 2.5", ref::sub(a, s), kArithRtol, kArithAtol},
       {"y * 2.5", ref::mul(b, s), kArithRtol, kArithAtol},
       {"y / 2.5", ref::div(b, s), kArithRtol, kArithAtol},
       {"2.5 + x", ref::add(s, a), kArithRtol, kArithAtol},
       {"2.5 - x", ref::sub(s, a), kArithRtol, kArithAtol},
       {"2.5 * y", ref::mul(s, b), kArithRtol, kArithAtol},
       {"2.5 / x", ref::div(s, a), kArithRtol, kArithAtol},
       {"-y", ref::neg(b), kExactRtol, kExactAtol},
       {"neg(y)", ref::neg(b), kExactRtol, kExactAtol},
       {"y * 0.3", ref::mul(b, t), kArithRtol, kArithAtol},
       {"0.3 - y", ref::sub(t, b), kArithRtol, kArithAtol}});
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops and activations
//===----------------------------------------------------------------------===//

TEST(OpsTest, UnaryOpsAndActivations) {
  Tensor pos = uniform({5, 11}, 0.01f, 9.0f, 31); // log, sqrt, rsqrt
  Tensor x = uniform({5, 11}, -6.0f, 6.0f, 32);   // everything else
  runAndCheck(
      {pos, x},
      [](Model &, const std::vector<Value> &in) -> std::vector<Value> {
        Value p = in[0], v = in[1];
        return {kiln::abs(v),        kiln::exp(v),          kiln::log(p),
                kiln::sqrt(p),       kiln::rsqrt(p),        kiln::relu(v),
                kiln::leakyRelu(v),  kiln::leakyRelu(v, 0.2), kiln::sigmoid(v),
                kiln::tanh(v),       kiln::gelu(v),         kiln::gelu(v, "tanh"),
                kiln::silu(v),       kiln::neg(v)};
      },
      {{"abs", ref::abs(x), kExactRtol, kExactAtol},
       {"exp", ref::exp(x), kTransRtol, kTransAtol},
       {"log", ref::log(pos), kTransRtol, kTransAtol},
       {"sqrt", ref::sqrt(pos), kTransRtol, kTransAtol},
       {"rsqrt", ref::rsqrt(pos), kTransRtol, kTransAtol},
       {"relu", ref::relu(x), kExactRtol, kExactAtol},
       // One multiply for negative inputs.
       {"leakyRelu(0.01)", ref::leakyRelu(x, 0.01), kArithRtol, kArithAtol},
       {"leakyRelu(0.2)", ref::leakyRelu(x, 0.2), kArithRtol, kArithAtol},
       {"sigmoid", ref::sigmoid(x), kTransRtol, kTransAtol},
       {"tanh", ref::tanh(x), kTransRtol, kTransAtol},
       {"gelu(none)", ref::gelu(x, false), kTransRtol, kTransAtol},
       {"gelu(tanh)", ref::gelu(x, true), kTransRtol, kTransAtol},
       {"silu", ref::silu(x), kTransRtol, kTransAtol},
       {"neg", ref::neg(x), kExactRtol, kExactAtol}});
}

TEST(OpsTest, UnaryOpsNearZeroAndOnAThreeDTensor) {
  // Small magnitudes, where tanh/gelu/silu/sigmoid approximations are most
  // often wrong, on a rank-3 tensor of odd sizes, batch 1. Results are
  // O(1e-2..1), so the absolute floor drops to 1e-8: only the 1e-5 relative
  // bound applies in practice.
  Tensor x = uniform({1, 3, 17}, -0.05f, 0.05f, 33);
  runAndCheck(
      {x},
      [](Model &, const std::vector<Value> &in) -> std::vector<Value> {
        Value v = in[0];
        return {kiln::tanh(v), kiln::gelu(v), kiln::gelu(v, "tanh"), kiln::silu(v),
                kiln::sigmoid(v), kiln::exp(v), kiln::leakyRelu(v, 0.5)};
      },
      {{"tanh", ref::tanh(x), kTransRtol, 1e-8},
       {"gelu(none)", ref::gelu(x, false), kTransRtol, 1e-8},
       {"gelu(tanh)", ref::gelu(x, true), kTransRtol, 1e-8},
       {"silu", ref::silu(x), kTransRtol, 1e-8},
       {"sigmoid", ref::sigmoid(x), kTransRtol, 1e-8},
       {"exp", ref::exp(x), kTransRtol, 1e-8},
       {"leakyRelu(0.5)", ref::leakyRelu(x, 0.5), kArithRtol, 0}});
}

//===----------------------------------------------------------------------===//
// softmax / log_softmax
//===----------------------------------------------------------------------===//

TEST(OpsTest, SoftmaxAndLogSoftmaxEveryAxis) {
  Tensor x = uniform({4, 5, 6}, -3.0f, 3.0f, 41);
  std::vector<int64_t> axes = {0, 1, 2, -1, -2, -3};
  std::vector<Check> checks;
  for (int64_t a : axes)
    checks.push_back({"softmax axis " + std::to_string(a), ref::softmax(x, a), kTransRtol,
                      kTransAtol});
  for (int64_t a : axes)
    checks.push_back({"logSoftmax axis " + std::to_string(a), ref::logSoftmax(x, a),
                      kTransRtol, kTransAtol});
  checks.push_back({"softmax default axis", ref::softmax(x, -1), kTransRtol, kTransAtol});
  checks.push_back(
      {"logSoftmax default axis", ref::logSoftmax(x, -1), kTransRtol, kTransAtol});
  runAndCheck(
      {x},
      [&](Model &, const std::vector<Value> &in) {
        std::vector<Value> outs;
        for (int64_t a : axes)
          outs.push_back(kiln::softmax(in[0], a));
        for (int64_t a : axes)
          outs.push_back(kiln::logSoftmax(in[0], a));
        outs.push_back(kiln::softmax(in[0]));
        outs.push_back(kiln::logSoftmax(in[0]));
        return outs;
      },
      checks);
}

TEST(OpsTest, SoftmaxIsNumericallyStableForLargeInputs) {
  // exp(80..100) overflows f32 (max ~ 3.4e38 = e^88.7) and exp(-100..-80)
  // underflows to (almost) 0: without subtracting the maximum the result is
  // inf/NaN. A 1-row and a 3-row case, reduced along both axes.
  Tensor big = uniform({3, 7}, 80.0f, 100.0f, 42);
  Tensor small = uniform({1, 9}, -100.0f, -80.0f, 43);
  kiln::CompiledModel net = compile(
      {big.shape(), small.shape()}, [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{kiln::softmax(in[0], -1), kiln::logSoftmax(in[0], -1),
                                  kiln::softmax(in[0], 0),  kiln::logSoftmax(in[0], 0),
                                  kiln::softmax(in[1], 1),  kiln::logSoftmax(in[1], 1)};
      });
  std::vector<Tensor> out = net.run({big, small});
  ASSERT_EQ(out.size(), 6u);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_TRUE(allFinite(out[i])) << "output " << i << " has inf/NaN";
  // log_softmax of inputs ~100: x - max is exact, so the absolute error is
  // that of log(sum(exp)), ~1e-7; the values themselves are O(1..20).
  expectMatches("softmax big -1", out[0], ref::softmax(big, -1), kTransRtol, kTransAtol);
  expectMatches("logSoftmax big -1", out[1], ref::logSoftmax(big, -1), kTransRtol, 1e-5);
  expectMatches("softmax big 0", out[2], ref::softmax(big, 0), kTransRtol, kTransAtol);
  expectMatches("logSoftmax big 0", out[3], ref::logSoftmax(big, 0), kTransRtol, 1e-5);
  expectMatches("softmax small 1", out[4], ref::softmax(small, 1), kTransRtol, kTransAtol);
  expectMatches("logSoftmax small 1", out[5], ref::logSoftmax(small, 1), kTransRtol, 1e-5);
}

//===----------------------------------------------------------------------===//
// matmul / linear (vectorize on and off)
//===----------------------------------------------------------------------===//

class ContractionTest : public ::testing::TestWithParam<bool> {
protected:
  kiln::JitOptions options() const {
    kiln::JitOptions o;
    o.vectorize = GetParam();
    return o;
  }
};

struct MatmulCase {
  Shape a, b;
};

void checkMatmuls(const std::vector<MatmulCase> &cases, const kiln::JitOptions &options,
                  uint64_t seed) {
  std::vector<Tensor> inputs;
  std::vector<Check> checks;
  for (size_t i = 0; i < cases.size(); ++i) {
    Tensor a = uniform(cases[i].a, -1.0f, 1.0f, seed + 2 * i);
    Tensor b = uniform(cases[i].b, -1.0f, 1.0f, seed + 2 * i + 1);
    inputs.push_back(a);
    inputs.push_back(b);
    checks.push_back({"matmul " + kiln::shapeToString(cases[i].a) + " x " +
                          kiln::shapeToString(cases[i].b),
                      ref::matmul(a, b), kMatmulRtol, kMatmulAtol});
  }
  runAndCheck(
      inputs,
      [](Model &, const std::vector<Value> &in) {
        std::vector<Value> outs;
        for (size_t i = 0; i + 1 < in.size(); i += 2)
          outs.push_back(kiln::matmul(in[i], in[i + 1]));
        return outs;
      },
      checks, options);
}

TEST_P(ContractionTest, Matmul2D) {
  checkMatmuls({{{7, 13}, {13, 5}},
                {{1, 37}, {37, 9}},    // a single row (batch 1)
                {{1, 1}, {1, 1}},
                {{13, 1}, {1, 7}},     // K = 1 (outer product)
                {{4, 9}, {9, 1}},      // N = 1
                {{64, 64}, {64, 64}},  // exact tiles
                {{5, 200}, {200, 3}},  // long K
                {{67, 131}, {131, 70}}}, // no multiple of 4 or 64 anywhere
               options(), 100);
}

TEST_P(ContractionTest, MatmulBatchedAndBroadcast) {
  checkMatmuls({{{3, 7, 13}, {3, 13, 5}},          // batched 3-D
                {{2, 3, 5, 6}, {2, 3, 6, 4}},      // 4-D
                {{2, 1, 5, 7}, {3, 7, 6}},         // [2,1,M,K] x [3,K,N] -> [2,3,M,N]
                {{4, 5, 9}, {9, 3}},               // [B,M,K] x [K,N]
                {{5, 9}, {4, 9, 3}},               // [M,K] x [B,K,N]
                {{1, 6, 11}, {3, 11, 2}},          // batch 1 broadcast against 3
                {{3, 1, 17}, {3, 17, 19}}},        // M = 1 per batch
               options(), 200);
}

TEST_P(ContractionTest, MatmulDynamicBatch) {
  // [B,K] x const [K,N], [B,M,K] x const [K,N] and [B,M,K] x [B,K,N], all from
  // one compiled model run at batch 1 and batch 3.
  Tensor w1 = uniform({13, 5}, -1.0f, 1.0f, 301);
  Tensor w2 = uniform({7, 6}, -1.0f, 1.0f, 302);
  kiln::CompiledModel net = compile(
      {{kiln::kBatch, 13}, {kiln::kBatch, 3, 7}, {kiln::kBatch, 7, 5}},
      [&](Model &m, const std::vector<Value> &in) {
        return std::vector<Value>{kiln::matmul(in[0], m.constant(w1)),
                                  kiln::matmul(in[1], m.constant(w2)),
                                  kiln::matmul(in[1], in[2])};
      },
      options());
  for (int64_t batch : {int64_t(1), int64_t(3)}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    Tensor x = uniform({batch, 13}, -1.0f, 1.0f, 310 + batch);
    Tensor y = uniform({batch, 3, 7}, -1.0f, 1.0f, 320 + batch);
    Tensor z = uniform({batch, 7, 5}, -1.0f, 1.0f, 330 + batch);
    runAndCheck(net, {x, y, z},
                {{"[B,13] x [13,5]", ref::matmul(x, w1), kMatmulRtol, kMatmulAtol},
                 {"[B,3,7] x [7,6]", ref::matmul(y, w2), kMatmulRtol, kMatmulAtol},
                 {"[B,3,7] x [B,7,5]", ref::matmul(y, z), kMatmulRtol, kMatmulAtol}});
  }
}

TEST_P(ContractionTest, Linear) {
  Tensor x2 = uniform({5, 13}, -1.0f, 1.0f, 401);
  Tensor x3 = uniform({2, 4, 13}, -1.0f, 1.0f, 402);
  Tensor x1 = uniform({13}, -1.0f, 1.0f, 403);
  Tensor w = uniform({7, 13}, -1.0f, 1.0f, 404);
  Tensor b = uniform({7}, -1.0f, 1.0f, 405);
  Tensor xl = uniform({3, 131}, -1.0f, 1.0f, 406);
  Tensor wl = uniform({70, 131}, -1.0f, 1.0f, 407);
  Tensor bl = uniform({70}, -1.0f, 1.0f, 408);
  Tensor xb1 = uniform({1, 13}, -1.0f, 1.0f, 409);
  runAndCheck(
      {x2, x3, x1, w, b, xl, wl, bl, xb1},
      [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{
            kiln::linear(in[0], in[3], in[4]), kiln::linear(in[0], in[3]),
            kiln::linear(in[1], in[3], in[4]), kiln::linear(in[1], in[3]),
            kiln::linear(in[2], in[3], in[4]), kiln::linear(in[5], in[6], in[7]),
            kiln::linear(in[8], in[3], in[4])};
      },
      {{"linear 2-D with bias", ref::linear(x2, w, b), kMatmulRtol, kMatmulAtol},
       {"linear 2-D no bias", ref::linear(x2, w), kMatmulRtol, kMatmulAtol},
       {"linear 3-D with bias", ref::linear(x3, w, b), kMatmulRtol, kMatmulAtol},
       {"linear 3-D no bias", ref::linear(x3, w), kMatmulRtol, kMatmulAtol},
       {"linear 1-D with bias", ref::linear(x1, w, b), kMatmulRtol, kMatmulAtol},
       {"linear 3x131 -> 70", ref::linear(xl, wl, bl), kMatmulRtol, kMatmulAtol},
       {"linear batch 1", ref::linear(xb1, w, b), kMatmulRtol, kMatmulAtol}},
      options());
}

TEST_P(ContractionTest, LinearLayersDynamicBatch) {
  // nn::Linear parameters (baked in as constants) on a dynamic batch, 2-D and
  // 3-D inputs, one with and one without bias.
  Model m("linear_dyn", /*seed=*/5);
  kiln::nn::Linear fc(m, "fc", 19, 9);
  kiln::nn::Linear nb(m, "nb", 19, 6, /*bias=*/false);
  Value x = m.input("x", {kiln::kBatch, 19});
  Value y = m.input("y", {kiln::kBatch, 3, 19});
  m.output(fc(x), "fc_x");
  m.output(nb(y), "nb_y");
  m.output(fc(y), "fc_y");
  kiln::CompiledModel net = kiln::jit(m, options());
  const auto &p = m.parameters();
  ASSERT_EQ(p.count("nb.bias"), 0u);
  for (int64_t batch : {int64_t(1), int64_t(3)}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    Tensor xv = uniform({batch, 19}, -1.0f, 1.0f, 500 + batch);
    Tensor yv = uniform({batch, 3, 19}, -1.0f, 1.0f, 510 + batch);
    runAndCheck(net, {xv, yv},
                {{"fc(x)", ref::linear(xv, p.at("fc.weight"), p.at("fc.bias")), kMatmulRtol,
                  kMatmulAtol},
                 {"nb(y)", ref::linear(yv, p.at("nb.weight")), kMatmulRtol, kMatmulAtol},
                 {"fc(y)", ref::linear(yv, p.at("fc.weight"), p.at("fc.bias")), kMatmulRtol,
                  kMatmulAtol}});
  }
}

TEST_P(ContractionTest, PackedBPanels) {
  // B read from packed [N/64][K][64] panels: runtime B when M >= 256
  // (N a multiple of 64 or not, K past one cache tile), constant B of any M
  // including a dynamic batch, both with packing on and off.
  Tensor w = uniform({131, 70}, -1.0f, 1.0f, 601);
  Tensor w2 = uniform({300, 129}, -1.0f, 1.0f, 602);
  for (bool pack : {true, false}) {
    SCOPED_TRACE(pack ? "packed" : "not packed");
    kiln::JitOptions o = options();
    o.packB = pack;
    checkMatmuls({{{256, 300}, {300, 100}},   // N = 64 + 36: a padded panel
                  {{300, 70}, {70, 128}},     // whole panels, partial M tiles
                  {{257, 513}, {513, 65}}},   // K over two cache tiles
                 o, 610);
    kiln::CompiledModel net = compile(
        {{kiln::kBatch, 131}, {kiln::kBatch, 300}},
        [&](Model &m, const std::vector<Value> &in) {
          return std::vector<Value>{kiln::matmul(in[0], m.constant(w)),
                                    kiln::matmul(in[1], m.constant(w2))};
        },
        o);
    for (int64_t batch : {int64_t(1), int64_t(5), int64_t(70)}) {
      SCOPED_TRACE("batch " + std::to_string(batch));
      Tensor x = uniform({batch, 131}, -1.0f, 1.0f, 620 + batch);
      Tensor y = uniform({batch, 300}, -1.0f, 1.0f, 630 + batch);
      runAndCheck(net, {x, y},
                  {{"[B,131] x const [131,70]", ref::matmul(x, w), kMatmulRtol, kMatmulAtol},
                   {"[B,300] x const [300,129]", ref::matmul(y, w2), kMatmulRtol,
                    kMatmulAtol}});
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Vectorize, ContractionTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return std::string(info.param ? "vectorized" : "loops");
                         });

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

TEST(OpsTest, ReshapePermuteTransposeFlatten) {
  Tensor x = uniform({2, 3, 4}, -1.0f, 1.0f, 601);
  Tensor y = uniform({2, 3, 4, 5}, -1.0f, 1.0f, 602);
  runAndCheck(
      {x, y},
      [](Model &, const std::vector<Value> &in) {
        Value a = in[0], b = in[1];
        return std::vector<Value>{
            kiln::reshape(a, {4, 6}),          kiln::reshape(a, {-1, 4}),
            kiln::reshape(a, {3, -1, 2}),      kiln::reshape(a, {24}),
            kiln::reshape(a, {1, 2, 1, 12}),   kiln::permute(a, {2, 0, 1}),
            kiln::permute(a, {-1, 0, -2}),     kiln::permute(b, {3, 1, 0, 2}),
            kiln::transpose(a, 0, 2),          kiln::transpose(a, -1, -2),
            kiln::transpose(b, 1, 3),          kiln::flatten(b),
            kiln::flatten(b, 0),               kiln::flatten(b, 2),
            kiln::flatten(b, -1),              kiln::permute(a, {0, 1, 2})};
      },
      {{"reshape {4,6}", ref::reshape(x, {4, 6}), kExactRtol, kExactAtol},
       {"reshape {-1,4}", ref::reshape(x, {-1, 4}), kExactRtol, kExactAtol},
       {"reshape {3,-1,2}", ref::reshape(x, {3, -1, 2}), kExactRtol, kExactAtol},
       {"reshape {24}", ref::reshape(x, {24}), kExactRtol, kExactAtol},
       {"reshape {1,2,1,12}", ref::reshape(x, {1, 2, 1, 12}), kExactRtol, kExactAtol},
       {"permute {2,0,1}", ref::permute(x, {2, 0, 1}), kExactRtol, kExactAtol},
       {"permute {-1,0,-2}", ref::permute(x, {2, 0, 1}), kExactRtol, kExactAtol},
       {"permute 4-D {3,1,0,2}", ref::permute(y, {3, 1, 0, 2}), kExactRtol, kExactAtol},
       {"transpose 0,2", ref::transpose(x, 0, 2), kExactRtol, kExactAtol},
       {"transpose -1,-2", ref::transpose(x, 2, 1), kExactRtol, kExactAtol},
       {"transpose 4-D 1,3", ref::transpose(y, 1, 3), kExactRtol, kExactAtol},
       {"flatten", ref::reshape(y, {2, 60}), kExactRtol, kExactAtol},
       {"flatten 0", ref::reshape(y, {120}), kExactRtol, kExactAtol},
       {"flatten 2", ref::reshape(y, {2, 3, 20}), kExactRtol, kExactAtol},
       {"flatten -1", ref::reshape(y, {2, 3, 4, 5}), kExactRtol, kExactAtol},
       {"identity permute", x, kExactRtol, kExactAtol}});
}

TEST(OpsTest, ConcatLeadingAxis) {
  Tensor a = uniform({2, 3, 4}, -1.0f, 1.0f, 701);
  Tensor b0 = uniform({3, 3, 4}, -1.0f, 1.0f, 702), c0 = uniform({1, 3, 4}, -1.0f, 1.0f, 703);
  runAndCheck(
      {a, b0, c0},
      [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{kiln::concat({in[0], in[1]}, 0),
                                  kiln::concat({in[0], in[1], in[2]}, 0),
                                  kiln::concat({in[0], in[0]}, -3), kiln::concat({in[0]}, 1)};
      },
      {{"axis 0, 2 inputs", ref::concat({a, b0}, 0), kExactRtol, kExactAtol},
       {"axis 0, 3 inputs", ref::concat({a, b0, c0}, 0), kExactRtol, kExactAtol},
       {"axis -3, same input twice", ref::concat({a, a}, 0), kExactRtol, kExactAtol},
       {"one input", a, kExactRtol, kExactAtol}});
}

// A concat along an inner axis that is a model output lowers to a strided
// memref.copy. This once became a call to the runtime function `memrefCopy`,
// which the JIT does not provide ("JIT session error: Symbols not found:
// [ memrefCopy ]", then "kiln::jit: compiled code has no entry point").
TEST(OpsTest, ConcatInnerAxes) {
  Tensor a = uniform({2, 3, 4}, -1.0f, 1.0f, 701);
  Tensor b1 = uniform({2, 5, 4}, -1.0f, 1.0f, 704), c1 = uniform({2, 1, 4}, -1.0f, 1.0f, 705);
  Tensor b2 = uniform({2, 3, 7}, -1.0f, 1.0f, 706), c2 = uniform({2, 3, 1}, -1.0f, 1.0f, 707);
  runAndCheck(
      {a, b1, c1, b2, c2},
      [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{
            kiln::concat({in[0], in[1]}, 1),        kiln::concat({in[0], in[1], in[2]}, 1),
            kiln::concat({in[0], in[3]}, 2),        kiln::concat({in[0], in[3], in[4]}, 2),
            kiln::concat({in[0], in[3], in[4]}, -1), kiln::concat({in[0], in[1]}, 1) * 2.0};
      },
      {{"axis 1, 2 inputs", ref::concat({a, b1}, 1), kExactRtol, kExactAtol},
       {"axis 1, 3 inputs", ref::concat({a, b1, c1}, 1), kExactRtol, kExactAtol},
       {"axis 2, 2 inputs", ref::concat({a, b2}, 2), kExactRtol, kExactAtol},
       {"axis 2, 3 inputs", ref::concat({a, b2, c2}, 2), kExactRtol, kExactAtol},
       {"axis -1, 3 inputs", ref::concat({a, b2, c2}, 2), kExactRtol, kExactAtol},
       {"axis 1, then * 2", ref::mul(ref::concat({a, b1}, 1), scalarTensor(2.0)), kExactRtol,
        kExactAtol}});
}

struct SliceSpec {
  int64_t axis, start, end, step;
  std::string label() const {
    return "slice axis " + std::to_string(axis) + " " + std::to_string(start) + ":" +
           std::to_string(end) + ":" + std::to_string(step);
  }
};

/// Slices `x` by each of `slices` (each output then multiplied by `scale`
/// when it is not 1, to put an op between the slice and the output).
void checkSlices(const Tensor &x, const std::vector<SliceSpec> &slices, double scale = 1) {
  std::vector<Check> checks;
  for (const SliceSpec &s : slices) {
    Tensor expected = ref::slice(x, s.axis, s.start, s.end, s.step);
    if (scale != 1)
      expected = ref::mul(expected, scalarTensor(scale));
    checks.push_back({s.label(), expected, kExactRtol, kExactAtol});
  }
  runAndCheck(
      {x},
      [&](Model &, const std::vector<Value> &in) {
        std::vector<Value> outs;
        for (const SliceSpec &s : slices) {
          Value v = kiln::slice(in[0], s.axis, s.start, s.end, s.step);
          outs.push_back(scale != 1 ? v * scale : v);
        }
        return outs;
      },
      checks);
}

/// Slices whose result is one contiguous block of the input.
const std::vector<SliceSpec> kContiguousSlices = {
    {0, -1, 5, 1}, {0, 0, 1, 1}, {0, -3, 100, 1}, {-3, 1, -1, 1}, {1, -100, 100, 1},
    {2, 0, 3, 1}};
/// Strided slices and slices of inner axes (not one contiguous block).
const std::vector<SliceSpec> kStridedSlices = {
    {0, 1, 5, 2},  {0, -100, 4, 3}, {1, 2, 9, 1},      {1, -4, 11, 1},   {1, -4, -1, 1},
    {1, 0, 11, 2}, {1, 1, 11, 3},   {2, 0, 3, 2},      {1, 3, 1000, 3},  {-1, 1, 3, 1},
    {-2, -7, 8, 2}, {1, 10, 11, 1}};

TEST(OpsTest, SliceContiguous) {
  checkSlices(uniform({5, 11, 3}, -1.0f, 1.0f, 801), kContiguousSlices);
}

// Like ConcatInnerAxes: a strided slice, or a slice of an inner axis, that is
// directly a model output lowers to a strided memref.copy (once the missing
// `memrefCopy`).
TEST(OpsTest, SliceStridedOrInnerAxes) {
  checkSlices(uniform({5, 11, 3}, -1.0f, 1.0f, 801), kStridedSlices);
}

TEST(OpsTest, SliceFeedingAnOp) {
  // Every slice followed by an exact op (* 2), so the slice is fused into a
  // consumer instead of copied into an output: negative starts, steps 2 and
  // 3, clamped ends.
  std::vector<SliceSpec> all = kContiguousSlices;
  all.insert(all.end(), kStridedSlices.begin(), kStridedSlices.end());
  checkSlices(uniform({5, 11, 3}, -1.0f, 1.0f, 801), all, 2.0);
}

// Python allows empty slices (x[:, 5:] of a 3-wide axis, x[2:1]); the result
// has a zero-sized dimension. (Once a lowering error: tensor.extract_slice
// rejects an offset equal to the dimension size.)
TEST(OpsTest, SliceEmptyResult) {
  Tensor x = uniform({4, 3}, -1.0f, 1.0f, 802);
  kiln::CompiledModel net = compile({x.shape()}, [](Model &, const std::vector<Value> &in) {
    return std::vector<Value>{kiln::slice(in[0], 1, 5, 9) * 1.0,
                              kiln::slice(in[0], 0, 2, 1) * 1.0,
                              kiln::slice(in[0], 0, 4, 4) * 1.0};
  });
  std::vector<Tensor> out = net.run({x});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].shape(), (Shape{4, 0}));
  EXPECT_EQ(out[1].shape(), (Shape{0, 3}));
  EXPECT_EQ(out[2].shape(), (Shape{0, 3}));
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST(OpsTest, SumMeanAmax) {
  Tensor x = uniform({3, 4, 5}, -1.0f, 1.0f, 901);
  std::vector<std::vector<int64_t>> axesList = {{1}, {-1}, {0}, {0, 2}, {2, -3}, {0, 1, 2}, {}};
  std::vector<Check> checks;
  for (const auto &axes : axesList) {
    for (bool keep : {false, true}) {
      std::string suffix = " axes {";
      for (int64_t a : axes)
        suffix += std::to_string(a) + ",";
      suffix += keep ? "} keepdim" : "}";
      checks.push_back({"sum" + suffix, ref::reduceSum(x, axes, keep), kReduceRtol, kReduceAtol});
      checks.push_back(
          {"mean" + suffix, ref::reduceMean(x, axes, keep), kReduceRtol, 1e-6});
      checks.push_back({"amax" + suffix, ref::reduceMax(x, axes, keep), kExactRtol, kExactAtol});
    }
  }
  runAndCheck(
      {x},
      [&](Model &, const std::vector<Value> &in) {
        std::vector<Value> outs;
        for (const auto &axes : axesList)
          for (bool keep : {false, true}) {
            outs.push_back(kiln::sum(in[0], axes, keep));
            outs.push_back(kiln::mean(in[0], axes, keep));
            outs.push_back(kiln::amax(in[0], axes, keep));
          }
        return outs;
      },
      checks);
}

TEST(OpsTest, ReductionDefaultsReduceEverything) {
  Tensor x = uniform({7, 3}, -1.0f, 1.0f, 902);
  runAndCheck(
      {x},
      [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{kiln::sum(in[0]), kiln::mean(in[0]), kiln::amax(in[0])};
      },
      {{"sum()", ref::reduceSum(x, {}, false), kReduceRtol, kReduceAtol},
       {"mean()", ref::reduceMean(x, {}, false), kReduceRtol, 1e-6},
       {"amax()", ref::reduceMax(x, {}, false), kExactRtol, kExactAtol}});
}

TEST(OpsTest, ArgmaxWithTies) {
  // Values from {-2, ..., 2}: every lane has ties, and the first maximum
  // must win (torch.argmax). Compared exactly as i64 tensors.
  Tensor r = uniform({4, 6, 5}, -2.0f, 3.0f, 1001);
  Tensor x(r.shape());
  for (int64_t i = 0; i < r.numel(); ++i)
    x.data<float>()[i] = std::floor(r.data<float>()[i]);
  // A lane that is constant (all ties) and one whose max is the last element.
  for (int64_t k = 0; k < 6; ++k)
    x.data<float>()[k * 5] = 1.0f; // [0, k, 0]
  Tensor y = Tensor::fromVector({2, 4}, {3, 3, 3, 3, -1, 0, 1, 7});
  std::vector<Check> checks;
  std::vector<std::pair<int64_t, bool>> params = {{0, false}, {1, false}, {2, false},
                                                  {-1, false}, {1, true}, {-3, true}};
  for (auto [axis, keep] : params)
    checks.push_back({"argmax axis " + std::to_string(axis) + (keep ? " keepdim" : ""),
                      ref::argmax(x, axis, keep), 0, 0});
  checks.push_back({"argmax constant row / last", ref::argmax(y, 1, false), 0, 0});
  runAndCheck(
      {x, y},
      [&](Model &, const std::vector<Value> &in) {
        std::vector<Value> outs;
        for (auto [axis, keep] : params)
          outs.push_back(kiln::argmax(in[0], axis, keep));
        outs.push_back(kiln::argmax(in[1], 1));
        return outs;
      },
      checks);
  // The reference itself: first of the ties.
  Tensor expectedY = Tensor::fromValues<int64_t>({2}, {0, 3});
  EXPECT_TRUE(kiln::compareTensors(ref::argmax(y, 1, false), expectedY, 0, 0).ok);
}

//===----------------------------------------------------------------------===//
// The dynamic batch dimension across op kinds
//===----------------------------------------------------------------------===//

TEST(OpsTest, DynamicBatchAcrossOps) {
  // One CompiledModel, run at batch 1 and batch 3 (and 5): elementwise with
  // broadcasting against static and dynamic shapes, activations, softmax,
  // reductions over and across the batch, argmax, shape ops and a scalar.
  Tensor row = uniform({6}, -1.0f, 1.0f, 1101);
  kiln::CompiledModel net = compile(
      {{kiln::kBatch, 6}, {6}, {kiln::kBatch, 1}, {kiln::kBatch, 2}},
      [](Model &, const std::vector<Value> &in) {
        Value x = in[0], r = in[1], c = in[2], z = in[3];
        return std::vector<Value>{
            x + r,                         c * r,
            x - c,                         kiln::gelu(x),
            kiln::softmax(x, -1),          kiln::logSoftmax(x, 0),
            kiln::sum(x, {1}),             kiln::sum(x, {0}),
            kiln::mean(x),                 kiln::amax(x, {1}, true),
            kiln::argmax(x, 1),            kiln::reshape(x, {-1, 2, 3}),
            kiln::transpose(x, 0, 1),      kiln::slice(x, 1, 1, 6, 2) * 1.0,
            x * 2.5,
            kiln::flatten(kiln::reshape(x, {-1, 3, 2})), kiln::mean(x, {0}, true)};
      });
  for (int64_t batch : {int64_t(1), int64_t(3), int64_t(5)}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    Tensor x = uniform({batch, 6}, -2.0f, 2.0f, 1110 + batch);
    Tensor c = uniform({batch, 1}, -2.0f, 2.0f, 1120 + batch);
    Tensor z = uniform({batch, 2}, -2.0f, 2.0f, 1130 + batch);
    runAndCheck(
        net, {x, row, c, z},
        {{"x + row", ref::add(x, row), kArithRtol, kArithAtol},
         {"col * row", ref::mul(c, row), kArithRtol, kArithAtol},
         {"x - col", ref::sub(x, c), kArithRtol, kArithAtol},
         {"gelu", ref::gelu(x), kTransRtol, kTransAtol},
         {"softmax -1", ref::softmax(x, -1), kTransRtol, kTransAtol},
         {"logSoftmax over the batch", ref::logSoftmax(x, 0), kTransRtol, kTransAtol},
         {"sum {1}", ref::reduceSum(x, {1}, false), kReduceRtol, kReduceAtol},
         {"sum over the batch", ref::reduceSum(x, {0}, false), kReduceRtol, kReduceAtol},
         {"mean of all", ref::reduceMean(x, {}, false), kReduceRtol, 1e-6},
         {"amax {1} keepdim", ref::reduceMax(x, {1}, true), kExactRtol, kExactAtol},
         {"argmax 1", ref::argmax(x, 1, false), 0, 0},
         {"reshape {-1,2,3}", ref::reshape(x, {batch, 2, 3}), kExactRtol, kExactAtol},
         {"transpose", ref::transpose(x, 0, 1), kExactRtol, kExactAtol},
         {"slice 1:6:2 (* 1)", ref::slice(x, 1, 1, 6, 2), kExactRtol, kExactAtol},
         {"x * 2.5", ref::mul(x, scalarTensor(2.5)), kArithRtol, kArithAtol},
         {"flatten(reshape)", x, kExactRtol, kExactAtol},
         {"mean over the batch keepdim", ref::reduceMean(x, {0}, true), kReduceRtol, 1e-6}});
  }
}

// Concat/slice along an inner axis as outputs with a dynamic batch (see
// ConcatInnerAxes).
TEST(OpsTest, DynamicBatchConcatAndSlice) {
  kiln::CompiledModel net = compile(
      {{kiln::kBatch, 6}, {kiln::kBatch, 1}, {kiln::kBatch, 2}},
      [](Model &, const std::vector<Value> &in) {
        return std::vector<Value>{kiln::concat({in[0], in[2], in[1]}, 1),
                                  kiln::slice(in[0], 1, 1, 6, 2)};
      });
  for (int64_t batch : {int64_t(1), int64_t(3)}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    Tensor x = uniform({batch, 6}, -2.0f, 2.0f, 1140 + batch);
    Tensor c = uniform({batch, 1}, -2.0f, 2.0f, 1150 + batch);
    Tensor z = uniform({batch, 2}, -2.0f, 2.0f, 1160 + batch);
    runAndCheck(net, {x, c, z},
                {{"concat 3 inputs axis 1", ref::concat({x, z, c}, 1), kExactRtol, kExactAtol},
                 {"slice 1:6:2", ref::slice(x, 1, 1, 6, 2), kExactRtol, kExactAtol}});
  }
}

//===----------------------------------------------------------------------===//
// The README example
//===----------------------------------------------------------------------===//

TEST(OpsTest, ReadmeExample) {
  kiln::Model m("mlp");
  auto x = m.input("x", {kiln::kBatch, 784});
  kiln::nn::Linear fc1(m, "fc1", 784, 256), fc2(m, "fc2", 256, 10);
  m.output(kiln::softmax(fc2(kiln::relu(fc1(x)))), "probs");
  kiln::CompiledModel net = kiln::jit(m);
  auto probs = net.run({kiln::Tensor::zeros({1, 784})})[0];

  const auto &p = m.parameters();
  auto reference = [&](const Tensor &in) {
    Tensor h = ref::relu(ref::linear(in, p.at("fc1.weight"), p.at("fc1.bias")));
    return ref::softmax(ref::linear(h, p.at("fc2.weight"), p.at("fc2.bias")), -1);
  };
  ASSERT_EQ(probs.shape(), (Shape{1, 10}));
  double total = 0;
  for (int64_t i = 0; i < probs.numel(); ++i)
    total += probs.at(i);
  EXPECT_NEAR(total, 1.0, 1e-5);
  // Probabilities: 1e-5 relative as in MlpTest, tiny absolute floor.
  expectMatches("probs (zeros)", probs, reference(Tensor::zeros({1, 784})), 1e-5, 1e-7);
  // The same compiled model on a random batch of 3.
  Tensor in = uniform({3, 784}, -1.0f, 1.0f, 1201);
  expectMatches("probs (random batch 3)", net.run({in})[0], reference(in), 1e-5, 1e-7);
  ASSERT_EQ(net.inputs().size(), 1u);
  EXPECT_EQ(net.inputs()[0].toString(), "x: tensor<?x784xf32>");
  ASSERT_EQ(net.outputs().size(), 1u);
  EXPECT_EQ(net.outputs()[0].name, "probs");
}

//===----------------------------------------------------------------------===//
// Thread safety of CompiledModel::run
//===----------------------------------------------------------------------===//

TEST(OpsTest, RunFromFourThreadsAtOnce) {
  Model m("threads", /*seed=*/9);
  kiln::nn::Linear fc1(m, "fc1", 33, 17), fc2(m, "fc2", 17, 6);
  Value x = m.input("x", {kiln::kBatch, 33});
  Value logits = fc2(kiln::tanh(fc1(x)));
  m.output(kiln::softmax(logits), "probs");
  m.output(kiln::sum(logits, {1}), "total");
  kiln::CompiledModel net = kiln::jit(m);
  const auto &p = m.parameters();

  constexpr int kThreads = 4, kIterations = 25;
  // Inputs and expected outputs computed up front (different per thread and
  // iteration, with different batch sizes so the buffers differ in size).
  struct Job {
    Tensor input, probs, total;
  };
  std::vector<std::vector<Job>> jobs(kThreads);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kIterations; ++i) {
      int64_t batch = 1 + (t + i) % 5;
      Tensor in = uniform({batch, 33}, -1.0f, 1.0f, 10000 + 100 * t + i);
      Tensor h = ref::tanh(ref::linear(in, p.at("fc1.weight"), p.at("fc1.bias")));
      Tensor l = ref::linear(h, p.at("fc2.weight"), p.at("fc2.bias"));
      jobs[t].push_back({in, ref::softmax(l, -1), ref::reduceSum(l, {1}, false)});
    }

  std::vector<std::vector<std::string>> failures(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      } // start together
      for (int i = 0; i < kIterations; ++i) {
        try {
          std::vector<Tensor> out = net.run({jobs[t][i].input});
          kiln::Comparison c1 = kiln::compareTensors(out.at(0), jobs[t][i].probs, 1e-5, 1e-6);
          kiln::Comparison c2 = kiln::compareTensors(out.at(1), jobs[t][i].total,
                                                     kMatmulRtol, kMatmulAtol);
          if (!c1.ok || !c2.ok)
            failures[t].push_back("thread " + std::to_string(t) + " iteration " +
                                  std::to_string(i) + ": " + c1.message + " / " + c2.message);
        } catch (const std::exception &e) {
          failures[t].push_back("thread " + std::to_string(t) + " threw: " + e.what());
        }
      }
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < kThreads; ++t)
    for (const std::string &f : failures[t])
      ADD_FAILURE() << f;
}

//===----------------------------------------------------------------------===//
// CompiledModel::run errors
//===----------------------------------------------------------------------===//

TEST(OpsTest, RunRejectsBadInputs) {
  Model m("checked");
  Value x = m.input("x", {kiln::kBatch, 4});
  Value y = m.input("y", {kiln::kBatch, 3});
  m.output(kiln::sum(x, {1}, true) + y, "xy");
  kiln::CompiledModel net = kiln::jit(m);

  Tensor good_x = uniform({2, 4}, -1.0f, 1.0f, 1301);
  Tensor good_y = uniform({2, 3}, -1.0f, 1.0f, 1302);
  // The happy path first, so the errors below are about the inputs only.
  Tensor expected = ref::add(ref::reduceSum(good_x, {1}, true), good_y);
  expectMatches("sum + y", net.run({good_x, good_y})[0], expected, kReduceRtol, kReduceAtol);

  // Wrong input count.
  std::string e = errorOf([&] { net.run({good_x}); });
  EXPECT_CONTAINS(e, "got 1 inputs, expected 2");
  EXPECT_CONTAINS(e, "@checked");
  e = errorOf([&] { net.run({good_x, good_y, good_y}); });
  EXPECT_CONTAINS(e, "got 3 inputs, expected 2");

  // Wrong dtype.
  e = errorOf([&] { net.run({good_x.to(DType::F64), good_y}); });
  EXPECT_CONTAINS(e, "'x'");
  EXPECT_CONTAINS(e, "tensor<2x4xf64>");
  EXPECT_CONTAINS(e, "x: tensor<?x4xf32>");
  EXPECT_CONTAINS(e, "element type");

  // Wrong static dimension.
  e = errorOf([&] { net.run({good_x, uniform({2, 5}, 0.f, 1.f, 1)}); });
  EXPECT_CONTAINS(e, "'y'");
  EXPECT_CONTAINS(e, "tensor<2x5xf32>");
  EXPECT_CONTAINS(e, "y: tensor<?x3xf32>");
  EXPECT_CONTAINS(e, "dimension 1");

  // Wrong rank.
  e = errorOf([&] { net.run({uniform({2, 4, 1}, 0.f, 1.f, 2), good_y}); });
  EXPECT_CONTAINS(e, "'x'");
  EXPECT_CONTAINS(e, "tensor<2x4x1xf32>");
  EXPECT_CONTAINS(e, "rank");

  // Inconsistent dynamic batch across the two inputs.
  e = errorOf([&] { net.run({good_x, uniform({3, 3}, 0.f, 1.f, 3)}); });
  EXPECT_CONTAINS(e, "'y'");
  EXPECT_CONTAINS(e, "tensor<3x3xf32>");
  EXPECT_CONTAINS(e, "'x'");
  EXPECT_CONTAINS(e, "2");

  // An undefined tensor.
  e = errorOf([&] { net.run({Tensor(), good_y}); });
  EXPECT_CONTAINS(e, "'x'");
  EXPECT_CONTAINS(e, "undefined");

  // A default-constructed CompiledModel.
  e = errorOf([&] { kiln::CompiledModel().run({good_x, good_y}); });
  EXPECT_FALSE(e.empty());

  // Still works after all the errors.
  expectMatches("after errors", net.run({good_x, good_y})[0], expected, kReduceRtol,
                kReduceAtol);
}

} // namespace
