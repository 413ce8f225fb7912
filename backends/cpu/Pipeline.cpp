//===- Pipeline.cpp - The CPU code generation pipeline --------------------===//
//
// kiln -> linalg -> tiled and vectorized -> bufferized -> LLVM dialect, as
// four stages that the JIT runs (and can print) one by one. kiln-opt exposes
// the whole sequence as `--kiln-cpu-pipeline`.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {

const char *cpuStageName(CpuStage stage) {
  switch (stage) {
  case CpuStage::Linalg:
    return "linalg";
  case CpuStage::Vectorized:
    return "vectorized";
  case CpuStage::Bufferized:
    return "bufferized";
  case CpuStage::LLVM:
    return "llvm";
  }
  return "?";
}

void buildCpuStage(OpPassManager &pm, CpuStage stage,
                   const CpuPipelineOptions &options) {
  switch (stage) {
  case CpuStage::Linalg:
    pm.addPass(createConvertKilnToLinalg());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (options.fuse) {
      KilnFuseOptions fo;
      fo.recompute = options.fuseRecompute;
      fo.parallel = options.parallel;
      pm.addNestedPass<func::FuncOp>(createKilnFuse(fo));
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
    }
    return;
  case CpuStage::Vectorized:
    if (options.vectorize) {
      KilnCpuVectorizeDepthwiseOptions dwo;
      dwo.lanes = options.vectorLanes;
      dwo.parallel = options.parallel;
      pm.addPass(createKilnCpuVectorizeDepthwise(dwo));
      KilnCpuVectorizeConvOptions cvo;
      cvo.lanes = options.vectorLanes;
      cvo.accumulators = options.convAccumulators;
      cvo.parallel = options.parallel;
      pm.addPass(createKilnCpuVectorizeConv(cvo));
      KilnCpuVectorizeContractionsOptions vo;
      vo.cacheTile = llvm::to_vector(options.cacheTile);
      vo.registerTile = llvm::to_vector(options.registerTile);
      vo.parallel = options.parallel;
      vo.packB = options.packB;
      pm.addPass(createKilnCpuVectorizeContractions(vo));
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
      // Keeps the accumulator tile in registers across the k loop (the tile
      // bounds must be hoisted first for the subsets to match).
      pm.addPass(createLoopInvariantCodeMotionPass());
      pm.addPass(createLoopInvariantSubsetHoistingPass());
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
    }
    if (options.parallel) {
      pm.addNestedPass<func::FuncOp>(createKilnCpuParallelize());
      pm.addPass(createCanonicalizerPass());
    }
    return;
  case CpuStage::Bufferized: {
    if (options.fastMath)
      pm.addPass(createKilnCpuFastMath());
    pm.addPass(createKilnCpuDestinationPassing());
    bufferization::OneShotBufferizePassOptions bo;
    bo.bufferizeFunctionBoundaries = true;
    pm.addPass(bufferization::createOneShotBufferizePass(bo));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    bufferization::BufferDeallocationPipelineOptions deallocOptions;
    bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
    pm.addPass(createCanonicalizerPass());
    return;
  }
  case CpuStage::LLVM: {
    KilnCpuCopiesToLoopsOptions co;
    co.lanes = options.vectorize ? options.vectorLanes : 0;
    pm.addPass(createKilnCpuCopiesToLoops(co));
    // Parallel tile loops (scf.forall) run on OpenMP threads; without
    // `parallel` any that remain become sequential loops.
    if (options.parallel) {
      pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
      pm.addPass(createConvertSCFToOpenMPPass());
    } else {
      pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
    }
    pm.addPass(createConvertLinalgToLoopsPass());
    VectorTransferToSCFOptions vs;
    vs.enableFullUnroll();
    pm.addPass(createConvertVectorToSCFPass(vs));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addPass(memref::createExpandStridedMetadataPass());
    pm.addPass(createLowerAffinePass());
    pm.addPass(createSCFToControlFlowPass());
    // Buffers come from Kiln's per-thread caching allocator
    // (runtime/Allocator.cpp): no heap traffic when a model runs again.
    FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
    memrefOptions.useGenericFunctions = true;
    // The allocator's pointer is used as is (it is 64-byte aligned), not
    // realigned through integer arithmetic, so LLVM can tell that two
    // buffers never alias (see translateToLLVMIR).
    memrefOptions.useAlignedAlloc = true;
    pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
    pm.addPass(createConvertVectorToLLVMPass());
    pm.addPass(createConvertMathToLLVMPass());
    pm.addPass(createConvertMathToLibmPass());
    pm.addPass(createConvertToLLVMPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
    pm.addPass(createCanonicalizerPass());
    return;
  }
  }
}

void registerCpuBackendPasses() {
  registerKilnCpuBackendPasses();
  struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
    Option<bool> fuse{*this, "fuse", llvm::cl::desc("Run kiln-fuse on linalg"),
                      llvm::cl::init(true)};
    Option<bool> vectorize{*this, "vectorize",
                           llvm::cl::desc("Tile and vectorize matmuls"),
                           llvm::cl::init(true)};
    Option<bool> fastMath{*this, "fast-math",
                          llvm::cl::desc("Polynomial f32 math functions, reassociable reductions"),
                          llvm::cl::init(true)};
    Option<bool> parallel{*this, "parallel",
                          llvm::cl::desc("Run independent tile loops on OpenMP threads"),
                          llvm::cl::init(true)};
  };
  PassPipelineRegistration<PipelineOptions>(
      "kiln-cpu-pipeline",
      "Lower the kiln dialect to the LLVM dialect for the host CPU",
      [](OpPassManager &pm, const PipelineOptions &o) {
        CpuPipelineOptions options;
        options.fuse = o.fuse;
        options.parallel = o.parallel;
        options.vectorize = o.vectorize;
        options.fastMath = o.fastMath;
        for (CpuStage s : {CpuStage::Linalg, CpuStage::Vectorized,
                           CpuStage::Bufferized, CpuStage::LLVM})
          buildCpuStage(pm, s, options);
      });
}

} // namespace kiln
