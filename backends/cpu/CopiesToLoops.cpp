//===- CopiesToLoops.cpp - memref.copy -> linalg.copy ---------------------===//
//
// memref.copy(%src, %dst)  ->  linalg.copy ins(%src) outs(%dst)
// so that no copy needs MLIR's `memrefCopy` runtime function (see Passes.td).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUCOPIESTOLOOPS
#include "backends/cpu/Passes.h.inc"

namespace {
struct CopiesToLoopsPass : impl::KilnCpuCopiesToLoopsBase<CopiesToLoopsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) { copies.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(), op.getTarget());
    }
  }
};
} // namespace
} // namespace kiln
