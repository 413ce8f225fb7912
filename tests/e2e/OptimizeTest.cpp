//===- OptimizeTest.cpp - Optimized models compute what O0 computes -------===//
//
// The graph optimizations (canonicalization, batch-norm folding, conv
// unfolding, fusion) must not change results beyond float reassociation.
// Each example network and a set of targeted graphs run at O0 (ops lowered
// as written: the reference) and at every level, and with each pass
// switched off alone; outputs must agree to 1e-4 relative. The stage
// summaries show that each pass did rewrite the graph, so a pass that
// silently stopped matching would fail here too.
//
//===----------------------------------------------------------------------===//
#include "examples/cnn/Nets.h"
#include "frontend/Kiln.h"

#include <gtest/gtest.h>

#include <functional>

namespace {

using kiln::GraphOptions;
using kiln::Model;
using kiln::Tensor;
using kiln::Value;

Tensor randomInput(const kiln::Shape &shape, uint64_t seed) {
  kiln::Generator gen(seed);
  return kiln::init::make(kiln::init::uniform(-1, 1), shape, gen);
}

int opCount(const kiln::CompiledModel &m, const std::string &stage, const std::string &op) {
  for (const kiln::StageSummary &s : m.stageSummaries())
    if (s.stage == stage) {
      auto it = s.opsByName.find(op);
      return it == s.opsByName.end() ? 0 : it->second;
    }
  ADD_FAILURE() << "no stage " << stage;
  return -1;
}

Tensor runWith(const Model &model, const GraphOptions &graph, const Tensor &input,
               kiln::CompiledModel *compiled = nullptr) {
  kiln::JitOptions options;
  options.graph = graph;
  kiln::CompiledModel net = kiln::jit(model, options);
  if (compiled)
    *compiled = net;
  return net.run({input})[0];
}

void expectSame(const Tensor &actual, const Tensor &expected, const std::string &what) {
  kiln::Comparison c = kiln::compareTensors(actual, expected, 1e-4, 1e-5);
  EXPECT_TRUE(c.ok) << what << ": " << c.message;
}

struct NetCase {
  const char *name;
  std::function<Value(Model &, Value)> build;
  kiln::Shape input;
};

class NetworkOptimizationTest : public ::testing::TestWithParam<NetCase> {};

TEST_P(NetworkOptimizationTest, EveryLevelAndEveryPassOffMatchesO0) {
  const NetCase &c = GetParam();
  Model model(c.name, /*seed=*/5);
  kiln::Shape shape = c.input;
  shape.insert(shape.begin(), kiln::kBatch);
  model.output(c.build(model, model.input("x", shape)), "y");
  kiln::examples::randomizeBatchNorms(model, 9);

  for (int64_t batch : {2}) {
    kiln::Shape concrete = c.input;
    concrete.insert(concrete.begin(), batch);
    Tensor x = randomInput(concrete, 17 + batch);
    GraphOptions o0;
    o0.level = 0;
    Tensor reference = runWith(model, o0, x);
    for (int level = 1; level <= 3; ++level) {
      GraphOptions g;
      g.level = level;
      expectSame(runWith(model, g, x), reference,
                 std::string(c.name) + " O" + std::to_string(level));
    }
    std::vector<std::pair<const char *, std::function<void(GraphOptions &)>>> off = {
        {"no-canonicalize", [](GraphOptions &g) { g.canonicalize = false; }},
        {"no-fold", [](GraphOptions &g) { g.foldBatchNorm = false; }},
        {"no-unfold", [](GraphOptions &g) { g.unfoldConvolution = false; }},
        {"no-fuse", [](GraphOptions &g) { g.fuse = false; }},
    };
    for (auto &[name, apply] : off) {
      GraphOptions g;
      apply(g);
      expectSame(runWith(model, g, x), reference, std::string(c.name) + " " + name);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, NetworkOptimizationTest,
    ::testing::Values(NetCase{"resnet",
                              [](Model &m, Value x) { return kiln::examples::resnet(m, x); },
                              {3, 32, 32}},
                      NetCase{"lenet", kiln::examples::lenet, {1, 28, 28}}),
    [](const ::testing::TestParamInfo<NetCase> &info) { return info.param.name; });

TEST(OptimizationEffect, ResNetAtO2HasNoConvOrBatchNormLeft) {
  Model model("resnet", 5);
  model.output(kiln::examples::resnet(model, model.input("x", {kiln::kBatch, 3, 32, 32})),
               "y");
  kiln::examples::randomizeBatchNorms(model, 9);
  kiln::CompiledModel o0, o2;
  GraphOptions g0;
  g0.level = 0;
  Tensor x = randomInput({2, 3, 32, 32}, 1);
  runWith(model, g0, x, &o0);
  runWith(model, GraphOptions(), x, &o2);
  EXPECT_EQ(opCount(o0, "optimized", "kiln.conv2d"), 9);
  EXPECT_EQ(opCount(o0, "optimized", "kiln.batch_norm"), 9);
  EXPECT_EQ(opCount(o2, "optimized", "kiln.batch_norm"), 0);
  // The 5 stride-1 3x3 convs (outputs 32, 16 and 8 wide) stay direct for
  // the CPU kernel; the 2 stride-2 3x3 convs unfold through im2col, the
  // two 1x1 downsample convs into plain matmuls.
  EXPECT_EQ(opCount(o2, "optimized", "kiln.conv2d"), 5);
  EXPECT_EQ(opCount(o2, "optimized", "kiln.im2col"), 2);
  // Fusion leaves far fewer loop nests than O0 has.
  EXPECT_LT(opCount(o2, "linalg", "linalg.generic") * 3,
            opCount(o0, "linalg", "linalg.generic"));
}

/// conv -> batch_norm -> * c -> + d -> relu, all foldable into the conv.
TEST(FoldBatchNorm, ChainOfPerChannelOpsFoldsAndMatches) {
  Model m("chain", 3);
  Value x = m.input("x", {kiln::kBatch, 4, 9, 7});
  kiln::nn::Conv2d conv(m, "conv", 4, 6, 3, 2, kiln::Padding2d(1, 0, 2, 1));
  kiln::nn::BatchNorm2d bn(m, "bn", 6);
  Tensor scale = randomInput({6, 1, 1}, 4), shift = randomInput({1, 6, 1, 1}, 5);
  Value y = bn(conv(x)) * m.constant(scale) + m.constant(shift);
  m.output(kiln::relu(y), "y");
  kiln::examples::randomizeBatchNorms(m, 8);

  Tensor input = randomInput({3, 4, 9, 7}, 6);
  GraphOptions o0, fold;
  o0.level = 0;
  fold.unfoldConvolution = false; // keep the conv to count it
  kiln::CompiledModel folded;
  expectSame(runWith(m, fold, input, &folded), runWith(m, o0, input), "folded chain");
  EXPECT_EQ(opCount(folded, "optimized", "kiln.batch_norm"), 0);
  EXPECT_EQ(opCount(folded, "optimized", "kiln.mul"), 0);
  EXPECT_EQ(opCount(folded, "optimized", "kiln.add"), 0);
  EXPECT_EQ(opCount(folded, "optimized", "kiln.conv2d"), 1);
}

/// BatchNorm1d after Linear folds too; a per-element (not per-feature)
/// constant must not.
TEST(FoldBatchNorm, LinearFoldsAndNonChannelConstantStays) {
  Model m("linear", 3);
  Value x = m.input("x", {4, 8}); // static: the [4, 1] constant broadcasts on rows
  kiln::nn::Linear fc(m, "fc", 8, 5);
  Value rm = m.constant(randomInput({5}, 1)), rv = m.constant(Tensor::full({5}, 0.7));
  Value y = kiln::batchNorm(fc(x), rm, rv, m.constant(randomInput({5}, 2)),
                            m.constant(randomInput({5}, 3)));
  // [4, 1] varies along the batch axis, not the feature axis.
  Value z = kiln::linear(x, m.constant(randomInput({4, 8}, 4))) *
            m.constant(randomInput({4, 1}, 5));
  m.output(y, "y");
  m.output(z, "z");
  Tensor input = randomInput({4, 8}, 7);
  GraphOptions o0;
  o0.level = 0;
  kiln::JitOptions opt;
  kiln::CompiledModel net = kiln::jit(m, opt);
  kiln::JitOptions plain;
  plain.graph = o0;
  std::vector<Tensor> a = net.run({input}), b = kiln::jit(m, plain).run({input});
  expectSame(a[0], b[0], "linear + batch norm");
  expectSame(a[1], b[1], "linear * per-row constant");
  EXPECT_EQ(opCount(net, "optimized", "kiln.batch_norm"), 0);
  EXPECT_EQ(opCount(net, "optimized", "kiln.mul"), 1);
}

/// A large image is unfolded band by band; the result is unchanged.
TEST(UnfoldConvolution, BandsMatchUnbanded) {
  Model m("bands", 3);
  Value x = m.input("x", {kiln::kBatch, 8, 40, 33});
  kiln::nn::Conv2d conv(m, "conv", 8, 4, 3, kiln::Size2(2, 1), kiln::Padding2d(2, 1, 0, 1),
                        kiln::Size2(1, 2));
  m.output(conv(x), "y");
  Tensor input = randomInput({2, 8, 40, 33}, 3);
  GraphOptions o0, small;
  o0.level = 0;
  small.maxPatchBytes = 8 * 9 * 31 * 4 * 3; // three output rows per band
  kiln::CompiledModel banded;
  expectSame(runWith(m, small, input, &banded), runWith(m, o0, input), "banded conv");
  EXPECT_GT(opCount(banded, "optimized", "kiln.im2col"), 3);
  EXPECT_EQ(opCount(banded, "optimized", "kiln.concat"), 1);
}

/// The algebraic simplifications at O1 leave the graph equivalent.
TEST(Canonicalize, IdentitiesAndConstantSubgraphsFold) {
  Model m("canon", 3);
  Value x = m.input("x", {kiln::kBatch, 4});
  Value c = m.constant(randomInput({4}, 1)) * 2.0 + m.constant(randomInput({4}, 2));
  Value y = kiln::transpose(kiln::transpose((x + 0.0) * 1.0 + c, 0, 1), 0, 1);
  m.output(kiln::relu(kiln::relu(y)), "y");
  Tensor input = randomInput({3, 4}, 4);
  GraphOptions o0, o1;
  o0.level = 0;
  o1.level = 1;
  kiln::CompiledModel canon;
  expectSame(runWith(m, o1, input, &canon), runWith(m, o0, input), "canonicalized");
  EXPECT_EQ(opCount(canon, "optimized", "kiln.transpose"), 0);
  EXPECT_EQ(opCount(canon, "optimized", "kiln.mul"), 0);
  EXPECT_EQ(opCount(canon, "optimized", "kiln.add"), 1);
  EXPECT_EQ(opCount(canon, "optimized", "kiln.relu"), 1);
}

} // namespace
