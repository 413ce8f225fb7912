//===- Fuse.cpp - Elementwise and epilogue fusion on linalg ---------------===//
//
// Three steps, each a fixed point:
//   1. reshapes between elementwise ops are folded into the consumer by
//      collapsing its loops (so that [N, F, L] -> [N, F, OH, OW] views do
//      not separate a conv's bias add from its activation);
//   2. elementwise producers are fused into their consumers (MLIR's
//      linalg elementwise fusion), unless that would recompute a producer
//      with several users;
//   3. each matmul / batch_matmul whose only user is an elementwise generic
//      over the same loops (its "epilogue": bias, activation, residual add)
//      is tiled with it: the epilogue is tiled M x N and the contraction
//      fused into the tile loop, together with the parallel producers of
//      its operands that are reachable without a reshape (fills, bias
//      broadcasts). The im2col copy sits behind a collapse_shape and stays
//      outside; kiln-unfold-convolution's row bands bound its size instead.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <numeric>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNFUSE
#include "passes/Passes.h.inc"

namespace {

bool isAllParallelGeneric(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  return generic && generic.getNumLoops() == generic.getNumParallelLoops();
}

bool isContraction(Operation *op) {
  return isa_and_nonnull<linalg::MatmulOp, linalg::BatchMatmulOp>(op);
}

int64_t countGenerics(func::FuncOp f) {
  int64_t n = 0;
  f.walk([&](linalg::GenericOp) { ++n; });
  return n;
}

/// The elementwise generic that is the only user of `contraction`'s result,
/// reading it with the identity map over the same loops, or null.
linalg::GenericOp epilogueOf(linalg::LinalgOp contraction) {
  Value result = contraction->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  OpOperand &use = *result.getUses().begin();
  auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!generic || !isAllParallelGeneric(generic.getOperation()) || generic.getNumResults() != 1)
    return nullptr;
  auto type = cast<RankedTensorType>(result.getType());
  if (static_cast<int64_t>(generic.getNumLoops()) != type.getRank() ||
      generic.getDpsInitsMutable().size() != 1)
    return nullptr;
  if (!generic.getMatchingIndexingMap(&use).isIdentity() ||
      !generic.getIndexingMapMatchingResult(generic->getResult(0)).isIdentity())
    return nullptr;
  if (generic->getResult(0).getType() != type)
    return nullptr;
  return generic;
}

/// If the contraction's rhs is an im2col copy (tagged `kiln.im2col` by the
/// lowering, whose last entry is OW), OW: tiles of whole output rows read an
/// exact input window. Else 0.
int64_t patchRowLength(linalg::LinalgOp contraction) {
  Operation *producer = contraction.getDpsInputs()[1].getDefiningOp();
  auto geometry =
      producer ? producer->getAttrOfType<DenseI64ArrayAttr>("kiln.im2col") : nullptr;
  return geometry && geometry.size() == 7 ? geometry.asArrayRef().back() : 0;
}

