//===- Aot.h - Ahead-of-time compilation to an object and a header -*- C++ -*-===//
//
// Compiles a kiln module for an x86-64 or AArch64 Linux target into an
// object file (or a static library holding it) plus a C/C++ header with a
// typed entry point, to be linked with kiln_runtime_aot only: no MLIR or
// LLVM at run time. kiln-compile and kiln::compileToObject (the DSL) call
// this. Options and results need no MLIR; see docs/aot.md.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_AOT_H
#define KILN_BACKENDS_CPU_AOT_H

#include "backends/cpu/CompiledModel.h"

#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace kiln {

/// Where the weights (constants of 256 bytes or more) of an AOT model live.
enum class AotWeights {
  /// In the object's read-only data: nothing to load.
  Embed,
  /// In a file beside the object, read by kiln_<model>_load_weights at init;
  /// the object keeps zero-initialized (.bss) buffers for them.
  File,
};

/// Options of ahead-of-time compilation.
struct AotOptions {
  GraphOptions graph;
  /// Target triple: x86_64-linux-gnu or aarch64-linux-gnu (empty: the host).
  std::string target;
  /// CPU: "generic" (default), "native" (the host's, only for the host's
  /// architecture), or a CPU LLVM knows for the target (x86-64-v3,
  /// x86-64-v4, skylake-avx512, neoverse-n1, cortex-a72, ...).
  std::string cpu = "generic";
  /// Extra target features in LLVM's syntax ("+avx2,+fma").
  std::string features;
  /// LLVM optimization level (0-3).
  int optLevel = 3;
  /// Tile and vectorize matmuls (off: plain loops, for bisecting).
  bool vectorize = true;
  /// Parallel tile loops on OpenMP threads: the program must then link LLVM's
  /// libomp. Only for x86-64; off by default (sequential code).
  bool parallel = false;
  /// Function to compile (the module's only public one if empty).
  std::string function;
  /// Model name: the header's identifiers (kiln_<name>_run, kiln_aot::<name>)
  /// and the object's symbols. Default: the function's name.
  std::string name;
  AotWeights weights = AotWeights::Embed;
  /// Output path: `<dir>/<stem>.o` writes an object, `<stem>.a` a static
  /// library; the header goes to `<stem>.h` and with AotWeights::File the
  /// weights to `<stem>.weights`, unless given below.
  std::string output;
  std::string headerPath, weightsPath;
  /// Prefix of error messages.
  std::string who = "kiln::compileToObject";
  /// Print the IR after each stage to std::cerr.
  bool printIRAfterEachStage = false;
};

/// What compileModuleToObject wrote.
struct AotResult {
  std::string name;
  std::string objectPath, headerPath, weightsPath;
  std::vector<TensorSpec> inputs, outputs;
  /// The normalized triple and the CPU the code was compiled for.
  std::string triple, cpu;
  /// Bytes of the object (or library), and of the weights moved to a file.
  int64_t objectBytes = 0, weightBytes = 0;
  /// Wall-clock seconds of the whole compilation.
  double compileSeconds = 0;
};

/// Compiles `module` (consumed: lowered in place; parameters already bound)
/// and writes the object, header and weights. Throws kiln::Error naming the
/// problem: an unknown target or CPU (with the valid ones), a lowering
/// failure, an unwritable output.
AotResult compileModuleToObject(mlir::ModuleOp module, const AotOptions &options);

/// The targets kiln-compile accepts, for messages: "x86_64-linux-gnu, aarch64-linux-gnu".
std::string aotTargetsList();

} // namespace kiln

#endif // KILN_BACKENDS_CPU_AOT_H
