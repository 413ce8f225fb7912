//===- LoadModel.h - Reading a kiln model file for the tools ----*- C++ -*-===//
//
// kiln-run and kiln-compile read a model the same way: a .mlir module in the
// kiln dialect, parse errors reported as one "file:line:col: message" line,
// and its parameters bound from a safetensors file.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_LOADMODEL_H
#define KILN_TOOLS_LOADMODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace kiln::tools {

/// Parses `inputFile` into `context` and binds the module's parameters from
/// the safetensors file `paramsFile`. Throws kiln::Error with the first
/// parse error, or naming `paramsFlag` (e.g. "--params") when the model has
/// parameters and no file was given.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context,
                                            const std::string &inputFile,
                                            const std::string &paramsFile,
                                            const char *paramsFlag);

} // namespace kiln::tools

#endif // KILN_TOOLS_LOADMODEL_H
