//===- DslTest.cpp - Tests of the C++ DSL (Model, ops, nn layers) ---------===//
//
// The DSL's promise: every shape mistake throws kiln::Error at the call that
// made it, naming the op and the shapes, and leaves the model as it was (no
// half-built op), so the model can still be printed, extended and compiled.
// Also: the printed IR, op counts, PyTorch-style parameter names, and the
// save/load/setParameter round trips (checked numerically against the
// plain-loop reference of tests/e2e/Reference.h).
//
//===----------------------------------------------------------------------===//
#include "frontend/Kiln.h"
#include "ir/KilnDialect.h"
#include "tests/e2e/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using kiln::testing::errorOf;

using kiln::DType;
using kiln::Model;
using kiln::Shape;
using kiln::Tensor;
using kiln::Value;
namespace ref = kiln::ref;

/// Checks that `body` throws a kiln::Error whose message contains every one
/// of `parts`, and that the model's op counts are unchanged afterwards (no
/// half-built op left behind).
void expectDslError(Model &m, const std::function<void()> &body,
                    const std::vector<std::string> &parts) {
  std::map<std::string, int> before = m.opCounts();
  std::string message = errorOf(body);
  for (const std::string &p : parts)
    EXPECT_CONTAINS(message, p);
  EXPECT_EQ(m.opCounts(), before) << "the failed call left ops behind; message: " << message;
}

/// Parses `text` as MLIR with the kiln and func dialects and verifies it;
/// returns the parser's/verifier's error ("" on success).
std::string parseError(const std::string &text) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<kiln::KilnDialect, mlir::func::FuncDialect>();
  std::string diag;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (diag.empty())
      diag = d.str();
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
  if (!module)
    return diag.empty() ? "parse failed" : diag;
  if (mlir::failed(mlir::verify(*module)))
    return diag.empty() ? "verify failed" : diag;
  return "";
}

void expectMatches(const std::string &label, const Tensor &actual, const Tensor &expected,
                   double rtol, double atol) {
  kiln::Comparison c = kiln::compareTensors(actual, expected, rtol, atol);
  EXPECT_TRUE(c.ok) << label << ": " << c.message;
}

/// A fresh path in the temp directory, removed when the object dies.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string &name) {
    path = (std::filesystem::temp_directory_path() /
            ("kiln-dsl-test-" + std::to_string(::getpid()) + "-" + name))
               .string();
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// Linear with K <= 64 in f32 vs the double-accumulating reference.
constexpr double kLinearRtol = 1e-5, kLinearAtol = 1e-6;

//===----------------------------------------------------------------------===//
// Shape mistakes throw at the DSL call, naming the op and the shapes
//===----------------------------------------------------------------------===//

TEST(DslErrors, BroadcastMismatch) {
  Model m("t");
  Value a = m.input("a", {2, 3});
  Value b = m.input("b", {4});
  Value c = m.input("c", {kiln::kBatch, 3});
  Value d = m.input("d", {5, 1, 2});
  expectDslError(m, [&] { kiln::add(a, b); },
                 {"'kiln.add' op", "tensor<2x3xf32>", "tensor<4xf32>"});
  expectDslError(m, [&] { a * b; }, {"'kiln.mul' op", "tensor<2x3xf32>", "tensor<4xf32>"});
  expectDslError(m, [&] { kiln::maximum(b, a); },
                 {"'kiln.max' op", "tensor<4xf32>", "tensor<2x3xf32>"});
  expectDslError(m, [&] { kiln::pow(a, d); },
                 {"'kiln.pow' op", "tensor<2x3xf32>", "tensor<5x1x2xf32>"});
  // A dynamic batch never silently broadcasts against a static size != 1.
  Value a32 = kiln::reshape(a, {3, 2});
  expectDslError(m, [&] { kiln::sub(c, a32); },
                 {"'kiln.sub' op", "tensor<?x3xf32>", "tensor<3x2xf32>"});
}

