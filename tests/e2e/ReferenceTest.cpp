//===- ReferenceTest.cpp - Checks of the reference ops --------------------===//
//
// The end-to-end tests trust kiln::ref to say what a model should compute,
// so the reference itself is checked here against small values worked out by
// hand (the working is in the comments). Nothing here compares the reference
// with itself.
//
//===----------------------------------------------------------------------===//
#include "tests/e2e/Reference.h"
#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

using kiln::Error;
using kiln::Shape;
using kiln::Tensor;
namespace ref = kiln::ref;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor T(Shape shape, std::vector<float> values) {
  return Tensor::fromVector(std::move(shape), values);
}

/// Expects `t` to be f32 with `shape` and `values` (within `tol`; NaN only
/// matches NaN).
void expectTensor(const Tensor &t, const Shape &shape,
                  const std::vector<double> &values, double tol = 1e-6) {
  ASSERT_EQ(t.dtype(), kiln::DType::F32);
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i]))
      EXPECT_TRUE(std::isnan(t.at(i))) << "element " << i;
    else
      EXPECT_NEAR(t.at(i), values[i], tol) << "element " << i;
  }
}

void expectI64(const Tensor &t, const Shape &shape,
               const std::vector<int64_t> &values) {
  ASSERT_EQ(t.dtype(), kiln::DType::I64);
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(t.data<int64_t>()[i], values[i]) << "element " << i;
}

/// Expects `f` to throw a kiln::Error whose message contains `needle`.
template <typename F> void expectError(F f, const std::string &needle) {
  try {
    f();
    ADD_FAILURE() << "expected kiln::Error containing '" << needle << "'";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << e.what();
  }
}

} // namespace

TEST(ReferenceTest, BroadcastShapes) {
  EXPECT_EQ(ref::broadcastShapes({3, 1}, {1, 4}), (Shape{3, 4}));
  EXPECT_EQ(ref::broadcastShapes({2, 3}, {3}), (Shape{2, 3}));
  EXPECT_EQ(ref::broadcastShapes({}, {2}), (Shape{2}));
  EXPECT_EQ(ref::broadcastShapes({5, 1, 4}, {3, 1}), (Shape{5, 3, 4}));
  EXPECT_EQ(ref::broadcastShapes({0, 1}, {1, 4}), (Shape{0, 4}));
  expectError([] { ref::broadcastShapes({2, 3}, {4}); }, "2x3");
}

TEST(ReferenceTest, AddBroadcasts3x1With1x4) {
  // [[1],[2],[3]] + [[10,20,30,40]]: row i is (i+1) + each column value.
  Tensor out = ref::add(T({3, 1}, {1, 2, 3}), T({1, 4}, {10, 20, 30, 40}));
  expectTensor(out, {3, 4}, {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43});
}