/// A tile of an im2col copy (tagged `kiln.im2col` by the lowering) whose
/// columns are whole output rows, [1, C*KH*KW, rows*OW], re-expressed as a
/// 6-D copy [1, C, KH, KW, rows, OW] with plain affine indices (no
/// floordiv/mod per element), between an expand_shape of its destination
/// and a collapse_shape of its result (both views).
struct Im2ColTileTo6D : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    auto geometry = op->getAttrOfType<DenseI64ArrayAttr>("kiln.im2col");
    if (!geometry || geometry.size() != 7)
      return rewriter.notifyMatchFailure(op, "not an im2col copy");
    ArrayRef<int64_t> g = geometry.asArrayRef();
    int64_t kh = g[0], kw = g[1], sh = g[2], sw = g[3], dh = g[4], dw = g[5], ow = g[6];
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value input = op.getDpsInputs()[0];
    auto inType = cast<RankedTensorType>(input.getType());
    // Any batch (a tile has 1 image, a whole-tensor copy N); everything
    // else static.
    if (type.isDynamicDim(1) || type.isDynamicDim(2) ||
        llvm::any_of(inType.getShape().drop_front(), ShapedType::isDynamic))
      return rewriter.notifyMatchFailure(op, "not static apart from the batch");
    int64_t rowsK = type.getDimSize(1), cols = type.getDimSize(2);
    int64_t c = inType.getDimSize(1);
    if (rowsK != c * kh * kw || cols % ow != 0)
      return rewriter.notifyMatchFailure(op, "tile is not whole patch rows x whole output rows");
    int64_t rows = cols / ow;
    // The input (a tile's slice starts at the window of its first row)
    // must hold the window of every row.
    if (inType.getDimSize(2) < (rows - 1) * sh + dh * (kh - 1) + 1 ||
        inType.getDimSize(3) < (ow - 1) * sw + dw * (kw - 1) + 1)
      return rewriter.notifyMatchFailure(op, "input does not hold the window");
    Location loc = op.getLoc();
    auto six = RankedTensorType::get({type.getDimSize(0), c, kh, kw, rows, ow},
                                     type.getElementType());
    SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}, {4, 5}};
    Value dest = tensor::ExpandShapeOp::create(rewriter, loc, six, op.getDpsInits()[0], groups);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, ch, i, j, y, x;
    bindDims(ctx, n, ch, i, j, y, x);
    auto inMap = AffineMap::get(6, 0, {n, ch, y * sh + i * dh, x * sw + j * dw}, ctx);
    auto copy = linalg::GenericOp::create(
        rewriter, loc, TypeRange{six}, ValueRange{input}, ValueRange{dest},
        ArrayRef<AffineMap>{inMap, AffineMap::getMultiDimIdentityMap(6, ctx)},
        SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, args[0]);
        });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, type, copy.getResult(0), groups);
    return success();
  }
};

/// Smallest padded image (C x H x W bytes) whose padding is fused into the
/// im2col tile loop.
constexpr int64_t kMinFusedPadBytes = 256 * 1024;

