//===- LowerModule.h - kiln module -> optimized LLVM IR ---------*- C++ -*-===//
//
// The part of compilation that the JIT (Jit.cpp) and ahead-of-time
// compilation (Aot.cpp) share: choose the entry function and record its
// signature, run the graph passes and the CPU stages down to the LLVM
// dialect, translate to LLVM IR for a target machine and optimize it. What
// differs is only the end: the JIT loads the LLVM module in-process, AOT
// writes an object file.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_LOWERMODULE_H
#define KILN_BACKENDS_CPU_LOWERMODULE_H

#include "backends/cpu/CompiledModel.h"
#include "backends/cpu/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

/// Options of lowerToLLVMDialect.
struct LowerOptions {
  GraphOptions graph;
  CpuPipelineOptions cpu;
  /// Function to compile (the module's only public one if empty).
  std::string function;
  /// If set, the entry function is renamed to this symbol before lowering
  /// (AOT objects need names that do not clash between models).
  std::string entrySymbol;
  bool printIRAfterEachStage = false;
  bool printIRAfterEachPass = false;
  std::ostream *irStream = nullptr;
  /// Prefix of error messages ("kiln::jit", "kiln-compile", ...).
  std::string who = "kiln::jit";
};

/// Signature of the compiled entry function, recorded before lowering.
struct LoweredSignature {
  /// The function's name in the source module.
  std::string name;
  std::vector<TensorSpec> inputs, outputs;
};

/// Lowers `module` in place to the LLVM dialect: entry lookup, graph
/// optimization, then the Linalg, Vectorized, Bufferized and LLVM stages.
/// Appends a summary per stage to `stages` when given. Throws kiln::Error
/// with the compiler's diagnostics if a stage fails.
LoweredSignature lowerToLLVMDialect(mlir::ModuleOp module, const LowerOptions &options,
                                    std::vector<StageSummary> *stages = nullptr);

/// Translates a module in the LLVM dialect to LLVM IR for `tm` (its triple
/// and data layout are set on the module).
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm,
                                                const std::string &who);

/// Runs LLVM's optimization pipeline at `optLevel` (0-3) for `tm`.
void optimizeLLVMModule(llvm::Module &module, int optLevel, llvm::TargetMachine *tm,
                        const std::string &who);

/// The LLVM code generation level for an optimization level 0-3.
llvm::CodeGenOptLevel codeGenOptLevel(int optLevel);

/// Matmul cache and register tiles suited to `tm`'s vector registers
/// (AVX-512: 4x64; AVX/AVX2: 4x16; NEON and SSE: 8x8 / 4x8).
void chooseTilesForTarget(const llvm::TargetMachine &tm, CpuPipelineOptions &cpu);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_LOWERMODULE_H
