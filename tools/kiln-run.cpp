//===- kiln-run.cpp - JIT-run a function of a kiln .mlir file -------------===//
//
// In the manner of iree-run-module:
//
//   kiln-run model.mlir --weights=w.safetensors --input="2x784xf32=@zeros" \
//            --output=out.safetensors
//   kiln-run model.mlir --inputs=in.safetensors --expected=ref.safetensors \
//            --rtol=1e-5 --atol=1e-6
//
// Inputs come inline (--input, in argument order: "2x3xf32=1 2 3 4 5 6",
// "2x3xf32=0.5" to splat one value) or from a safetensors file (--inputs,
// matched by argument name: the `kiln.name` argument attribute, else
// input0, input1, ...). Outputs are printed or written (--output). Exit
// status: 0 success, 1 any error (one line on stderr, never a signal),
// 2 outputs differ from --expected.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Jit.h"
#include "passes/Passes.h"
#include "runtime/Error.h"
#include "tools/LoadModel.h"
#include "runtime/Safetensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace cl = llvm::cl;

static cl::OptionCategory category("kiln-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> function("function",
                                     cl::desc("Function to run (default: the only public one)"),
                                     cl::cat(category));
static cl::opt<std::string> weightsFile("weights",
                                        cl::desc("safetensors file binding kiln.param ops"),
                                        cl::cat(category));
static cl::list<std::string> inlineInputs(
    "input", cl::desc("Inline input in argument order: SHAPExDTYPE=v1 v2 ... (or one value to splat)"),
    cl::cat(category));
static cl::opt<std::string> inputsFile("inputs",
                                       cl::desc("safetensors file of inputs, by argument name"),
                                       cl::cat(category));
static cl::opt<std::string> outputFile("output",
                                       cl::desc("Write the outputs to this safetensors file"),
                                       cl::cat(category));
static cl::opt<std::string> expectedFile(
    "expected", cl::desc("Compare the outputs with this safetensors file (by output name)"),
    cl::cat(category));
static cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance for --expected"),
                            cl::init(1e-5), cl::cat(category));
static cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance for --expected"),
                            cl::init(1e-6), cl::cat(category));
static cl::opt<bool> printIR("print-ir", cl::desc("Print the IR after each lowering stage"),
                             cl::cat(category));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Lower matmuls to plain loops (for bisecting)"),
                                 cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Do not print the outputs"), cl::cat(category));

using kiln::fail;

/// Parses "2x3xf32=1 2 3 4 5 6" (or "=1,2,..." or a single value to splat).
static kiln::Tensor parseInline(const std::string &text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos)
    fail("--input '", text, "': expected SHAPExDTYPE=VALUES, e.g. 2x3xf32=1 2 3 4 5 6");
  std::string type = text.substr(0, eq), values = text.substr(eq + 1);
  std::vector<std::string> parts;
  std::stringstream ss(type);
  for (std::string p; std::getline(ss, p, 'x');)
    parts.push_back(p);
  if (parts.empty())
    fail("--input '", text, "': missing element type");
  std::string dt = parts.back();
  parts.pop_back();
  kiln::DType dtype;
  if (dt == "f32")
    dtype = kiln::DType::F32;
  else if (dt == "f64")
    dtype = kiln::DType::F64;
  else if (dt == "i64")
    dtype = kiln::DType::I64;
  else if (dt == "i32")
    dtype = kiln::DType::I32;
  else
    fail("--input '", text, "': unknown element type '", dt, "' (expected f32, f64, i32 or i64)");
  kiln::Shape shape;
  for (const std::string &p : parts) {
    char *end = nullptr;
    long long d = std::strtoll(p.c_str(), &end, 10);
    if (p.empty() || *end || d < 0 || d > (1LL << 40))
      fail("--input '", text, "': bad dimension '", p, "'");
    shape.push_back(d);
  }
  for (char &c : values)
    if (c == ',' || c == '[' || c == ']')
      c = ' ';
  std::vector<double> numbers;
  std::stringstream vs(values);
  for (std::string tok; vs >> tok;) {
    char *end = nullptr;
    double v = std::strtod(tok.c_str(), &end);
    if (*end)
      fail("--input '", type, "=...': '", tok, "' is not a number");
    numbers.push_back(v);
  }
  kiln::Tensor t(shape, dtype);
  if (numbers.size() == 1) {
    return kiln::Tensor::full(shape, numbers[0], dtype);
  }
  if (static_cast<int64_t>(numbers.size()) != t.numel())
    fail("--input '", type, "=...': ", numbers.size(), " values for ", t.numel(),
         " elements (give all of them, or one to splat)");
  kiln::Tensor f = kiln::Tensor::fromValues<double>(shape, numbers);
  return f.to(dtype);
}

