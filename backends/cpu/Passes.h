//===- Passes.h - CPU backend passes and pipelines --------------*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_PASSES_H
#define KILN_BACKENDS_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace kiln {

#define GEN_PASS_DECL
#include "backends/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cpu/Passes.h.inc"

/// Adds the patterns lowering every kiln op to linalg/tensor/arith/math.
void populateKilnToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Options of the CPU code generation pipeline.
struct CpuPipelineOptions {
  /// Tile and vectorize contractions (off: plain loops, for bisecting).
  bool vectorize = true;
  /// Run kiln-fuse on linalg (elementwise chains, matmul epilogues), and
  /// let it recompute elementwise producers with several users.
  bool fuse = true;
  bool fuseRecompute = false;
  /// Independent tile loops become scf.forall and then OpenMP parallel
  /// loops (the thread count is chosen per call by the runtime).
  bool parallel = true;
  /// Read matmul B operands from packed panels (constant weights packed at
  /// compile time). See kiln-cpu-vectorize-contractions.
  bool packB = true;
  /// Polynomial f32 math functions and reassociable reductions, so LLVM
  /// vectorizes elementwise and reduction loops (kiln-cpu-fast-math).
  bool fastMath = true;
  /// M, N, K cache tile and M, N register tile of the matmul kernel.
  llvm::SmallVector<int64_t, 3> cacheTile = {64, 256, 256};
  llvm::SmallVector<int64_t, 2> registerTile = {4, 64};
  /// f32 lanes of one vector register (depthwise convolution kernels).
  int64_t vectorLanes = 16;
  /// Vector registers the direct convolution kernel's register tile may
  /// use as accumulators (kiln-cpu-vectorize-conv).
  int64_t convAccumulators = 16;
};

/// Stages of the pipeline, in order; the JIT can print the IR after each.
enum class CpuStage { Linalg, Vectorized, Bufferized, LLVM };
const char *cpuStageName(CpuStage stage);

/// Adds the passes of one stage (kiln -> linalg, tile/vectorize,
/// bufferize, -> LLVM dialect) to `pm`.
void buildCpuStage(mlir::OpPassManager &pm, CpuStage stage,
                   const CpuPipelineOptions &options);

/// Registers the CPU backend passes and the `kiln-cpu-pipeline` pipeline
/// (all stages) with the global registry, for kiln-opt.
void registerCpuBackendPasses();

} // namespace kiln

#endif // KILN_BACKENDS_CPU_PASSES_H