TEST(DslErrors, MatmulContractingMismatch) {
  Model m("t");
  Value a = m.input("a", {2, 3});
  Value b = m.input("b", {4, 5});
  Value v = m.input("v", {3});
  Value a3 = m.input("a3", {2, 4, 3});
  Value b3 = m.input("b3", {3, 3, 5});
  expectDslError(m, [&] { kiln::matmul(a, b); },
                 {"'kiln.matmul' op", "tensor<2x3xf32>", "tensor<4x5xf32>"});
  // Rank 1 is not supported (documented: rank >= 2).
  expectDslError(m, [&] { kiln::matmul(a, v); },
                 {"'kiln.matmul' op", "tensor<2x3xf32>", "tensor<3xf32>"});
  // Batch dimensions that do not broadcast (2 vs 3).
  expectDslError(m, [&] { kiln::matmul(a3, b3); },
                 {"'kiln.matmul' op", "tensor<2x4x3xf32>", "tensor<3x3x5xf32>"});
}

TEST(DslErrors, LinearFeatureMismatch) {
  Model m("t");
  Value x = m.input("x", {kiln::kBatch, 7});
  kiln::nn::Linear fc(m, "fc", 10, 5);
  expectDslError(m, [&] { fc(x); },
                 {"'kiln.linear' op", "tensor<?x7xf32>", "tensor<5x10xf32>"});
  Value w = m.input("w", {5, 7});
  Value badBias = m.input("bias", {4});
  expectDslError(m, [&] { kiln::linear(x, w, badBias); },
                 {"'kiln.linear' op", "tensor<4xf32>", "tensor<5x7xf32>"});
}

TEST(DslErrors, ReshapeCountMismatch) {
  Model m("t");
  Value x = m.input("x", {2, 3});
  Value d = m.input("d", {kiln::kBatch, 6});
  expectDslError(m, [&] { kiln::reshape(x, {4, 2}); },
                 {"'kiln.reshape' op", "tensor<2x3xf32>", "[4, 2]"});
  expectDslError(m, [&] { kiln::reshape(x, {-1, 4}); },
                 {"'kiln.reshape' op", "tensor<2x3xf32>", "[-1, 4]"});
  expectDslError(m, [&] { kiln::reshape(x, {-1, -1}); },
                 {"'kiln.reshape' op", "tensor<2x3xf32>"});
  // Dynamic batch: the -1 must absorb exactly the batch.
  expectDslError(m, [&] { kiln::reshape(d, {-1, 4}); },
                 {"'kiln.reshape' op", "tensor<?x6xf32>", "[-1, 4]"});
}

TEST(DslErrors, BadPermutation) {
  Model m("t");
  Value x = m.input("x", {2, 3, 4});
  expectDslError(m, [&] { kiln::permute(x, {0, 0, 1}); },
                 {"'kiln.transpose' op", "tensor<2x3x4xf32>", "[0, 0, 1]"});
  expectDslError(m, [&] { kiln::permute(x, {1, 0}); },
                 {"'kiln.transpose' op", "tensor<2x3x4xf32>"});
  expectDslError(m, [&] { kiln::permute(x, {0, 1, 3}); },
                 {"'kiln.transpose' op", "tensor<2x3x4xf32>", "3"});
}

TEST(DslErrors, ConcatMismatch) {
  Model m("t");
  Value a = m.input("a", {2, 3});
  Value b = m.input("b", {2, 4});
  Value c = m.input("c", {2, 3, 1});
  expectDslError(m, [&] { kiln::concat({a, b}, 0); },
                 {"'kiln.concat' op", "tensor<2x4xf32>", "tensor<2x3xf32>"});
  expectDslError(m, [&] { kiln::concat({a, a, c}, 1); },
                 {"'kiln.concat' op", "tensor<2x3x1xf32>", "tensor<2x3xf32>"});
  expectDslError(m, [&] { kiln::concat({}, 0); }, {"'kiln.concat' op"});
  // Concatenating along the dynamic batch is not supported.
  Value d = m.input("d", {kiln::kBatch, 3});
  expectDslError(m, [&] { kiln::concat({d, a}, 0); },
                 {"'kiln.concat' op", "tensor<?x3xf32>"});
}