TEST(ReferenceTest, BinaryOps) {
  Tensor a = T({2, 2}, {1, -2, 3, 8});
  Tensor two = T({}, {2});
  // Scalar rhs broadcasts to every element.
  expectTensor(ref::sub(a, two), {2, 2}, {-1, -4, 1, 6});
  expectTensor(ref::mul(a, two), {2, 2}, {2, -4, 6, 16});
  expectTensor(ref::div(a, two), {2, 2}, {0.5, -1, 1.5, 4});
  // Row vector [0, 5] broadcasts over rows: max/min per column.
  Tensor row = T({2}, {0, 5});
  expectTensor(ref::maximum(a, row), {2, 2}, {1, 5, 3, 8});
  expectTensor(ref::minimum(a, row), {2, 2}, {0, -2, 0, 5});
  // pow: 1^2=1, (-2)^2=4, 3^2=9, 8^2=64; 4^0.5=2, 8^(1/3)=2.
  expectTensor(ref::pow(a, two), {2, 2}, {1, 4, 9, 64});
  expectTensor(ref::pow(T({2}, {4, 8}), T({2}, {0.5f, 1.0f / 3})), {2}, {2, 2},
               1e-6);
  // x/0 follows IEEE.
  Tensor q = ref::div(T({2}, {1, -1}), T({}, {0}));
  EXPECT_EQ(q.at(0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(q.at(1), -std::numeric_limits<double>::infinity());
  // NaN propagates through maximum/minimum (torch semantics).
  expectTensor(ref::maximum(T({2}, {kNaN, 1}), T({2}, {0, kNaN})), {2},
               {NAN, NAN});
  expectTensor(ref::minimum(T({2}, {kNaN, 1}), T({2}, {0, 2})), {2}, {NAN, 1});
  expectError(
      [] {
        ref::add(T({2, 3}, {1, 2, 3, 4, 5, 6}), T({2}, {1, 2}));
      },
      "add");
  expectError([] { ref::add(Tensor(), T({1}, {1})); }, "undefined");
  expectError(
      [] {
        ref::mul(Tensor::zeros({2}, kiln::DType::I32), T({2}, {1, 2}));
      },
      "f32");
}

TEST(ReferenceTest, UnaryOps) {
  Tensor x = T({3}, {-1, 0, 2});
  expectTensor(ref::neg(x), {3}, {1, 0, -2});
  expectTensor(ref::abs(x), {3}, {1, 0, 2});
  expectTensor(ref::relu(x), {3}, {0, 0, 2});
  // alpha=0.1: -1 -> -0.1, 0 -> 0, 2 -> 2.
  expectTensor(ref::leakyRelu(x, 0.1), {3}, {-0.1, 0, 2});
  expectTensor(ref::relu(T({1}, {kNaN})), {1}, {NAN});
  // exp(0)=1, exp(1)=e; log(1)=0, log(e)=1.
  expectTensor(ref::exp(T({2}, {0, 1})), {2}, {1, 2.718281828}, 1e-6);
  expectTensor(ref::log(T({2}, {1, 2.718281828f})), {2}, {0, 1}, 1e-6);
  // sqrt(4)=2, sqrt(0.25)=0.5; rsqrt is the reciprocal: 0.5, 2.
  expectTensor(ref::sqrt(T({2}, {4, 0.25f})), {2}, {2, 0.5});
  expectTensor(ref::rsqrt(T({2}, {4, 0.25f})), {2}, {0.5, 2});
  // With x = ln 3: e^-x = 1/3, sigmoid = 1/(1+1/3) = 0.75,
  // silu = ln3 * 0.75 = 1.0986123 * 0.75 = 0.8239592.
  // With x = ln 2: tanh = (2 - 1/2) / (2 + 1/2) = 0.6.
  const float ln3 = 1.0986122887f, ln2 = 0.6931471806f;
  expectTensor(ref::sigmoid(T({2}, {0, ln3})), {2}, {0.5, 0.75});
  expectTensor(ref::silu(T({2}, {0, ln3})), {2}, {0, 0.8239592});
  expectTensor(ref::tanh(T({2}, {0, ln2})), {2}, {0, 0.6});
  // Extreme inputs saturate instead of overflowing to NaN.
  expectTensor(ref::sigmoid(T({2}, {-1000, 1000})), {2}, {0, 1});
}

TEST(ReferenceTest, Gelu) {
  // erf form: erf(1/sqrt2) = 0.6826895 (the 1-sigma mass), so
  // gelu(1) = 0.5 * 1.6826895 = 0.8413447 and
  // gelu(-1) = -0.5 * (1 - 0.6826895) = -0.1586553.
  expectTensor(ref::gelu(T({3}, {0, 1, -1})), {3}, {0, 0.8413447, -0.1586553});
  // tanh form at 1: sqrt(2/pi) = 0.7978846, times (1 + 0.044715) gives
  // 0.8335620; tanh(0.8335620) = 0.6823840, so 0.5 * 1.6823840 = 0.8411920.
  expectTensor(ref::gelu(T({2}, {0, 1}), /*tanhApprox=*/true), {2},
               {0, 0.8411920});
}

TEST(ReferenceTest, Softmax2x3) {
  // Row 0 is [0, ln2, ln3]: exps 1, 2, 3 sum to 6 -> [1/6, 1/3, 1/2].
  // Row 1 is [1000, 1000, 1000]: exp would overflow without subtracting the
  // max; the answer is 1/3 each.
  Tensor x = T({2, 3}, {0, 0.6931471806f, 1.0986122887f, 1000, 1000, 1000});
  const double sixth = 1.0 / 6, third = 1.0 / 3;
  expectTensor(ref::softmax(x, 1), {2, 3},
               {sixth, third, 0.5, third, third, third});
  expectTensor(ref::softmax(x, -1), {2, 3},
               {sixth, third, 0.5, third, third, third});
  // log(1/6) = -1.7917595, log(1/3) = -1.0986123, log(1/2) = -0.6931472.
  expectTensor(
      ref::logSoftmax(x, -1), {2, 3},
      {-1.7917595, -1.0986123, -0.6931472, -1.0986123, -1.0986123, -1.0986123});
  // Along axis 0 (columns): [1, 3] -> e^1, e^3 normalized: 1/(1+e^2) =
  // 0.1192029 and e^2/(1+e^2) = 0.8807971; every column here is equal.
  Tensor y = T({2, 3}, {1, 1, 1, 3, 3, 3});
  expectTensor(
      ref::softmax(y, -2), {2, 3},
      {0.1192029, 0.1192029, 0.1192029, 0.8807971, 0.8807971, 0.8807971});
  expectError([&] { ref::softmax(x, 2); }, "softmax");
}

TEST(ReferenceTest, MatmulBatched2x2) {
  // Batch 0: [[1,2],[3,4]] x [[5,6],[7,8]]
  //   = [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]] = [[19,22],[43,50]].
  // Batch 1: [[0,1],[1,0]] swaps the rows of b: [[7,8],[5,6]].
  // b is [2,2] and broadcasts over the batch.
  Tensor a = T({2, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0});
  Tensor b = T({2, 2}, {5, 6, 7, 8});
  expectTensor(ref::matmul(a, b), {2, 2, 2}, {19, 22, 43, 50, 7, 8, 5, 6});
}

TEST(ReferenceTest, MatmulBatchDimsBroadcast) {
  // a: [2,1,1,2] rows [1,1] and [2,2]; b: [3,2,1] columns [1,0], [0,1],
  // [1,1]. out[i][j] = a_i . b_j: a0 -> 1, 1, 2; a1 -> 2, 2, 4.
  Tensor a = T({2, 1, 1, 2}, {1, 1, 2, 2});
  Tensor b = T({3, 2, 1}, {1, 0, 0, 1, 1, 1});
  expectTensor(ref::matmul(a, b), {2, 3, 1, 1}, {1, 1, 2, 2, 2, 4});
  expectError(
      [] {
        ref::matmul(T({2, 3}, {0, 0, 0, 0, 0, 0}), T({2, 2}, {0, 0, 0, 0}));
      },
      "2x3");
  expectError([] { ref::matmul(T({2}, {0, 0}), T({2, 1}, {0, 0})); }, "rank");
}

TEST(ReferenceTest, MatmulMnistSizeIsFast) {
  // ones[64,784] x ones[784,256]: every entry is a sum of 784 ones.
  auto start = std::chrono::steady_clock::now();
  Tensor out =
      ref::matmul(Tensor::full({64, 784}, 1.0), Tensor::full({784, 256}, 1.0));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_EQ(out.shape(), (Shape{64, 256}));
  EXPECT_EQ(out.at(0), 784);
  EXPECT_EQ(out.at(64 * 256 - 1), 784);
  EXPECT_LT(seconds, 1.0);
}

TEST(ReferenceTest, Linear) {
  // x = [[1,2,3],[4,5,6]], W = [[1,0,-1],[0.5,0.5,0.5]], b = [10, 20].
  // x W^T: row 0 -> 1-3 = -2, 0.5+1+1.5 = 3; row 1 -> 4-6 = -2,
  // 2+2.5+3 = 7.5. Adding b: [8, 23], [8, 27.5].
  Tensor x = T({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = T({2, 3}, {1, 0, -1, 0.5, 0.5, 0.5});
  Tensor b = T({2}, {10, 20});
  expectTensor(ref::linear(x, w, b), {2, 2}, {8, 23, 8, 27.5});
  expectTensor(ref::linear(x, w), {2, 2}, {-2, 3, -2, 7.5});
  // Leading dims are kept: [2,1,3] -> [2,1,2].
  expectTensor(ref::linear(x.reshaped({2, 1, 3}), w, b), {2, 1, 2},
               {8, 23, 8, 27.5});
  expectError([&] { ref::linear(x, T({2, 2}, {0, 0, 0, 0})); }, "linear");
  expectError([&] { ref::linear(x, w, T({3}, {0, 0, 0})); }, "bias");
}

TEST(ReferenceTest, ReshapePermuteTranspose) {
  Tensor x = T({2, 3}, {0, 1, 2, 3, 4, 5});
  // Reshape keeps row-major order; -1 is inferred as 6/3 = 2.
  expectTensor(ref::reshape(x, {3, -1}), {3, 2}, {0, 1, 2, 3, 4, 5});
  expectTensor(ref::reshape(x, {-1}), {6}, {0, 1, 2, 3, 4, 5});
  expectError([&] { ref::reshape(x, {-1, -1}); }, "-1");
  expectError([&] { ref::reshape(x, {4, 2}); }, "2x3");
  // Transpose of [[0,1,2],[3,4,5]] is [[0,3],[1,4],[2,5]].
  expectTensor(ref::permute(x, {1, 0}), {3, 2}, {0, 3, 1, 4, 2, 5});
  expectTensor(ref::transpose(x, 0, -1), {3, 2}, {0, 3, 1, 4, 2, 5});
  // y[i][j][k] = 12i + 4j + k for shape [2,3,4]; permute {2,0,1} gives
  // z[k][i][j] = y[i][j][k], shape [4,2,3]. z[1][0][2] = 4*2+1 = 9,
  // z[3][1][0] = 12+3 = 15; flat index of [k][i][j] is 6k + 3i + j.
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i)
    v[i] = float(i);
  Tensor z = ref::permute(T({2, 3, 4}, v), {2, 0, 1});
  ASSERT_EQ(z.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(z.at(6 * 1 + 0 + 2), 9);
  EXPECT_EQ(z.at(6 * 3 + 3 + 0), 15);
  EXPECT_EQ(z.at(0), 0);
  EXPECT_EQ(z.at(23), 23); // z[3][1][2] = y[1][2][3] = 12+8+3
  expectError([&] { ref::permute(x, {0, 0}); }, "permutation");
  expectError([&] { ref::permute(x, {0}); }, "permutation");
}

TEST(ReferenceTest, Concat) {
  // [[1],[2]] ++ [[3,4],[5,6]] along axis 1 = [[1,3,4],[2,5,6]].
  Tensor a = T({2, 1}, {1, 2}), b = T({2, 2}, {3, 4, 5, 6});
  expectTensor(ref::concat({a, b}, 1), {2, 3}, {1, 3, 4, 2, 5, 6});
  expectTensor(ref::concat({a, b}, -1), {2, 3}, {1, 3, 4, 2, 5, 6});
  // Along axis 0 the blocks are simply stacked.
  expectTensor(ref::concat({b, b}, 0), {4, 2}, {3, 4, 5, 6, 3, 4, 5, 6});
  expectError([&] { ref::concat({a, b}, 0); }, "concat");
  expectError([] { ref::concat({}, 0); }, "concat");
}

TEST(ReferenceTest, Slice) {
  Tensor x = T({10}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  // start -7 -> 10-7 = 3; 3, 5, 7, 9 (end 10, step 2).
  expectTensor(ref::slice(x, 0, -7, 10, 2), {4}, {3, 5, 7, 9});
  // Out-of-range bounds clamp to [0, 10]: 0, 3, 6, 9.
  expectTensor(ref::slice(x, 0, -100, 100, 3), {4}, {0, 3, 6, 9});
  // end -1 -> 9: elements 7, 8.
  expectTensor(ref::slice(x, -1, 7, -1), {2}, {7, 8});
  // start >= end is empty.
  expectTensor(ref::slice(x, 0, 5, 2), {0}, {});
  // 2-D, axis 1: columns 1 and 3 of [[0..4],[5..9]].
  Tensor m = x.reshaped({2, 5});
  expectTensor(ref::slice(m, 1, 1, 5, 2), {2, 2}, {1, 3, 6, 8});
  expectError([&] { ref::slice(x, 0, 0, 5, 0); }, "step");
  expectError([&] { ref::slice(x, 1, 0, 5); }, "axis");
}

TEST(ReferenceTest, Reductions) {
  Tensor x = T({2, 3}, {1, 2, 3, 4, 5, 6});
  // Column sums 1+4, 2+5, 3+6; row sums 6, 15; total 21, mean 21/6 = 3.5.
  expectTensor(ref::reduceSum(x, {0}, false), {3}, {5, 7, 9});
  expectTensor(ref::reduceSum(x, {-1}, true), {2, 1}, {6, 15});
  expectTensor(ref::reduceSum(x, {}, false), {}, {21});
  expectTensor(ref::reduceSum(x, {}, true), {1, 1}, {21});
  expectTensor(ref::reduceMean(x, {}, false), {}, {3.5});
  expectTensor(ref::reduceMean(x, {1}, false), {2}, {2, 5});
  expectTensor(ref::reduceMax(x, {1}, false), {2}, {3, 6});
  expectTensor(ref::reduceMax(x, {0, 1}, true), {1, 1}, {6});
  // [2,3,2] holding 0..11, reduce axes {0,2}: for middle index j the
  // elements are 2j, 2j+1, 6+2j, 7+2j, summing to 8j + 14: 14, 22, 30.
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i)
    v[i] = float(i);
  expectTensor(ref::reduceSum(T({2, 3, 2}, v), {0, -1}, false), {3},
               {14, 22, 30});
  expectTensor(ref::reduceSum(T({2, 3, 2}, v), {2, 0}, true), {1, 3, 1},
               {14, 22, 30});
  expectTensor(ref::reduceMax(T({3}, {1, kNaN, 2}), {0}, false), {}, {NAN});
  expectError([&] { ref::reduceSum(x, {1, -1}, false); }, "more than once");
  expectError([&] { ref::reduceMax(x, {2}, false); }, "2x3");
}

TEST(ReferenceTest, ArgmaxTies) {
  // Rows [1,3,3] and [2,2,1]: the max 3 appears at 1 and 2 -> first is 1;
  // the max 2 at 0 and 1 -> 0.
  Tensor x = T({2, 3}, {1, 3, 3, 2, 2, 1});
  expectI64(ref::argmax(x, 1, false), {2}, {1, 0});
  expectI64(ref::argmax(x, -1, true), {2, 1}, {1, 0});
  // Columns: (1,2) -> 1, (3,2) -> 0, (3,1) -> 0.
  expectI64(ref::argmax(x, 0, false), {3}, {1, 0, 0});
  // All equal -> 0; NaN counts as the max (first NaN wins).
  expectI64(ref::argmax(T({3}, {5, 5, 5}), 0, false), {}, {0});
  expectI64(ref::argmax(T({4}, {1, kNaN, 9, kNaN}), 0, false), {}, {1});
  expectError([] { ref::argmax(Tensor::zeros({2, 0}), 1, false); }, "empty");
}

TEST(ReferenceTest, RandomUniform) {
  // splitmix64 with state 0 first outputs 0xe220a8397b1dcdaf (the published
  // test vector); its top 24 bits are 0xe220a8 = 14819496, and
  // 14819496 / 2^24 = 0.88331079...
  Tensor first = ref::randomUniform({1}, 0, 1, 0);
  EXPECT_NEAR(first.at(0), 14819496.0 / 16777216.0, 1e-7);
  // lo + (hi - lo) * u maps the same draw into [-2, 2).
  EXPECT_NEAR(ref::randomUniform({1}, -2, 2, 0).at(0),
              -2 + 4 * (14819496.0 / 16777216.0), 1e-6);

  Tensor a = ref::randomUniform({100, 100}, -1, 1, 42);
  Tensor b = ref::randomUniform({100, 100}, -1, 1, 42);
  Tensor c = ref::randomUniform({100, 100}, -1, 1, 43);
  double sum = 0;
  int64_t same = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    EXPECT_GE(a.at(i), -1);
    EXPECT_LT(a.at(i), 1);
    EXPECT_EQ(a.at(i), b.at(i));
    same += a.at(i) == c.at(i);
    sum += a.at(i);
  }
  EXPECT_LT(same, 10);
  // Mean of U(-1,1) is 0 with std 1/sqrt(3)/100 = 0.0058 over 1e4 draws.
  EXPECT_NEAR(sum / a.numel(), 0.0, 0.03);
  expectError([] { ref::randomUniform({2}, 1, 0, 0); }, "randomUniform");
}
