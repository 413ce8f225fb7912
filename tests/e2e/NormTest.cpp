//===- NormTest.cpp - Normalization ops and dropout vs the reference ------===//
//
// batch_norm (inference, and training with the running-statistics update),
// layer_norm, group_norm, instance_norm, the adaptive norms (AdaLN, AdaIN
// with a control tensor, adain with a style tensor) and dropout, each
// compiled at O0 and at the default level (where batch norm after a conv or
// linear is folded into its weights) and compared with
// tests/e2e/Reference.cpp. The adaptive norms' references are composed from
// the reference's loops (layerNorm / instanceNorm, then broadcasting mul/add).
//
//===----------------------------------------------------------------------===//
#include "tests/e2e/NetTestSupport.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
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
using kiln::e2e::kO0;
using kiln::e2e::levelName;
using kiln::e2e::optionalParameter;
using kiln::e2e::parameterFrom;
using kiln::e2e::uniform;
using kiln::testing::errorOf;
namespace ref = kiln::ref;
namespace nn = kiln::nn;

const auto kLevels = ::testing::Values(kO0, kDefaultLevel);

template <typename Case>
std::string caseAndLevel(const ::testing::TestParamInfo<std::tuple<Case, int>> &info) {
  return std::get<0>(info.param).name + "_" + levelName(std::get<1>(info.param));
}

uint64_t seedOf(const std::string &name) { return std::hash<std::string>()(name) % 100000; }

//===----------------------------------------------------------------------===//
// Batch norm, inference
//===----------------------------------------------------------------------===//

struct BnCase {
  std::string name;
  Shape shape;
  bool affine;
  double eps;
};

class BatchNormTest : public ::testing::TestWithParam<std::tuple<BnCase, int>> {};

TEST_P(BatchNormTest, MatchesReference) {
  const auto &[bc, level] = GetParam();
  const int64_t c = bc.shape[1];
  const uint64_t seed = seedOf(bc.name);
  Tensor x = uniform(bc.shape, -2, 3, seed);
  Tensor mean = uniform({c}, -1, 1, seed + 1), var = uniform({c}, 0.5, 2, seed + 2);
  Tensor w = bc.affine ? uniform({c}, 0.5, 1.5, seed + 3) : Tensor();
  Tensor b = bc.affine ? uniform({c}, -1, 1, seed + 4) : Tensor();
  Model m("bn");
  Value in = m.input("x", x.shape());
  m.output(kiln::batchNorm(in, parameterFrom(m, "mean", mean), parameterFrom(m, "var", var),
                           optionalParameter(m, "w", w), optionalParameter(m, "b", b),
                           bc.eps),
           "y");
  expectMatches(bc.name, compileAt(m, level).run({x})[0],
                ref::batchNorm(x, mean, var, w, b, bc.eps));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BatchNormTest,
    ::testing::Combine(::testing::Values(BnCase{"nchw_2x4x5x7", {2, 4, 5, 7}, true, 1e-5},
                                         BnCase{"nchw_1x3x9x11_noaffine", {1, 3, 9, 11}, false, 1e-5},
                                         BnCase{"nchw_3x5x3x3_eps1e_3", {3, 5, 3, 3}, true, 1e-3},
                                         BnCase{"nc_3x6", {3, 6}, true, 1e-5},
                                         BnCase{"ncl_2x5x7", {2, 5, 7}, true, 1e-5}),
                       kLevels),
    caseAndLevel<BnCase>);

//===----------------------------------------------------------------------===//
// What batch-norm folding rewrites: conv/linear followed by batch norm or a
// per-channel multiply/add chain with constant operands
//===----------------------------------------------------------------------===//

class FoldTargetsTest : public ::testing::TestWithParam<int> {};

TEST_P(FoldTargetsTest, ConvBatchNormRelu) {
  const int level = GetParam();
  Tensor x = uniform({3, 4, 9, 7}, -1, 1, 201);
  Tensor w = uniform({6, 4, 3, 3}, -0.5, 0.5, 202), cb = uniform({6}, -1, 1, 203);
  Tensor mean = uniform({6}, -1, 1, 204), var = uniform({6}, 0.5, 2, 205);
  Tensor g = uniform({6}, 0.5, 1.5, 206), beta = uniform({6}, -1, 1, 207);
  for (bool convBias : {true, false}) {
    SCOPED_TRACE(convBias ? "conv with bias" : "conv without bias");
    Model m("conv_bn_relu");
    Value in = m.input("x", x.shape());
    Value y = kiln::conv2d(in, parameterFrom(m, "w", w),
                           convBias ? parameterFrom(m, "cb", cb) : Value(), 1, 1);
    y = kiln::batchNorm(y, parameterFrom(m, "mean", mean), parameterFrom(m, "var", var),
                        parameterFrom(m, "g", g), parameterFrom(m, "beta", beta));
    m.output(kiln::relu(y), "y");
    Tensor expected = ref::relu(ref::batchNorm(
        ref::conv2d(x, w, convBias ? cb : Tensor(), 1, 1), mean, var, g, beta));
    expectMatches("conv+bn+relu", compileAt(m, level).run({x})[0], expected);
  }
}

