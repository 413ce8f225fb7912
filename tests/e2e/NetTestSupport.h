//===- NetTestSupport.h - Shared helpers of the CNN e2e tests ---*- C++ -*-===//
//
// Used by ConvTest.cpp, NormTest.cpp and GoldenTest.cpp: compiling a model
// at a graph optimization level (compileAt, the one place that chooses the
// level), comparing outputs with tolerances, conversions between the
// reference's geometry types and the DSL's, and parameters from tensors.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_E2E_NETTESTSUPPORT_H
#define KILN_TESTS_E2E_NETTESTSUPPORT_H

#include "frontend/Kiln.h"
#include "tests/e2e/Reference.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>

namespace kiln::e2e {

//===----------------------------------------------------------------------===//
// Optimization levels
//===----------------------------------------------------------------------===//

/// The levels every CNN test runs at: no graph optimizations, and whatever
/// JitOptions uses by default (O2 and up: unfolding, fusion, norm folding).
constexpr int kO0 = 0;
constexpr int kDefaultLevel = -1;

inline std::string levelName(int level) {
  return level == kDefaultLevel ? "Default" : "O" + std::to_string(level);
}

namespace detail {
/// True when JitOptions has a `graph.level` member (the graph optimization
/// level, O0..O3).
template <typename T, typename = void> struct HasGraphLevel : std::false_type {};
template <typename T>
struct HasGraphLevel<T, std::void_t<decltype(std::declval<T &>().graph.level)>>
    : std::true_type {};

template <typename Options> void setGraphLevel(Options &options, int level) {
  if constexpr (HasGraphLevel<Options>::value)
    options.graph.level = level;
  else
    (void)options, (void)level;
}
} // namespace detail

/// True once JitOptions can select the graph optimization level (until
/// then compileAt compiles every level the same way).
constexpr bool kGraphLevelWired = detail::HasGraphLevel<JitOptions>::value;

/// Compiles `model` with graph optimizations at `level` (kO0..3), or with
/// the default options for kDefaultLevel; other settings come from
/// `options`. The only place in the tests that maps a level onto
/// JitOptions.
inline CompiledModel compileAt(const Model &model, int level,
                               JitOptions options = {}) {
  if (level != kDefaultLevel)
    detail::setGraphLevel(options, level);
  return jit(model, options);
}

//===----------------------------------------------------------------------===//
// Tolerances and comparison
//===----------------------------------------------------------------------===//

/// Convolutions, pooling averages, norms and whole networks, accumulated in
/// f32 in any order (im2col + tiled matmul, folded batch norm): 1e-4
/// relative, plus 1e-5 absolute for outputs that cancel to near 0.
constexpr double kNetRtol = 1e-4, kNetAtol = 1e-5;
/// Max pooling, nearest upsampling, dropout: data movement only, exact.
constexpr double kExactRtol = 0, kExactAtol = 0;

/// Expects `actual` to match `expected` in dtype, shape and values, naming
/// `label` and compareTensors' worst element on failure.
inline void expectMatches(const std::string &label, const Tensor &actual,
                          const Tensor &expected, double rtol = kNetRtol,
                          double atol = kNetAtol) {
  SCOPED_TRACE(label);
  ASSERT_TRUE(actual.defined()) << label << ": output is undefined";
  ASSERT_EQ(actual.dtype(), expected.dtype())
      << label << ": got " << actual.typeString() << ", expected "
      << expected.typeString();
  ASSERT_EQ(actual.shape(), expected.shape())
      << label << ": got " << actual.typeString() << ", expected "
      << expected.typeString();
  Comparison c = compareTensors(actual, expected, rtol, atol);
  EXPECT_TRUE(c.ok) << label << ": " << c.message;
}

//===----------------------------------------------------------------------===//
// Conversions and inputs
//===----------------------------------------------------------------------===//

inline Size2 size2(ref::HW v) { return Size2(v.h, v.w); }
inline Padding2d padding2d(ref::Pad4 p) {
  return Padding2d(p.top, p.left, p.bottom, p.right);
}

/// A parameter called `name` holding `value`.
inline Value parameterFrom(Model &m, const std::string &name, const Tensor &value) {
  Value v = m.parameter(name, value.shape());
  m.setParameter(name, value);
  return v;
}

/// A parameter, or an undefined Value when `value` is undefined.
inline Value optionalParameter(Model &m, const std::string &name,
                               const Tensor &value) {
  return value.defined() ? parameterFrom(m, name, value) : Value();
}

inline Tensor uniform(Shape shape, float lo, float hi, uint64_t seed) {
  return ref::randomUniform(std::move(shape), lo, hi, seed);
}

/// "3x7x9" for test names (gtest names allow only [A-Za-z0-9_]).
inline std::string dims(const Shape &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

} // namespace kiln::e2e

#endif // KILN_TESTS_E2E_NETTESTSUPPORT_H