TEST(DslErrors, SliceStepZero) {
  Model m("t");
  Value x = m.input("x", {4, 6});
  expectDslError(m, [&] { kiln::slice(x, 1, 0, 6, 0); }, {"'kiln.slice' op", "step 0"});
  expectDslError(m, [&] { kiln::slice(x, 1, 0, 6, -1); }, {"'kiln.slice' op", "step -1"});
  expectDslError(m, [&] { kiln::slice(x, 2, 0, 1); }, {"'kiln.slice' op", "tensor<4x6xf32>"});
  Value d = m.input("d", {kiln::kBatch, 6});
  expectDslError(m, [&] { kiln::slice(d, 0, 0, 1); }, {"'kiln.slice' op", "tensor<?x6xf32>"});
}

TEST(DslErrors, SliceStepZeroNamesTheShape) {
  // The header promises every argument error names the op *and the shapes*
  // (the step check once named only the op).
  Model m("t");
  Value x = m.input("x", {4, 6});
  expectDslError(m, [&] { kiln::slice(x, 1, 0, 6, 0); },
                 {"'kiln.slice' op", "tensor<4x6xf32>"});
}

TEST(DslErrors, AxisOutOfRange) {
  Model m("t");
  Value x = m.input("x", {2, 3});
  const std::string t = "tensor<2x3xf32>";
  expectDslError(m, [&] { kiln::softmax(x, 2); }, {"'kiln.softmax' op", t, "2"});
  expectDslError(m, [&] { kiln::softmax(x, -3); }, {"'kiln.softmax' op", t, "-3"});
  expectDslError(m, [&] { kiln::logSoftmax(x, 5); }, {"'kiln.log_softmax' op", t});
  expectDslError(m, [&] { kiln::sum(x, {2}); }, {"'kiln.reduce_sum' op", t});
  expectDslError(m, [&] { kiln::mean(x, {0, -3}); }, {"'kiln.reduce_mean' op", t});
  expectDslError(m, [&] { kiln::amax(x, {7}, true); }, {"'kiln.reduce_max' op", t});
  expectDslError(m, [&] { kiln::sum(x, {1, -1}); }, {"'kiln.reduce_sum' op", "twice"});
  expectDslError(m, [&] { kiln::argmax(x, 2); }, {"'kiln.argmax' op", t});
  expectDslError(m, [&] { kiln::argmax(x, -3, true); }, {"'kiln.argmax' op", t});
  expectDslError(m, [&] { kiln::transpose(x, 0, 2); }, {"'kiln.transpose' op", t});
  expectDslError(m, [&] { kiln::transpose(x, -3, 1); }, {"'kiln.transpose' op", t});
  expectDslError(m, [&] { kiln::concat({x, x}, 2); }, {"'kiln.concat' op", t});
  expectDslError(m, [&] { kiln::flatten(x, 2); }, {"'kiln.reshape' op", t});
}

TEST(DslErrors, ValueFromAnotherModel) {
  Model m1("one"), m2("two");
  Value a = m1.input("a", {2, 3});
  Value b = m2.input("b", {2, 3});
  expectDslError(m1, [&] { kiln::add(a, b); }, {"kiln.add", "another kiln::Model"});
  expectDslError(m2, [&] { kiln::add(b, a); }, {"kiln.add", "another kiln::Model"});
  expectDslError(m2, [&] { kiln::concat({b, a}, 0); }, {"kiln.concat", "another kiln::Model"});
  kiln::nn::Linear fc(m1, "fc", 3, 4);
  expectDslError(m2, [&] { fc(b); }, {"kiln.linear", "another kiln::Model"});
  expectDslError(m2, [&] { m2.output(a, "y"); }, {"another kiln::Model"});
}

