//===- Parallelize.cpp - Outer parallel loops of linalg ops on threads ----===//
//
// See Passes.td (kiln-cpu-parallelize). Runs after the contraction kernels
// are tiled, on the linalg ops they left at the top level of the function:
// elementwise chains that were not fused into a matmul, normalizations,
// softmax, transposes and copies (the runtime B pack among them).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUPARALLELIZE
#include "backends/cpu/Passes.h.inc"

namespace {

constexpr int64_t kMaxChunks = 16;
/// With a dynamic (batch) dimension, the static part of the iteration space
/// must have at least this many iterations for the op to be split.
constexpr int64_t kMinElementsPerRow = 1024;

/// True if `e` has no floordiv, ceildiv or mod: a sum of dims times
/// constants (a window index like `oh * stride + kh` is one).
bool isLinear(AffineExpr e) {
  bool linear = true;
  e.walk([&](AffineExpr sub) {
    if (sub.getKind() == AffineExprKind::Mod || sub.getKind() == AffineExprKind::FloorDiv ||
        sub.getKind() == AffineExprKind::CeilDiv)
      linear = false;
  });
  return linear;
}

/// Ops that are simple to split: on tensors, with a body of arith/math ops
/// only, and linear indexing maps (projected permutations, or windows such
/// as the im2col copy in its 6-D form or a direct convolution: a depthwise
/// one that kiln-cpu-vectorize-depthwise did not take, e.g. f64, splits
/// along the batch). slicesAlong then checks the chosen loop.
bool isCandidate(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || isa<linalg::FillOp>(op.getOperation()))
    return false;
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
        return llvm::all_of(m.getResults(), isLinear);
      }))
    return false;
  if (Block *body = op.getBlock())
    for (Operation &inner : body->without_terminator())
      if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()))
        return false;
  return true;
}

/// True if every indexing-map result that uses loop `dim` is `dim` itself:
/// a chunk of that loop then reads and writes a box of each operand
/// (`oh * stride + kh` of a convolution's input does not use the channel
/// loop; im2col's `k floordiv 9` does use its k loop, and is refused).
bool slicesAlong(linalg::LinalgOp op, unsigned dim) {
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr e : map.getResults())
      if (e.isFunctionOfDim(dim) && e != getAffineDimExpr(dim, op->getContext()))
        return false;
  return true;
}

struct ParallelizePass : impl::KilnCpuParallelizeBase<ParallelizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<linalg::LinalgOp> targets;
    for (Operation &op : func.getBody().front())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op))
        if (isCandidate(linalgOp))
          targets.push_back(linalgOp);

    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      // A dynamic size (the batch) is unknown here: the static part must
      // then be worth one chunk per row on its own.
      int64_t work = 1;
      bool dynamic = false;
      for (int64_t r : ranges) {
        dynamic |= ShapedType::isDynamic(r);
        work *= ShapedType::isDynamic(r) ? 1 : r;
      }
      if (work < (dynamic ? kMinElementsPerRow : minElements))
        continue;
      // Among the parallel loops before any reduction loop: the outermost
      // one of static size > 1 that is not the innermost loop (channels,
      // rows: chunks stay contiguous and a batch of 1 still splits), else
      // the dynamic one (the batch), else the innermost.
      std::optional<unsigned> dim, dynamicDim, innermost;
      for (unsigned i = 0; i < ranges.size(); ++i) {
        if (iterators[i] != utils::IteratorType::parallel)
          break;
        if (ShapedType::isDynamic(ranges[i])) {
          if (!dynamicDim)
            dynamicDim = i;
        } else if (ranges[i] > 1) {
          if (i + 1 < ranges.size()) {
            dim = i;
            break;
          }
          innermost = i;
        }
      }
      if (!dim)
        dim = dynamicDim ? dynamicDim : innermost;
      if (!dim || !slicesAlong(op, *dim))
        continue;
      // ceil(size / 16) iterations per chunk; for a dynamic size computed
      // at run time from the loop's range.
      rewriter.setInsertionPoint(op);
      SmallVector<OpFoldResult> sizes(ranges.size(), rewriter.getIndexAttr(0));
      if (ShapedType::isDynamic(ranges[*dim])) {
        SmallVector<Range> loopRanges = op.createLoopRanges(rewriter, op.getLoc());
        AffineExpr d0 = rewriter.getAffineDimExpr(0);
        sizes[*dim] = affine::makeComposedFoldedAffineApply(
            rewriter, op.getLoc(), d0.ceilDiv(kMaxChunks), {loopRanges[*dim].size});
      } else {
        sizes[*dim] = rewriter.getIndexAttr((ranges[*dim] + kMaxChunks - 1) / kMaxChunks);
      }
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // Not tileable: it stays a sequential loop nest.
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
} // namespace kiln