static void printTensor(const std::string &name, const kiln::Tensor &t) {
  std::cout << name << ": " << t.typeString() << " =";
  const int64_t limit = 1000;
  int64_t n = t.numel();
  int64_t last = t.rank() ? t.shape().back() : 1;
  for (int64_t i = 0; i < n; ++i) {
    if (n > limit && i == limit / 2) {
      std::cout << "\n  ... (" << n - limit << " more)";
      i = n - limit / 2;
    }
    if (last == 0 || i % last == 0)
      std::cout << "\n ";
    std::cout << " " << t.at(i);
  }
  std::cout << "\n";
}

static int run() {
  mlir::DialectRegistry registry;
  kiln::registerJitDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      kiln::tools::loadModel(context, inputFile, weightsFile, "--weights");

  kiln::JitOptions options;
  options.function = function;
  options.vectorize = !noVectorize;
  options.printIRAfterEachStage = printIR;
  kiln::CompiledModel model = kiln::jitModule(*module, options);

  const auto &specs = model.inputs();
  std::vector<kiln::Tensor> inputs;
  if (!inputsFile.empty()) {
    if (!inlineInputs.empty())
      fail("give inputs either with --input or with --inputs, not both");
    kiln::TensorFile file = kiln::loadSafetensors(inputsFile);
    for (const kiln::TensorSpec &spec : specs) {
      auto it = file.tensors.find(spec.name);
      if (it == file.tensors.end())
        fail(inputsFile, ": no tensor named '", spec.name, "' for input ", spec.toString());
      inputs.push_back(it->second);
    }
  } else {
    if (inlineInputs.size() != specs.size())
      fail("@", model.name(), " takes ", specs.size(), " inputs, ", inlineInputs.size(),
           " given with --input");
    for (const std::string &text : inlineInputs)
      inputs.push_back(parseInline(text));
  }

  std::vector<kiln::Tensor> outputs = model.run(inputs);
  std::map<std::string, kiln::Tensor> named;
  for (size_t i = 0; i < outputs.size(); ++i)
    named[model.outputs()[i].name] = outputs[i];
  if (!quiet)
    for (size_t i = 0; i < outputs.size(); ++i)
      printTensor(model.outputs()[i].name, outputs[i]);
  if (!outputFile.empty())
    kiln::saveSafetensors(outputFile, named);

  if (!expectedFile.empty()) {
    kiln::TensorFile expected = kiln::loadSafetensors(expectedFile);
    bool ok = true;
    for (const auto &[name, actual] : named) {
      auto it = expected.tensors.find(name);
      if (it == expected.tensors.end())
        fail(expectedFile, ": no tensor named '", name, "' for output ", name);
      kiln::Comparison c = kiln::compareTensors(actual, it->second, relTolerance, absTolerance);
      if (!c.ok) {
        std::cerr << "kiln-run: output '" << name << "' differs from " << expectedFile
                  << ": " << c.message << "\n";
        ok = false;
      } else {
        std::cerr << "kiln-run: output '" << name << "' matches (max abs error "
                  << c.maxAbsError << ")\n";
      }
    }
    if (!ok)
      return 2;
  }
  return 0;
}

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Kiln: JIT-run a function of a kiln-dialect file\n");
  try {
    return run();
  } catch (const kiln::Error &e) {
    std::string message = e.what();
    std::fprintf(stderr, "kiln-run: %s\n", message.c_str());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "kiln-run: internal error: %s\n", e.what());
    return 1;
  }
}