TEST(DslErrors, UndefinedValue) {
  Model m("t");
  Value x = m.input("x", {2, 3});
  Value undefined;
  EXPECT_FALSE(undefined.defined());
  expectDslError(m, [&] { kiln::relu(undefined); }, {"kiln.relu", "undefined"});
  expectDslError(m, [&] { kiln::add(x, undefined); }, {"kiln.add", "undefined"});
  expectDslError(m, [&] { kiln::add(undefined, x); }, {"kiln.add", "undefined"});
  expectDslError(m, [&] { kiln::matmul(undefined, x); }, {"kiln.matmul", "undefined"});
  expectDslError(m, [&] { kiln::linear(x, undefined); }, {"kiln.linear", "undefined"});
  expectDslError(m, [&] { m.output(undefined, "y"); }, {"undefined"});
  expectDslError(m, [&] { undefined.shape(); }, {"undefined"});
}

TEST(DslErrors, DuplicateNames) {
  Model m("t");
  m.parameter("w", {2, 3});
  expectDslError(m, [&] { m.parameter("w", {2, 3}); }, {"'w'", "already exists"});
  kiln::nn::Linear fc(m, "fc", 3, 4);
  expectDslError(m, [&] { kiln::nn::Linear again(m, "fc", 3, 4); },
                 {"'fc.weight'", "already exists"});
  EXPECT_EQ(m.parameters().size(), 3u); // w, fc.weight, fc.bias
  EXPECT_EQ(m.opCounts()["kiln.param"], 3);

  Value x = m.input("x", {2, 3});
  m.output(x, "y");
  Value r = kiln::relu(x);
  expectDslError(m, [&] { m.output(r, "y"); }, {"'y'", "already exists"});
  // Unnamed outputs get distinct names.
  m.output(x);
  m.output(x);
  kiln::CompiledModel net = kiln::jit(m);
  ASSERT_EQ(net.outputs().size(), 3u);
  EXPECT_EQ(net.outputs()[0].name, "y");
  EXPECT_NE(net.outputs()[1].name, net.outputs()[2].name);
}

TEST(DslErrors, IntegerOperands) {
  // argmax gives i64; the arithmetic ops take floats only.
  Model m("t");
  Value x = m.input("x", {2, 3});
  Value idx = kiln::argmax(x, 1);
  expectDslError(m, [&] { kiln::add(idx, idx); }, {"'kiln.add' op", "tensor<2xi64>"});
  Value s = kiln::sum(x, {1});
  expectDslError(m, [&] { kiln::mul(idx, s); },
                 {"'kiln.mul' op", "tensor<2xi64>", "tensor<2xf32>"});
}

TEST(DslErrors, ScalarOperatorOnIntegerValue) {
  // `value + 1.0` on an i64 value must fail like add(idx, idx) above, and
  // leave nothing behind (the scalar constant included). The operator once
  // built `kiln.constant dense<4607182418800017408> : tensor<i64>` (the bits
  // of the double 1.0 as an i64) first and left it in the model when the add
  // was rejected; and for `2.0 * idx` the message named the constant's
  // tensor<i64>, not the user's tensor<2xi64>.
  Model m("t");
  Value x = m.input("x", {2, 3});
  Value idx = kiln::argmax(x, 1);
  expectDslError(m, [&] { idx + 1.0; }, {"'kiln.add' op", "tensor<2xi64>"});
  expectDslError(m, [&] { 2.0 * idx; }, {"'kiln.mul' op", "tensor<2xi64>"});
  EXPECT_EQ(parseError(m.str()), "") << m.str();
}

TEST(DslErrors, SecondDynamicDimension) {
  Model m("t");
  std::string e = errorOf([&] { m.input("x", {kiln::kBatch, 3, kiln::kBatch}); });
  EXPECT_CONTAINS(e, "'x'");
  EXPECT_CONTAINS(e, "dynamic");
  e = errorOf([&] { m.input("z", {2, -5}); });
  EXPECT_CONTAINS(e, "'z'");
  EXPECT_CONTAINS(e, "-5");
  // Neither failed input was added: the compiled model has one input.
  Value y = m.input("y", {kiln::kBatch, 3});
  m.output(kiln::relu(y), "r");
  kiln::CompiledModel net = kiln::jit(m);
  ASSERT_EQ(net.inputs().size(), 1u);
  EXPECT_EQ(net.inputs()[0].toString(), "y: tensor<?x3xf32>");
}

