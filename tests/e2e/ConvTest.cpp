//===- ConvTest.cpp - Convolution, pooling, upsampling vs the reference ---===//
//
// Every case builds a one-op model with the DSL, compiles it at O0 and at the
// default optimization level (compileAt, NetTestSupport.h), runs it on seeded
// random inputs and compares with the plain loops of tests/e2e/Reference.cpp
// (which share no code with the compiler).
//
// The conv2d grid is a covering design rather than the full product: all
// 4 x 3 x 3 (kernel, stride, dilation) triples, so every (kernel, stride) and
// (kernel, dilation) pair occurs; groups (1, 2, depthwise) cycle with
// (kernel + dilation) so that every (groups, stride) pair occurs too; padding
// 0..2, batch 1/3, bias on/off and odd spatial sizes cycle through the
// cases. Asymmetric padding, rectangular kernels/strides, wider channel
// counts and edge cases are listed explicitly after it.
//
// Also: the shape errors of these ops (kiln::Error naming the op and the
// shapes), the layers' parameters, a dynamic batch, and receptiveField.
//
//===----------------------------------------------------------------------===//
#include "tests/e2e/NetTestSupport.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using kiln::Model;
using kiln::Shape;
using kiln::Tensor;
using kiln::Value;
using kiln::e2e::compileAt;
using kiln::e2e::dims;
using kiln::e2e::expectMatches;
using kiln::e2e::kDefaultLevel;
using kiln::e2e::kExactAtol;
using kiln::e2e::kExactRtol;
using kiln::e2e::kO0;
using kiln::e2e::levelName;
using kiln::e2e::optionalParameter;
using kiln::e2e::padding2d;
using kiln::e2e::parameterFrom;
using kiln::e2e::size2;
using kiln::e2e::uniform;
using kiln::ref::HW;
using kiln::ref::Pad4;
using kiln::testing::errorOf;
namespace ref = kiln::ref;

/// Names a parameterized test "<case>_<level>".
template <typename Case>
std::string caseAndLevel(const ::testing::TestParamInfo<std::tuple<Case, int>> &info) {
  return std::get<0>(info.param).name + "_" + levelName(std::get<1>(info.param));
}

const auto kLevels = ::testing::Values(kO0, kDefaultLevel);

/// The IR printed after the graph optimizations ("optimized" stage).
std::string optimizedIR(const Model &m, int level) {
  std::ostringstream ir;
  kiln::JitOptions options;
  options.printIRAfterEachStage = true;
  options.irStream = &ir;
  compileAt(m, level, options);
  const std::string all = ir.str(), marker = "IR after stage 'optimized'";
  const size_t begin = all.find(marker);
  if (begin == std::string::npos)
    return "(no optimized stage in the printed IR)";
  return all.substr(begin, all.find("// -----", begin + marker.size()) - begin);
}

TEST(CompileAtTest, SelectsTheGraphOptimizationLevel) {
  // The "_O0" and "_Default" cases below must really differ: at O0 conv2d
  // and batch_norm survive the graph stage; by default the batch norm is
  // folded and the conv unfolded (im2col + matmul; stride 2, as stride-1
  // convs stay direct for the CPU backend's kernel).
  ASSERT_TRUE(kiln::e2e::kGraphLevelWired)
      << "JitOptions has no graph.level: wire compileAt() in "
         "tests/e2e/NetTestSupport.h to the graph optimization level";
  Model m("conv_bn");
  Value x = m.input("x", {1, 3, 8, 8});
  kiln::nn::Conv2d conv(m, "conv", 3, 4, 3, 2, 1);
  kiln::nn::BatchNorm2d bn(m, "bn", 4);
  m.output(kiln::relu(bn(conv(x))), "y");
  const std::string o0 = optimizedIR(m, kO0), o2 = optimizedIR(m, kDefaultLevel);
  EXPECT_NE(o0.find("kiln.conv2d"), std::string::npos) << o0;
  EXPECT_NE(o0.find("kiln.batch_norm"), std::string::npos) << o0;
  EXPECT_EQ(o2.find("kiln.conv2d"), std::string::npos) << o2;
  EXPECT_EQ(o2.find("kiln.batch_norm"), std::string::npos) << o2;
}

//===----------------------------------------------------------------------===//
// conv2d grid
//===----------------------------------------------------------------------===//

struct ConvCase {
  std::string name;
  int64_t n, c, f, h, w;
  HW kernel, stride;
  Pad4 padding;
  HW dilation;
  int64_t groups;
  bool bias;
};

std::string padName(Pad4 p) {
  if (p.top == p.bottom && p.left == p.right && p.top == p.left)
    return std::to_string(p.top);
  return std::to_string(p.top) + "_" + std::to_string(p.left) + "_" +
         std::to_string(p.bottom) + "_" + std::to_string(p.right);
}

std::string hwName(HW v) {
  return v.h == v.w ? std::to_string(v.h)
                    : std::to_string(v.h) + "x" + std::to_string(v.w);
}

ConvCase makeConv(int64_t n, int64_t c, int64_t f, int64_t h, int64_t w, HW k,
                  HW s, Pad4 p, HW d, int64_t g, bool bias,
                  const std::string &tag = "") {
  ConvCase cc{"", n, c, f, h, w, k, s, p, d, g, bias};
  cc.name = (tag.empty() ? "" : tag + "_") + "k" + hwName(k) + "_s" +
            hwName(s) + "_p" + padName(p) + "_d" + hwName(d) + "_g" +
            std::to_string(g) + "_n" + std::to_string(n) + "_c" +
            std::to_string(c) + "f" + std::to_string(f) + "_" +
            std::to_string(h) + "x" + std::to_string(w) +
            (bias ? "_bias" : "_nobias");
  return cc;
}