TEST_P(FoldTargetsTest, ConvScaleShiftChainAndResidual) {
  // conv(x, w) * s + t with constant [C,1,1] operands, twice, then a
  // residual add and relu (the epilogue fusion pattern).
  const int level = GetParam();
  Tensor x = uniform({2, 5, 7, 9}, -1, 1, 211);
  Tensor w = uniform({5, 5, 3, 3}, -0.5, 0.5, 212);
  Tensor s1 = uniform({5, 1, 1}, 0.5, 1.5, 213), t1 = uniform({5, 1, 1}, -1, 1, 214);
  Tensor s2 = uniform({5, 1, 1}, -1.5, -0.5, 215), t2 = uniform({5, 1, 1}, -1, 1, 216);
  Model m("conv_chain");
  Value in = m.input("x", x.shape());
  Value y = kiln::conv2d(in, parameterFrom(m, "w", w), Value(), 1, 1);
  y = (y * m.constant(s1) + m.constant(t1)) * m.constant(s2) + m.constant(t2);
  m.output(kiln::relu(y + in), "y");
  Tensor e = ref::conv2d(x, w, Tensor(), 1, 1);
  e = ref::add(ref::mul(ref::add(ref::mul(e, s1), t1), s2), t2);
  expectMatches("chain", compileAt(m, level).run({x})[0], ref::relu(ref::add(e, x)));
}

TEST_P(FoldTargetsTest, LinearBatchNorm) {
  // BatchNorm1d after a Linear: [N, F] with per-feature statistics.
  const int level = GetParam();
  Tensor x = uniform({3, 10}, -1, 1, 221);
  Tensor w = uniform({6, 10}, -0.5, 0.5, 222), b = uniform({6}, -1, 1, 223);
  Tensor mean = uniform({6}, -1, 1, 224), var = uniform({6}, 0.5, 2, 225);
  Tensor g = uniform({6}, 0.5, 1.5, 226), beta = uniform({6}, -1, 1, 227);
  Model m("linear_bn");
  Value in = m.input("x", {kiln::kBatch, 10});
  Value y = kiln::linear(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b));
  m.output(kiln::batchNorm(y, parameterFrom(m, "mean", mean), parameterFrom(m, "var", var),
                           parameterFrom(m, "g", g), parameterFrom(m, "beta", beta)),
           "y");
  expectMatches("linear+bn", compileAt(m, level).run({x})[0],
                ref::batchNorm(ref::linear(x, w, b), mean, var, g, beta));
}

TEST_P(FoldTargetsTest, BatchNormOfAnInputIsNotAConstantFold) {
  // Batch norm whose input is not a conv/linear (nothing to fold into), and
  // a conv whose weight is a model input (not constant): must still be
  // computed, not folded.
  const int level = GetParam();
  Tensor x = uniform({2, 3, 5, 5}, -1, 1, 231), wIn = uniform({3, 3, 1, 1}, -1, 1, 232);
  Tensor mean = uniform({3}, -1, 1, 233), var = uniform({3}, 0.5, 2, 234);
  Model m("bn_nofold");
  Value in = m.input("x", x.shape()), w = m.input("w", wIn.shape());
  Value meanP = parameterFrom(m, "mean", mean), varP = parameterFrom(m, "var", var);
  m.output(kiln::batchNorm(in, meanP, varP), "a");
  m.output(kiln::batchNorm(kiln::conv2d(in, w), meanP, varP), "b");
  // A 3x3 grouped, strided conv whose weight is an input too.
  Tensor w3 = uniform({6, 1, 3, 3}, -1, 1, 235);
  Value w3In = m.input("w3", w3.shape());
  m.output(kiln::conv2d(in, w3In, Value(), 2, 1, 1, 3) * 2.0, "c");
  std::vector<Tensor> out = compileAt(m, level).run({x, wIn, w3});
  expectMatches("bn(x)", out[0], ref::batchNorm(x, mean, var));
  expectMatches("bn(conv(x, w input))", out[1], ref::batchNorm(ref::conv2d(x, wIn), mean, var));
  expectMatches("conv(x, w3 input) * 2", out[2],
                ref::mul(ref::conv2d(x, w3, Tensor(), 2, 1, 1, 3), Tensor::full({}, 2.0)));
}

