//===- Parallelize.cpp - Outer parallel loops of linalg ops on threads ----===//
//
// See Passes.td (kiln-cpu-parallelize). Runs after the contraction kernels
// are tiled, on the linalg ops they left at the top level of the function:
// elementwise chains that were not fused into a matmul, normalizations,
// softmax, pooling, depthwise convolutions, copies.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUPARALLELIZE
#include "backends/cpu/Passes.h.inc"

namespace {

constexpr int64_t kMaxChunks = 16;

/// Ops that are safe and simple to split: on tensors, indexing maps that
/// are projected permutations, every init a fresh
/// tensor (tensor.empty, or a linalg.fill of one), so no chunk can read
/// what another writes; a body of arith/math ops only.
bool isCandidate(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || isa<linalg::FillOp>(op.getOperation()))
    return false;
  // Tiling computes operand slices from the indexing maps; with floordiv /
  // mod (the im2col copy) a chunk's slice is not a box, so only projected
  // permutations (and broadcasts) are split.
  if (!llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
        return m.isProjectedPermutation(/*allowZeroInResults=*/true);
      }))
    return false;
  for (Value init : op.getDpsInits()) {
    Value v = init;
    if (auto fill = v.getDefiningOp<linalg::FillOp>())
      v = fill.getDpsInits()[0];
    if (!v.getDefiningOp<tensor::EmptyOp>())
      return false;
  }
  if (Block *body = op.getBlock())
    for (Operation &inner : body->without_terminator())
      if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()))
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
      int64_t work = 1;
      for (int64_t r : ranges)
        work *= ShapedType::isDynamic(r) ? 1 : r;
      if (work < minElements)
        continue;
      // The outermost parallel loop with more than one iteration, before
      // any reduction loop.
      std::optional<unsigned> dim;
      for (unsigned i = 0; i < ranges.size(); ++i) {
        if (iterators[i] != utils::IteratorType::parallel)
          break;
        if (ShapedType::isDynamic(ranges[i]) || ranges[i] > 1) {
          dim = i;
          break;
        }
      }
      if (!dim)
        continue;
      int64_t chunk = ShapedType::isDynamic(ranges[*dim])
                          ? 1
                          : (ranges[*dim] + kMaxChunks - 1) / kMaxChunks;
      SmallVector<int64_t> sizes(ranges.size(), 0);
      sizes[*dim] = chunk;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
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