std::vector<ConvCase> convCases() {
  std::vector<ConvCase> cases;
  const int64_t kernels[] = {1, 3, 5, 7}, strides[] = {1, 2, 3},
                dilations[] = {1, 2, 3};
  const int64_t sizes[][2] = {{7, 9}, {11, 5}, {9, 11}, {5, 7}, {13, 7}};
  int i = 0;
  for (int ki = 0; ki < 4; ++ki)
    for (int si = 0; si < 3; ++si)
      for (int di = 0; di < 3; ++di, ++i) {
        const int64_t k = kernels[ki], s = strides[si], d = dilations[di];
        const int64_t p = (ki + si + di) % 3;
        // 0: groups 1; 1: groups 2; 2: depthwise (multiplier 1 or 2).
        const int kind = (ki + di) % 3;
        int64_t c = 3, f = 5, g = 1;
        if (kind == 1) {
          c = 4, f = 6, g = 2;
        } else if (kind == 2) {
          c = 3 + (i % 2), g = c, f = (i % 4 < 2) ? c : 2 * c;
        }
        // Odd sizes; grown (keeping them odd) until the dilated kernel fits
        // the padded input.
        int64_t h = sizes[i % 5][0], w = sizes[i % 5][1];
        const int64_t need = d * (k - 1) + 1 - 2 * p;
        while (h < need)
          h += 4;
        while (w < need)
          w += 6;
        cases.push_back(makeConv(i % 2 ? 3 : 1, c, f, h, w, k, s, p, d, g,
                                 i % 3 != 1));
      }
  // Asymmetric padding {top, left, bottom, right}.
  cases.push_back(makeConv(2, 3, 4, 7, 9, 3, 1, {0, 1, 2, 1}, 1, 1, true, "asym"));
  cases.push_back(makeConv(1, 3, 4, 9, 8, 3, 2, {1, 0, 0, 1}, 1, 1, true, "asym"));
  // TensorFlow "SAME" for k 2, s 2 on odd sizes: pad only at the end.
  cases.push_back(makeConv(3, 4, 6, 7, 9, 2, 2, {0, 0, 1, 1}, 1, 1, false, "asym"));
  cases.push_back(makeConv(1, 2, 3, 11, 9, 5, 1, {4, 0, 0, 4}, 2, 1, true, "asym"));
  // 1x1 with padding: a border of bias only.
  cases.push_back(makeConv(1, 5, 3, 5, 7, 1, 1, {1, 2, 0, 0}, 1, 1, true, "asym"));
  cases.push_back(makeConv(2, 4, 4, 9, 7, 3, 1, {2, 0, 1, 0}, 1, 2, true, "asym"));
  // MobileNet-style depthwise stride 2 with end padding.
  cases.push_back(makeConv(1, 6, 6, 11, 9, 3, 2, {0, 0, 1, 1}, 1, 6, true, "asym"));
  // Rectangular kernels, strides and dilations.
  cases.push_back(makeConv(2, 3, 4, 9, 11, {3, 5}, {1, 2}, {1, 2}, {2, 1}, 1, true, "rect"));
  cases.push_back(makeConv(1, 4, 4, 5, 13, {1, 7}, 1, {0, 3}, 1, 1, true, "rect"));
  cases.push_back(makeConv(1, 4, 2, 13, 5, {7, 1}, 1, {3, 0}, 1, 2, false, "rect"));
  cases.push_back(makeConv(3, 3, 3, 11, 7, 3, {3, 1}, 1, {1, 2}, 3, true, "rect"));
  // Wider channel counts (the vectorized matmul path after unfolding).
  cases.push_back(makeConv(2, 16, 24, 9, 9, 3, 1, 1, 1, 1, true, "wide"));
  cases.push_back(makeConv(1, 24, 40, 7, 5, 1, 1, 0, 1, 1, true, "wide"));
  cases.push_back(makeConv(3, 32, 8, 9, 7, 1, 2, 0, 1, 1, false, "wide"));
  cases.push_back(makeConv(1, 16, 16, 9, 11, 3, 1, 1, 1, 16, true, "wide"));
  cases.push_back(makeConv(1, 12, 18, 7, 7, 3, 2, 1, 1, 3, true, "wide"));
  // Small images with many filters: unfolded transposed (P^T x W^T, the
  // 64-wide register tile along the filters), 3x3 and pointwise, batch 2.
  cases.push_back(makeConv(2, 4, 64, 7, 7, 3, 1, 1, 1, 1, true, "small_image"));
  cases.push_back(makeConv(2, 8, 128, 5, 6, 1, 1, 0, 1, 1, false, "small_image"));
  cases.push_back(makeConv(1, 6, 64, 9, 9, 3, 2, 1, 1, 1, true, "small_image"));
  // Edges: stride larger than the kernel, a kernel covering the whole
  // input (1x1 output), a single input or output channel.
  cases.push_back(makeConv(2, 3, 2, 11, 10, 1, 3, 0, 1, 1, true, "edge"));
  cases.push_back(makeConv(1, 3, 2, 11, 10, 2, 3, 0, 1, 1, true, "edge"));
  cases.push_back(makeConv(3, 2, 4, 5, 5, 5, 1, 0, 1, 1, true, "edge"));
  cases.push_back(makeConv(1, 1, 3, 7, 9, 3, 1, 1, 1, 1, true, "edge"));
  cases.push_back(makeConv(2, 5, 1, 7, 9, 3, 1, 1, 1, 1, true, "edge"));
  // Stride-1 convolutions at least 8 columns wide stay direct at the
  // default level (kiln-cpu-vectorize-conv): tiles of MR channels (7 is
  // prime), row ends of 8 (one half-width vector), 33, 56 (3.5 vectors)
  // and 70 columns (a loop of column blocks, then masked ones), 37 rows
  // (a shorter last band), dilation, asymmetric padding, padding wider
  // than the kernel's reach (then the input is padded whole, not band by
  // band), one input and output channel, 5x5, 7x7 and 3x5 kernels.
  cases.push_back(makeConv(2, 5, 7, 13, 8, 3, 1, 1, 1, 1, true, "direct"));
  cases.push_back(makeConv(1, 3, 12, 37, 33, 3, 1, 1, 1, 1, false, "direct"));
  cases.push_back(makeConv(3, 16, 16, 19, 56, 3, 1, 1, 1, 1, true, "direct"));
  cases.push_back(makeConv(1, 4, 20, 11, 70, 5, 1, 2, 1, 1, true, "direct"));
  cases.push_back(makeConv(2, 6, 8, 17, 40, 3, 1, {0, 1, 2, 0}, 2, 1, true, "direct"));
  cases.push_back(makeConv(1, 2, 64, 9, 17, {3, 5}, 1, {1, 2}, 1, 1, false, "direct"));
  cases.push_back(makeConv(1, 1, 1, 20, 24, 3, 1, 0, 1, 1, true, "direct"));
  cases.push_back(makeConv(2, 3, 5, 30, 16, 7, 1, 3, 1, 1, true, "direct"));
  cases.push_back(makeConv(1, 2, 4, 10, 12, 3, 1, {3, 1, 3, 1}, 1, 1, true, "direct"));
  // Large images: the unfolded patch matrix (C*KH*KW x OH*OW floats per
  // image) exceeds the 1 MiB default band size, so the rows are split into
  // bands with halos; odd sizes make the last band partial.
  cases.push_back(makeConv(2, 8, 6, 67, 61, 3, 1, 1, 1, 1, true, "band"));
  cases.push_back(makeConv(1, 16, 8, 131, 97, 3, 2, 1, 1, 1, true, "band"));
  cases.push_back(makeConv(1, 4, 4, 71, 63, 5, 1, {1, 2, 3, 0}, 2, 1, false, "band"));
  cases.push_back(makeConv(1, 8, 8, 200, 181, 3, 3, 2, 3, 2, true, "band"));
  cases.push_back(makeConv(1, 16, 8, 160, 150, 3, 1, 1, 1, 1, true, "band"));
  cases.push_back(makeConv(1, 12, 5, 101, 89, {3, 5}, {2, 1}, {0, 2, 1, 2}, {1, 2}, 1, true,
                           "band"));
  return cases;
}

class Conv2dGridTest : public ::testing::TestWithParam<std::tuple<ConvCase, int>> {};

TEST_P(Conv2dGridTest, MatchesReference) {
  const auto &[cc, level] = GetParam();
  const uint64_t seed = std::hash<std::string>()(cc.name) % 100000;
  Tensor x = uniform({cc.n, cc.c, cc.h, cc.w}, -1, 1, seed);
  Tensor w = uniform({cc.f, cc.c / cc.groups, cc.kernel.h, cc.kernel.w}, -1, 1,
                     seed + 1);
  Tensor b = cc.bias ? uniform({cc.f}, -1, 1, seed + 2) : Tensor();
  Tensor expected =
      ref::conv2d(x, w, b, cc.stride, cc.padding, cc.dilation, cc.groups);

  Model m("conv");
  Value in = m.input("x", x.shape());
  Value y = kiln::conv2d(in, parameterFrom(m, "weight", w),
                         optionalParameter(m, "bias", b), size2(cc.stride),
                         padding2d(cc.padding), size2(cc.dilation), cc.groups);
  ASSERT_EQ(y.shape(), expected.shape()) << "inferred " << y.typeString();
  m.output(y, "y");
  kiln::CompiledModel net = compileAt(m, level);
  RecordProperty("compile_seconds", std::to_string(net.compileSeconds()));
  expectMatches(cc.name, net.run({x})[0], expected);
}