TEST(DslErrors, ModelIsUsableAfterErrors) {
  Model m("after", /*seed=*/3);
  Value x = m.input("x", {kiln::kBatch, 5});
  kiln::nn::Linear fc(m, "fc", 5, 4);
  Value h = fc(x);
  // A series of failed calls...
  EXPECT_THROW(kiln::matmul(h, h), kiln::Error);
  EXPECT_THROW(kiln::add(h, x), kiln::Error);
  EXPECT_THROW(kiln::reshape(h, {-1, 3}), kiln::Error);
  EXPECT_THROW(kiln::softmax(h, 3), kiln::Error);
  EXPECT_THROW(kiln::concat({h, x}, 0), kiln::Error);
  EXPECT_THROW(kiln::slice(h, 1, 0, 4, 0), kiln::Error);
  EXPECT_THROW(kiln::linear(h, fc.weight), kiln::Error);
  // ...left no op: the IR still prints, parses and verifies...
  std::string before = m.str();
  EXPECT_EQ(parseError(before), "") << before;
  EXPECT_EQ(m.opCounts(), (std::map<std::string, int>{{"kiln.linear", 1}, {"kiln.param", 2}}));
  // ...and later valid ops, output and jit work.
  Value y = kiln::softmax(kiln::relu(h) * 2.0, -1);
  m.output(y, "y");
  std::string after = m.str();
  EXPECT_EQ(parseError(after), "") << after;
  kiln::CompiledModel net = kiln::jit(m);
  Tensor in = ref::randomUniform({3, 5}, -1.f, 1.f, 1);
  const auto &p = m.parameters();
  Tensor expected = ref::softmax(
      ref::mul(ref::relu(ref::linear(in, p.at("fc.weight"), p.at("fc.bias"))),
               Tensor::full({}, 2.0)),
      -1);
  expectMatches("y", net.run({in})[0], expected, 1e-5, 1e-7);
}

TEST(DslErrors, JitOfModelWithoutOutputs) {
  Model m("empty");
  m.input("x", {2});
  std::string e = errorOf([&] { kiln::jit(m); });
  EXPECT_CONTAINS(e, "'empty'");
  EXPECT_CONTAINS(e, "no outputs");
}

//===----------------------------------------------------------------------===//
// IR, op counts, parameter names
//===----------------------------------------------------------------------===//

TEST(DslModel, StrAndOpCounts) {
  kiln::Model m("mlp");
  auto x = m.input("x", {kiln::kBatch, 784});
  kiln::nn::Linear fc1(m, "fc1", 784, 256), fc2(m, "fc2", 256, 10);
  m.output(kiln::softmax(fc2(kiln::relu(fc1(x)))), "probs");
  std::string ir = m.str();
  EXPECT_CONTAINS(ir, "kiln.param \"fc1.weight\" : tensor<256x784xf32>");
  EXPECT_CONTAINS(ir, "kiln.param \"fc1.bias\" : tensor<256xf32>");
  EXPECT_CONTAINS(ir, "kiln.param \"fc2.weight\" : tensor<10x256xf32>");
  EXPECT_CONTAINS(ir, "kiln.param \"fc2.bias\" : tensor<10xf32>");
  EXPECT_CONTAINS(ir, "func.func @mlp");
  EXPECT_CONTAINS(ir, "tensor<?x784xf32>");
  EXPECT_CONTAINS(ir, "tensor<?x10xf32>");
  EXPECT_CONTAINS(ir, "\"probs\"");
  EXPECT_EQ(parseError(ir), "") << ir;
  std::map<std::string, int> expected = {
      {"kiln.param", 4}, {"kiln.linear", 2}, {"kiln.relu", 1}, {"kiln.softmax", 1}};
  EXPECT_EQ(m.opCounts(), expected);
  EXPECT_EQ(m.name(), "mlp");
  // Printing does not freeze the model: it can keep growing.
  m.output(kiln::argmax(fc1(x), 1), "cls");
  ++expected["kiln.linear"];
  ++expected["kiln.argmax"];
  EXPECT_EQ(m.opCounts(), expected);
  EXPECT_CONTAINS(m.str(), "tensor<?xi64>");
  EXPECT_EQ(parseError(m.str()), "");
}

