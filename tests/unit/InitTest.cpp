//===- InitTest.cpp - Tests of the generator and the initializers ---------===//
//
// The generator must be deterministic per seed on every machine (pinned here
// against an independent transcription of splitmix64 + xoshiro256**), and
// every initializer must produce the bound / standard deviation given by
// PyTorch's torch.nn.init formulas, written out below as independent
// expected values rather than calls into kiln::init.
//
// Statistical tolerances are 5 standard errors or more of the estimate for
// the sample size used (the seeds are fixed, so the tests are deterministic;
// the margins make them robust to any change of seed as well).
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using kiln::testing::errorOf;

using kiln::Generator;
using kiln::Shape;
using kiln::Tensor;
namespace init = kiln::init;

/// Summary statistics of a tensor's values (in double).
struct Stats {
  double min = 0, max = 0, mean = 0, std = 0, maxAbs = 0;
  int64_t distinct = 0;
};

Stats statsOf(const Tensor &t) {
  Stats s;
  const float *p = t.data<float>();
  int64_t n = t.numel();
  s.min = s.max = p[0];
  double sum = 0;
  std::set<float> values;
  for (int64_t i = 0; i < n; ++i) {
    s.min = std::min<double>(s.min, p[i]);
    s.max = std::max<double>(s.max, p[i]);
    s.maxAbs = std::max<double>(s.maxAbs, std::fabs(p[i]));
    sum += p[i];
    if (values.size() < 1000)
      values.insert(p[i]);
  }
  s.mean = sum / n;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i)
    sq += (p[i] - s.mean) * (p[i] - s.mean);
  s.std = std::sqrt(sq / (n - 1));
  s.distinct = static_cast<int64_t>(values.size());
  return s;
}

//===----------------------------------------------------------------------===//
// Generator
//===----------------------------------------------------------------------===//

/// An independent transcription of the published algorithms: the state of
/// xoshiro256** is four successive splitmix64 outputs from the seed.
struct ReferenceXoshiro {
  uint64_t s[4];
  explicit ReferenceXoshiro(uint64_t seed) {
    uint64_t x = seed;
    for (auto &w : s) {
      x += 0x9E3779B97F4A7C15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      w = z ^ (z >> 31);
    }
  }
  static uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

TEST(GeneratorTest, DeterministicPerSeed) {
  Generator a(123), b(123);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(a.next(), b.next()) << "draw " << i;
  Generator c(123), d(123);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(c.uniform(), d.uniform()) << "draw " << i;
    ASSERT_EQ(c.normal(), d.normal()) << "draw " << i;
  }
}

TEST(GeneratorTest, DiffersBetweenSeeds) {
  for (uint64_t seed : {0ull, 1ull, 42ull}) {
    Generator a(seed), b(seed + 1);
    int equal = 0;
    for (int i = 0; i < 100; ++i)
      equal += a.next() == b.next();
    EXPECT_EQ(equal, 0) << "seeds " << seed << " and " << seed + 1;
  }
}

TEST(GeneratorTest, MatchesXoshiro256StarStarSeededBySplitmix64) {
  // Same bits on every machine: the stream is exactly the published one.
  for (uint64_t seed : {0ull, 7ull, 0xDEADBEEFull}) {
    Generator g(seed);
    ReferenceXoshiro r(seed);
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(g.next(), r.next()) << "seed " << seed << " draw " << i;
  }
}

TEST(GeneratorTest, UniformIsInUnitIntervalWithRightMoments) {
  Generator g(2024);
  constexpr int n = 100000;
  double sum = 0, sumSq = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    double u = g.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sumSq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  double mean = sum / n, var = sumSq / n - mean * mean;
  // U(0,1): mean 1/2 (standard error sqrt(1/12 / n) = 9.1e-4; 5 SE = 4.6e-3),
  // variance 1/12 = 0.0833 (SE ~ sqrt(1/180 / n) = 2.4e-4; 5 SE = 1.2e-3).
  EXPECT_NEAR(mean, 0.5, 4.6e-3);
  EXPECT_NEAR(var, 1.0 / 12.0, 1.2e-3);
  // With 1e5 draws the extremes are within ~1e-4 of the ends (P(miss 1e-3)
  // = (1 - 1e-3)^1e5 ~ e^-100).
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1 - 1e-3);
}

