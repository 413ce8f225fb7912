//===- GoldenTest.cpp - Kiln against PyTorch's numbers --------------------===//
//
// tests/golden/gen_golden.py (PyTorch 1.13, fixed seeds) wrote:
//  - ops.safetensors: single-op cases (conv2d incl. asymmetric padding,
//    groups, depthwise, dilation; conv_transpose2d; pools incl. ceil_mode and
//    count_include_pad; adaptive pooling; nearest/bilinear upsampling both
//    align_corners; batch/layer/group/instance norm). Each is compiled with
//    the DSL and checked against PyTorch's output and kiln::ref's.
//  - a small CNN with batch norm and two ResNet basic blocks (identity and
//    1x1-stride-2-downsample shortcuts): state_dicts with PyTorch's names,
//    inputs and eval-mode outputs at batch 1 and 3. The same networks are
//    built from the DSL layers, loaded with Model::load(strict), and must
//    match to 1e-4 relative at O0 and at the default level, with static
//    and dynamic batch.
//
//===----------------------------------------------------------------------===//
#include "tests/e2e/GoldenCases.h"
#include "tests/e2e/NetTestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

using kiln::Model;
using kiln::Shape;
using kiln::Tensor;
using kiln::Value;
using kiln::e2e::compileAt;
using kiln::e2e::expectMatches;
using kiln::e2e::kDefaultLevel;
using kiln::e2e::kNetAtol;
using kiln::e2e::kNetRtol;
using kiln::e2e::kO0;
using kiln::e2e::levelName;
using kiln::e2e::optionalParameter;
using kiln::e2e::padding2d;
using kiln::e2e::parameterFrom;
using kiln::e2e::size2;
namespace golden = kiln::golden;
namespace nn = kiln::nn;

const auto kLevels = ::testing::Values(kO0, kDefaultLevel);

/// gtest names allow only [A-Za-z0-9_].
std::string sanitize(std::string s) {
  for (char &ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)))
      ch = '_';
  return s;
}

//===----------------------------------------------------------------------===//
// Single ops
//===----------------------------------------------------------------------===//

/// The DSL model for one golden case: input "x", the case's parameters as
/// parameters, the op's outputs.
Model buildOpModel(const golden::OpCase &c) {
  Model m("golden_" + c.op);
  const Tensor x = c.tensor("x");
  Value in = m.input("x", x.shape());
  Value w = optionalParameter(m, "weight", c.tensor("weight"));
  Value b = optionalParameter(m, "bias", c.tensor("bias"));
  auto param = [&](const char *suffix) { return parameterFrom(m, suffix, c.tensor(suffix)); };
  if (c.op == "conv2d") {
    m.output(kiln::conv2d(in, w, b, size2(c.pair("stride")), padding2d(c.pad("padding")),
                          size2(c.pair("dilation")), c.integer("groups")));
  } else if (c.op == "conv_transpose2d") {
    m.output(kiln::convTranspose2d(in, w, b, size2(c.pair("stride")), size2(c.pair("padding")),
                                   size2(c.pair("output_padding")), c.integer("groups"),
                                   size2(c.pair("dilation"))));
  } else if (c.op == "max_pool2d") {
    m.output(kiln::maxPool2d(in, size2(c.pair("kernel")), size2(c.pair("stride")),
                             padding2d(c.pad("padding")), size2(c.pair("dilation")),
                             c.flag("ceil_mode")));
  } else if (c.op == "avg_pool2d") {
    m.output(kiln::avgPool2d(in, size2(c.pair("kernel")), size2(c.pair("stride")),
                             padding2d(c.pad("padding")), c.flag("ceil_mode"),
                             c.flag("count_include_pad")));
  } else if (c.op == "adaptive_avg_pool2d") {
    m.output(kiln::adaptiveAvgPool2d(in, size2(c.pair("size"))));
  } else if (c.op == "upsample") {
    const std::string mode = c.attr("mode");
    if (c.has("scale"))
      m.output(kiln::upsample(in, c.real("scale"), mode, c.flag("align_corners")));
    else
      m.output(kiln::upsample(in, size2(c.pair("size")), mode, c.flag("align_corners")));
  } else if (c.op == "batch_norm") {
    m.output(kiln::batchNorm(in, param("running_mean"), param("running_var"), w, b,
                             c.real("eps")));
  } else if (c.op == "batch_norm_training") {
    kiln::BatchNormTraining r =
        kiln::batchNormTraining(in, param("running_mean"), param("running_var"), w, b,
                                c.real("momentum"), c.real("eps"));
    m.output(r.output);
    m.output(r.runningMean);
    m.output(r.runningVar);
  } else if (c.op == "layer_norm") {
    m.output(kiln::layerNorm(in, c.list("normalized_shape"), w, b));
  } else if (c.op == "group_norm") {
    m.output(kiln::groupNorm(in, c.integer("groups"), w, b));
  } else if (c.op == "instance_norm") {
    m.output(kiln::instanceNorm(in, w, b));
  } else {
    ADD_FAILURE() << "unknown golden op " << c.op;
  }
  return m;
}

class GoldenOpTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(GoldenOpTest, MatchesPyTorchAndReference) {
  const auto &[name, level] = GetParam();
  if (name == "LOAD_ERROR") {
    // Reports why the golden file could not be read.
    golden::loadOpCases();
    FAIL() << "golden cases failed to load";
  }
  golden::OpCase c = golden::opCase(name);
  SCOPED_TRACE(name + ": " + c.op);
  std::vector<Tensor> torch = c.expected(), reference = c.reference();
  Model m = buildOpModel(c);
  std::vector<Tensor> got = compileAt(m, level).run({c.tensor("x")});
  ASSERT_EQ(got.size(), torch.size());
  const bool exact = c.op == "max_pool2d" || (c.op == "upsample" && c.attr("mode") == "nearest");
  for (size_t i = 0; i < got.size(); ++i) {
    const std::string label = "output " + std::to_string(i);
    expectMatches(label + " vs PyTorch", got[i], torch[i], exact ? 0 : kNetRtol,
                  exact ? 0 : kNetAtol);
    expectMatches(label + " vs kiln::ref", got[i], reference[i], exact ? 0 : kNetRtol,
                  exact ? 0 : kNetAtol);
  }
}

INSTANTIATE_TEST_SUITE_P(
    PyTorch, GoldenOpTest,
    ::testing::Combine(::testing::ValuesIn(golden::opCaseNames()), kLevels),
    [](const ::testing::TestParamInfo<std::tuple<std::string, int>> &info) {
      return sanitize(std::get<0>(info.param)) + "_" + levelName(std::get<1>(info.param));
    });

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

/// The small CNN of gen_golden.py, named as in PyTorch.
Value smallCnn(Model &m, Value x) {
  nn::Sequential features(m, "features");
  features.add<nn::Conv2d>(3, 8, 3, 1, 1)
      .add<nn::BatchNorm2d>(8)
      .add(kiln::relu)
      .add<nn::MaxPool2d>(2)
      .add<nn::Conv2d>(8, 16, 3, 2, 1)
      .add<nn::BatchNorm2d>(16)
      .add(kiln::relu)
      .add<nn::AdaptiveAvgPool2d>(2)
      .add<nn::Flatten>();
  nn::Linear fc(m, "fc", 64, 10);
  return fc(features(x));
}

/// torchvision's BasicBlock (see gen_golden.py).
Value basicBlock(Model &m, Value x, int64_t inplanes, int64_t planes, int64_t stride) {
  nn::Conv2d conv1(m, "conv1", inplanes, planes, 3, stride, 1, 1, 1, false);
  nn::BatchNorm2d bn1(m, "bn1", planes);
  nn::Conv2d conv2(m, "conv2", planes, planes, 3, 1, 1, 1, 1, false);
  nn::BatchNorm2d bn2(m, "bn2", planes);
  Value out = kiln::relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  Value identity = x;
  if (stride != 1 || inplanes != planes) {
    nn::Sequential downsample(m, "downsample");
    downsample.add<nn::Conv2d>(inplanes, planes, 1, stride, 0, 1, 1, false)
        .add<nn::BatchNorm2d>(planes);
    identity = downsample(x);
  }
  return kiln::relu(out + identity);
}

struct NetCase {
  std::string name; // file stem
  Shape input;      // [C, H, W]
  std::function<Value(Model &, Value)> build;
};

std::vector<NetCase> netCases() {
  return {
      {"small_cnn", {3, 15, 13}, smallCnn},
      {"basic_block", {8, 9, 7}, [](Model &m, Value x) { return basicBlock(m, x, 8, 8, 1); }},
      {"basic_block_down",
       {8, 9, 7},
       [](Model &m, Value x) { return basicBlock(m, x, 8, 16, 2); }},
  };
}

/// (net, level, dynamic batch)
class GoldenNetTest : public ::testing::TestWithParam<std::tuple<NetCase, int, bool>> {};

