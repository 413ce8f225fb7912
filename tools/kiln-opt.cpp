//===- kiln-opt.cpp - The kiln pass driver --------------------------------===//
//
// Like mlir-opt, with the kiln dialect and every kiln pass registered next to
// all of MLIR's dialects and passes: `kiln-opt --convert-kiln-to-linalg x.mlir`.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "passes/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  kiln::registerCpuBackendPasses();
  kiln::registerKilnGraphPassesAndPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<kiln::KilnDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
