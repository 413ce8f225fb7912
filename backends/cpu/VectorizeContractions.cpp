//===- VectorizeContractions.cpp - Register-blocked matmul kernels --------===//
//
// Turns linalg.matmul / linalg.batch_matmul on tensors into a cache-tiled
// loop nest around a register tile of (M x N) accumulators updated with FMAs:
//
//   for m0, n0, k0 (cache tile)
//     for m1, n1 (register tile MR x NR), k (step 1)
//       C[MR x NR] += broadcast(A[m, k]) * B[k, n1:n1+NR]   (MR vector FMAs)
//
// Partial tiles (sizes that do not divide the tile) are vectorized with
// masks. Masked reads pad with 0, so the out-of-range lanes of A and B add
// 0 * x to lanes that the masked write discards anyway: the contraction
// itself needs no mask, and dropping it lets MLIR's outer-product lowering
// produce plain FMAs for partial tiles too.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZECONTRACTIONS
#include "backends/cpu/Passes.h.inc"

namespace {

/// True if `v` is a vector.transfer_read (masked or not) whose padding is 0.
bool isZeroPaddedRead(Value v) {
  Operation *def = v.getDefiningOp();
  if (auto mask = dyn_cast_or_null<vector::MaskOp>(def))
    def = mask.getMaskableOp();
  auto read = dyn_cast_or_null<vector::TransferReadOp>(def);
  return read && matchPattern(read.getPadding(), m_AnyZeroFloat());
}

/// vector.mask %m { vector.contract(%a, %b, %acc) }  ->  vector.contract(...)
/// when %a and %b are zero-padded reads (see the file comment for why this
/// is exact).
struct DropContractionMask : OpRewritePattern<vector::MaskOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::MaskOp mask,
                                PatternRewriter &rewriter) const override {
    auto contract = dyn_cast_or_null<vector::ContractionOp>(mask.getMaskableOp());
    if (!contract)
      return rewriter.notifyMatchFailure(mask, "does not mask a vector.contract");
    if (mask.hasPassthru())
      return rewriter.notifyMatchFailure(mask, "has a passthru value");
    if (!isZeroPaddedRead(contract.getLhs()) || !isZeroPaddedRead(contract.getRhs()))
      return rewriter.notifyMatchFailure(
          mask, "contraction operands are not zero-padded reads; masked lanes "
                "could contribute");
    rewriter.setInsertionPoint(mask);
    Operation *clone = rewriter.clone(*contract.getOperation());
    rewriter.replaceOp(mask, clone->getResults());
    return success();
  }
};

struct VectorizeContractionsPass
    : impl::KilnCpuVectorizeContractionsBase<VectorizeContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<int64_t> cache(cacheTile.begin(), cacheTile.end());
    SmallVector<int64_t> reg(registerTile.begin(), registerTile.end());
    if (cache.empty())
      cache = {64, 256, 256};
    if (reg.empty())
      reg = {4, 64};
    if (cache.size() != 3 || reg.size() != 2) {
      getOperation()->emitError("kiln-cpu-vectorize-contractions: expected "
                                "cache-tile=M,N,K and register-tile=M,N");
      return signalPassFailure();
    }

    SmallVector<linalg::LinalgOp> targets;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()) &&
          op.hasPureTensorSemantics())
        targets.push_back(op);
    });

    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
      // Loop order (b,) m, n, k. Batch tiles are 1.
      SmallVector<int64_t> cacheSizes = cache, regSizes = {reg[0], reg[1], 1};
      if (batched) {
        cacheSizes.insert(cacheSizes.begin(), 1);
        regSizes.insert(regSizes.begin(), 1);
      }
      // The M x N cache tiles are independent: an scf.forall (threads),
      // unless the matmul already sits in one (a fused epilogue loop). The
      // K tiles accumulate, so they stay a sequential scf.for.
      FailureOr<Operation *> tiled = failure();
      if (parallel && !op->getParentOfType<scf::ForallOp>()) {
        SmallVector<int64_t> outer = cacheSizes, inner(cacheSizes.size(), 0);
        outer.back() = 0;
        inner.back() = cacheSizes.back();
        tiled = tile(rewriter, op, outer, /*forall=*/true);
        if (succeeded(tiled))
          tiled = tile(rewriter, *tiled, inner);
      } else {
        tiled = tile(rewriter, op, cacheSizes);
      }
      if (failed(tiled))
        return signalPassFailure();
      tiled = tile(rewriter, *tiled, regSizes);
      if (failed(tiled))
        return signalPassFailure();
      rewriter.setInsertionPoint(*tiled);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, *tiled, regSizes, SmallVector<bool>(regSizes.size(), false),
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
      if (failed(vectorized)) {
        (*tiled)->emitError("kiln-cpu-vectorize-contractions: could not vectorize "
                            "the register tile");
        return signalPassFailure();
      }
      rewriter.replaceOp(*tiled, vectorized->replacements);
    }

    // Drop redundant masks, then lower contractions to FMA outer products.
    MLIRContext *ctx = &getContext();
    {
      RewritePatternSet patterns(ctx);
      patterns.add<DropContractionMask>(ctx);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorReductionToContractPatterns(patterns);
      // Masked transfers become transfers with a mask operand.
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::EltWise);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }

  /// Tiles `op` with `sizes` (0 = not tiled) into scf.for loops and returns
  /// the tiled op.
  FailureOr<Operation *> tile(IRRewriter &rewriter, Operation *op,
                              ArrayRef<int64_t> sizes, bool forall = false) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
    if (forall)
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> result =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
    if (failed(result)) {
      op->emitError("kiln-cpu-vectorize-contractions: tiling failed");
      return failure();
    }
    rewriter.replaceOp(op, result->replacements);
    return result->tiledOps.front();
  }
};

} // namespace
} // namespace kiln
