//===- LoadModel.cpp - Reading a kiln model file for the tools ------------===//
#include "tools/LoadModel.h"
#include "passes/Passes.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace kiln::tools {

mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context,
                                            const std::string &inputFile,
                                            const std::string &paramsFile,
                                            const char *paramsFlag) {
  llvm::SourceMgr sourceMgr;
  std::string parseError;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    // Keep parse errors to their first line: "file:line:col: message".
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      if (parseError.empty()) {
        std::string loc;
        if (auto flc = llvm::dyn_cast<mlir::FileLineColLoc>(d.getLocation())) {
          loc = flc.getFilename().str() + ":" + std::to_string(flc.getLine()) + ":" +
                std::to_string(flc.getColumn());
        } else {
          llvm::raw_string_ostream os(loc);
          d.getLocation().print(os);
        }
        parseError = loc + ": " + d.str();
      }
      return mlir::success();
    });
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputFile, sourceMgr, &context);
  }
  if (!module)
    fail(parseError.empty() ? inputFile + ": cannot parse" : parseError);

  std::map<std::string, mlir::RankedTensorType> params = listParameters(*module);
  if (!params.empty()) {
    if (paramsFile.empty())
      fail(inputFile, ": the model has ", params.size(), " parameters (first: '",
           params.begin()->first, "') but no ", paramsFlag, " file was given");
    bindParameters(*module, loadSafetensors(paramsFile).tensors);
  }
  return module;
}

} // namespace kiln::tools
