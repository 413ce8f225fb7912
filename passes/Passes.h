//===- Passes.h - Graph-level passes on the kiln dialect --------*- C++ -*-===//
#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "ir/KilnDialect.h"
#include "passes/GraphOptions.h"
#include "runtime/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <map>
#include <string>

namespace kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Replaces each kiln.param in `module` by a kiln.constant holding the tensor
/// of the same name in `weights`. Throws kiln::Error naming the parameter if
/// it is missing or its shape/dtype differs. Tensors in `weights` that no
/// parameter uses are ignored.
void bindParameters(mlir::ModuleOp module,
                    const std::map<std::string, Tensor> &weights);

/// The names and types of the kiln.param ops of `module` (name -> type).
std::map<std::string, mlir::RankedTensorType> listParameters(mlir::ModuleOp module);

/// A DenseElementsAttr of `type` holding a copy of `tensor`'s data.
mlir::DenseElementsAttr tensorToAttr(const Tensor &tensor, mlir::RankedTensorType type);

/// Adds the kiln-level passes that `options` enables (canonicalize, CSE,
/// fold-batch-norm, unfold-convolution) to `pm`, which runs on a module.
/// Fusion runs later, on linalg, in the CPU pipeline.
void buildKilnOptimizePipeline(mlir::OpPassManager &pm, const GraphOptions &options);

/// Registers the graph passes and the `kiln-optimize` pipeline.
void registerKilnGraphPassesAndPipelines();

} // namespace kiln

#endif // KILN_PASSES_PASSES_H