INSTANTIATE_TEST_SUITE_P(Grid, Conv2dGridTest,
                         ::testing::Combine(::testing::ValuesIn(convCases()), kLevels),
                         caseAndLevel<ConvCase>);

TEST(Conv2dTest, DynamicBatch) {
  // One compiled model, batch 1 and 3, with [?, 4, 9, 7] input.
  Tensor w = uniform({6, 2, 3, 3}, -1, 1, 51), b = uniform({6}, -1, 1, 52);
  for (int level : {kO0, kDefaultLevel}) {
    SCOPED_TRACE(levelName(level));
    Model m("conv_dyn");
    Value in = m.input("x", {kiln::kBatch, 4, 9, 7});
    Value y = kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b),
                           2, 1, 1, 2);
    EXPECT_EQ(y.shape(), (Shape{-1, 6, 5, 4}));
    m.output(kiln::relu(y), "y");
    kiln::CompiledModel net = compileAt(m, level);
    for (int64_t n : {1, 3}) {
      Tensor x = uniform({n, 4, 9, 7}, -1, 1, 53 + n);
      expectMatches("batch " + std::to_string(n), net.run({x})[0],
                    ref::relu(ref::conv2d(x, w, b, 2, 1, 1, 2)));
    }
  }
}

TEST(Conv2dTest, DepthwiseWithElementwiseEpilogue) {
  // A depthwise convolution followed by elementwise ops: the vectorized
  // depthwise kernel applies them to its accumulators (relu, a residual
  // input read at the same positions, a clamp at 6), on row ends that
  // need masks (37 columns; 19 with stride 2).
  Tensor w = uniform({8, 1, 3, 3}, -1, 1, 61), b = uniform({8}, -1, 1, 62);
  for (int64_t stride : {1, 2}) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    int64_t oh = (21 + 2 - 3) / stride + 1, ow = (37 + 2 - 3) / stride + 1;
    Model m("dw_epilogue");
    Value in = m.input("x", {kiln::kBatch, 8, 21, 37});
    Value res = m.input("r", {kiln::kBatch, 8, oh, ow});
    Value y = kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b), stride, 1,
                           1, 8);
    m.output(kiln::minimum(kiln::relu(y) + res, m.scalar(6.0)), "y");
    kiln::CompiledModel net = compileAt(m, kDefaultLevel);
    for (int64_t n : {1, 2}) {
      Tensor x = uniform({n, 8, 21, 37}, -4, 4, 63 + n);
      Tensor r = uniform({n, 8, oh, ow}, -1, 5, 65 + n);
      Tensor expected =
          ref::minimum(ref::add(ref::relu(ref::conv2d(x, w, b, stride, 1, 1, 8)), r),
                       Tensor::full({n, 8, oh, ow}, 6.0));
      expectMatches("batch " + std::to_string(n), net.run({x, r})[0], expected);
    }
  }
}

TEST(Conv2dTest, DirectWithElementwiseEpilogue) {
  // A one-group stride-1 convolution left direct, followed by elementwise
  // ops that the direct kernel applies to its accumulators (relu, a
  // residual input, a clamp at 6), on row ends that need masks (37 and 8
  // columns).
  for (int64_t width : {37, 8}) {
    SCOPED_TRACE("width " + std::to_string(width));
    Tensor w = uniform({12, 6, 3, 3}, -1, 1, 71), b = uniform({12}, -1, 1, 72);
    Model m("direct_epilogue");
    Value in = m.input("x", {kiln::kBatch, 6, 11, width});
    Value res = m.input("r", {kiln::kBatch, 12, 11, width});
    Value y = kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b), 1, 1);
    m.output(kiln::minimum(kiln::relu(y) + res, m.scalar(6.0)), "y");
    kiln::CompiledModel net = compileAt(m, kDefaultLevel);
    // The kernel ran (the scalar generic would give the same numbers): no
    // linalg.generic is left after vectorization, the conv and its
    // epilogue are vector FMAs and ops.
    bool sawVectorized = false;
    for (const auto &stage : net.stageSummaries())
      if (stage.stage == "vectorized") {
        sawVectorized = true;
        EXPECT_EQ(stage.opsByName.count("linalg.generic"), 0u);
        EXPECT_GT(stage.opsByName.count("vector.fma"), 0u);
      }
    EXPECT_TRUE(sawVectorized);
    for (int64_t n : {1, 2}) {
      Tensor x = uniform({n, 6, 11, width}, -2, 2, 73 + n);
      Tensor r = uniform({n, 12, 11, width}, -1, 5, 75 + n);
      Tensor expected = ref::minimum(ref::add(ref::relu(ref::conv2d(x, w, b, 1, 1)), r),
                                     Tensor::full({n, 12, 11, width}, 6.0));
      expectMatches("batch " + std::to_string(n), net.run({x, r})[0], expected);
    }
  }
}

TEST(Conv2dTest, DirectRuntimeWeights) {
  // Weights given at run time (a model input, not a parameter) are read in
  // their [F, C, KH, KW] layout instead of a compile-time packed copy.
  Model m("direct_runtime_w");
  Value in = m.input("x", {kiln::kBatch, 5, 14, 23});
  Value weight = m.input("w", {8, 5, 3, 3});
  m.output(kiln::conv2d(in, weight, Value(), 1, {1, 0, 1, 2}), "y");
  kiln::CompiledModel net = compileAt(m, kDefaultLevel);
  for (int64_t n : {1, 3}) {
    Tensor x = uniform({n, 5, 14, 23}, -1, 1, 81 + n), w = uniform({8, 5, 3, 3}, -1, 1, 85 + n);
    expectMatches("batch " + std::to_string(n), net.run({x, w})[0],
                  ref::conv2d(x, w, Tensor(), 1, {1, 0, 1, 2}));
  }
}

TEST(Conv2dTest, DynamicBatchLargeImage) {
  // Banded unfolding (patch matrix above 1 MiB per image) with a dynamic
  // batch, plus bias and relu epilogue.
  Tensor w = uniform({8, 8, 3, 3}, -0.5, 0.5, 56), b = uniform({8}, -1, 1, 57);
  for (int level : {kO0, kDefaultLevel}) {
    SCOPED_TRACE(levelName(level));
    Model m("conv_dyn_big");
    Value in = m.input("x", {kiln::kBatch, 8, 83, 79});
    m.output(kiln::relu(kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b),
                                     1, {1, 0, 2, 1})),
             "y");
    kiln::CompiledModel net = compileAt(m, level);
    for (int64_t n : {1, 2}) {
      Tensor x = uniform({n, 8, 83, 79}, -1, 1, 58 + n);
      expectMatches("batch " + std::to_string(n), net.run({x})[0],
                    ref::relu(ref::conv2d(x, w, b, 1, {1, 0, 2, 1})));
    }
  }
}

