//===- Init.h - Seeded random initialization of parameters ------*- C++ -*-===//
//
// PyTorch's initializers (torch.nn.init) on a deterministic generator: the
// same seed gives the same parameters on every machine.
//
//   fan_in  = shape[1] * prod(shape[2:]),  fan_out = shape[0] * prod(shape[2:])
//   kaiming_uniform: U(-b, b),  b = gain * sqrt(3 / fan)
//   kaiming_normal:  N(0, s),   s = gain / sqrt(fan)
//   xavier_uniform:  U(-b, b),  b = gain * sqrt(6 / (fan_in + fan_out))
//   xavier_normal:   N(0, s),   s = gain * sqrt(2 / (fan_in + fan_out))
//   gain(relu) = sqrt(2), gain(leaky_relu, a) = sqrt(2 / (1 + a^2)),
//   gain(tanh) = 5/3, gain(linear) = gain(sigmoid) = 1
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_INIT_H
#define KILN_FRONTEND_INIT_H

#include "runtime/Tensor.h"

#include <cstdint>

namespace kiln {

/// A small, fast, seeded generator (xoshiro256**, seeded by splitmix64).
class Generator {
public:
  explicit Generator(uint64_t seed = 0);
  /// Next 64 random bits.
  uint64_t next();
  /// Uniform in [0, 1).
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();

private:
  uint64_t s_[4];
  bool hasSpare_ = false;
  double spare_ = 0;
};

namespace init {

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, Sigmoid, Tanh, ReLU, LeakyReLU };

/// torch.nn.init.calculate_gain.
double gain(Nonlinearity nonlinearity, double negativeSlope = 0.01);
/// Fan-in and fan-out of a weight of `shape` (rank >= 2; rank 1: both = dim).
std::pair<int64_t, int64_t> fans(const Shape &shape);

/// How to fill a parameter. Build one with the functions below.
struct Initializer {
  enum class Kind { Zeros, Ones, Constant, Uniform, Normal, KaimingUniform,
                    KaimingNormal, XavierUniform, XavierNormal } kind = Kind::Zeros;
  double a = 0, b = 0;             // uniform bounds, normal mean/std, constant
  double negativeSlope = 0;        // kaiming's `a`
  FanMode mode = FanMode::FanIn;
  Nonlinearity nonlinearity = Nonlinearity::LeakyReLU;
  double gainValue = 1;            // xavier
};

Initializer zeros();
Initializer ones();
Initializer constant(double value);
Initializer uniform(double low, double high);
Initializer normal(double mean = 0, double std = 0.02);
Initializer kaimingUniform(double a = 0, FanMode mode = FanMode::FanIn,
                           Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Initializer kaimingNormal(double a = 0, FanMode mode = FanMode::FanIn,
                          Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Initializer xavierUniform(double gain = 1);
Initializer xavierNormal(double gain = 1);

/// A new f32 tensor of `shape` filled by `init` from `gen`. Throws
/// kiln::Error when the fans are undefined (kaiming/xavier on a scalar).
Tensor make(const Initializer &init, const Shape &shape, Generator &gen);

} // namespace init
} // namespace kiln

#endif // KILN_FRONTEND_INIT_H