TEST_P(FoldTargetsTest, GroupedAndDepthwiseConvBatchNorm) {
  // MobileNet-style depthwise (multiplier 2) and a grouped conv, each
  // followed by batch norm: folding scales each output channel's own
  // filter.
  const int level = GetParam();
  Tensor x = uniform({2, 4, 9, 7}, -1, 1, 281);
  Tensor wd = uniform({8, 1, 3, 3}, -0.5, 0.5, 282), wg = uniform({6, 4, 3, 3}, -0.5, 0.5, 283);
  Tensor m8 = uniform({8}, -1, 1, 284), v8 = uniform({8}, 0.5, 2, 285);
  Tensor g8 = uniform({8}, -1.5, 1.5, 286), b8 = uniform({8}, -1, 1, 287);
  Tensor m6 = uniform({6}, -1, 1, 288), v6 = uniform({6}, 0.01, 0.1, 289);
  Model m("grouped_bn");
  Value in = m.input("x", x.shape());
  Value d = kiln::conv2d(in, parameterFrom(m, "wd", wd), Value(), 2, 1, 1, 4);
  m.output(kiln::batchNorm(d, parameterFrom(m, "m8", m8), parameterFrom(m, "v8", v8),
                           parameterFrom(m, "g8", g8), parameterFrom(m, "b8", b8)),
           "depthwise");
  // wg is [6, 4, 3, 3]: groups 2 on the 8 depthwise channels.
  Value gconv = kiln::conv2d(d, parameterFrom(m, "wg", wg), Value(), 1, 1, 1, 2);
  m.output(kiln::relu(kiln::batchNorm(gconv, parameterFrom(m, "m6", m6),
                                      parameterFrom(m, "v6", v6))),
           "grouped");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor rd = ref::conv2d(x, wd, Tensor(), 2, 1, 1, 4);
  expectMatches("depthwise+bn", out[0], ref::batchNorm(rd, m8, v8, g8, b8));
  expectMatches("grouped+bn+relu", out[1],
                ref::relu(ref::batchNorm(ref::conv2d(rd, wg, Tensor(), 1, 1, 1, 2), m6, v6)));
}

TEST_P(FoldTargetsTest, SharedWeightsAndStatisticsFromInputs) {
  // One weight and bias shared by two convs, only one of which is followed
  // by a batch norm: folding must not change the other conv's weights. A
  // third batch norm takes its statistics from model inputs (not constant:
  // nothing to fold).
  const int level = GetParam();
  Tensor x = uniform({2, 3, 7, 6}, -1, 1, 291), x2 = uniform({2, 3, 5, 9}, -1, 1, 292);
  Tensor w = uniform({4, 3, 3, 3}, -0.5, 0.5, 293), b = uniform({4}, -1, 1, 294);
  Tensor mean = uniform({4}, -1, 1, 295), var = uniform({4}, 0.5, 2, 296);
  Tensor g = uniform({4}, -1.5, 1.5, 297), beta = uniform({4}, -1, 1, 298);
  Model m("shared");
  Value in = m.input("x", x.shape()), in2 = m.input("x2", x2.shape());
  Value meanIn = m.input("mean", {4}), varIn = m.input("var", {4});
  Value wv = parameterFrom(m, "w", w), bv = parameterFrom(m, "b", b);
  Value y1 = kiln::conv2d(in, wv, bv, 1, 1);
  Value y2 = kiln::conv2d(in2, wv, bv, 1, 1);
  m.output(kiln::batchNorm(y1, parameterFrom(m, "mean", mean), parameterFrom(m, "var", var),
                           parameterFrom(m, "g", g), parameterFrom(m, "beta", beta)),
           "bn_conv1");
  m.output(y2, "conv2");
  m.output(kiln::batchNorm(y2, meanIn, varIn), "bn_inputs");
  std::vector<Tensor> out = compileAt(m, level).run({x, x2, mean, var});
  Tensor r2 = ref::conv2d(x2, w, b, 1, 1);
  expectMatches("bn(conv1)", out[0],
                ref::batchNorm(ref::conv2d(x, w, b, 1, 1), mean, var, g, beta));
  expectMatches("conv2 (same weights, no bn)", out[1], r2);
  expectMatches("bn with input statistics", out[2], ref::batchNorm(r2, mean, var));
}

TEST_P(FoldTargetsTest, ConvOutputWithAnotherUser) {
  // The conv's output feeds the batch norm and is also an output itself:
  // folding must leave the plain conv result intact.
  const int level = GetParam();
  Tensor x = uniform({2, 3, 7, 9}, -1, 1, 241);
  Tensor w = uniform({4, 3, 3, 3}, -0.5, 0.5, 242), b = uniform({4}, -1, 1, 243);
  Tensor mean = uniform({4}, -1, 1, 244), var = uniform({4}, 0.5, 2, 245);
  Tensor g = uniform({4}, -1.5, 1.5, 246), beta = uniform({4}, -1, 1, 247);
  Model m("conv_two_users");
  Value in = m.input("x", x.shape());
  Value y = kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b), 1, 1);
  m.output(kiln::batchNorm(y, parameterFrom(m, "mean", mean), parameterFrom(m, "var", var),
                           parameterFrom(m, "g", g), parameterFrom(m, "beta", beta)),
           "bn");
  m.output(y, "conv");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor conv = ref::conv2d(x, w, b, 1, 1);
  expectMatches("bn(conv)", out[0], ref::batchNorm(conv, mean, var, g, beta));
  expectMatches("conv", out[1], conv);
}

