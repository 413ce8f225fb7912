//===- Optimize.cpp - The kiln-optimize pipeline (O0..O3) -----------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {

void buildKilnOptimizePipeline(OpPassManager &pm, const GraphOptions &options) {
  auto cleanup = [&] {
    if (!options.canonicalizeOn())
      return;
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addPass(createSymbolDCEPass());
  };
  cleanup();
  if (options.foldBatchNormOn()) {
    pm.addNestedPass<func::FuncOp>(createKilnFoldBatchNorm());
    cleanup();
  }
  if (options.unfoldConvolutionOn()) {
    KilnUnfoldConvolutionOptions unfold;
    unfold.maxPatchBytes = options.maxPatchBytes;
    unfold.direct = options.directConvolutionOn();
    unfold.directMinWidth = options.directConvMinWidth;
    pm.addNestedPass<func::FuncOp>(createKilnUnfoldConvolution(unfold));
    cleanup();
  }
}

namespace {
struct OptimizeOptions : PassPipelineOptions<OptimizeOptions> {
  Option<int> level{*this, "level", llvm::cl::desc("Optimization level 0-3"),
                    llvm::cl::init(2)};
  Option<int> canonicalize{*this, "canonicalize",
                           llvm::cl::desc("1/0 forces canonicalization on/off"),
                           llvm::cl::init(-1)};
  Option<int> foldBatchNorm{*this, "fold-batch-norm",
                            llvm::cl::desc("1/0 forces batch-norm folding on/off"),
                            llvm::cl::init(-1)};
  Option<int> unfoldConvolution{*this, "unfold-convolution",
                                llvm::cl::desc("1/0 forces conv unfolding on/off"),
                                llvm::cl::init(-1)};
  Option<int64_t> maxPatchBytes{*this, "max-patch-bytes",
                                llvm::cl::desc("Patch matrix size before banding"),
                                llvm::cl::init(16 << 20)};
  Option<int> directConvolution{
      *this, "direct-convolution",
      llvm::cl::desc("1/0 forces leaving stride-1 KxK convolutions direct on/off"),
      llvm::cl::init(-1)};
  Option<int64_t> directMinWidth{
      *this, "direct-min-width",
      llvm::cl::desc("... when their output is at least this wide"),
      llvm::cl::init(GraphOptions().directConvMinWidth)};
};

std::optional<bool> tri(int v) {
  if (v < 0)
    return std::nullopt;
  return v != 0;
}
} // namespace

void registerKilnGraphPassesAndPipelines() {
  registerKilnGraphPasses();
  PassPipelineRegistration<OptimizeOptions>(
      "kiln-optimize",
      "Graph optimizations at a level (O0..O3), each pass switchable: "
      "canonicalize, fold-batch-norm, unfold-convolution, direct-convolution (fusion runs in "
      "kiln-cpu-pipeline)",
      [](OpPassManager &pm, const OptimizeOptions &o) {
        GraphOptions g;
        g.level = o.level;
        g.canonicalize = tri(o.canonicalize);
        g.foldBatchNorm = tri(o.foldBatchNorm);
        g.unfoldConvolution = tri(o.unfoldConvolution);
        g.maxPatchBytes = o.maxPatchBytes;
        g.directConvolution = tri(o.directConvolution);
        g.directConvMinWidth = o.directMinWidth;
        buildKilnOptimizePipeline(pm, g);
      });
}

} // namespace kiln