TEST(DslModel, ValueShapes) {
  Model m("t");
  Value x = m.input("x", {kiln::kBatch, 6, 4});
  EXPECT_EQ(x.shape(), (Shape{-1, 6, 4}));
  EXPECT_EQ(x.rank(), 3);
  EXPECT_EQ(x.dim(0), -1);
  EXPECT_EQ(x.dim(-1), 4);
  EXPECT_EQ(x.typeString(), "tensor<?x6x4xf32>");
  EXPECT_EQ(x.dtype(), DType::F32);
  EXPECT_THROW(x.dim(3), kiln::Error);
  EXPECT_EQ(kiln::matmul(x, m.input("w", {4, 9})).shape(), (Shape{-1, 6, 9}));
  EXPECT_EQ(kiln::flatten(x).shape(), (Shape{-1, 24}));
  EXPECT_EQ(kiln::sum(x, {1}, true).shape(), (Shape{-1, 1, 4}));
  EXPECT_EQ(kiln::slice(x, 1, -4, 100, 3).shape(), (Shape{-1, 2, 4}));
  EXPECT_EQ(kiln::argmax(x, -1).dtype(), DType::I64);
  EXPECT_EQ(kiln::argmax(x, -1).shape(), (Shape{-1, 6}));
  EXPECT_EQ(kiln::permute(x, {2, 0, 1}).typeString(), "tensor<4x?x6xf32>");
}

TEST(DslModel, LinearAndSequentialParameterNames) {
  Model m("t");
  kiln::nn::Linear fc(m, "fc1", 784, 256);
  EXPECT_EQ(fc.inFeatures, 784);
  EXPECT_EQ(fc.outFeatures, 256);
  EXPECT_EQ(fc.weight.shape(), (Shape{256, 784}));
  EXPECT_EQ(fc.bias.shape(), (Shape{256}));
  kiln::nn::Linear nb(m, "head", 8, 2, /*bias=*/false);
  EXPECT_FALSE(nb.bias.defined());

  kiln::nn::Sequential net(m, "net");
  net.add<kiln::nn::Linear>(784, 128).add(kiln::relu).add<kiln::nn::Linear>(128, 10);
  EXPECT_EQ(net.size(), 3u);

  std::vector<std::string> names;
  for (const auto &[name, t] : m.parameters())
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"fc1.bias", "fc1.weight", "head.weight",
                                             "net.0.bias", "net.0.weight", "net.2.bias",
                                             "net.2.weight"}));
  EXPECT_EQ(m.parameters().at("net.0.weight").shape(), (Shape{128, 784}));
  EXPECT_EQ(m.parameters().at("net.2.weight").shape(), (Shape{10, 128}));
  EXPECT_EQ(m.parameters().at("net.2.bias").shape(), (Shape{10}));

  // The Sequential computes linear -> relu -> linear.
  Value x = m.input("x", {kiln::kBatch, 784});
  m.output(net(x), "y");
  kiln::CompiledModel compiled = kiln::jit(m);
  Tensor in = ref::randomUniform({2, 784}, -1.f, 1.f, 5);
  const auto &p = m.parameters();
  Tensor expected = ref::linear(
      ref::relu(ref::linear(in, p.at("net.0.weight"), p.at("net.0.bias"))),
      p.at("net.2.weight"), p.at("net.2.bias"));
  // K = 784 in f32: 1e-4 relative, 1e-5 absolute (as the e2e matmul tests).
  expectMatches("sequential", compiled.run({in})[0], expected, 1e-4, 1e-5);

  // Nested prefixes and an empty prefix.
  Model m2("t2");
  kiln::nn::Sequential outer(m2, "");
  outer.add<kiln::nn::Linear>(3, 3);
  EXPECT_EQ(m2.parameters().count("0.weight"), 1u);
  EXPECT_THROW(kiln::nn::Linear(m2, "bad", 0, 3), kiln::Error);
}

