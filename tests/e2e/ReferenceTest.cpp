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
#include "tests/e2e/GoldenCases.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
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

//===----------------------------------------------------------------------===//
// Convolution, pooling, upsampling and normalization references
//===----------------------------------------------------------------------===//

namespace {

/// 0, 1, ..., n-1 (or `start`, `start`+1, ...) as floats.
std::vector<float> iota(int64_t n, float start = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[i] = start + float(i);
  return v;
}

/// Sum of a[i] * b[i] in double (both f32, equal sizes).
double dot(const Tensor &a, const Tensor &b) {
  EXPECT_EQ(a.shape(), b.shape());
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    s += a.at(i) * b.at(i);
  return s;
}

/// Expects a and b (same shape) to agree elementwise within `tol`.
void expectClose(const Tensor &a, const Tensor &b, double tol) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i)
    EXPECT_NEAR(a.at(i), b.at(i), tol) << "element " << i;
}

} // namespace

TEST(ReferenceConvTest, Conv2dSmallByHand) {
  // x = [[1,2,3],[4,5,6],[7,8,9]]; w = [[1,0],[0,1]] adds each pixel to its
  // lower-right neighbour: 1+5, 2+6, 4+8, 5+9.
  Tensor x = T({1, 1, 3, 3}, iota(9, 1));
  Tensor diag = T({1, 1, 2, 2}, {1, 0, 0, 1});
  expectTensor(ref::conv2d(x, diag), {1, 1, 2, 2}, {6, 8, 12, 14});
  expectTensor(ref::conv2d(x, diag, T({1}, {10})), {1, 1, 2, 2},
               {16, 18, 22, 24});
  // A 3x3 box of ones with padding 1 sums each 3x3 neighbourhood (zeros
  // outside): corner 1+2+4+5 = 12, top edge 1+..+6 = 21, centre 45, ...
  Tensor box = Tensor::full({1, 1, 3, 3}, 1.0);
  expectTensor(ref::conv2d(x, box, Tensor(), 1, 1), {1, 1, 3, 3},
               {12, 21, 16, 27, 45, 33, 24, 39, 28});
  // Stride 2: OH = floor((3 + 2 - 2 - 1) / 2) + 1 = 2, the four corners.
  expectTensor(ref::conv2d(x, box, Tensor(), 2, 1), {1, 1, 2, 2},
               {12, 16, 24, 28});
  // Stride (1, 2): rows 0..2, columns 0 and 2.
  expectTensor(ref::conv2d(x, box, Tensor(), {1, 2}, 1), {1, 1, 3, 2},
               {12, 16, 27, 33, 24, 28});
  // A 2x2 kernel with dilation 2 touches the four corners: 1+3+7+9.
  expectTensor(ref::conv2d(x, Tensor::full({1, 1, 2, 2}, 1.0), Tensor(), 1, 0,
                           2),
               {1, 1, 1, 1}, {20});
  // Dilation (2, 1) with a 2x1 kernel of [1, -1]: x[h] - x[h+2] = -6.
  expectTensor(ref::conv2d(x, T({1, 1, 2, 1}, {1, -1}), Tensor(), 1, 0, {2, 1}),
               {1, 1, 1, 3}, {-6, -6, -6});
}