TEST_P(FoldTargetsTest, ScalesThatAreNotPerChannelStayAfterTheConv) {
  // Only per-output-channel constants may be folded into the weights and
  // bias. These vary over space or over the batch, so folding them would be
  // wrong; the numbers must still match.
  const int level = GetParam();
  Tensor x = uniform({3, 4, 7, 9}, -1, 1, 251);
  Tensor w = uniform({5, 4, 3, 3}, -0.5, 0.5, 252);
  Tensor spatialScale = uniform({7, 9}, 0.5, 1.5, 253);
  Tensor spatialShift = uniform({1, 1, 7, 9}, -1, 1, 254);
  Tensor batchScale = uniform({3, 1, 1, 1}, 0.5, 1.5, 255);
  Tensor channelScale = uniform({1, 5, 1, 1}, -1.5, -0.5, 256);
  Tensor full = uniform({3, 5, 7, 9}, -1, 1, 257);
  Model m("conv_nonchannel");
  Value in = m.input("x", x.shape());
  Value y = kiln::conv2d(in, parameterFrom(m, "w", w), Value(), 1, 1);
  m.output(y * m.constant(spatialScale) + m.constant(spatialShift), "spatial");
  m.output(y * m.constant(batchScale), "batch");
  m.output((y * m.constant(channelScale)) * m.constant(full), "channel_then_full");
  m.output(y * 0.5 + 1.0, "scalar");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor conv = ref::conv2d(x, w, Tensor(), 1, 1);
  expectMatches("spatial", out[0], ref::add(ref::mul(conv, spatialScale), spatialShift));
  expectMatches("batch", out[1], ref::mul(conv, batchScale));
  expectMatches("channel_then_full", out[2], ref::mul(ref::mul(conv, channelScale), full));
  expectMatches("scalar", out[3],
                ref::add(ref::mul(conv, Tensor::full({}, 0.5)), Tensor::full({}, 1.0)));
}

TEST_P(FoldTargetsTest, AddThenMulSubAndDivChains) {
  // (conv + t) * s = conv * s + t * s; (conv - t) / s; constants as [F,1,1]
  // and [1,F,1,1]; a depthwise, strided conv with bias underneath.
  const int level = GetParam();
  Tensor x = uniform({2, 6, 9, 7}, -1, 1, 261);
  Tensor w = uniform({6, 1, 3, 3}, -0.5, 0.5, 262), b = uniform({6}, -1, 1, 263);
  Tensor t = uniform({6, 1, 1}, -1, 1, 264), s = uniform({1, 6, 1, 1}, 0.5, 1.5, 265);
  Model m("conv_chains");
  Value in = m.input("x", x.shape());
  Value y = kiln::conv2d(in, parameterFrom(m, "w", w), parameterFrom(m, "b", b), 2, 1, 1, 6);
  Value tc = m.constant(t), sc = m.constant(s);
  m.output(kiln::relu((y + tc) * sc), "add_mul");
  m.output((y - tc) / sc, "sub_div");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor conv = ref::conv2d(x, w, b, 2, 1, 1, 6);
  expectMatches("add_mul", out[0], ref::relu(ref::mul(ref::add(conv, t), s)));
  expectMatches("sub_div", out[1], ref::div(ref::sub(conv, t), s));
}

TEST_P(FoldTargetsTest, MatmulAndLinearScales) {
  // matmul(x, W) * col [N] folds into W's columns; * row [M, 1] scales the
  // rows of x and must not be folded into W. linear(x) * per-feature + t.
  const int level = GetParam();
  Tensor x = uniform({3, 7}, -1, 1, 271), w = uniform({7, 5}, -1, 1, 272);
  Tensor col = uniform({5}, 0.5, 1.5, 273), row = uniform({3, 1}, 0.5, 1.5, 274);
  Tensor lw = uniform({5, 7}, -1, 1, 275), lb = uniform({5}, -1, 1, 276);
  Tensor t = uniform({5}, -1, 1, 277);
  Model m("matmul_scales");
  Value in = m.input("x", x.shape());
  Value mm = kiln::matmul(in, parameterFrom(m, "w", w));
  m.output(mm * m.constant(col), "col");
  m.output(mm * m.constant(row), "row");
  m.output(kiln::linear(in, parameterFrom(m, "lw", lw), parameterFrom(m, "lb", lb)) *
                   m.constant(col) +
               m.constant(t),
           "linear");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  Tensor mmRef = ref::matmul(x, w);
  expectMatches("col", out[0], ref::mul(mmRef, col));
  expectMatches("row", out[1], ref::mul(mmRef, row));
  expectMatches("linear", out[2], ref::add(ref::mul(ref::linear(x, lw, lb), col), t));
}

// The folding patterns run at every level: O1 (canonicalization only) and
// O3 (recomputing fusion) as well.
INSTANTIATE_TEST_SUITE_P(Levels, FoldTargetsTest, ::testing::Values(kO0, 1, kDefaultLevel, 3),
                         [](const ::testing::TestParamInfo<int> &info) {
                           return levelName(info.param);
                         });

//===----------------------------------------------------------------------===//
// Batch norm, training
//===----------------------------------------------------------------------===//

struct BnTrainCase {
  std::string name;
  Shape shape;
  bool affine;
  double momentum;
};

