//===- Init.cpp - Seeded random initialization of parameters -------------===//
#include "frontend/Init.h"
#include "runtime/Error.h"

#include <cmath>

namespace kiln {

static uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

Generator::Generator(uint64_t seed) {
  for (uint64_t &s : s_)
    s = splitmix64(seed);
}

uint64_t Generator::next() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return (next() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  double u1 = uniform(), u2 = uniform();
  if (u1 < 1e-300)
    u1 = 1e-300;
  double r = std::sqrt(-2.0 * std::log(u1)), theta = 2.0 * M_PI * u2;
  spare_ = r * std::sin(theta);
  hasSpare_ = true;
  return r * std::cos(theta);
}

namespace init {

double gain(Nonlinearity nonlinearity, double negativeSlope) {
  switch (nonlinearity) {
  case Nonlinearity::Linear:
  case Nonlinearity::Sigmoid:
    return 1.0;
  case Nonlinearity::Tanh:
    return 5.0 / 3.0;
  case Nonlinearity::ReLU:
    return std::sqrt(2.0);
  case Nonlinearity::LeakyReLU:
    return std::sqrt(2.0 / (1.0 + negativeSlope * negativeSlope));
  }
  return 1.0;
}

std::pair<int64_t, int64_t> fans(const Shape &shape) {
  if (shape.empty())
    fail("kiln::init: fan-in and fan-out are undefined for a scalar parameter");
  if (shape.size() == 1)
    return {shape[0], shape[0]};
  int64_t receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i)
    receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

Initializer zeros() { return {}; }
Initializer ones() {
  Initializer i;
  i.kind = Initializer::Kind::Ones;
  return i;
}
Initializer constant(double value) {
  Initializer i;
  i.kind = Initializer::Kind::Constant;
  i.a = value;
  return i;
}
Initializer uniform(double low, double high) {
  Initializer i;
  i.kind = Initializer::Kind::Uniform;
  i.a = low;
  i.b = high;
  return i;
}
Initializer normal(double mean, double std) {
  Initializer i;
  i.kind = Initializer::Kind::Normal;
  i.a = mean;
  i.b = std;
  return i;
}
Initializer kaimingUniform(double a, FanMode mode, Nonlinearity nonlinearity) {
  Initializer i;
  i.kind = Initializer::Kind::KaimingUniform;
  i.negativeSlope = a;
  i.mode = mode;
  i.nonlinearity = nonlinearity;
  return i;
}
Initializer kaimingNormal(double a, FanMode mode, Nonlinearity nonlinearity) {
  Initializer i = kaimingUniform(a, mode, nonlinearity);
  i.kind = Initializer::Kind::KaimingNormal;
  return i;
}
Initializer xavierUniform(double g) {
  Initializer i;
  i.kind = Initializer::Kind::XavierUniform;
  i.gainValue = g;
  return i;
}
Initializer xavierNormal(double g) {
  Initializer i = xavierUniform(g);
  i.kind = Initializer::Kind::XavierNormal;
  return i;
}

Tensor make(const Initializer &init, const Shape &shape, Generator &gen) {
  using K = Initializer::Kind;
  Tensor t(shape, DType::F32);
  float *p = t.data<float>();
  int64_t n = t.numel();
  auto fillUniform = [&](double lo, double hi) {
    for (int64_t i = 0; i < n; ++i)
      p[i] = static_cast<float>(lo + (hi - lo) * gen.uniform());
  };
  auto fillNormal = [&](double mean, double std) {
    for (int64_t i = 0; i < n; ++i)
      p[i] = static_cast<float>(mean + std * gen.normal());
  };
  switch (init.kind) {
  case K::Zeros:
  case K::Ones:
  case K::Constant: {
    float v = init.kind == K::Zeros ? 0.f : init.kind == K::Ones ? 1.f
                                                                 : static_cast<float>(init.a);
    for (int64_t i = 0; i < n; ++i)
      p[i] = v;
    break;
  }
  case K::Uniform:
    if (!(init.a <= init.b))
      fail("kiln::init::uniform: low ", init.a, " is greater than high ", init.b);
    fillUniform(init.a, init.b);
    break;
  case K::Normal:
    if (!(init.b >= 0))
      fail("kiln::init::normal: std ", init.b, " is negative");
    fillNormal(init.a, init.b);
    break;
  case K::KaimingUniform:
  case K::KaimingNormal: {
    auto [fanIn, fanOut] = fans(shape);
    double fan = static_cast<double>(init.mode == FanMode::FanIn ? fanIn : fanOut);
    if (fan <= 0)
      fail("kiln::init::kaiming: zero fan for shape ", shapeToString(shape));
    double g = gain(init.nonlinearity, init.negativeSlope);
    if (init.kind == K::KaimingUniform) {
      double bound = g * std::sqrt(3.0 / fan);
      fillUniform(-bound, bound);
    } else {
      fillNormal(0.0, g / std::sqrt(fan));
    }
    break;
  }
  case K::XavierUniform:
  case K::XavierNormal: {
    auto [fanIn, fanOut] = fans(shape);
    double sum = static_cast<double>(fanIn + fanOut);
    if (sum <= 0)
      fail("kiln::init::xavier: zero fans for shape ", shapeToString(shape));
    if (init.kind == K::XavierUniform) {
      double bound = init.gainValue * std::sqrt(6.0 / sum);
      fillUniform(-bound, bound);
    } else {
      fillNormal(0.0, init.gainValue * std::sqrt(2.0 / sum));
    }
    break;
  }
  }
  return t;
}

} // namespace init
} // namespace kiln