TEST(ReferenceConvTest, Conv2dAsymmetricPadding) {
  // Identity 1x1 kernel, padding top 1, left 0, bottom 0, right 2:
  // OH = 2 + 1 + 0 = 3, OW = 2 + 0 + 2 = 4; the input lands at rows 1-2,
  // columns 0-1.
  Tensor x = T({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor one = T({1, 1, 1, 1}, {1});
  expectTensor(ref::conv2d(x, one, Tensor(), 1, {1, 0, 0, 2}), {1, 1, 3, 4},
               {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  // A 2x2 box with padding (0, 1, 1, 0): windows start one column left of
  // the input. Row 0: [0+1+0+3, 1+2+3+4] = [4, 10]; row 1 (bottom pad):
  // [0+3, 3+4] = [3, 7].
  expectTensor(ref::conv2d(x, Tensor::full({1, 1, 2, 2}, 1.0), Tensor(), 1,
                           {0, 1, 1, 0}),
               {1, 1, 2, 2}, {4, 10, 3, 7});
}

TEST(ReferenceConvTest, Conv2dGroups) {
  // Two channels [2, 3] (1x1 spatial).
  Tensor x = T({1, 2, 1, 1}, {2, 3});
  // groups 1: out0 = 2 + 3, out1 = 2 - 3.
  expectTensor(ref::conv2d(x, T({2, 2, 1, 1}, {1, 1, 1, -1})), {1, 2, 1, 1},
               {5, -1});
  // groups 2 (depthwise): each channel scaled by its own weight.
  expectTensor(ref::conv2d(x, T({2, 1, 1, 1}, {10, 100}), Tensor(), 1, 0, 1, 2),
               {1, 2, 1, 1}, {20, 300});
  // Depthwise with multiplier 2 (F = 4): outputs 0,1 read channel 0,
  // outputs 2,3 read channel 1: [2*1, 2*2, 3*3, 3*4].
  expectTensor(ref::conv2d(x, T({4, 1, 1, 1}, {1, 2, 3, 4}), Tensor(), 1, 0, 1,
                           2),
               {1, 4, 1, 1}, {2, 4, 9, 12});
  // 4 channels, 2 groups, weight [2, 2, 1, 1] of ones: out0 = c0 + c1,
  // out1 = c2 + c3; batch 2 keeps samples apart.
  Tensor x4 = T({2, 4, 1, 1}, {1, 2, 3, 4, 10, 20, 30, 40});
  expectTensor(ref::conv2d(x4, Tensor::full({2, 2, 1, 1}, 1.0), Tensor(), 1, 0,
                           1, 2),
               {2, 2, 1, 1}, {3, 7, 30, 70});
}

TEST(ReferenceConvTest, Conv2d1x1IsAMatmulOverChannels) {
  // A 1x1 convolution is x^T W^T per pixel: permute x to [N, H, W, C],
  // matmul with W^T [C, F], permute back. A different formula, on random
  // data.
  Tensor x = ref::randomUniform({2, 5, 3, 7}, -1, 1, 1);
  Tensor w = ref::randomUniform({6, 5, 1, 1}, -1, 1, 2);
  Tensor b = ref::randomUniform({6}, -1, 1, 3);
  Tensor viaMatmul = ref::permute(
      ref::linear(ref::permute(x, {0, 2, 3, 1}), w.reshaped({6, 5}), b),
      {0, 3, 1, 2});
  expectClose(ref::conv2d(x, w, b), viaMatmul, 1e-5);
}

TEST(ReferenceConvTest, Conv2dErrors) {
  Tensor x = Tensor::zeros({1, 4, 5, 5});
  expectError([&] { ref::conv2d(x, Tensor::zeros({2, 3, 3, 3})); }, "4x5x5");
  expectError(
      [&] { ref::conv2d(x, Tensor::zeros({2, 2, 3, 3}), Tensor(), 1, 0, 1, 3); },
      "groups");
  expectError([&] { ref::conv2d(x, Tensor::zeros({2, 4, 7, 7})); }, "larger");
  expectError([&] { ref::conv2d(x, Tensor::zeros({2, 4, 3, 3}), Tensor(), 0); },
              "stride");
  expectError(
      [&] { ref::conv2d(x, Tensor::zeros({2, 4, 3, 3}), Tensor(), 1, -1); },
      "padding");
  expectError([&] { ref::conv2d(Tensor::zeros({4, 5, 5}), x); }, "4-D");
  expectError(
      [&] {
        ref::conv2d(x, Tensor::zeros({2, 4, 3, 3}), Tensor::zeros({3}));
      },
      "bias");
}

TEST(ReferenceConvTest, ConvTranspose2dByHand) {
  Tensor x = T({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor ones = Tensor::full({1, 1, 2, 2}, 1.0);
  // Stride 2 with a 2x2 kernel of ones: each pixel becomes a 2x2 block.
  expectTensor(ref::convTranspose2d(x, ones, Tensor(), 2), {1, 1, 4, 4},
               {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // Stride 1: the blocks overlap; OH = 1 + 1 + 1 = 3.
  // [1, 1+2, 2; 1+3, 1+2+3+4, 2+4; 3, 3+4, 4].
  expectTensor(ref::convTranspose2d(x, ones), {1, 1, 3, 3},
               {1, 3, 2, 4, 10, 6, 3, 7, 4});
  // Padding 1 crops one pixel from every side of that: [10].
  expectTensor(ref::convTranspose2d(x, ones, Tensor(), 1, 1), {1, 1, 1, 1},
               {10});
  // Stride 2 and output padding 1 add a row and a column at the end that
  // receive nothing but the bias (0.5).
  expectTensor(ref::convTranspose2d(x, ones, T({1}, {0.5f}), 2, 0, 1),
               {1, 1, 5, 5},
               {1.5, 1.5, 2.5, 2.5, 0.5, 1.5, 1.5, 2.5, 2.5, 0.5, 3.5, 3.5,
                4.5, 4.5, 0.5, 3.5, 3.5, 4.5, 4.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                0.5});
  // Weight [C=1, F=2, 1, 1] = [2, -1]: two output channels from one input.
  expectTensor(ref::convTranspose2d(x, T({1, 2, 1, 1}, {2, -1})), {1, 2, 2, 2},
               {2, 4, 6, 8, -1, -2, -3, -4});
  // Dilation 2 with a 2x2 kernel of ones, 1x1 input [5]: 3x3 output with
  // the four corners set.
  expectTensor(ref::convTranspose2d(T({1, 1, 1, 1}, {5}), ones, Tensor(), 1, 0,
                                    0, 1, 2),
               {1, 1, 3, 3}, {5, 0, 5, 0, 0, 0, 5, 0, 5});
  // Groups 2: input channel c only feeds output channels of group c.
  // Weight [2, 1, 1, 1] = [3, 4] -> [3*x0, 4*x1].
  expectTensor(ref::convTranspose2d(T({1, 2, 1, 1}, {1, 2}),
                                    T({2, 1, 1, 1}, {3, 4}), Tensor(), 1, 0,
                                    0, 2),
               {1, 2, 1, 1}, {3, 8});
  expectError([&] { ref::convTranspose2d(x, Tensor::zeros({2, 1, 2, 2})); },
              "weight");
  expectError([&] { ref::convTranspose2d(x, ones, Tensor(), 2, 0, 2); },
              "output padding");
}

TEST(ReferenceConvTest, ConvTranspose2dIsTheAdjointOfConv2d) {
  // <conv2d(x, w), y> == <x, conv_transpose2d(y, w)> with the same stride,
  // padding, dilation and groups, for every geometry below; the output
  // padding makes conv_transpose2d give back x's size.
  struct Geo {
    int64_t c, f, k, s, p, d, g, h, w;
  };
  for (Geo geo : {Geo{3, 4, 3, 2, 1, 1, 1, 7, 8}, Geo{4, 6, 2, 3, 0, 2, 2, 9, 7},
                  Geo{4, 4, 3, 1, 2, 1, 4, 5, 6}, Geo{2, 2, 5, 2, 2, 1, 1, 11, 5}}) {
    SCOPED_TRACE(::testing::Message() << "c" << geo.c << " f" << geo.f << " k"
                                      << geo.k << " s" << geo.s << " p" << geo.p
                                      << " d" << geo.d << " g" << geo.g);
    Tensor x = ref::randomUniform({2, geo.c, geo.h, geo.w}, -1, 1, 10);
    Tensor w = ref::randomUniform({geo.f, geo.c / geo.g, geo.k, geo.k}, -1, 1, 11);
    Tensor cx = ref::conv2d(x, w, Tensor(), geo.s, geo.p, geo.d, geo.g);
    Tensor y = ref::randomUniform(cx.shape(), -1, 1, 12);
    auto outPad = [&](int64_t in) {
      return (in + 2 * geo.p - geo.d * (geo.k - 1) - 1) % geo.s;
    };
    Tensor ty = ref::convTranspose2d(y, w, Tensor(), geo.s, geo.p,
                                     {outPad(geo.h), outPad(geo.w)}, geo.g,
                                     geo.d);
    ASSERT_EQ(ty.shape(), x.shape());
    EXPECT_NEAR(dot(cx, y), dot(x, ty), 1e-3);
  }
}

TEST(ReferencePoolTest, PoolOutputSize) {
  // floor((5 - 2) / 2) + 1 = 2; ceil: ceil(3 / 2) + 1 = 3, and window 2
  // starts at 4 < 5 so it stays.
  EXPECT_EQ(ref::poolOutputSize(5, 2, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(ref::poolOutputSize(5, 2, 2, 0, 0, 1, true), 3);
  // in 4, k 2, s 3, pad 1+1: span 4; ceil(4/3) + 1 = 3, but window 2 would
  // start at 6 >= 4 + 1 (in the right padding), so it is dropped: 2.
  EXPECT_EQ(ref::poolOutputSize(4, 2, 3, 1, 1, 1, true), 2);
  EXPECT_EQ(ref::poolOutputSize(4, 2, 3, 1, 1, 1, false), 2);
  // in 5, k 2, s 3, pad 1: span 5, ceil 2 + 1 = 3, start 6 >= 6: dropped.
  EXPECT_EQ(ref::poolOutputSize(5, 2, 3, 1, 1, 1, true), 2);
  // in 6: span 6, exact: 3 either way.
  EXPECT_EQ(ref::poolOutputSize(6, 2, 3, 1, 1, 1, true), 3);
  // Dilation 2, k 3 spans 5: (7 - 5) / 1 + 1 = 3.
  EXPECT_EQ(ref::poolOutputSize(7, 3, 1, 0, 0, 2, false), 3);
  // Only the leading padding counts for the ceil rule: in 4, k 2, s 3,
  // pad 2 before, 0 after: span 4, ceil 3, start 6 >= 6: dropped -> 2;
  // with pad 0 before, 2 after, start 6 >= 4: also dropped -> 2; with
  // pad 3 before, 0 after: span 5 -> 3, start 6 < 7: kept -> 3.
  EXPECT_EQ(ref::poolOutputSize(4, 2, 3, 2, 0, 1, true), 2);
  EXPECT_EQ(ref::poolOutputSize(4, 2, 3, 0, 2, 1, true), 2);
  EXPECT_EQ(ref::poolOutputSize(4, 2, 3, 3, 0, 1, true), 3);
  expectError([] { ref::poolOutputSize(2, 3, 1, 0, 0, 1, false); }, "fit");
}

TEST(ReferencePoolTest, MaxPool2dByHand) {
  // 4x4 holding 0..15, 2x2 windows: the bottom-right of each.
  Tensor x = T({1, 1, 4, 4}, iota(16));
  expectTensor(ref::maxPool2d(x, 2), {1, 1, 2, 2}, {5, 7, 13, 15});
  // Negated values with kernel 3, stride 2, padding 1: the padding is -inf,
  // so the max is the best real value, never 0. Windows: rows/cols
  // {0,1} x {0,1} -> -0, {0,1} x {1,2,3} -> -1, {1,2,3} x {0,1} -> -4,
  // {1,2,3} x {1,2,3} -> -5.
  Tensor neg = ref::neg(x);
  expectTensor(ref::maxPool2d(neg, 3, 2, 1), {1, 1, 2, 2}, {0, -1, -4, -5});
  // Asymmetric padding (t=0, l=1, b=0, r=0), 1x2 windows, stride 1: column
  // windows {pad, 0}, {0, 1}, {1, 2}, {2, 3} on row r of neg: -4r, -4r,
  // -4r-1, -4r-2.
  expectTensor(ref::maxPool2d(neg, {1, 2}, 1, {0, 1, 0, 0}), {1, 1, 4, 4},
               {0, 0, -1, -2, -4, -4, -5, -6, -8, -8, -9, -10, -12, -12, -13,
                -14});
  // ceil_mode on 5x5 (0..24), k 2, s 2: 3x3 windows, the last ones 1 wide.
  Tensor x5 = T({1, 1, 5, 5}, iota(25));
  expectTensor(ref::maxPool2d(x5, 2, 2, 0, 1, false), {1, 1, 2, 2},
               {6, 8, 16, 18});
  expectTensor(ref::maxPool2d(x5, 2, 2, 0, 1, true), {1, 1, 3, 3},
               {6, 8, 9, 16, 18, 19, 21, 23, 24});
  // Dilation (1, 2) with a 1x2 kernel on [1, 5, 2, 4, 3]: pairs (0,2),
  // (1,3), (2,4) -> 2, 5, 3.
  expectTensor(ref::maxPool2d(T({1, 1, 1, 5}, {1, 5, 2, 4, 3}), {1, 2}, 1, 0,
                              {1, 2}),
               {1, 1, 1, 3}, {2, 5, 3});
  // NaN wins, as in torch.
  expectTensor(ref::maxPool2d(T({1, 1, 1, 4}, {1, kNaN, 3, 2}), {1, 2}),
               {1, 1, 1, 2}, {NAN, 3});
  // Whole-plane windows equal reduceMax over H and W.
  Tensor r = ref::randomUniform({2, 3, 5, 7}, -1, 1, 4);
  expectClose(ref::maxPool2d(r, {5, 7}),
              ref::reduceMax(r, {2, 3}, true), 0);
  expectError([&] { ref::maxPool2d(x, 5); }, "larger");
  expectError([&] { ref::maxPool2d(x, 2, 0, -1); }, "padding");
}

TEST(ReferencePoolTest, AvgPool2dByHand) {
  Tensor x = T({1, 1, 4, 4}, iota(16));
  // Means of the 2x2 blocks: (0+1+4+5)/4 = 2.5, ...
  expectTensor(ref::avgPool2d(x, 2), {1, 1, 2, 2}, {2.5, 4.5, 10.5, 12.5});
  // 3x3 holding 1..9, kernel 3, stride 2, padding 1: each window holds a
  // 2x2 corner of the input (sums 12, 16, 24, 28) and 5 padding zeros.
  Tensor x3 = T({1, 1, 3, 3}, iota(9, 1));
  expectTensor(ref::avgPool2d(x3, 3, 2, 1, false, true), {1, 1, 2, 2},
               {12.0 / 9, 16.0 / 9, 24.0 / 9, 28.0 / 9});
  expectTensor(ref::avgPool2d(x3, 3, 2, 1, false, false), {1, 1, 2, 2},
               {3, 4, 6, 7});
  // ceil_mode on [1..5], windows (1,2): the last window holds only 5, and
  // even with count_include_pad its divisor is 1 (it hangs over the end of
  // the input, not over padding).
  Tensor row = T({1, 1, 1, 5}, iota(5, 1));
  expectTensor(ref::avgPool2d(row, {1, 2}, {1, 2}, 0, true, true), {1, 1, 1, 3},
               {1.5, 3.5, 5});
  // [1, 2, 3, 4], kernel 3, stride 2, padding 1 (width), ceil: windows
  // start at -1, 1, 3. [-1, 2): 1+2 over 3 (with pad) or 2; [1, 4):
  // 2+3+4 over 3; [3, 6) clipped to the padded end 5: 4 over 2 (with pad)
  // or 1.
  Tensor r4 = T({1, 1, 1, 4}, {1, 2, 3, 4});
  expectTensor(ref::avgPool2d(r4, {1, 3}, {1, 2}, {0, 1}, true, true),
               {1, 1, 1, 3}, {1, 3, 2});
  expectTensor(ref::avgPool2d(r4, {1, 3}, {1, 2}, {0, 1}, true, false),
               {1, 1, 1, 3}, {1.5, 3, 4});
  // Asymmetric padding (0, 2, 0, 0), kernel (1, 2), stride (1, 2): windows
  // [-2, 0) (all padding: 0), [0, 2), [2, 4).
  expectTensor(ref::avgPool2d(r4, {1, 2}, {1, 2}, {0, 2, 0, 0}, false, true),
               {1, 1, 1, 3}, {0, 1.5, 3.5});
  // Non-overlapping windows that tile the input equal adaptive pooling.
  Tensor r = ref::randomUniform({2, 3, 6, 9}, -1, 1, 5);
  expectClose(ref::avgPool2d(r, {2, 3}), ref::adaptiveAvgPool2d(r, {3, 3}),
              1e-6);
}

TEST(ReferencePoolTest, AdaptiveAndGlobalAvgPool) {
  // Width 5 into 3 bins: [0, 2), [1, 4), [3, 5) -> 1.5, 3, 4.5.
  Tensor x = T({1, 1, 1, 5}, iota(5, 1));
  expectTensor(ref::adaptiveAvgPool2d(x, {1, 3}), {1, 1, 1, 3}, {1.5, 3, 4.5});
  // 5 into 2: [0, 3), [2, 5) -> 2, 4; 5 into 5 is the identity.
  expectTensor(ref::adaptiveAvgPool2d(x, {1, 2}), {1, 1, 1, 2}, {2, 4});
  expectTensor(ref::adaptiveAvgPool2d(x, {1, 5}), {1, 1, 1, 5}, {1, 2, 3, 4, 5});
  // Upsampling 2 into 3: [0, 1), [0, 2), [1, 2) -> a, (a+b)/2, b.
  expectTensor(ref::adaptiveAvgPool2d(T({1, 1, 1, 2}, {2, 4}), {1, 3}),
               {1, 1, 1, 3}, {2, 3, 4});
  Tensor r = ref::randomUniform({3, 2, 5, 7}, -1, 1, 6);
  expectClose(ref::globalAvgPool2d(r), ref::reduceMean(r, {2, 3}, true), 1e-6);
  expectClose(ref::adaptiveAvgPool2d(r, 1), ref::reduceMean(r, {2, 3}, true),
              1e-6);
}

TEST(ReferenceUpsampleTest, NearestByHand) {
  Tensor x = T({1, 1, 1, 2}, {1, 2});
  expectTensor(ref::upsampleNearest(x, {1, 4}), {1, 1, 1, 4}, {1, 1, 2, 2});
  // 2 -> 3: floor(d * 2/3) = 0, 0, 1.
  expectTensor(ref::upsampleNearest(x, {1, 3}), {1, 1, 1, 3}, {1, 1, 2});
  // 2x2 -> 3x2: rows 0, 0, 1.
  expectTensor(ref::upsampleNearest(T({1, 1, 2, 2}, {1, 2, 3, 4}), {3, 2}),
               {1, 1, 3, 2}, {1, 2, 1, 2, 3, 4});
  // Downsampling 5 -> 2: floor(d * 2.5) = 0, 2.
  expectTensor(ref::upsampleNearest(T({1, 1, 1, 5}, iota(5)), {1, 2}),
               {1, 1, 1, 2}, {0, 2});
  // With a scale: 10 * 1.15 -> 11 outputs, source floor(d / 1.15):
  // 0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 8 (d = 8: 6.96). The size-based
  // formula floor(d * 10/11) would give 0, 0, 1, ..., 7, 8, 9.
  Tensor x10 = T({1, 1, 1, 10}, iota(10));
  expectTensor(ref::upsampleNearest(x10, {1, 11}, 0, 1.15), {1, 1, 1, 11},
               {0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 8});
  expectTensor(ref::upsampleNearest(x10, {1, 11}), {1, 1, 1, 11},
               {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  expectError([&] { ref::upsampleNearest(x, {0, 2}); }, "positive");
}

TEST(ReferenceUpsampleTest, BilinearByHand) {
  // x[h][w] = 2h + w is linear, so bilinear sampling at source (sh, sw)
  // gives exactly 2 sh + sw.
  Tensor x = T({1, 1, 2, 2}, {0, 1, 2, 3});
  // align_corners: 2 -> 3 samples at 0, 0.5, 1.
  expectTensor(ref::upsampleBilinear(x, {3, 3}, true), {1, 1, 3, 3},
               {0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3});
  // Half-pixel: 2 -> 4 samples at (d + 0.5) / 2 - 0.5 = -0.25 (clamped to
  // 0), 0.25, 0.75, 1.25 (past the last pixel: its value, 1).
  std::vector<double> c = {0, 0.25, 0.75, 1}, want;
  for (double h : c)
    for (double w : c)
      want.push_back(2 * h + w);
  expectTensor(ref::upsampleBilinear(x, {4, 4}, false), {1, 1, 4, 4}, want);
  // align_corners with output 1: source 0.
  expectTensor(ref::upsampleBilinear(x, {1, 1}, true), {1, 1, 1, 1}, {0});
  // Half-pixel 2 -> 1: (0.5) * 2 - 0.5 = 0.5 -> the mean 1.5.
  expectTensor(ref::upsampleBilinear(x, {1, 1}, false), {1, 1, 1, 1}, {1.5});
  // A scale of 2.5 on width 2 -> 5 outputs at (d + 0.5) / 2.5 - 0.5:
  // -0.3 (0), 0.1, 0.5, 0.9, 1.3 (1).
  expectTensor(ref::upsampleBilinear(T({1, 1, 1, 2}, {0, 1}), {1, 5}, false,
                                     0, 2.5),
               {1, 1, 1, 5}, {0, 0.1, 0.5, 0.9, 1}, 1e-6);
}

TEST(ReferenceNormTest, BatchNormByHand) {
  // Channel 0 holds [1, 2] with mean 1, var 4: (x - 1) / 2 * 2 + 0 -> 0, 1.
  // Channel 1 holds [3, 4] with mean 3, var 0.25: (x - 3) / 0.5 + 1 -> 1, 3.
  Tensor x = T({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor mean = T({2}, {1, 3}), var = T({2}, {4, 0.25f});
  expectTensor(ref::batchNorm(x, mean, var, T({2}, {2, 1}), T({2}, {0, 1}), 0),
               {1, 2, 1, 2}, {0, 1, 1, 3});
  // Without affine parameters: 0, 0.5, 0, 2.
  expectTensor(ref::batchNorm(x, mean, var, Tensor(), Tensor(), 0),
               {1, 2, 1, 2}, {0, 0.5, 0, 2});
  // eps enters under the root: (2 - 1) / sqrt(4 + 5) = 1/3.
  expectTensor(ref::batchNorm(x, mean, var, Tensor(), Tensor(), 5),
               {1, 2, 1, 2}, {0, 1.0 / 3, 0, 1 / std::sqrt(5.25)});
  // Rank 2 ([N, C]) works as in BatchNorm1d.
  expectTensor(ref::batchNorm(T({2, 2}, {1, 3, 2, 4}), mean, var, Tensor(),
                              Tensor(), 0),
               {2, 2}, {0, 0, 0.5, 2});
  expectError([&] { ref::batchNorm(x, T({3}, {0, 0, 0}), var); },
              "running mean");
}

TEST(ReferenceNormTest, BatchNormTrainingByHand) {
  // One channel over batch 2, width 2: [1, 2, 3, 6], mean 3, biased var
  // (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3.
  Tensor x = T({2, 1, 1, 2}, {1, 2, 3, 6});
  auto r = ref::batchNormTraining(x, T({1}, {0}), T({1}, {1}), Tensor(),
                                  Tensor(), 0.1, 0);
  const double s = std::sqrt(3.5);
  expectTensor(r.output, {2, 1, 1, 2}, {-2 / s, -1 / s, 0, 3 / s});
  // 0.9 * 0 + 0.1 * 3 and 0.9 * 1 + 0.1 * 14/3.
  expectTensor(r.runningMean, {1}, {0.3});
  expectTensor(r.runningVar, {1}, {0.9 + 1.4 / 3});
  // Momentum 1 replaces the statistics; weight 2, bias 1 scale and shift.
  auto r1 = ref::batchNormTraining(x, T({1}, {5}), T({1}, {5}), T({1}, {2}),
                                   T({1}, {1}), 1.0, 0);
  expectTensor(r1.output, {2, 1, 1, 2},
               {1 - 4 / s, 1 - 2 / s, 1, 1 + 6 / s});
  expectTensor(r1.runningMean, {1}, {3});
  expectTensor(r1.runningVar, {1}, {14.0 / 3}, 1e-6);
  expectError(
      [] {
        ref::batchNormTraining(T({1, 1, 1, 1}, {1}), T({1}, {0}), T({1}, {1}));
      },
      "fewer than 2");
}

TEST(ReferenceNormTest, LayerNormByHand) {
  // Rows [1, 3] (mean 2, var 1 -> -1, 1) and [2, 2] (var 0 -> 0).
  Tensor x = T({2, 2}, {1, 3, 2, 2});
  expectTensor(ref::slice(ref::layerNorm(x, {2}, Tensor(), Tensor(), 0), 0, 0, 1),
               {1, 2}, {-1, 1});
  expectTensor(ref::layerNorm(x, {2}), {2, 2}, {-1, 1, 0, 0}, 1e-5);
  // Affine: row 0 -> [-1 * 2 + 1, 1 * 3 + 1].
  expectTensor(ref::slice(ref::layerNorm(x, {2}, T({2}, {2, 3}), T({2}, {1, 1}), 0),
                          0, 0, 1),
               {1, 2}, {-1, 4});
  // Two normalized dims: [1, 2, 3, 4] has mean 2.5, var 1.25.
  const double s = std::sqrt(1.25);
  expectTensor(ref::layerNorm(T({1, 2, 2}, {1, 2, 3, 4}), {2, 2}, Tensor(),
                              Tensor(), 0),
               {1, 2, 2}, {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s});
  expectError([&] { ref::layerNorm(x, {3}); }, "suffix");
  expectError([&] { ref::layerNorm(x, {2}, T({3}, {1, 1, 1})); }, "weight");
}

TEST(ReferenceNormTest, GroupAndInstanceNormByHand) {
  // Channels [1, 3, 10, 14]. Two groups: [1, 3] and [10, 14] each
  // normalize to [-1, 1]. One group: mean 7, var (36+16+9+49)/4 = 27.5.
  Tensor x = T({1, 4, 1, 1}, {1, 3, 10, 14});
  expectTensor(ref::groupNorm(x, 2, Tensor(), Tensor(), 0), {1, 4, 1, 1},
               {-1, 1, -1, 1});
  const double s = std::sqrt(27.5);
  expectTensor(ref::groupNorm(x, 1, Tensor(), Tensor(), 0), {1, 4, 1, 1},
               {-6 / s, -4 / s, 3 / s, 7 / s});
  // Weight/bias are per channel: [-1*1+0, 1*2+0, -1*3+1, 1*4+1].
  expectTensor(ref::groupNorm(x, 2, T({4}, {1, 2, 3, 4}), T({4}, {0, 0, 1, 1}),
                              0),
               {1, 4, 1, 1}, {-1, 2, -2, 5});
  expectError([&] { ref::groupNorm(x, 3); }, "groups");
  // Instance norm: channel 0 [1, 3] -> [-1, 1]; channel 1 [5, 5] -> 0
  // (eps keeps 0/0 away); weight [2, 1], bias [0, 7].
  Tensor y = T({1, 2, 1, 2}, {1, 3, 5, 5});
  expectTensor(ref::instanceNorm(y, T({2}, {2, 1}), T({2}, {0, 7})),
               {1, 2, 1, 2}, {-2, 2, 7, 7}, 1e-4);
}

TEST(ReferenceNormTest, NormsAgreeWithEachOther) {
  // Different formulas for the same numbers, on random data:
  // group norm with C groups is instance norm; with 1 group it is layer
  // norm over [C, H, W]; instance norm is training batch norm of
  // x viewed as [1, N*C, H, W].
  Tensor x = ref::randomUniform({3, 4, 5, 7}, -2, 2, 7);
  Tensor w = ref::randomUniform({4}, 0.5, 1.5, 8);
  Tensor b = ref::randomUniform({4}, -1, 1, 9);
  expectClose(ref::groupNorm(x, 4, w, b), ref::instanceNorm(x, w, b), 1e-5);
  expectClose(ref::groupNorm(x, 1), ref::layerNorm(x, {4, 5, 7}), 1e-5);
  auto bn = ref::batchNormTraining(x.reshaped({1, 12, 5, 7}),
                                   Tensor::zeros({12}), Tensor::full({12}, 1));
  expectClose(ref::instanceNorm(x), bn.output.reshaped({3, 4, 5, 7}), 1e-5);
  // Inference batch norm with the batch's own statistics equals training
  // batch norm's output.
  auto tr = ref::batchNormTraining(x, Tensor::zeros({4}), Tensor::zeros({4}),
                                   w, b, 1.0);
  // With momentum 1 the running var is the unbiased variance; rescale it
  // to the biased one (count = 3 * 5 * 7 = 105).
  Tensor biased = ref::mul(tr.runningVar, T({}, {104.0f / 105.0f}));
  expectClose(ref::batchNorm(x, tr.runningMean, biased, w, b), tr.output, 1e-5);
}

TEST(ReferenceConvTest, F64Inputs) {
  // f64 in, f64 out, same numbers as the f32 case above.
  Tensor x = Tensor::fromValues<double>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = Tensor::fromValues<double>({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor y = ref::conv2d(x, w);
  ASSERT_EQ(y.dtype(), kiln::DType::F64);
  EXPECT_EQ(y.at(0), 6);
  EXPECT_EQ(y.at(3), 14);
  EXPECT_EQ(ref::maxPool2d(x, 3).at(0), 9);
  EXPECT_EQ(ref::avgPool2d(x, 3).dtype(), kiln::DType::F64);
  expectError([&] { ref::conv2d(x, T({1, 1, 2, 2}, {1, 0, 0, 1})); }, "f64");
}

//===----------------------------------------------------------------------===//
// The reference against PyTorch (tests/golden/data/ops.safetensors)
//===----------------------------------------------------------------------===//

TEST(ReferenceGoldenTest, EveryOpCaseMatchesPyTorch) {
  // PyTorch computes in f32, the reference in double: 1e-5 relative plus
  // 1e-5 absolute (values are O(1)) leaves room for f32 accumulation only.
  std::vector<kiln::golden::OpCase> cases = kiln::golden::loadOpCases();
  EXPECT_GE(cases.size(), 50u);
  std::map<std::string, int> perOp;
  for (const kiln::golden::OpCase &c : cases) {
    SCOPED_TRACE(c.name + " (" + c.op + ")");
    ++perOp[c.op];
    std::vector<Tensor> want = c.expected(), got = c.reference();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      kiln::Comparison cmp = kiln::compareTensors(got[i], want[i], 1e-5, 1e-5);
      EXPECT_TRUE(cmp.ok) << "output " << i << ": " << cmp.message;
    }
  }
  // Every op of the issue has golden cases.
  for (const char *op :
       {"conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
        "adaptive_avg_pool2d", "upsample", "batch_norm", "batch_norm_training",
        "layer_norm", "group_norm", "instance_norm"})
    EXPECT_GT(perOp[op], 0) << op;
}