struct FusePass : impl::KilnFuseBase<FusePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    MLIRContext *ctx = &getContext();
    int64_t before = countGenerics(f);
    {
      RewritePatternSet patterns(ctx);
      auto reshapeControl = [](OpOperand *operand) {
        Operation *producer = operand->get().getDefiningOp();
        return producer && !isa<tensor::EmptyOp>(producer);
      };
      linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, reshapeControl);
      bool allowRecompute = recompute;
      auto fuseControl = [allowRecompute](OpOperand *operand) {
        Operation *producer = operand->get().getDefiningOp();
        return isAllParallelGeneric(producer) &&
               (allowRecompute || producer->getResult(0).hasOneUse());
      };
      linalg::populateElementwiseOpsFusionPatterns(patterns, fuseControl);
      tensor::populateFoldTensorEmptyPatterns(patterns);
      tensor::populateReassociativeReshapeFoldingPatterns(patterns);
      // tensor.dim of a reshape reads the source's dims instead, so a shape
      // query does not count as a second user of a producer.
      memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
      tensor::DimOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
      linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
      if (failed(applyPatternsGreedily(f, std::move(patterns))))
        return signalPassFailure();
    }
    int64_t after = countGenerics(f);
    if (before > after)
      numElementwiseFused += before - after;

    int64_t fusedEpilogues = epilogues ? fuseEpilogues(f) : 0;
    if (report)
      f.emitRemark() << "kiln-fuse: fused " << std::max<int64_t>(before - after, 0)
                     << " elementwise ops and " << fusedEpilogues << " matmul epilogues";
  }

  /// Returns how many epilogues were fused.
  int64_t fuseEpilogues(func::FuncOp f) {
    int64_t fused = 0;
    SmallVector<int64_t> tile(tileSizes.begin(), tileSizes.end());
    if (tile.empty())
      tile = {64, 256};
    if (tile.size() != 2) {
      f.emitError("kiln-fuse: tile-sizes must be M,N");
      signalPassFailure();
      return 0;
    }
    SmallVector<std::pair<linalg::LinalgOp, linalg::GenericOp>> work;
    f.walk([&](linalg::LinalgOp op) {
      if (isContraction(op) && op.hasPureTensorSemantics())
        if (linalg::GenericOp epilogue = epilogueOf(op))
          work.push_back({op, epilogue});
    });
    IRRewriter rewriter(&getContext());
    for (auto [contraction, epilogue] : work) {
      Operation *root = contraction.getOperation();
      SmallVector<int64_t> sizes(epilogue.getNumLoops() - 2, 1);
      sizes.append(tile);
      // An unfolded convolution's patches [.., C*KH*KW, OH*OW]: a column
      // tile of whole output rows (a multiple of OW) reads an exact input
      // window, so the im2col copy is fused too and computed one column
      // panel at a time.
      if (int64_t row = patchRowLength(contraction); row > 0) {
        // Whole output rows; if a multiple of the 64-wide register tile is
        // close by (lcm(OW, 64) <= 2 * N tile), take it: no masked lanes.
        int64_t lcm = std::lcm(row, int64_t{64});
        sizes.back() = lcm <= 2 * tile[1] ? lcm : std::max<int64_t>(row, (tile[1] / row) * row);
      }
      // A dim no larger than its tile is not tiled, so it stays static.
      SmallVector<int64_t> ranges = epilogue.getStaticLoopRanges();
      for (size_t i = 0; i < sizes.size(); ++i)
        if (!ShapedType::isDynamic(ranges[i]) && ranges[i] <= sizes[i] && sizes[i] > 1)
          sizes[i] = 0;
      scf::SCFTilingOptions tiling;
      tiling.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      // Tiles of the epilogue are independent: threads can take them.
      if (parallel)
        tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      // Fuse the contraction and the parallel ops feeding it (fills, bias
      // broadcasts, patch copies); never another contraction or reduction.
      options.setFusionControlFn(
          [root](tensor::ExtractSliceOp, OpResult producer,
                 bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            Operation *op = producer.getOwner();
            if (op == root)
              return scf::SCFTileAndFuseOptions::ControlFnResult{};
            // Users other than the (still present) untiled contraction and
            // the tile loop's slices would need the whole result anyway.
            bool feedsOnlyRoot = llvm::all_of(producer.getUsers(), [&](Operation *u) {
              return u == root || isa<tensor::ExtractSliceOp, tensor::DimOp>(u);
            });
            if (isa<linalg::FillOp>(op) || (isAllParallelGeneric(op) && feedsOnlyRoot))
              return scf::SCFTileAndFuseOptions::ControlFnResult{};
            // The padding in front of an im2col copy (zeros, from
            // LowerConv): padded one input window per tile, in cache,
            // instead of as a whole tensor in memory before the
            // convolution (tiling keeps the pad value). Only for images
            // of 256 KB and more: each fused pad adds a guarded copy per
            // tile to compile (the example CNN's 32x32 images: 0.78 ->
            // 1.06 s of JIT time, for 4% of its run time at batch 32).
            bool feedsOnlyIm2Col = llvm::all_of(producer.getUsers(), [](Operation *u) {
              return u->hasAttr("kiln.im2col") || isa<tensor::ExtractSliceOp, tensor::DimOp>(u);
            });
            if (auto pad = dyn_cast<tensor::PadOp>(op); pad && feedsOnlyIm2Col) {
              RankedTensorType padded = pad.getResultType();
              int64_t image = padded.getElementTypeBitWidth() / 8;
              for (int64_t d : padded.getShape().drop_front())
                image = ShapedType::isDynamic(d) ? 0 : image * d;
              if (image >= kMinFusedPadBytes)
                return scf::SCFTileAndFuseOptions::ControlFnResult{};
            }
            return std::nullopt;
          });
      rewriter.setInsertionPoint(epilogue);
      FailureOr<scf::SCFTileAndFuseResult> result = scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
      if (failed(result)) {
        epilogue.emitWarning("kiln-fuse: could not tile this epilogue with its matmul");
        continue;
      }
      if (!result->fusedProducers.contains(root))
        continue; // tiled but the matmul stayed outside; still correct
      for (OpResult r : epilogue->getResults())
        if (Value v = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, v);
      ++numEpiloguesFused;
      ++fused;
    }
    // The untiled originals are now dead.
    // Slices of a full-size tensor.empty (the fused ops' destinations)
    // become tile-size empties, so bufferization allocates one tile.
    RewritePatternSet cleanup(&getContext());
    tensor::populateFoldTensorEmptyPatterns(cleanup);
    cleanup.add<Im2ColTileTo6D>(&getContext());
    if (failed(applyPatternsGreedily(f, std::move(cleanup))))
      signalPassFailure();
    return fused;
  }
};

} // namespace
} // namespace kiln