TEST_P(GoldenNetTest, MatchesPyTorch) {
  const auto &[net, level, dynamic] = GetParam();
  const kiln::TensorFile io =
      kiln::loadSafetensors(golden::dataPath(net.name + "_io.safetensors"));
  auto build = [&](int64_t batch) {
    Model m(net.name);
    Shape shape = net.input;
    shape.insert(shape.begin(), batch);
    m.output(net.build(m, m.input("x", shape)), "y");
    // Strict: every parameter is in the state_dict and vice versa.
    m.load(golden::dataPath(net.name + ".safetensors"), /*strict=*/true);
    return m;
  };
  if (dynamic) {
    Model m = build(kiln::kBatch);
    kiln::CompiledModel compiled = compileAt(m, level);
    for (int n : {1, 3})
      expectMatches("batch " + std::to_string(n),
                    compiled.run({io.tensors.at("x" + std::to_string(n))})[0],
                    io.tensors.at("y" + std::to_string(n)));
  } else {
    for (int n : {1, 3}) {
      Model m = build(n);
      expectMatches("batch " + std::to_string(n),
                    compileAt(m, level).run({io.tensors.at("x" + std::to_string(n))})[0],
                    io.tensors.at("y" + std::to_string(n)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    PyTorch, GoldenNetTest,
    ::testing::Combine(::testing::ValuesIn(netCases()),
                       ::testing::Values(kO0, 1, kDefaultLevel, 3), ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<NetCase, int, bool>> &info) {
      return std::get<0>(info.param).name + "_" + levelName(std::get<1>(info.param)) +
             (std::get<2>(info.param) ? "_dynamic_batch" : "_static_batch");
    });

TEST(GoldenNetTest, ConcurrentRuns) {
  // One compiled CNN (dynamic batch) run from four threads at once, each
  // with its own batch size, matches PyTorch every time.
  const kiln::TensorFile io = kiln::loadSafetensors(golden::dataPath("small_cnn_io.safetensors"));
  Model m("small_cnn");
  m.output(smallCnn(m, m.input("x", {kiln::kBatch, 3, 15, 13})), "y");
  m.load(golden::dataPath("small_cnn.safetensors"), true);
  kiln::CompiledModel net = compileAt(m, kDefaultLevel);
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      const std::string n = t % 2 ? "3" : "1";
      for (int i = 0; i < 20; ++i) {
        Tensor y = net.run({io.tensors.at("x" + n)})[0];
        if (!kiln::compareTensors(y, io.tensors.at("y" + n), kNetRtol, kNetAtol).ok)
          ++bad[t];
      }
    });
  for (std::thread &th : threads)
    th.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(bad[t], 0) << "thread " << t;
}

TEST(GoldenNetTest, StateDictNamesArePyTorchs) {
  // The DSL networks declare exactly the state_dict's tensors (minus
  // num_batches_tracked), with the same shapes.
  for (const NetCase &net : netCases()) {
    SCOPED_TRACE(net.name);
    Model m(net.name);
    Shape shape = net.input;
    shape.insert(shape.begin(), 1);
    net.build(m, m.input("x", shape));
    kiln::TensorFile sd = kiln::loadSafetensors(golden::dataPath(net.name + ".safetensors"));
    ASSERT_EQ(m.parameters().size(), sd.tensors.size());
    for (const auto &[name, t] : sd.tensors) {
      auto it = m.parameters().find(name);
      ASSERT_NE(it, m.parameters().end()) << "missing parameter " << name;
      EXPECT_EQ(it->second.shape(), t.shape()) << name;
    }
  }
}

TEST(GoldenNetTest, BatchNormStatisticsAreNotTrivial) {
  // The golden networks' running statistics came from train-mode passes, so
  // a model that ignored them (or the affine parameters) could not match.
  kiln::TensorFile sd = kiln::loadSafetensors(golden::dataPath("small_cnn.safetensors"));
  for (const char *name : {"features.1.running_mean", "features.1.running_var",
                           "features.5.running_mean", "features.5.weight"}) {
    const Tensor &t = sd.tensors.at(name);
    const double trivial = std::string(name).find("var") != std::string::npos ||
                                   std::string(name).find("weight") != std::string::npos
                               ? 1.0
                               : 0.0;
    double maxDiff = 0;
    for (int64_t i = 0; i < t.numel(); ++i)
      maxDiff = std::max(maxDiff, std::abs(t.at(i) - trivial));
    EXPECT_GT(maxDiff, 0.05) << name;
  }
}

} // namespace