TEST(Conv2dTest, LayerParametersAndForward) {
  // nn::Conv2d has PyTorch's parameter names and shapes, with
  // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) initial values, and its forward is
  // conv2d with its settings.
  Model m("layer", 7);
  kiln::nn::Conv2d conv(m, "conv", 6, 8, {3, 5}, 2, {1, 2}, 1, 2);
  EXPECT_EQ(conv.weight.shape(), (Shape{8, 3, 3, 5}));
  EXPECT_EQ(conv.bias.shape(), (Shape{8}));
  const auto &params = m.parameters();
  ASSERT_EQ(params.count("conv.weight"), 1u);
  ASSERT_EQ(params.count("conv.bias"), 1u);
  const double bound = 1 / std::sqrt(3.0 * 3 * 5);
  for (const char *name : {"conv.weight", "conv.bias"}) {
    const Tensor &t = params.at(name);
    for (int64_t i = 0; i < t.numel(); ++i) {
      EXPECT_LE(std::abs(t.at(i)), bound) << name << "[" << i << "]";
    }
  }
  kiln::nn::Conv2d noBias(m, "nb", 8, 4, 1, 1, 0, 1, 1, false);
  EXPECT_FALSE(noBias.bias.defined());
  EXPECT_EQ(m.parameters().count("nb.bias"), 0u);

  Value in = m.input("x", {2, 6, 9, 11});
  m.output(noBias(conv(in)), "y");
  Tensor x = uniform({2, 6, 9, 11}, -1, 1, 61);
  Tensor expected = ref::conv2d(
      ref::conv2d(x, params.at("conv.weight"), params.at("conv.bias"), 2, {1, 2},
                  1, 2),
      m.parameters().at("nb.weight"));
  for (int level : {kO0, kDefaultLevel})
    expectMatches(levelName(level), compileAt(m, level).run({x})[0], expected);
}

//===----------------------------------------------------------------------===//
// conv_transpose2d
//===----------------------------------------------------------------------===//

struct ConvTCase {
  std::string name;
  int64_t n, c, f, h, w, k;
  HW stride, padding, outputPadding;
  int64_t groups;
  HW dilation;
  bool bias;
};

std::vector<ConvTCase> convTCases() {
  // name, n, c, f, h, w, k, stride, padding, output padding, groups,
  // dilation, bias
  return {
      {"k1_s1", 1, 3, 4, 5, 7, 1, 1, 0, 0, 1, 1, true},
      {"k2_s2", 2, 3, 5, 4, 5, 2, 2, 0, 0, 1, 1, true},
      {"k3_s2_p1_op1", 1, 4, 3, 5, 6, 3, 2, 1, 1, 1, 1, true},
      {"k4_s2_p1", 3, 3, 2, 4, 5, 4, 2, 1, 0, 1, 1, false},
      {"k3_s3_p1_op2", 1, 2, 3, 3, 4, 3, 3, 1, 2, 1, 1, true},
      {"k3_s1_p1_d2", 2, 3, 3, 5, 7, 3, 1, 1, 0, 1, 2, true},
      {"k3_s2_d2_op1", 1, 3, 4, 4, 5, 3, 2, 0, 1, 1, 2, false},
      {"k3_s2_g2", 2, 4, 6, 5, 5, 3, 2, 1, 1, 2, 1, true},
      {"k3_s1_depthwise", 1, 4, 4, 7, 5, 3, 1, 1, 0, 4, 1, true},
      {"k5_s1_p2_g2_d1", 1, 4, 2, 5, 7, 5, 1, 2, 0, 2, 1, true},
      {"k2_s12_p01", 2, 3, 2, 5, 6, 2, {1, 2}, {0, 1}, {0, 1}, 1, 1, true},
      {"k3_s21_op10_d12", 1, 2, 3, 6, 5, 3, {2, 1}, 1, {1, 0}, 1, {1, 2}, true},
  };
}

class ConvTranspose2dTest : public ::testing::TestWithParam<std::tuple<ConvTCase, int>> {};

TEST_P(ConvTranspose2dTest, MatchesReference) {
  const auto &[cc, level] = GetParam();
  const uint64_t seed = std::hash<std::string>()(cc.name) % 100000;
  Tensor x = uniform({cc.n, cc.c, cc.h, cc.w}, -1, 1, seed);
  Tensor w = uniform({cc.c, cc.f / cc.groups, cc.k, cc.k}, -1, 1, seed + 1);
  Tensor b = cc.bias ? uniform({cc.f}, -1, 1, seed + 2) : Tensor();
  Tensor expected = ref::convTranspose2d(x, w, b, cc.stride, cc.padding,
                                         cc.outputPadding, cc.groups, cc.dilation);
  Model m("convt");
  Value in = m.input("x", x.shape());
  Value y = kiln::convTranspose2d(in, parameterFrom(m, "weight", w),
                                  optionalParameter(m, "bias", b), size2(cc.stride),
                                  size2(cc.padding), size2(cc.outputPadding),
                                  cc.groups, size2(cc.dilation));
  ASSERT_EQ(y.shape(), expected.shape()) << "inferred " << y.typeString();
  m.output(y, "y");
  expectMatches(cc.name, compileAt(m, level).run({x})[0], expected);
}

INSTANTIATE_TEST_SUITE_P(Grid, ConvTranspose2dTest,
                         ::testing::Combine(::testing::ValuesIn(convTCases()), kLevels),
                         caseAndLevel<ConvTCase>);

