//===- kiln-compile.cpp - Compile a kiln .mlir model ahead of time --------===//
//
//   kiln-compile model.mlir -o build/lenet.o [--name=lenet]
//                [--target=x86_64-linux-gnu|aarch64-linux-gnu] [--cpu=generic]
//                [--weights=embed|file] [--params=w.safetensors]
//
// Writes an object (or, for -o *.a, a static library) plus a header with a
// typed C and C++ entry point (lenet.h: kiln_lenet_run, kiln_aot::lenet),
// and with --weights=file the weights beside it. Link the object with
// libkiln_runtime_aot.a; see docs/aot.md. Exit status: 0 success, 1 any
// error (one line on stderr naming the problem).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Aot.h"
#include "backends/cpu/Jit.h"
#include "passes/Passes.h"
#include "runtime/Error.h"
#include "tools/LoadModel.h"
#include "runtime/Safetensors.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <iostream>

namespace cl = llvm::cl;

static cl::OptionCategory category("kiln-compile options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output object (.o) or static library (.a)"),
                                       cl::value_desc("file"), cl::Required, cl::cat(category));
static cl::opt<std::string> modelName(
    "name", cl::desc("Model name for the header and symbols (default: the function's)"),
    cl::cat(category));
static cl::opt<std::string> function("function",
                                     cl::desc("Function to compile (default: the only public one)"),
                                     cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("Target triple: x86_64-linux-gnu (default on this "
                                            "host) or aarch64-linux-gnu"),
                                   cl::cat(category));
static cl::opt<std::string> cpu("cpu",
                                cl::desc("CPU: generic (default), native, x86-64-v3, x86-64-v4, "
                                         "neoverse-n1, cortex-a72, ..."),
                                cl::init("generic"), cl::cat(category));
static cl::opt<std::string> mattr("mattr", cl::desc("Extra target features (+avx2,+fma)"),
                                  cl::cat(category));
static cl::opt<std::string> weights("weights",
                                    cl::desc("Where the weights go: embed (in the object, "
                                             "default) or file (beside it, loaded at init)"),
                                    cl::init("embed"), cl::cat(category));
static cl::opt<std::string> weightsFile(
    "weights-file", cl::desc("Weights file for --weights=file (default: <output stem>.weights)"),
    cl::cat(category));
static cl::opt<std::string> headerFile("header",
                                       cl::desc("Header path (default: <output stem>.h)"),
                                       cl::cat(category));
static cl::opt<std::string> paramsFile(
    "params", cl::desc("safetensors file binding the model's kiln.param ops"), cl::cat(category));
static cl::opt<unsigned> optLevel("opt-level", cl::desc("LLVM optimization level 0-3"),
                                  cl::init(3), cl::cat(category));
static cl::opt<int> graphLevel("graph-level", cl::desc("Graph optimization level 0-3"),
                               cl::init(2), cl::cat(category));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Lower matmuls to plain loops (for bisecting)"),
                                 cl::cat(category));
static cl::opt<bool> parallel("parallel",
                              cl::desc("Parallel tile loops on OpenMP threads (x86-64 only; "
                                       "the program must link libomp)"),
                              cl::cat(category));
static cl::opt<bool> printIR("print-ir", cl::desc("Print the IR after each lowering stage"),
                             cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Print nothing on success"), cl::cat(category));

using kiln::fail;

static int run() {
  kiln::AotOptions options;
  if (weights == "embed")
    options.weights = kiln::AotWeights::Embed;
  else if (weights == "file")
    options.weights = kiln::AotWeights::File;
  else
    fail("--weights='", weights.getValue(), "': expected embed or file");
  if (graphLevel < 0 || graphLevel > 3)
    fail("--graph-level=", graphLevel.getValue(), ": expected 0-3");

  if (!llvm::sys::fs::exists(inputFile))
    fail(inputFile, ": no such file (expected a .mlir model in the kiln dialect)");
  mlir::DialectRegistry registry;
  kiln::registerJitDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      kiln::tools::loadModel(context, inputFile, paramsFile, "--params");

  options.graph.level = graphLevel;
  options.target = target;
  options.cpu = cpu;
  options.features = mattr;
  options.optLevel = static_cast<int>(optLevel);
  options.vectorize = !noVectorize;
  options.parallel = parallel;
  options.function = function;
  options.name = modelName;
  options.output = outputFile;
  options.headerPath = headerFile;
  options.weightsPath = weightsFile;
  options.printIRAfterEachStage = printIR;
  options.who = "kiln-compile";
  kiln::AotResult result = kiln::compileModuleToObject(*module, options);
  if (!quiet) {
    std::cout << "kiln-compile: " << result.name << " (" << result.triple << ", "
              << result.cpu << ") -> " << result.objectPath << " (" << result.objectBytes
              << " bytes), " << result.headerPath;
    if (!result.weightsPath.empty())
      std::cout << ", " << result.weightsPath << " (" << result.weightBytes << " bytes)";
    std::cout << " in " << result.compileSeconds << " s\n";
  }
  return 0;
}

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "Kiln: compile a kiln-dialect model ahead of time to an object and a header\n");
  try {
    return run();
  } catch (const kiln::Error &e) {
    std::string message = e.what();
    if (message.rfind("kiln-compile: ", 0) == 0)
      message = message.substr(14);
    std::fprintf(stderr, "kiln-compile: %s\n", message.c_str());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "kiln-compile: internal error: %s\n", e.what());
    return 1;
  }
}