//===----------------------------------------------------------------------===//
// Parameters: save/load/setParameter
//===----------------------------------------------------------------------===//

/// A two-layer model of fixed architecture; `seed` changes the parameters.
struct TwoLayer {
  Model model;
  kiln::nn::Linear fc1, fc2;
  explicit TwoLayer(uint64_t seed)
      : model("two", seed), fc1(model, "fc1", 6, 5), fc2(model, "fc2", 5, 3) {
    Value x = model.input("x", {kiln::kBatch, 6});
    model.output(fc2(kiln::relu(fc1(x))), "y");
  }
  Tensor reference(const Tensor &x) const {
    const auto &p = model.parameters();
    return ref::linear(ref::relu(ref::linear(x, p.at("fc1.weight"), p.at("fc1.bias"))),
                       p.at("fc2.weight"), p.at("fc2.bias"));
  }
};

bool sameValues(const Tensor &a, const Tensor &b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         kiln::compareTensors(a, b, 0, 0).ok;
}

std::map<std::string, Tensor> deepCopy(const std::map<std::string, Tensor> &params) {
  std::map<std::string, Tensor> out;
  for (const auto &[n, t] : params)
    out.emplace(n, t.clone());
  return out;
}

TEST(DslParameters, SaveLoadRoundTrip) {
  TempFile file("roundtrip.safetensors");
  TwoLayer a(1), b(2);
  // Different seeds, different parameters.
  EXPECT_FALSE(sameValues(a.model.parameters().at("fc1.weight"),
                          b.model.parameters().at("fc1.weight")));
  a.model.save(file.path);
  b.model.load(file.path);
  ASSERT_EQ(b.model.parameters().size(), a.model.parameters().size());
  for (const auto &[name, t] : a.model.parameters())
    EXPECT_TRUE(sameValues(b.model.parameters().at(name), t)) << name;
  // The file is an ordinary safetensors file with exactly the parameters.
  kiln::TensorFile f = kiln::loadSafetensors(file.path);
  EXPECT_EQ(f.tensors.size(), 4u);
  EXPECT_TRUE(sameValues(f.tensors.at("fc2.bias"), a.model.parameters().at("fc2.bias")));
}

TEST(DslParameters, LoadedParametersChangeTheCompiledModel) {
  TempFile file("weights.safetensors");
  TwoLayer m(7);
  Tensor in = ref::randomUniform({4, 6}, -1.f, 1.f, 11);
  kiln::CompiledModel before = kiln::jit(m.model);
  Tensor oldExpected = m.reference(in);

  // New weights, as a file exported from elsewhere (e.g. PyTorch).
  std::map<std::string, Tensor> weights = {
      {"fc1.weight", ref::randomUniform({5, 6}, -1.f, 1.f, 21)},
      {"fc1.bias", ref::randomUniform({5}, -1.f, 1.f, 22)},
      {"fc2.weight", ref::randomUniform({3, 5}, -1.f, 1.f, 23)},
      {"fc2.bias", ref::randomUniform({3}, -1.f, 1.f, 24)}};
  kiln::saveSafetensors(file.path, weights);
  m.model.load(file.path);
  kiln::CompiledModel after = kiln::jit(m.model);

  Tensor newExpected = ref::linear(
      ref::relu(ref::linear(in, weights.at("fc1.weight"), weights.at("fc1.bias"))),
      weights.at("fc2.weight"), weights.at("fc2.bias"));
  expectMatches("after load", after.run({in})[0], newExpected, kLinearRtol, kLinearAtol);
  // The old model baked the old parameters in and is unaffected.
  expectMatches("compiled before load", before.run({in})[0], oldExpected, kLinearRtol,
                kLinearAtol);
  EXPECT_FALSE(kiln::compareTensors(oldExpected, newExpected, 1e-3, 1e-3).ok);
}