TEST(GeneratorTest, NormalHasMeanZeroAndStdOne) {
  Generator g(99);
  constexpr int n = 100000;
  double sum = 0, sumSq = 0;
  int within1 = 0;
  for (int i = 0; i < n; ++i) {
    double x = g.normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sumSq += x * x;
    within1 += std::fabs(x) < 1;
  }
  double mean = sum / n, sd = std::sqrt(sumSq / n - mean * mean);
  // N(0,1): the mean has SE 1/sqrt(n) = 3.2e-3 (5 SE = 0.016); the sample std
  // has SE ~ 1/sqrt(2n) = 2.2e-3 (5 SE = 0.011).
  EXPECT_NEAR(mean, 0.0, 0.016);
  EXPECT_NEAR(sd, 1.0, 0.011);
  // P(|x| < 1) = erf(1/sqrt(2)) = 0.6827; SE sqrt(p(1-p)/n) = 1.5e-3, 5 SE.
  EXPECT_NEAR(static_cast<double>(within1) / n, std::erf(1 / std::sqrt(2.0)), 7.4e-3);
}

//===----------------------------------------------------------------------===//
// Gains and fans
//===----------------------------------------------------------------------===//

TEST(InitTest, Gains) {
  // torch.nn.init.calculate_gain.
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::Linear), 1.0);
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::Sigmoid), 1.0);
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::Tanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::ReLU), 1.4142135623730951);
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::LeakyReLU), 1.4141428569978354); // a=0.01
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::LeakyReLU, 0.2), 1.3867504905630728);
  EXPECT_DOUBLE_EQ(init::gain(init::Nonlinearity::LeakyReLU, std::sqrt(5.0)),
                   0.5773502691896257); // sqrt(1/3)
}

TEST(InitTest, Fans) {
  EXPECT_EQ(init::fans({256, 784}), (std::pair<int64_t, int64_t>{784, 256}));
  // A conv weight [out, in, kh, kw]: receptive field 25.
  EXPECT_EQ(init::fans({16, 3, 5, 5}), (std::pair<int64_t, int64_t>{75, 400}));
  EXPECT_EQ(init::fans({7}), (std::pair<int64_t, int64_t>{7, 7}));
  std::string e = errorOf([] { init::fans({}); });
  EXPECT_NE(e.find("scalar"), std::string::npos) << e;
}

//===----------------------------------------------------------------------===//
// Initializers: bounds and standard deviations from PyTorch's formulas
//===----------------------------------------------------------------------===//

const Shape kWeight = {256, 784}; // fan_in 784, fan_out 256; 200704 values

/// Uniform U(-bound, bound) over n values: every value within the bound
/// (plus float rounding); the extremes within 20/n of it (P(no value in the
/// last 10/n of one side) ~ e^-10); mean 0 within 5 standard errors
/// (SE = std/sqrt(n)); std = bound/sqrt(3) within 5 SE (the relative SE of a
/// uniform sample's std is sqrt((kurtosis - 1) / 4n) = sqrt(0.8 / 4n)).
void expectUniform(const Tensor &t, double bound, const std::string &what) {
  SCOPED_TRACE(what);
  Stats s = statsOf(t);
  double n = static_cast<double>(t.numel());
  double std = bound / std::sqrt(3.0);
  EXPECT_LE(s.maxAbs, bound * (1 + 1e-6));
  EXPECT_LT(s.min, -bound * (1 - 20 / n));
  EXPECT_GT(s.max, bound * (1 - 20 / n));
  EXPECT_NEAR(s.std, std, 5 * std::sqrt(0.8 / (4 * n)) * std);
  EXPECT_NEAR(s.mean, 0.0, 5 * std / std::sqrt(n));
}

/// Normal N(mean, std) over n values: sample std within 5 SE (relative SE
/// 1/sqrt(2n)), sample mean within 5 SE (std/sqrt(n)), and, for large n,
/// some values beyond 3 std (expected 0.27% of n, i.e. ~540 of 2e5).
void expectNormal(const Tensor &t, double mean, double std, const std::string &what) {
  SCOPED_TRACE(what);
  Stats s = statsOf(t);
  double n = static_cast<double>(t.numel());
  EXPECT_NEAR(s.std, std, 5 * std / std::sqrt(2 * n));
  EXPECT_NEAR(s.mean, mean, 5 * std / std::sqrt(n));
  if (n >= 10000)
    EXPECT_GT(std::max(s.max - mean, mean - s.min), 3 * std);
}

TEST(InitTest, ConstantInitializers) {
  Generator g(1);
  for (const auto &[name, initializer, value] :
       std::vector<std::tuple<std::string, init::Initializer, float>>{
           {"zeros", init::zeros(), 0.f},
           {"ones", init::ones(), 1.f},
           {"constant", init::constant(0.25), 0.25f},
           {"constant negative", init::constant(-3.5), -3.5f}}) {
    Tensor t = init::make(initializer, {3, 5}, g);
    ASSERT_EQ(t.shape(), (Shape{3, 5})) << name;
    ASSERT_EQ(t.dtype(), kiln::DType::F32) << name;
    for (int64_t i = 0; i < t.numel(); ++i)
      ASSERT_EQ(t.data<float>()[i], value) << name << " element " << i;
  }
  // Scalars and empty shapes are fine for non-fan initializers.
  EXPECT_EQ(init::make(init::constant(2), {}, g).at(0), 2.0);
  EXPECT_EQ(init::make(init::ones(), {0, 3}, g).numel(), 0);
}