TEST(ConvTranspose2dTest, LayerParameters) {
  // torch.nn.ConvTranspose2d(6, 4, 3, groups=2): weight [6, 2, 3, 3].
  Model m("layer");
  kiln::nn::ConvTranspose2d up(m, "up", 6, 4, 3, 2, 1, 1, 2);
  EXPECT_EQ(up.weight.shape(), (Shape{6, 2, 3, 3}));
  EXPECT_EQ(up.bias.shape(), (Shape{4}));
  Value in = m.input("x", {1, 6, 4, 5});
  Value y = up(in);
  EXPECT_EQ(y.shape(), (Shape{1, 4, 8, 10}));
  m.output(y, "y");
  Tensor x = uniform({1, 6, 4, 5}, -1, 1, 71);
  expectMatches("layer", kiln::jit(m).run({x})[0],
                ref::convTranspose2d(x, m.parameters().at("up.weight"),
                                     m.parameters().at("up.bias"), 2, 1, 1, 2));
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct PoolCase {
  std::string name;
  bool max; // max_pool2d, else avg_pool2d
  int64_t n, c, h, w;
  HW kernel, stride;
  Pad4 padding;
  HW dilation; // max only
  bool ceilMode;
  bool countIncludePad; // avg only
};

std::vector<PoolCase> poolCases() {
  // name, max, n, c, h, w, kernel, stride (0: = kernel), padding, dilation,
  // ceil, count_include_pad
  return {
      {"max_k2", true, 2, 3, 8, 10, 2, 0, 0, 1, false, true},
      {"max_k2_odd", true, 1, 3, 7, 9, 2, 0, 0, 1, false, true},
      {"max_k3_s2_p1", true, 3, 2, 9, 11, 3, 2, 1, 1, false, true},
      {"max_k3_s1_p1", true, 1, 4, 7, 5, 3, 1, 1, 1, false, true},
      {"max_k5_s2_p2", true, 1, 2, 11, 9, 5, 2, 2, 1, false, true},
      {"max_k3_s3", true, 2, 2, 11, 10, 3, 3, 0, 1, false, true},
      {"max_k3_d2_p1", true, 1, 3, 11, 9, 3, 1, 1, 2, false, true},
      {"max_k2_d3_s2", true, 2, 2, 9, 11, 2, 2, 0, 3, false, true},
      {"max_k2_ceil", true, 1, 3, 7, 9, 2, 0, 0, 1, true, true},
      {"max_k3_s2_ceil", true, 2, 2, 8, 7, 3, 2, 0, 1, true, true},
      // The last ceil window would start in the padding: dropped (H).
      {"max_k2_s2_p1_ceil", true, 1, 2, 9, 6, 2, 2, 1, 1, true, true},
      {"max_k3_s2_p1_ceil_d2", true, 1, 2, 10, 9, 3, 2, 1, 2, true, true},
      {"max_rect", true, 2, 2, 9, 11, {2, 3}, {1, 2}, {1, 1}, 1, false, true},
      {"max_asym", true, 1, 3, 7, 8, 3, 2, {1, 0, 0, 1}, 1, false, true},
      {"max_asym_same", true, 2, 2, 9, 7, 2, 2, {0, 0, 1, 1}, 1, false, true},
      {"avg_k2", false, 2, 3, 8, 10, 2, 0, 0, 1, false, true},
      {"avg_k3_s2_p1_incl", false, 3, 2, 9, 11, 3, 2, 1, 1, false, true},
      {"avg_k3_s2_p1_excl", false, 3, 2, 9, 11, 3, 2, 1, 1, false, false},
      {"avg_k3_s1_p1_excl", false, 1, 3, 7, 5, 3, 1, 1, 1, false, false},
      {"avg_k5_s2_p2_incl", false, 1, 2, 11, 9, 5, 2, 2, 1, false, true},
      {"avg_k5_s3_p2_excl", false, 1, 2, 11, 9, 5, 3, 2, 1, false, false},
      {"avg_k2_ceil_incl", false, 1, 3, 7, 9, 2, 0, 0, 1, true, true},
      {"avg_k3_s2_p1_ceil_incl", false, 2, 2, 8, 10, 3, 2, 1, 1, true, true},
      {"avg_k3_s2_p1_ceil_excl", false, 2, 2, 8, 10, 3, 2, 1, 1, true, false},
      {"avg_k2_s2_p1_ceil_incl", false, 1, 2, 9, 6, 2, 2, 1, 1, true, true},
      {"avg_rect_excl", false, 2, 2, 9, 11, {2, 3}, {1, 2}, {1, 1}, 1, false, false},
      {"avg_asym_incl", false, 1, 3, 7, 8, 3, 2, {1, 0, 0, 1}, 1, false, true},
      {"avg_asym_excl", false, 1, 3, 7, 8, 3, 2, {1, 0, 0, 1}, 1, false, false},
  };
}

class Pool2dTest : public ::testing::TestWithParam<std::tuple<PoolCase, int>> {};

TEST_P(Pool2dTest, MatchesReference) {
  const auto &[pc, level] = GetParam();
  Tensor x = uniform({pc.n, pc.c, pc.h, pc.w}, -1, 1,
                     std::hash<std::string>()(pc.name) % 100000);
  Tensor expected =
      pc.max ? ref::maxPool2d(x, pc.kernel, pc.stride, pc.padding, pc.dilation,
                              pc.ceilMode)
             : ref::avgPool2d(x, pc.kernel, pc.stride, pc.padding, pc.ceilMode,
                              pc.countIncludePad);
  Model m("pool");
  Value in = m.input("x", x.shape());
  Value y = pc.max ? kiln::maxPool2d(in, size2(pc.kernel), size2(pc.stride),
                                     padding2d(pc.padding), size2(pc.dilation),
                                     pc.ceilMode)
                   : kiln::avgPool2d(in, size2(pc.kernel), size2(pc.stride),
                                     padding2d(pc.padding), pc.ceilMode,
                                     pc.countIncludePad);
  ASSERT_EQ(y.shape(), expected.shape()) << "inferred " << y.typeString();
  m.output(y, "y");
  kiln::CompiledModel net = compileAt(m, level);
  if (pc.max)
    expectMatches(pc.name, net.run({x})[0], expected, kExactRtol, kExactAtol);
  else
    expectMatches(pc.name, net.run({x})[0], expected);
}

INSTANTIATE_TEST_SUITE_P(Grid, Pool2dTest,
                         ::testing::Combine(::testing::ValuesIn(poolCases()), kLevels),
                         caseAndLevel<PoolCase>);

TEST(Pool2dTest, MaxPoolPaddingIsMinusInfinity) {
  // All-negative input: zero padding would win at the border, -inf never
  // does.
  Tensor x = uniform({1, 2, 5, 7}, -3, -1, 81);
  Model m("maxneg");
  m.output(kiln::maxPool2d(m.input("x", x.shape()), 3, 1, 1), "y");
  Tensor y = kiln::jit(m).run({x})[0];
  for (int64_t i = 0; i < y.numel(); ++i)
    ASSERT_LT(y.at(i), -0.5) << "element " << i;
  expectMatches("maxneg", y, ref::maxPool2d(x, 3, 1, 1), 0, 0);
}

TEST(Pool2dTest, AdaptiveAndGlobal) {
  // Several adaptive output sizes (dividing, not dividing, larger than the
  // input, 1x1) and the global pool, as outputs of one model.
  Tensor x = uniform({3, 4, 7, 9}, -1, 1, 91);
  const std::vector<HW> sizes = {{1, 1}, {3, 4}, {7, 3}, {2, 5}, {9, 11}, {4, 1}};
  for (int level : {kO0, kDefaultLevel}) {
    SCOPED_TRACE(levelName(level));
    Model m("adaptive");
    Value in = m.input("x", x.shape());
    for (HW s : sizes)
      m.output(kiln::adaptiveAvgPool2d(in, size2(s)));
    m.output(kiln::globalAvgPool2d(in));
    std::vector<Tensor> out = compileAt(m, level).run({x});
    ASSERT_EQ(out.size(), sizes.size() + 1);
    for (size_t i = 0; i < sizes.size(); ++i)
      expectMatches("adaptive to " + std::to_string(sizes[i].h) + "x" +
                        std::to_string(sizes[i].w),
                    out[i], ref::adaptiveAvgPool2d(x, sizes[i]));
    expectMatches("global", out.back(), ref::globalAvgPool2d(x));
  }
}

TEST(Pool2dTest, Layers) {
  // nn::MaxPool2d / AvgPool2d / AdaptiveAvgPool2d / Flatten have no
  // parameters; stride defaults to the kernel.
  Model m("layers");
  kiln::nn::MaxPool2d mp(m, "mp", 3, 2, 1);
  kiln::nn::AvgPool2d ap(m, "ap", 2);
  kiln::nn::AdaptiveAvgPool2d aap(m, "aap", {2, 3});
  kiln::nn::Flatten flat(m, "flat");
  EXPECT_TRUE(m.parameters().empty());
  Value in = m.input("x", {2, 3, 11, 13});
  Value y = flat(aap(ap(mp(in))));
  EXPECT_EQ(y.shape(), (Shape{2, 18}));
  m.output(y, "y");
  Tensor x = uniform({2, 3, 11, 13}, -1, 1, 95);
  Tensor expected = ref::reshape(
      ref::adaptiveAvgPool2d(ref::avgPool2d(ref::maxPool2d(x, 3, 2, 1), 2), {2, 3}),
      {2, 18});
  for (int level : {kO0, kDefaultLevel})
    expectMatches(levelName(level), compileAt(m, level).run({x})[0], expected);
}

//===----------------------------------------------------------------------===//
// Upsampling
//===----------------------------------------------------------------------===//

struct UpsampleCase {
  std::string name;
  bool bilinear, alignCorners;
  int64_t n, c, h, w;
  HW size;      // when scale == 0
  double scale; // > 0: by scale factor
};

std::vector<UpsampleCase> upsampleCases() {
  return {
      {"nearest_size_5x6_to_11x13", false, false, 2, 3, 5, 6, {11, 13}, 0},
      {"nearest_size_x2", false, false, 1, 2, 5, 7, {10, 14}, 0},
      {"nearest_size_down", false, false, 1, 2, 9, 7, {4, 3}, 0},
      {"nearest_size_26_to_22", false, false, 1, 1, 3, 26, {3, 22}, 0},
      {"nearest_scale2", false, false, 2, 3, 5, 7, 0, 2.0},
      {"nearest_scale3", false, false, 1, 2, 3, 5, 0, 3.0},
      {"nearest_scale1p15", false, false, 1, 2, 10, 10, 0, 1.15},
      {"bilinear_size", true, false, 2, 3, 5, 6, {9, 11}, 0},
      {"bilinear_size_align", true, true, 2, 3, 5, 6, {9, 11}, 0},
      {"bilinear_down", true, false, 1, 2, 9, 11, {4, 5}, 0},
      {"bilinear_down_align", true, true, 1, 2, 9, 11, {4, 5}, 0},
      {"bilinear_to_1x1_align", true, true, 1, 2, 4, 5, {1, 1}, 0},
      {"bilinear_scale2", true, false, 1, 2, 4, 5, 0, 2.0},
      {"bilinear_scale2_align", true, true, 1, 2, 4, 5, 0, 2.0},
      {"bilinear_scale1p5", true, false, 3, 2, 5, 7, 0, 1.5},
      {"bilinear_scale2p5", true, false, 1, 2, 3, 4, 0, 2.5},
  };
}

class UpsampleTest : public ::testing::TestWithParam<std::tuple<UpsampleCase, int>> {};

TEST_P(UpsampleTest, MatchesReference) {
  const auto &[uc, level] = GetParam();
  Tensor x = uniform({uc.n, uc.c, uc.h, uc.w}, -1, 1,
                     std::hash<std::string>()(uc.name) % 100000);
  HW size = uc.size;
  if (uc.scale > 0)
    size = HW(static_cast<int64_t>(std::floor(uc.h * uc.scale)),
              static_cast<int64_t>(std::floor(uc.w * uc.scale)));
  Tensor expected = uc.bilinear ? ref::upsampleBilinear(x, size, uc.alignCorners,
                                                        uc.scale, uc.scale)
                                : ref::upsampleNearest(x, size, uc.scale, uc.scale);
  const std::string mode = uc.bilinear ? "bilinear" : "nearest";
  Model m("upsample");
  Value in = m.input("x", x.shape());
  Value y = uc.scale > 0 ? kiln::upsample(in, uc.scale, mode, uc.alignCorners)
                         : kiln::upsample(in, size2(uc.size), mode, uc.alignCorners);
  ASSERT_EQ(y.shape(), expected.shape()) << "inferred " << y.typeString();
  m.output(y, "y");
  kiln::CompiledModel net = compileAt(m, level);
  if (uc.bilinear)
    expectMatches(uc.name, net.run({x})[0], expected);
  else
    expectMatches(uc.name, net.run({x})[0], expected, kExactRtol, kExactAtol);
}

INSTANTIATE_TEST_SUITE_P(Grid, UpsampleTest,
                         ::testing::Combine(::testing::ValuesIn(upsampleCases()),
                                            kLevels),
                         caseAndLevel<UpsampleCase>);

TEST(UpsampleTest, Layer) {
  Model m("layer");
  kiln::nn::Upsample up(m, "up", 2.0, "bilinear", true);
  Value in = m.input("x", {1, 2, 3, 5});
  Value y = up(in);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 6, 10}));
  m.output(y, "y");
  Tensor x = uniform({1, 2, 3, 5}, -1, 1, 97);
  expectMatches("layer", kiln::jit(m).run({x})[0],
                ref::upsampleBilinear(x, {6, 10}, true, 2.0, 2.0));
}

