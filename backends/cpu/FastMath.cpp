//===- FastMath.cpp - Vectorizable math functions and reductions ----------===//
//
// See Passes.td (kiln-cpu-fast-math). Before this pass a GELU or a softmax
// ran at ~1 GB/s: every erf/exp was a scalar libm call and every row sum a
// loop-carried chain of dependent fadds, neither of which LLVM vectorizes.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUFASTMATH
#include "backends/cpu/Passes.h.inc"

namespace {

/// Functions with a polynomial approximation in MLIR 22 (f32 only; f64
/// keeps libm). The predicate sees full names ("math.exp").
bool approximated(StringRef name) {
  return name.consume_front("math.") &&
         llvm::is_contained({"exp", "expm1", "log", "log1p", "log2", "tanh", "erf", "erfc",
                             "atan", "atan2", "asin", "acos", "sin", "cos", "cbrt"},
                            name);
}

/// Marks the float ops that update the accumulator of a reduction
/// (linalg.reduce or a generic with reduction loops: the ops using the
/// output block argument) as reassociable.
void markReductions(Operation *root) {
  root->walk([](linalg::LinalgOp op) {
    if (op.getNumReductionLoops() == 0 || !op.getBlock())
      return;
    Block &body = *op.getBlock();
    for (BlockArgument acc : body.getArguments().drop_front(op.getNumDpsInputs())) {
      for (Operation *user : acc.getUsers()) {
        auto fm = dyn_cast<arith::ArithFastMathInterface>(user);
        if (!fm || !isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
                        arith::MaxNumFOp, arith::MinNumFOp>(user))
          continue;
        auto flags = fm.getFastMathFlagsAttr();
        auto merged = arith::FastMathFlagsAttr::get(
            user->getContext(),
            (flags ? flags.getValue() : arith::FastMathFlags::none) |
                arith::FastMathFlags::reassoc);
        user->setAttr(fm.getFastMathAttrName(), merged);
      }
    }
  });
}

struct FastMathPass : impl::KilnCpuFastMathBase<FastMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    markReductions(getOperation());
  }
};

} // namespace
} // namespace kiln