TEST(InitTest, UniformAndNormal) {
  Generator g(2);
  {
    Tensor t = init::make(init::uniform(-0.3, 0.7), kWeight, g);
    Stats s = statsOf(t);
    EXPECT_GE(s.min, -0.3);
    EXPECT_LT(s.max, 0.7 + 1e-7);
    EXPECT_LT(s.min, -0.299);
    EXPECT_GT(s.max, 0.699);
    // Width 1: std 1/sqrt(12) = 0.289, SE of the mean 6.4e-4 (5 SE = 3.2e-3),
    // relative SE of the std sqrt(0.8 / 4n) = 1e-3 (5 SE = 0.5%).
    EXPECT_NEAR(s.mean, 0.2, 3.2e-3);
    EXPECT_NEAR(s.std, 1.0 / std::sqrt(12.0), 0.005 / std::sqrt(12.0));
  }
  expectNormal(init::make(init::normal(0, 0.02), kWeight, g), 0, 0.02, "normal(0, 0.02)");
  expectNormal(init::make(init::normal(), kWeight, g), 0, 0.02, "normal() default");
  expectNormal(init::make(init::normal(1.5, 3.0), kWeight, g), 1.5, 3.0, "normal(1.5, 3)");
  // Degenerate but valid.
  Tensor same = init::make(init::uniform(0.5, 0.5), {4}, g);
  EXPECT_EQ(same.at(3), 0.5);
  EXPECT_THROW(init::make(init::uniform(1, 0), {4}, g), kiln::Error);
  EXPECT_THROW(init::make(init::normal(0, -1), {4}, g), kiln::Error);
}

TEST(InitTest, KaimingUniform) {
  Generator g(3);
  // PyTorch default kaiming_uniform_(a=0, mode='fan_in',
  // nonlinearity='leaky_relu'): gain sqrt(2/(1+0)), bound = gain*sqrt(3/fan_in)
  // = sqrt(6/784).
  expectUniform(init::make(init::kaimingUniform(), kWeight, g), std::sqrt(6.0 / 784),
                "default");
  // nn.Linear: a = sqrt(5) -> gain sqrt(2/6), bound = sqrt(1/3)*sqrt(3/784)
  // = 1/sqrt(784) = 1/28.
  expectUniform(init::make(init::kaimingUniform(std::sqrt(5.0)), kWeight, g), 1.0 / 28.0,
                "a=sqrt(5)");
  // fan_out with relu: sqrt(2) * sqrt(3/256) = sqrt(6/256).
  expectUniform(init::make(init::kaimingUniform(0, init::FanMode::FanOut,
                                                init::Nonlinearity::ReLU),
                           kWeight, g),
                std::sqrt(6.0 / 256), "fan_out relu");
  // leaky_relu with a = 0.2, fan_in: sqrt(2/1.04) * sqrt(3/784).
  expectUniform(init::make(init::kaimingUniform(0.2, init::FanMode::FanIn,
                                                init::Nonlinearity::LeakyReLU),
                           kWeight, g),
                std::sqrt(2.0 / 1.04) * std::sqrt(3.0 / 784), "leaky_relu a=0.2");
  // Conv-like [16, 3, 5, 5]: fan_in 75 -> bound sqrt(6/75); fan_out 400.
  expectUniform(init::make(init::kaimingUniform(0, init::FanMode::FanIn,
                                                init::Nonlinearity::ReLU),
                           {16, 3, 5, 5}, g),
                std::sqrt(6.0 / 75), "conv fan_in");
  expectUniform(init::make(init::kaimingUniform(0, init::FanMode::FanOut,
                                                init::Nonlinearity::ReLU),
                           {16, 3, 5, 5}, g),
                std::sqrt(6.0 / 400), "conv fan_out");
}

TEST(InitTest, KaimingNormal) {
  Generator g(4);
  // std = gain / sqrt(fan).
  expectNormal(init::make(init::kaimingNormal(), kWeight, g), 0, std::sqrt(2.0 / 784),
               "default (leaky_relu a=0, fan_in)");
  expectNormal(init::make(init::kaimingNormal(0, init::FanMode::FanIn,
                                              init::Nonlinearity::ReLU),
                          kWeight, g),
               0, std::sqrt(2.0) / 28.0, "relu fan_in");
  expectNormal(init::make(init::kaimingNormal(0, init::FanMode::FanOut,
                                              init::Nonlinearity::ReLU),
                          kWeight, g),
               0, std::sqrt(2.0) / 16.0, "relu fan_out");
  expectNormal(init::make(init::kaimingNormal(0.1, init::FanMode::FanOut,
                                              init::Nonlinearity::LeakyReLU),
                          kWeight, g),
               0, std::sqrt(2.0 / 1.01) / 16.0, "leaky_relu a=0.1 fan_out");
  expectNormal(init::make(init::kaimingNormal(0, init::FanMode::FanIn,
                                              init::Nonlinearity::Tanh),
                          kWeight, g),
               0, (5.0 / 3.0) / 28.0, "tanh fan_in");
}