//===----------------------------------------------------------------------===//
// Shape errors: a kiln::Error naming the op and the shapes
//===----------------------------------------------------------------------===//

TEST(ConvErrorsTest, Conv2d) {
  Model m("errors");
  Value x = m.input("x", {1, 3, 8, 8});
  Value x4 = m.input("x4", {1, 4, 8, 8});
  Value small = m.input("small", {1, 3, 4, 4});
  Value x3d = m.input("x3d", {3, 8, 8});
  Value w = m.parameter("w", {4, 3, 3, 3});

  // Weight for 2 input channels on a 3-channel input.
  std::string msg = errorOf([&] { kiln::conv2d(x, m.parameter("w2", {4, 2, 3, 3})); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x3x8x8");
  EXPECT_CONTAINS(msg, "4x2x3x3");

  // groups 3 does not divide 4 channels.
  msg = errorOf([&] {
    kiln::conv2d(x4, m.parameter("w3", {6, 1, 3, 3}), Value(), 1, 0, 1, 3);
  });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x4x8x8");
  EXPECT_CONTAINS(msg, "group");

  // groups 2 divides the 4 channels but not the 5 filters.
  msg = errorOf([&] {
    kiln::conv2d(x4, m.parameter("w5", {5, 2, 3, 3}), Value(), 1, 0, 1, 2);
  });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "5x2x3x3");

  // A 7x7 kernel on a 4x4 input padded by 1 (6x6).
  msg = errorOf([&] {
    kiln::conv2d(small, m.parameter("w7", {2, 3, 7, 7}), Value(), 1, 1);
  });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x3x4x4");
  EXPECT_CONTAINS(msg, "7");

  // Dilation makes a 3x3 kernel span 9 > 8.
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 1, 0, 4); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x3x8x8");

  // Not 4-D.
  msg = errorOf([&] { kiln::conv2d(x3d, w); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "3x8x8");

  // Negative padding, zero stride, zero dilation.
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 1, -1); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x3x8x8");
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 1, {0, 0, 0, -2}); });
  EXPECT_CONTAINS(msg, "conv2d");
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 0); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "1x3x8x8");
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), {1, 0}); });
  EXPECT_CONTAINS(msg, "conv2d");
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 1, 0, 0); });
  EXPECT_CONTAINS(msg, "conv2d");

  // Bias of the wrong length.
  msg = errorOf([&] { kiln::conv2d(x, w, m.parameter("b5", {5})); });
  EXPECT_CONTAINS(msg, "conv2d");
  EXPECT_CONTAINS(msg, "5");

  // groups 0.
  msg = errorOf([&] { kiln::conv2d(x, w, Value(), 1, 0, 1, 0); });
  EXPECT_CONTAINS(msg, "conv2d");
}

