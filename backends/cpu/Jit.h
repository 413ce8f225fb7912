//===- Jit.h - JIT-compiling a kiln module ----------------------*- C++ -*-===//
//
// The MLIR-facing entry point of the JIT, used by the DSL's kiln::jit and by
// kiln-run. Takes a module in the kiln dialect whose parameters are already
// bound, runs the CPU pipeline and hands the LLVM dialect to LLVM's ORC JIT.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_JIT_H
#define KILN_BACKENDS_CPU_JIT_H

#include "backends/cpu/CompiledModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace kiln {

/// Registers every dialect and translation the JIT needs in `registry`.
void registerJitDialects(mlir::DialectRegistry &registry);

/// Compiles `module` (consumed: it is lowered in place). Throws kiln::Error
/// with the compiler's diagnostics if any stage fails.
CompiledModel jitModule(mlir::ModuleOp module, const JitOptions &options);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_JIT_H
