//===- JitRegistry.cpp - Dialects and interfaces the JIT needs ------------===//
//
// Kept in its own translation unit: including MLIR's "register everything"
// headers is slow to compile, and one place is enough. Registering all
// dialects and their external interface models (bufferization, tiling,
// value bounds, conversion to LLVM) means a pass never fails because an
// interface happened not to be attached.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Jit.h"
#include "ir/KilnDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

namespace kiln {

void registerJitDialects(mlir::DialectRegistry &registry) {
  registry.insert<KilnDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

} // namespace kiln