TEST(ConvErrorsTest, ConvTranspose2d) {
  Model m("errors");
  Value x = m.input("x", {1, 3, 5, 5});
  // Weight's first dim must be the input channels.
  std::string msg =
      errorOf([&] { kiln::convTranspose2d(x, m.parameter("w", {4, 2, 3, 3})); });
  EXPECT_CONTAINS(msg, "conv_transpose2d");
  EXPECT_CONTAINS(msg, "1x3x5x5");
  EXPECT_CONTAINS(msg, "4x2x3x3");
  // Output padding must be smaller than the stride (or the dilation).
  msg = errorOf([&] {
    kiln::convTranspose2d(x, m.parameter("w2", {3, 2, 3, 3}), Value(), 2, 0, 2);
  });
  EXPECT_CONTAINS(msg, "conv_transpose2d");
  // Not 4-D; zero stride.
  msg = errorOf([&] {
    kiln::convTranspose2d(m.input("x3", {3, 5, 5}), m.parameter("w3", {3, 2, 3, 3}));
  });
  EXPECT_CONTAINS(msg, "conv_transpose2d");
  EXPECT_CONTAINS(msg, "3x5x5");
  msg = errorOf([&] {
    kiln::convTranspose2d(x, m.parameter("w4", {3, 2, 3, 3}), Value(), 0);
  });
  EXPECT_CONTAINS(msg, "conv_transpose2d");
}

TEST(ConvErrorsTest, PoolingAndUpsample) {
  Model m("errors");
  Value x = m.input("x", {1, 3, 4, 4});
  Value x3d = m.input("x3d", {3, 4, 4});

  std::string msg = errorOf([&] { kiln::maxPool2d(x, 5); });
  EXPECT_CONTAINS(msg, "max_pool2d");
  EXPECT_CONTAINS(msg, "1x3x4x4");
  msg = errorOf([&] { kiln::maxPool2d(x3d, 2); });
  EXPECT_CONTAINS(msg, "max_pool2d");
  EXPECT_CONTAINS(msg, "3x4x4");
  msg = errorOf([&] { kiln::maxPool2d(x, 2, 1, -1); });
  EXPECT_CONTAINS(msg, "max_pool2d");
  msg = errorOf([&] { kiln::maxPool2d(x, 0); });
  EXPECT_CONTAINS(msg, "max_pool2d");

  msg = errorOf([&] { kiln::avgPool2d(x, {2, 6}); });
  EXPECT_CONTAINS(msg, "avg_pool2d");
  EXPECT_CONTAINS(msg, "1x3x4x4");
  msg = errorOf([&] { kiln::avgPool2d(x3d, 2); });
  EXPECT_CONTAINS(msg, "avg_pool2d");
  msg = errorOf([&] { kiln::avgPool2d(x, 2, 1, {0, -1, 0, 0}); });
  EXPECT_CONTAINS(msg, "avg_pool2d");

  msg = errorOf([&] { kiln::adaptiveAvgPool2d(x, {0, 2}); });
  EXPECT_CONTAINS(msg, "adaptive_avg_pool2d");
  msg = errorOf([&] { kiln::adaptiveAvgPool2d(x3d, 2); });
  EXPECT_CONTAINS(msg, "adaptive_avg_pool2d");
  EXPECT_CONTAINS(msg, "3x4x4");
  msg = errorOf([&] { kiln::globalAvgPool2d(x3d); });
  EXPECT_CONTAINS(msg, "3x4x4");

  msg = errorOf([&] { kiln::upsample(x, kiln::Size2(0, 2), "nearest"); });
  EXPECT_CONTAINS(msg, "upsample");
  msg = errorOf([&] { kiln::upsample(x, 2.0, "bicubic"); });
  EXPECT_CONTAINS(msg, "bicubic");
  msg = errorOf([&] { kiln::upsample(x, -1.0); });
  EXPECT_CONTAINS(msg, "upsample");
  msg = errorOf([&] { kiln::upsample(x3d, 2.0); });
  EXPECT_CONTAINS(msg, "3x4x4");
}

//===----------------------------------------------------------------------===//
// Patterns the graph optimizations rewrite (canonicalization, fusion)
//===----------------------------------------------------------------------===//

class GraphPatternsTest : public ::testing::TestWithParam<int> {};

TEST_P(GraphPatternsTest, IdentitiesThatChangeTheShape) {
  // x * 1 and x + 0 are x only when the constant does not broadcast x to a
  // larger shape; transpose/reshape chains that are not the identity.
  const int level = GetParam();
  Tensor x = uniform({2, 3}, -1, 1, 601);
  Model m("identities");
  Value in = m.input("x", x.shape());
  m.output(in * m.constant(Tensor::full({4, 2, 3}, 1.0)), "mul_ones_broadcast");
  m.output(in + m.constant(Tensor::zeros({2, 2, 1})), "add_zeros_broadcast");
  m.output(in * 1.0 + 0.0, "scalar_identities");
  Value t3 = kiln::reshape(in, {1, 2, 3});
  m.output(kiln::transpose(kiln::transpose(t3, 0, 1), 1, 2), "transpose_chain");
  m.output(kiln::permute(kiln::permute(t3, {2, 0, 1}), {2, 0, 1}), "permute_chain");
  m.output(kiln::reshape(kiln::reshape(in, {3, 2}), {1, 6}), "reshape_chain");
  m.output(kiln::transpose(kiln::transpose(in, 0, 1), 0, 1), "transpose_identity");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor x3 = x.reshaped({1, 2, 3});
  expectMatches("mul_ones_broadcast", out[0], ref::mul(x, Tensor::full({4, 2, 3}, 1.0)), 0, 0);
  expectMatches("add_zeros_broadcast", out[1], ref::add(x, Tensor::zeros({2, 2, 1})), 0, 0);
  expectMatches("scalar_identities", out[2], x, 0, 0);
  expectMatches("transpose_chain", out[3], ref::transpose(ref::transpose(x3, 0, 1), 1, 2), 0,
                0);
  expectMatches("permute_chain", out[4], ref::permute(ref::permute(x3, {2, 0, 1}), {2, 0, 1}),
                0, 0);
  expectMatches("reshape_chain", out[5], ref::reshape(x, {1, 6}), 0, 0);
  expectMatches("transpose_identity", out[6], x, 0, 0);
}

TEST_P(GraphPatternsTest, ConstantSubgraphs) {
  // Small constant subgraphs (foldable at compile time) feeding a conv's
  // weight and an elementwise epilogue.
  const int level = GetParam();
  Tensor x = uniform({1, 3, 6, 5}, -1, 1, 611);
  Tensor w = uniform({4, 3, 3, 3}, -0.5, 0.5, 612), c = uniform({4, 1, 1}, -1, 1, 613);
  Model m("const_subgraphs");
  Value in = m.input("x", x.shape());
  Value wc = m.constant(w), cc = m.constant(c);
  Value weight = kiln::relu(wc) * 2.0 - kiln::abs(wc);
  Value shift = kiln::exp(cc) + cc * cc;
  m.output(kiln::conv2d(in, weight, Value(), 1, 1) + shift, "y");
  Tensor wRef = ref::sub(ref::mul(ref::relu(w), Tensor::full({}, 2.0)), ref::abs(w));
  Tensor shiftRef = ref::add(ref::exp(c), ref::mul(c, c));
  expectMatches("y", compileAt(m, level).run({x})[0],
                ref::add(ref::conv2d(x, wRef, Tensor(), 1, 1), shiftRef));
}