TEST(InitTest, Xavier) {
  Generator g(5);
  // fan_in + fan_out = 784 + 256 = 1040.
  expectUniform(init::make(init::xavierUniform(), kWeight, g), std::sqrt(6.0 / 1040),
                "xavier_uniform");
  expectUniform(init::make(init::xavierUniform(5.0 / 3.0), kWeight, g),
                (5.0 / 3.0) * std::sqrt(6.0 / 1040), "xavier_uniform gain 5/3");
  expectNormal(init::make(init::xavierNormal(), kWeight, g), 0, std::sqrt(2.0 / 1040),
               "xavier_normal");
  expectNormal(init::make(init::xavierNormal(std::sqrt(2.0)), kWeight, g), 0,
               std::sqrt(2.0) * std::sqrt(2.0 / 1040), "xavier_normal gain sqrt(2)");
  // Conv-like: 75 + 400 = 475.
  expectUniform(init::make(init::xavierUniform(), {16, 3, 5, 5}, g), std::sqrt(6.0 / 475),
                "xavier_uniform conv");
}

TEST(InitTest, ScalarShapeErrors) {
  Generator g(6);
  for (const auto &[name, initializer] :
       std::vector<std::pair<std::string, init::Initializer>>{
           {"kaimingUniform", init::kaimingUniform()},
           {"kaimingNormal", init::kaimingNormal()},
           {"xavierUniform", init::xavierUniform()},
           {"xavierNormal", init::xavierNormal()}}) {
    std::string e = errorOf([&] { init::make(initializer, {}, g); });
    EXPECT_NE(e.find("scalar"), std::string::npos) << name << ": " << e;
  }
  // Through Model::parameter: the error names the problem and no parameter is
  // added.
  kiln::Model m("t");
  std::string e = errorOf([&] { m.parameter("s", {}, init::kaimingUniform()); });
  EXPECT_NE(e.find("scalar"), std::string::npos) << e;
  EXPECT_EQ(m.parameters().count("s"), 0u);
  EXPECT_EQ(m.opCounts().count("kiln.param"), 0u);
  // A zero fan is an error too, not a division by zero.
  EXPECT_THROW(init::make(init::kaimingUniform(), {4, 0}, g), kiln::Error);
}

//===----------------------------------------------------------------------===//
// Through the DSL
//===----------------------------------------------------------------------===//

TEST(InitTest, LinearLayerInitialization) {
  kiln::Model m("t", /*seed=*/11);
  kiln::nn::Linear fc(m, "fc", 784, 256);
  const Tensor &w = m.parameters().at("fc.weight");
  const Tensor &b = m.parameters().at("fc.bias");
  ASSERT_EQ(w.shape(), (Shape{256, 784}));
  ASSERT_EQ(b.shape(), (Shape{256}));
  double bound = 1.0 / std::sqrt(784.0);
  expectUniform(w, bound, "fc.weight");
  Stats sb = statsOf(b);
  EXPECT_LE(sb.maxAbs, bound * (1 + 1e-6));
  EXPECT_GT(sb.distinct, 200); // 256 draws, essentially all distinct
  // Weight and bias come from different draws.
  EXPECT_NE(w.at(0), b.at(0));
}

TEST(InitTest, ModelSeedDeterminesParameters) {
  auto weightOf = [](uint64_t seed) {
    kiln::Model m("t", seed);
    kiln::nn::Linear fc1(m, "fc1", 20, 10), fc2(m, "fc2", 10, 4);
    return std::make_pair(m.parameters().at("fc1.weight").clone(),
                          m.parameters().at("fc2.weight").clone());
  };
  auto a = weightOf(42), b = weightOf(42), c = weightOf(43);
  EXPECT_TRUE(kiln::compareTensors(a.first, b.first, 0, 0).ok);
  EXPECT_TRUE(kiln::compareTensors(a.second, b.second, 0, 0).ok);
  EXPECT_FALSE(kiln::compareTensors(a.first, c.first, 0, 0).ok);
  // The model's generator is the one the initializers use, seeded as given.
  kiln::Model m("g", 42);
  Generator fresh(42);
  EXPECT_EQ(m.generator().next(), fresh.next());
}

} // namespace