class BatchNormTrainingTest : public ::testing::TestWithParam<std::tuple<BnTrainCase, int>> {};

TEST_P(BatchNormTrainingTest, OutputAndRunningStatistics) {
  const auto &[bc, level] = GetParam();
  const int64_t c = bc.shape[1];
  const uint64_t seed = seedOf(bc.name);
  Tensor x = uniform(bc.shape, -2, 3, seed);
  Tensor rm = uniform({c}, -1, 1, seed + 1), rv = uniform({c}, 0.5, 2, seed + 2);
  Tensor w = bc.affine ? uniform({c}, 0.5, 1.5, seed + 3) : Tensor();
  Tensor b = bc.affine ? uniform({c}, -1, 1, seed + 4) : Tensor();
  Model m("bn_train");
  Value in = m.input("x", x.shape());
  kiln::BatchNormTraining r = kiln::batchNormTraining(
      in, parameterFrom(m, "rm", rm), parameterFrom(m, "rv", rv), optionalParameter(m, "w", w),
      optionalParameter(m, "b", b), bc.momentum);
  EXPECT_EQ(r.output.shape(), x.shape());
  EXPECT_EQ(r.runningMean.shape(), (Shape{c}));
  EXPECT_EQ(r.runningVar.shape(), (Shape{c}));
  m.output(r.output, "y");
  m.output(r.runningMean, "running_mean");
  m.output(r.runningVar, "running_var");
  std::vector<Tensor> out = compileAt(m, level).run({x});
  ASSERT_EQ(out.size(), 3u);
  ref::BatchNormTrainingResult want = ref::batchNormTraining(x, rm, rv, w, b, bc.momentum);
  expectMatches("output", out[0], want.output);
  expectMatches("running mean", out[1], want.runningMean);
  expectMatches("running var (unbiased)", out[2], want.runningVar);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BatchNormTrainingTest,
    ::testing::Combine(
        ::testing::Values(BnTrainCase{"nchw_3x4x5x7", {3, 4, 5, 7}, true, 0.1},
                          BnTrainCase{"nchw_2x3x3x3_m0p3", {2, 3, 3, 3}, true, 0.3},
                          BnTrainCase{"nchw_1x5x7x9_noaffine", {1, 5, 7, 9}, false, 0.1},
                          BnTrainCase{"nchw_4x2x1x1_m1", {4, 2, 1, 1}, true, 1.0},
                          BnTrainCase{"nc_5x6", {5, 6}, true, 0.1}),
        kLevels),
    caseAndLevel<BnTrainCase>);

//===----------------------------------------------------------------------===//
// Layer, group and instance norm
//===----------------------------------------------------------------------===//

struct NormCase {
  std::string name;
  std::string op; // layer, group, instance
  Shape shape;
  Shape normalized; // layer norm
  int64_t groups;   // group norm
  bool affine;
  double eps;
};

class NormTest : public ::testing::TestWithParam<std::tuple<NormCase, int>> {};