TEST_P(GraphPatternsTest, FusedChainsAndEpilogues) {
  // Elementwise chains whose intermediates are also outputs (must still be
  // materialized), an epilogue that adds another conv's output (residual),
  // and a chain broadcasting operands of several ranks.
  const int level = GetParam();
  Tensor x = uniform({2, 4, 7, 5}, -1, 1, 621);
  Tensor w1 = uniform({4, 4, 3, 3}, -0.5, 0.5, 622), w2 = uniform({4, 4, 1, 1}, -0.5, 0.5, 623);
  Tensor b1 = uniform({4}, -1, 1, 624), row = uniform({5}, -1, 1, 625),
         col = uniform({7, 1}, 0.5, 1.5, 626);
  Model m("fusion");
  Value in = m.input("x", x.shape());
  Value c1 = kiln::conv2d(in, parameterFrom(m, "w1", w1), parameterFrom(m, "b1", b1), 1, 1);
  Value c2 = kiln::conv2d(in, parameterFrom(m, "w2", w2));
  Value a = c1 + c2;
  Value r = kiln::relu(a);
  m.output(r, "relu_residual");
  m.output(a, "sum_also_output");
  m.output(kiln::sigmoid(r * m.constant(row)) / m.constant(col) - in, "broadcast_chain");
  m.output(kiln::maxPool2d(kiln::relu(c1 + in), 2), "pool_after_epilogue");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor rc1 = ref::conv2d(x, w1, b1, 1, 1), rc2 = ref::conv2d(x, w2);
  Tensor ra = ref::add(rc1, rc2), rr = ref::relu(ra);
  expectMatches("relu_residual", out[0], rr);
  expectMatches("sum_also_output", out[1], ra);
  expectMatches("broadcast_chain", out[2],
                ref::sub(ref::div(ref::sigmoid(ref::mul(rr, row)), col), x), 1e-4, 1e-5);
  expectMatches("pool_after_epilogue", out[3], ref::maxPool2d(ref::relu(ref::add(rc1, x)), 2));
}

INSTANTIATE_TEST_SUITE_P(Levels, GraphPatternsTest, ::testing::Values(kO0, 1, kDefaultLevel, 3),
                         [](const ::testing::TestParamInfo<int> &info) {
                           return levelName(info.param);
                         });

//===----------------------------------------------------------------------===//
// receptiveField
//===----------------------------------------------------------------------===//

using kiln::LayerGeometry;

LayerGeometry geo(int64_t k, int64_t s = 1, int64_t p = 0, int64_t d = 1) {
  LayerGeometry g;
  g.kernel = k, g.stride = s, g.padding = p, g.dilation = d;
  return g;
}

void expectField(const std::vector<LayerGeometry> &layers, int64_t size,
                 int64_t jump, double start) {
  kiln::ReceptiveField rf = kiln::receptiveField(layers);
  EXPECT_EQ(rf.size, size);
  EXPECT_EQ(rf.jump, jump);
  EXPECT_DOUBLE_EQ(rf.start, start);
}

TEST(ReceptiveFieldTest, HandCheckedStacks) {
  // Recurrence (k' = d(k-1)+1): size += (k'-1) * jump; start += ((k'-1)/2 -
  // p) * jump; jump *= s. Pixel i covers [i, i+1), so its centre is i+0.5.
  {
    SCOPED_TRACE("empty stack");
    expectField({}, 1, 1, 0.5);
  }
  {
    SCOPED_TRACE("VGG 3x3 'same' convs: 3, 5, 7; centres stay on pixel 0");
    expectField({geo(3, 1, 1)}, 3, 1, 0.5);
    expectField({geo(3, 1, 1), geo(3, 1, 1)}, 5, 1, 0.5);
    expectField({geo(3, 1, 1), geo(3, 1, 1), geo(3, 1, 1)}, 7, 1, 0.5);
  }
  {
    SCOPED_TRACE("unpadded 3x3: output 0 is centred on input pixel 1");
    expectField({geo(3)}, 3, 1, 1.5);
    expectField({geo(3), geo(3)}, 5, 1, 2.5);
  }
  {
    SCOPED_TRACE("two convs, a 2x2/2 pool, a conv: 6 -> 10, jump 2");
    // pool: size 5 + 1 = 6, start 0.5 + 0.5 = 1.0, jump 2;
    // conv: size 6 + 2*2 = 10, start 1.0 + 0 = 1.0.
    expectField({geo(3, 1, 1), geo(3, 1, 1), geo(2, 2)}, 6, 2, 1.0);
    expectField({geo(3, 1, 1), geo(3, 1, 1), geo(2, 2), geo(3, 1, 1)}, 10, 2, 1.0);
  }
  {
    SCOPED_TRACE("dilation");
    // 3x3 dilation 2 spans 5; padding 2 keeps the centre; then dilation 4
    // spans 9: 5 + 8 = 13 (the WaveNet-style doubling).
    expectField({geo(3, 1, 2, 2)}, 5, 1, 0.5);
    expectField({geo(3, 1, 2, 2), geo(3, 1, 4, 4)}, 13, 1, 0.5);
    expectField({geo(3, 1, 0, 2)}, 5, 1, 2.5);
  }
  {
    SCOPED_TRACE("ResNet stem: 7x7/2 pad 3, then 3x3/2 max pool pad 1");
    // conv: 7, jump 2, start 0.5; pool: 7 + 2*2 = 11, jump 4, start 0.5.
    expectField({geo(7, 2, 3)}, 7, 2, 0.5);
    expectField({geo(7, 2, 3), geo(3, 2, 1)}, 11, 4, 0.5);
    // A stride-2 conv with padding 1 then: 11 + 2*4 = 19, jump 8.
    expectField({geo(7, 2, 3), geo(3, 2, 1), geo(3, 2, 1)}, 19, 8, 0.5);
  }
  {
    SCOPED_TRACE("padding larger than the half-kernel: start in the padding");
    // k 3, p 2: start = 0.5 + (1 - 2) = -0.5.
    expectField({geo(3, 1, 2)}, 3, 1, -0.5);
  }
}

TEST(ReceptiveFieldTest, FromLayers) {
  Model m("rf");
  kiln::nn::Conv2d c1(m, "c1", 3, 8, 3, 1, 1);
  kiln::nn::MaxPool2d pool(m, "pool", 2);
  kiln::nn::Conv2d c2(m, "c2", 8, 8, 3, 1, 2, 2);
  kiln::nn::AvgPool2d avg(m, "avg", 3, 2, 1);
  EXPECT_EQ(c2.geometry().dilation, 2);
  EXPECT_EQ(pool.geometry().stride, 2);
  // c1: 3, j1, 0.5; pool: 4, j2, 1.0; c2 (k' 5, p 2): 4 + 4*2 = 12, start
  // 1.0 + 0 = 1.0; avg 3/2 p1: 12 + 2*2 = 16, j4, start 1.0.
  expectField({c1.geometry(), pool.geometry(), c2.geometry(), avg.geometry()}, 16,
              4, 1.0);
}

} // namespace