TEST(DslParameters, LoadErrors) {
  TempFile file("bad.safetensors");
  TwoLayer m(3);
  const auto original = deepCopy(m.model.parameters());
  auto unchanged = [&] {
    for (const auto &[name, t] : original)
      EXPECT_TRUE(sameValues(m.model.parameters().at(name), t))
          << name << " changed by a failed load";
  };
  std::map<std::string, Tensor> good = {
      {"fc1.weight", Tensor::full({5, 6}, 0.5)}, {"fc1.bias", Tensor::full({5}, 0.5)},
      {"fc2.weight", Tensor::full({3, 5}, 0.5)}, {"fc2.bias", Tensor::full({3}, 0.5)}};

  // A missing parameter.
  auto missing = good;
  missing.erase("fc2.bias");
  kiln::saveSafetensors(file.path, missing);
  std::string e = errorOf([&] { m.model.load(file.path); });
  EXPECT_CONTAINS(e, file.path);
  EXPECT_CONTAINS(e, "'fc2.bias'");
  EXPECT_CONTAINS(e, "missing");
  unchanged();

  // A wrong shape (transposed weight).
  auto wrongShape = good;
  wrongShape["fc1.weight"] = Tensor::full({6, 5}, 0.5);
  kiln::saveSafetensors(file.path, wrongShape);
  e = errorOf([&] { m.model.load(file.path); });
  EXPECT_CONTAINS(e, "'fc1.weight'");
  EXPECT_CONTAINS(e, "tensor<5x6xf32>");
  EXPECT_CONTAINS(e, "tensor<6x5xf32>");
  unchanged();

  // An extra tensor with strict loading.
  auto extra = good;
  extra["fc3.weight"] = Tensor::full({2, 2}, 1.0);
  kiln::saveSafetensors(file.path, extra);
  e = errorOf([&] { m.model.load(file.path); });
  EXPECT_CONTAINS(e, "'fc3.weight'");
  EXPECT_CONTAINS(e, "strict");
  unchanged();

  // A file that does not exist.
  e = errorOf([&] { m.model.load(file.path + ".nope"); });
  EXPECT_CONTAINS(e, ".nope");
  unchanged();

  // strict = false ignores the extra tensor and loads the rest.
  m.model.load(file.path, /*strict=*/false);
  EXPECT_EQ(m.model.parameters().size(), 4u);
  EXPECT_EQ(m.model.parameters().count("fc3.weight"), 0u);
  for (const auto &[name, t] : good)
    EXPECT_TRUE(sameValues(m.model.parameters().at(name), t)) << name;
  // Non-strict loading still rejects missing parameters.
  kiln::saveSafetensors(file.path, missing);
  EXPECT_THROW(m.model.load(file.path, /*strict=*/false), kiln::Error);
}

TEST(DslParameters, SetParameter) {
  TwoLayer m(4);
  std::string e = errorOf(
      [&] { m.model.setParameter("fc1.weight", Tensor::zeros({6, 5})); });
  EXPECT_CONTAINS(e, "'fc1.weight'");
  EXPECT_CONTAINS(e, "tensor<5x6xf32>");
  EXPECT_CONTAINS(e, "tensor<6x5xf32>");
  e = errorOf([&] { m.model.setParameter("fc1.weight", Tensor::zeros({5, 6}, DType::F64)); });
  EXPECT_CONTAINS(e, "tensor<5x6xf64>");
  e = errorOf([&] { m.model.setParameter("fc9.weight", Tensor::zeros({5, 6})); });
  EXPECT_CONTAINS(e, "'fc9.weight'");
  e = errorOf([&] { m.model.setParameter("fc1.bias", Tensor()); });
  EXPECT_CONTAINS(e, "'fc1.bias'");

  // A valid setParameter takes a copy and is what jit compiles.
  Tensor w = ref::randomUniform({3, 5}, -1.f, 1.f, 31);
  m.model.setParameter("fc2.weight", w);
  Tensor in = ref::randomUniform({2, 6}, -1.f, 1.f, 32);
  Tensor expected = m.reference(in);
  w.data<float>()[0] = 1000.f; // must not leak into the model
  EXPECT_NE(m.model.parameters().at("fc2.weight").at(0), 1000.0);
  expectMatches("after setParameter", kiln::jit(m.model).run({in})[0], expected, kLinearRtol,
                kLinearAtol);
}

} // namespace