TEST_P(NormTest, MatchesReference) {
  const auto &[nc, level] = GetParam();
  const uint64_t seed = seedOf(nc.name);
  Tensor x = uniform(nc.shape, -2, 3, seed);
  const Shape affineShape = nc.op == "layer" ? nc.normalized : Shape{nc.shape[1]};
  Tensor w = nc.affine ? uniform(affineShape, 0.5, 1.5, seed + 1) : Tensor();
  Tensor b = nc.affine ? uniform(affineShape, -1, 1, seed + 2) : Tensor();
  Model m("norm");
  Value in = m.input("x", x.shape());
  Value wv = optionalParameter(m, "w", w), bv = optionalParameter(m, "b", b);
  Value y;
  Tensor expected;
  if (nc.op == "layer") {
    y = kiln::layerNorm(in, nc.normalized, wv, bv, nc.eps);
    expected = ref::layerNorm(x, nc.normalized, w, b, nc.eps);
  } else if (nc.op == "group") {
    y = kiln::groupNorm(in, nc.groups, wv, bv, nc.eps);
    expected = ref::groupNorm(x, nc.groups, w, b, nc.eps);
  } else {
    y = kiln::instanceNorm(in, wv, bv, nc.eps);
    expected = ref::instanceNorm(x, w, b, nc.eps);
  }
  m.output(y, "y");
  expectMatches(nc.name, compileAt(m, level).run({x})[0], expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormTest,
    ::testing::Combine(
        ::testing::Values(
            NormCase{"layer_chw", "layer", {2, 3, 5, 7}, {3, 5, 7}, 0, true, 1e-5},
            NormCase{"layer_last", "layer", {3, 4, 9}, {9}, 0, true, 1e-5},
            NormCase{"layer_last_noaffine", "layer", {2, 3, 5, 7}, {7}, 0, false, 1e-5},
            NormCase{"layer_2d_eps1e_3", "layer", {5, 16}, {16}, 0, true, 1e-3},
            NormCase{"layer_hw", "layer", {2, 3, 4, 5}, {4, 5}, 0, false, 1e-5},
            NormCase{"group_2", "group", {2, 6, 5, 7}, {}, 2, true, 1e-5},
            NormCase{"group_3_noaffine", "group", {3, 6, 3, 5}, {}, 3, false, 1e-5},
            NormCase{"group_1", "group", {1, 4, 5, 3}, {}, 1, true, 1e-5},
            NormCase{"group_c", "group", {2, 4, 3, 3}, {}, 4, true, 1e-5},
            NormCase{"group_rank3", "group", {2, 8, 6}, {}, 4, true, 1e-5},
            NormCase{"instance", "instance", {2, 3, 5, 7}, {}, 0, false, 1e-5},
            NormCase{"instance_affine", "instance", {3, 4, 4, 5}, {}, 0, true, 1e-5},
            NormCase{"instance_batch1_eps1e_3", "instance", {1, 2, 9, 7}, {}, 0, true, 1e-3}),
        kLevels),
    caseAndLevel<NormCase>);

//===----------------------------------------------------------------------===//
// Adaptive norms
//===----------------------------------------------------------------------===//

class AdaptiveNormTest : public ::testing::TestWithParam<int> {};

TEST_P(AdaptiveNormTest, AdaLayerNorm) {
  // layer_norm(x) over D, then * (1 + scale) + shift with [N, D] broadcast
  // over the middle dims; the control tensors are model inputs.
  const int level = GetParam();
  for (Shape shape : {Shape{2, 5, 8}, Shape{3, 8}, Shape{2, 3, 4, 8}}) {
    SCOPED_TRACE(dims(shape));
    const int64_t n = shape[0], d = shape.back();
    Tensor x = uniform(shape, -2, 3, 301), scale = uniform({n, d}, -1, 1, 302),
           shift = uniform({n, d}, -1, 1, 303);
    Model m("adaln");
    Value xi = m.input("x", shape), si = m.input("scale", {n, d}),
          ti = m.input("shift", {n, d});
    m.output(kiln::adaLayerNorm(xi, si, ti), "y");
    Shape bshape(shape.size(), 1);
    bshape.front() = n;
    bshape.back() = d;
    Tensor expected = ref::add(
        ref::mul(ref::layerNorm(x, {d}),
                 ref::add(ref::reshape(scale, bshape), Tensor::full({}, 1.0))),
        ref::reshape(shift, bshape));
    expectMatches("adaLayerNorm " + dims(shape),
                  compileAt(m, level).run({x, scale, shift})[0], expected);
  }
}

TEST_P(AdaptiveNormTest, AdaInstanceNorm) {
  // instance_norm(x) * scale + shift with [N, C] from a control tensor (here
  // a Linear of a conditioning vector, as in StyleGAN).
  const int level = GetParam();
  Tensor x = uniform({2, 3, 5, 7}, -2, 3, 311), cond = uniform({2, 4}, -1, 1, 312);
  Tensor ws = uniform({3, 4}, -1, 1, 313), bs = uniform({3}, 0.5, 1.5, 314);
  Tensor wt = uniform({3, 4}, -1, 1, 315), bt = uniform({3}, -1, 1, 316);
  Model m("adain_ctrl");
  Value xi = m.input("x", x.shape()), ci = m.input("cond", cond.shape());
  Value scale = kiln::linear(ci, parameterFrom(m, "ws", ws), parameterFrom(m, "bs", bs));
  Value shift = kiln::linear(ci, parameterFrom(m, "wt", wt), parameterFrom(m, "bt", bt));
  m.output(kiln::adaInstanceNorm(xi, scale, shift, 1e-5), "y");
  Tensor s = ref::reshape(ref::linear(cond, ws, bs), {2, 3, 1, 1});
  Tensor t = ref::reshape(ref::linear(cond, wt, bt), {2, 3, 1, 1});
  expectMatches("adaInstanceNorm", compileAt(m, level).run({x, cond})[0],
                ref::add(ref::mul(ref::instanceNorm(x), s), t));
}

TEST_P(AdaptiveNormTest, AdainWithStyleStatistics) {
  // Huang & Belongie: instance_norm(x) * sigma(style) + mu(style), per
  // sample and channel, biased variance; the style has other spatial sizes.
  // (sigma = sqrt(var + eps) or sqrt(var) differ by ~eps/(2 var) = 1.5e-5
  // relative here, inside the tolerance; the reference uses + eps.)
  const int level = GetParam();
  Tensor x = uniform({2, 3, 5, 7}, -2, 3, 321), style = uniform({2, 3, 4, 6}, -1, 2, 322);
  Model m("adain");
  Value xi = m.input("x", x.shape()), si = m.input("style", style.shape());
  m.output(kiln::adain(xi, si), "y");
  Tensor mu = ref::reduceMean(style, {2, 3}, true);
  Tensor centered = ref::sub(style, mu);
  Tensor var = ref::reduceMean(ref::mul(centered, centered), {2, 3}, true);
  Tensor sigma = ref::sqrt(ref::add(var, Tensor::full({}, 1e-5)));
  expectMatches("adain", compileAt(m, level).run({x, style})[0],
                ref::add(ref::mul(ref::instanceNorm(x), sigma), mu));
}

INSTANTIATE_TEST_SUITE_P(Levels, AdaptiveNormTest, kLevels,
                         [](const ::testing::TestParamInfo<int> &info) {
                           return levelName(info.param);
                         });

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

TEST(DropoutTest, IdentityAtInference) {
  Tensor x = uniform({2, 3, 5, 7}, -1, 1, 401);
  Model m("dropout");
  Value in = m.input("x", x.shape());
  nn::Dropout layer(m, "drop", 0.3);
  EXPECT_TRUE(m.parameters().empty());
  m.output(kiln::dropout(in, 0.0), "p0");
  m.output(kiln::dropout(in), "p05");
  m.output(kiln::dropout(in, 0.99), "p099");
  m.output(layer(in), "layer");
  m.output(kiln::relu(kiln::dropout(in * 2.0, 0.5)), "inside");
  for (int level : {kO0, kDefaultLevel}) {
    SCOPED_TRACE(levelName(level));
    std::vector<Tensor> out = compileAt(m, level).run({x});
    ASSERT_EQ(out.size(), 5u);
    for (int i = 0; i < 4; ++i)
      expectMatches("dropout output " + std::to_string(i), out[i], x, 0, 0);
    expectMatches("relu(dropout(2x))", out[4], ref::relu(ref::mul(x, Tensor::full({}, 2.0))),
                  0, 0);
  }
}

TEST(DropoutTest, BadProbability) {
  Model m("dropout");
  Value in = m.input("x", {2, 3});
  for (double p : {-0.1, 1.0, 1.5}) {
    std::string msg = errorOf([&] { kiln::dropout(in, p); });
    EXPECT_CONTAINS(msg, "dropout");
    EXPECT_CONTAINS(msg, "p");
  }
  std::string msg = errorOf([&] { kiln::dropout(in, std::nan("")); });
  EXPECT_CONTAINS(msg, "dropout");
  msg = errorOf([&] {
    nn::Dropout layer(m, "d", 1.5);
    layer(in);
  });
  EXPECT_CONTAINS(msg, "1.5");
}

//===----------------------------------------------------------------------===//
// Layers: PyTorch's names, shapes and defaults
//===----------------------------------------------------------------------===//

void expectFilled(const Model &m, const std::string &name, const Shape &shape, double v) {
  SCOPED_TRACE(name);
  auto it = m.parameters().find(name);
  ASSERT_NE(it, m.parameters().end()) << "no parameter " << name;
  ASSERT_EQ(it->second.shape(), shape);
  for (int64_t i = 0; i < it->second.numel(); ++i)
    ASSERT_EQ(it->second.at(i), v) << "element " << i;
}

TEST(NormLayersTest, ParametersAndDefaults) {
  Model m("layers");
  nn::BatchNorm2d bn(m, "bn", 6);
  nn::BatchNorm2d bnNoAffine(m, "bn2", 4, 1e-3, 0.1, false);
  nn::LayerNorm ln(m, "ln", {5, 7});
  nn::GroupNorm gn(m, "gn", 2, 6);
  nn::InstanceNorm2d in(m, "in", 6);
  nn::InstanceNorm2d inAffine(m, "in2", 6, 1e-5, true);
  expectFilled(m, "bn.weight", {6}, 1);
  expectFilled(m, "bn.bias", {6}, 0);
  expectFilled(m, "bn.running_mean", {6}, 0);
  expectFilled(m, "bn.running_var", {6}, 1);
  EXPECT_EQ(m.parameters().count("bn.num_batches_tracked"), 0u);
  expectFilled(m, "bn2.running_mean", {4}, 0);
  expectFilled(m, "bn2.running_var", {4}, 1);
  EXPECT_EQ(m.parameters().count("bn2.weight"), 0u);
  EXPECT_EQ(m.parameters().count("bn2.bias"), 0u);
  expectFilled(m, "ln.weight", {5, 7}, 1);
  expectFilled(m, "ln.bias", {5, 7}, 0);
  expectFilled(m, "gn.weight", {6}, 1);
  expectFilled(m, "gn.bias", {6}, 0);
  // torch.nn.InstanceNorm2d defaults to affine=False.
  EXPECT_EQ(m.parameters().count("in.weight"), 0u);
  expectFilled(m, "in2.weight", {6}, 1);
  expectFilled(m, "in2.bias", {6}, 0);
  EXPECT_EQ(bn.eps, 1e-5);
  EXPECT_EQ(bn.momentum, 0.1);
}

TEST(NormLayersTest, ForwardWithLoadedValues) {
  // Layers in eval mode with non-default parameters set by name.
  Model m("layers");
  nn::BatchNorm2d bn(m, "bn", 6);
  nn::GroupNorm gn(m, "gn", 3, 6);
  nn::InstanceNorm2d inorm(m, "in", 6, 1e-5, true);
  nn::LayerNorm ln(m, "ln", {6, 5, 7});
  std::map<std::string, Tensor> values;
  uint64_t seed = 500;
  for (const auto &[name, t] : m.parameters()) {
    const bool positive = name.find("var") != std::string::npos ||
                          name.find("weight") != std::string::npos;
    values[name] = uniform(t.shape(), positive ? 0.5f : -1.0f, positive ? 1.5f : 1.0f, ++seed);
    m.setParameter(name, values[name]);
  }
  Value x = m.input("x", {2, 6, 5, 7});
  m.output(bn(x), "bn");
  m.output(gn(x), "gn");
  m.output(inorm(x), "in");
  m.output(ln(x), "ln");
  Tensor xv = uniform({2, 6, 5, 7}, -2, 3, 599);
  for (int level : {kO0, kDefaultLevel}) {
    SCOPED_TRACE(levelName(level));
    std::vector<Tensor> out = compileAt(m, level).run({xv});
    ASSERT_EQ(out.size(), 4u);
    expectMatches("BatchNorm2d", out[0],
                  ref::batchNorm(xv, values["bn.running_mean"], values["bn.running_var"],
                                 values["bn.weight"], values["bn.bias"]));
    expectMatches("GroupNorm", out[1],
                  ref::groupNorm(xv, 3, values["gn.weight"], values["gn.bias"]));
    expectMatches("InstanceNorm2d", out[2],
                  ref::instanceNorm(xv, values["in.weight"], values["in.bias"]));
    expectMatches("LayerNorm", out[3],
                  ref::layerNorm(xv, {6, 5, 7}, values["ln.weight"], values["ln.bias"]));
  }
}

//===----------------------------------------------------------------------===//
// Shape errors
//===----------------------------------------------------------------------===//

TEST(NormErrorsTest, NameTheOpAndTheShapes) {
  Model m("errors");
  Value x = m.input("x", {2, 4, 5, 5});
  Value c4 = m.parameter("c4", {4}), c3 = m.parameter("c3", {3});

  std::string msg = errorOf([&] { kiln::batchNorm(x, c3, c4); });
  EXPECT_CONTAINS(msg, "batch_norm");
  EXPECT_CONTAINS(msg, "2x4x5x5");
  EXPECT_CONTAINS(msg, "3");
  msg = errorOf([&] { kiln::batchNorm(x, c4, c4, c3); });
  EXPECT_CONTAINS(msg, "batch_norm");
  msg = errorOf([&] { kiln::batchNorm(m.input("x1", {4}), c4, c4); });
  EXPECT_CONTAINS(msg, "batch_norm");
  msg = errorOf([&] { kiln::batchNormTraining(x, c4, c3); });
  EXPECT_CONTAINS(msg, "batch_norm_training");
  EXPECT_CONTAINS(msg, "2x4x5x5");
  msg = errorOf([&] { kiln::batchNormTraining(x, c4, c4, Value(), Value(), 1.5); });
  EXPECT_CONTAINS(msg, "momentum");

  msg = errorOf([&] { kiln::layerNorm(x, {4, 5}); });
  EXPECT_CONTAINS(msg, "layer_norm");
  EXPECT_CONTAINS(msg, "2x4x5x5");
  msg = errorOf([&] { kiln::layerNorm(x, {5}, c4); });
  EXPECT_CONTAINS(msg, "layer_norm");
  // A dynamic dim cannot be normalized over (its -1 must not become a shape).
  msg = errorOf([&] { kiln::layerNorm(m.input("xd", {kiln::kBatch, 4}), {-1, 4}); });
  EXPECT_CONTAINS(msg, "layer_norm");
  EXPECT_CONTAINS(msg, "?x4");

  msg = errorOf([&] { kiln::groupNorm(x, 3); });
  EXPECT_CONTAINS(msg, "group_norm");
  EXPECT_CONTAINS(msg, "2x4x5x5");
  msg = errorOf([&] { kiln::groupNorm(x, 0); });
  EXPECT_CONTAINS(msg, "group_norm");
  msg = errorOf([&] { kiln::groupNorm(x, 2, c3); });
  EXPECT_CONTAINS(msg, "group_norm");
  msg = errorOf([&] { kiln::instanceNorm(x, c3); });
  EXPECT_CONTAINS(msg, "norm");
  EXPECT_CONTAINS(msg, "3");

  Value s23 = m.input("s23", {2, 3});
  msg = errorOf([&] { kiln::adaLayerNorm(x, s23, s23); });
  EXPECT_CONTAINS(msg, "adaLayerNorm");
  EXPECT_CONTAINS(msg, "2x3");
  msg = errorOf([&] { kiln::adaInstanceNorm(x, s23, s23); });
  EXPECT_CONTAINS(msg, "adaInstanceNorm");
  EXPECT_CONTAINS(msg, "2x4x5x5");
  msg = errorOf([&] { kiln::adain(x, m.input("style", {2, 3, 5, 5})); });
  EXPECT_CONTAINS(msg, "adain");
  EXPECT_CONTAINS(msg, "2x3x5x5");
}

} // namespace
