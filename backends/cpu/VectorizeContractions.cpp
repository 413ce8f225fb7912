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
// Packed B (data tiling): a register tile reads B[k, n1 : n1+NR] for
// consecutive k, rows N floats apart; on large N those rows are 4-8 KB
// apart and the kernel loses speed to TLB and prefetch misses. With
// `pack-b`, B is read instead from panels Bp[N/NR][K][NR] (zero-padded),
// so each register tile streams one contiguous panel: the register tile's
// B slice, an extract_slice chain from the whole B, becomes the slice
// Bp[n/NR, k, 0:nr] of the packed copy. A constant B is packed here, at
// compile time; a runtime B once per call, before the loop nest. Only N
// offsets that are provably multiples of NR are rewritten (every tile size
// in N is a multiple of NR).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include <numeric>

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
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

/// Marks the register-tile matmuls between tiling and vectorization (peeling
/// clones them).
constexpr const char *kRegisterTileAttr = "kiln.register_tile";

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

/// A known divisor of an index value (0 when it is the constant 0, which
/// every number divides): constants, induction variables of scf.for /
/// scf.forall (gcd of lower bound and step) and affine.apply of those.
int64_t knownDivisor(OpFoldResult ofr, int depth = 0);

int64_t divisorOfExpr(AffineExpr expr, ArrayRef<int64_t> dims, ArrayRef<int64_t> syms) {
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return std::abs(cast<AffineConstantExpr>(expr).getValue());
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(expr).getPosition()];
  case AffineExprKind::SymbolId:
    return syms[cast<AffineSymbolExpr>(expr).getPosition()];
  case AffineExprKind::Add: {
    auto bin = cast<AffineBinaryOpExpr>(expr);
    return std::gcd(divisorOfExpr(bin.getLHS(), dims, syms),
                    divisorOfExpr(bin.getRHS(), dims, syms));
  }
  case AffineExprKind::Mul: {
    auto bin = cast<AffineBinaryOpExpr>(expr);
    int64_t l = divisorOfExpr(bin.getLHS(), dims, syms),
            r = divisorOfExpr(bin.getRHS(), dims, syms);
    return (l == 0 || r == 0) ? 0 : l * r;
  }
  default:
    return 1;
  }
}

int64_t knownDivisor(OpFoldResult ofr, int depth) {
  if (std::optional<int64_t> c = getConstantIntValue(ofr))
    return std::abs(*c);
  if (depth > 8)
    return 1;
  Value v = cast<Value>(ofr);
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (auto loop = dyn_cast<scf::ForOp>(owner); loop && arg == loop.getInductionVar())
      return std::gcd(knownDivisor(loop.getLowerBound(), depth + 1),
                      knownDivisor(loop.getStep(), depth + 1));
    if (auto loop = dyn_cast<scf::ForallOp>(owner)) {
      unsigned i = arg.getArgNumber();
      if (i < loop.getRank())
        return std::gcd(knownDivisor(loop.getMixedLowerBound()[i], depth + 1),
                        knownDivisor(loop.getMixedStep()[i], depth + 1));
    }
    return 1;
  }
  if (auto apply = v.getDefiningOp<affine::AffineApplyOp>()) {
    AffineMap map = apply.getAffineMap();
    SmallVector<int64_t> dims, syms;
    for (unsigned i = 0; i < map.getNumDims(); ++i)
      dims.push_back(knownDivisor(apply.getOperand(i), depth + 1));
    for (unsigned i = 0; i < map.getNumSymbols(); ++i)
      syms.push_back(knownDivisor(apply.getOperand(map.getNumDims() + i), depth + 1));
    return divisorOfExpr(map.getResult(0), dims, syms);
  }
  return 1;
}

/// The 2-D tensor a matmul operand is sliced from: follows unit-stride,
/// non-rank-reducing tensor.extract_slice ops up to the value they slice,
/// which must be defined in the function body (outside every loop), so
/// that work placed after it runs once per call. Null otherwise.
Value wholeOperand(Value operand) {
  Value v = operand;
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != 2 || slice.getType().getRank() != 2 ||
        !llvm::all_of(slice.getMixedStrides(),
                      [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
      return nullptr;
    v = slice.getSource();
  }
  if (!isa<func::FuncOp>(v.getParentRegion()->getParentOp()))
    return nullptr;
  return v;
}

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
    llvm::DenseMap<Value, Value> packed;
    for (linalg::LinalgOp op : targets) {
      bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
      Value packSource = packB && !batched ? packCandidate(op, reg[1]) : Value();
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
        SmallVector<int64_t> inner(cacheSizes.size(), 0);
        SmallVector<OpFoldResult> outer =
            getAsIndexOpFoldResult(&getContext(), ArrayRef<int64_t>(cacheSizes));
        outer.back() = rewriter.getIndexAttr(0);
        inner.back() = cacheSizes.back();
        unsigned mDim = batched ? 1 : 0;
        outer[mDim] = balancedTile(rewriter, op, mDim, cacheSizes[mDim], reg[0]);
        tiled = tile(rewriter, op, outer, /*forall=*/true);
        if (succeeded(tiled))
          tiled = tile(rewriter, *tiled, inner);
      } else {
        tiled = tile(rewriter, op, cacheSizes);
      }
      if (failed(tiled))
        return signalPassFailure();
      SmallVector<scf::ForOp> regLoops;
      tiled = tile(rewriter, *tiled, regSizes, /*forall=*/false, &regLoops);
      if (failed(tiled))
        return signalPassFailure();
      // Peel the M and N register loops: the full tiles then have static
      // sizes and read A and B without masks (a masked A read became one
      // branch and scalar load per row in the k loop); only the last,
      // partial tile of a row or column keeps them.
      Operation *outer = regLoops.empty() ? nullptr : regLoops.front()->getParentOp();
      (*tiled)->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
      // Innermost first: peeling M then clones the already peeled N loops.
      for (scf::ForOp loop : llvm::reverse(regLoops)) {
        std::optional<int64_t> step = getConstantIntValue(loop.getStep());
        if (!step || (*step != reg[0] && *step != reg[1]) || *step == 1)
          continue;
        rewriter.setInsertionPoint(loop);
        scf::ForOp partial;
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
      }
      SmallVector<linalg::LinalgOp> tiles;
      if (outer)
        outer->walk([&](linalg::LinalgOp t) {
          if (t->hasAttr(kRegisterTileAttr))
            tiles.push_back(t);
        });
      else
        tiles.push_back(cast<linalg::LinalgOp>(*tiled));
      for (linalg::LinalgOp t : tiles) {
        t->removeAttr(kRegisterTileAttr);
        if (packSource)
          readPackedB(rewriter, t, packSource, reg[1], packed);
        rewriter.setInsertionPoint(t);
        FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
            rewriter, t, regSizes, SmallVector<bool>(regSizes.size(), false),
            /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
            /*assumeDynamicDimsMatchVecSizes=*/false, /*createNamedContraction=*/true);
        if (failed(vectorized)) {
          t->emitError("kiln-cpu-vectorize-contractions: could not vectorize "
                       "the register tile");
          return signalPassFailure();
        }
        rewriter.replaceOp(t, vectorized->replacements);
      }
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

  /// The whole B of `op` if it should be read from packed panels of width
  /// `nr`: a constant with N >= nr, or a runtime value when M is static and
  /// at least 256 rows (the per-call pack then costs < 1% of the FLOPs).
  Value packCandidate(linalg::LinalgOp op, int64_t nr) {
    auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation());
    if (!mm || mm.hasUserDefinedMaps() || nr <= 0)
      return nullptr;
    Value b = wholeOperand(op.getDpsInputs()[1]);
    if (!b)
      return nullptr;
    auto type = dyn_cast<RankedTensorType>(b.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        type.getDimSize(1) < nr)
      return nullptr;
    if (matchPattern(b, m_Constant()))
      return b;
    Value a = wholeOperand(op.getDpsInputs()[0]);
    auto aType = a ? dyn_cast<RankedTensorType>(a.getType()) : nullptr;
    if (aType && !aType.isDynamicDim(0) && aType.getDimSize(0) >= 256)
      return b;
    return nullptr;
  }

  /// Bp[ceil(N/nr)][K][nr] = B[k][p*nr + j] (0 past N), built once: a new
  /// constant for a constant B, else a linalg.pack right after B's
  /// definition (lowered to pad + expand_shape + transpose).
  Value packedOperand(IRRewriter &rewriter, Value b, int64_t nr) {
    auto type = cast<RankedTensorType>(b.getType());
    int64_t k = type.getDimSize(0), n = type.getDimSize(1), panels = (n + nr - 1) / nr;
    auto packedType = RankedTensorType::get({panels, k, nr}, type.getElementType());
    OpBuilder::InsertionGuard guard(rewriter);
    if (auto arg = dyn_cast<BlockArgument>(b))
      rewriter.setInsertionPointToStart(arg.getOwner());
    else
      rewriter.setInsertionPointAfter(b.getDefiningOp());
    Location loc = b.getLoc();
    DenseElementsAttr dense;
    if (matchPattern(b, m_Constant(&dense)) && dense.getElementType().isF32()) {
      std::vector<float> in = f32Values(dense);
      std::vector<float> out(static_cast<size_t>(panels * k * nr), 0.0f);
      for (int64_t p = 0; p < panels; ++p)
        for (int64_t r = 0; r < k; ++r)
          for (int64_t j = 0; j < nr && p * nr + j < n; ++j)
            out[(p * k + r) * nr + j] = in[r * n + p * nr + j];
      return arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(packedType, llvm::ArrayRef<float>(out)));
    }
    // Runtime B: the whole panels are one transpose [K][P][nr] -> [P][K][nr]
    // of B seen as [K][P][nr], written straight into the packed buffer (a
    // top-level op that kiln-cpu-parallelize splits); only a last, partial
    // panel is zero-padded, on its own (padding all of B first was one
    // sequential copy of it per call).
    Type element = type.getElementType();
    Value dest = tensor::EmptyOp::create(rewriter, loc, packedType.getShape(), element);
    int64_t full = n / nr, rem = n % nr;
    auto idx = [&](int64_t v) { return rewriter.getIndexAttr(v); };
    if (full > 0) {
      Value whole = b;
      if (rem)
        whole = tensor::ExtractSliceOp::create(
            rewriter, loc, RankedTensorType::get({k, full * nr}, element), b,
            ArrayRef<OpFoldResult>{idx(0), idx(0)}, ArrayRef<OpFoldResult>{idx(k), idx(full * nr)},
            ArrayRef<OpFoldResult>{idx(1), idx(1)});
      Value panels = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({k, full, nr}, element), whole,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}});
      SmallVector<OpFoldResult> offsets = {idx(0), idx(0), idx(0)},
                                sizes = {idx(full), idx(k), idx(nr)}, strides(3, idx(1));
      Value into = rem ? Value(tensor::ExtractSliceOp::create(
                             rewriter, loc, RankedTensorType::get({full, k, nr}, element), dest,
                             offsets, sizes, strides))
                       : dest;
      Value transposed = linalg::TransposeOp::create(rewriter, loc, panels, into,
                                                     ArrayRef<int64_t>{1, 0, 2})
                             .getResult()[0];
      dest = rem ? Value(tensor::InsertSliceOp::create(rewriter, loc, transposed, dest, offsets,
                                                       sizes, strides))
                 : transposed;
    }
    if (rem) {
      Value tail = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get({k, rem}, element), b,
          ArrayRef<OpFoldResult>{idx(0), idx(full * nr)}, ArrayRef<OpFoldResult>{idx(k), idx(rem)},
          ArrayRef<OpFoldResult>{idx(1), idx(1)});
      Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(element));
      Value padded = tensor::PadOp::create(
          rewriter, loc, RankedTensorType::get({k, nr}, element), tail,
          ArrayRef<OpFoldResult>{idx(0), idx(0)}, ArrayRef<OpFoldResult>{idx(0), idx(nr - rem)},
          zero);
      dest = tensor::InsertSliceOp::create(
          rewriter, loc, padded, dest, ArrayRef<OpFoldResult>{idx(full), idx(0), idx(0)},
          ArrayRef<OpFoldResult>{idx(1), idx(k), idx(nr)},
          ArrayRef<OpFoldResult>{idx(1), idx(1), idx(1)});
    }
    return dest;
  }

  /// Rewrites the B operand of the register-tile matmul `op` (a slice chain
  /// of `whole`) to the matching slice of the packed panels, if every N
  /// offset on the chain is a multiple of `nr`.
  void readPackedB(IRRewriter &rewriter, linalg::LinalgOp op, Value whole, int64_t nr,
                   llvm::DenseMap<Value, Value> &packed) {
    OpOperand &operand = op->getOpOperand(1);
    SmallVector<OpFoldResult> kOffsets, nOffsets;
    for (Value v = operand.get(); v != whole;) {
      auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
      if (!slice)
        return;
      kOffsets.push_back(slice.getMixedOffsets()[0]);
      nOffsets.push_back(slice.getMixedOffsets()[1]);
      if (int64_t d = knownDivisor(nOffsets.back()); d != 0 && d % nr != 0)
        return;
      v = slice.getSource();
    }
    Value &bp = packed[whole];
    if (!bp)
      bp = packedOperand(rewriter, whole, nr);
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    AffineExpr d0, d1;
    bindDims(&getContext(), d0, d1);
    auto sum = [&](ArrayRef<OpFoldResult> parts) {
      OpFoldResult total = rewriter.getIndexAttr(0);
      for (OpFoldResult p : parts)
        total = affine::makeComposedFoldedAffineApply(rewriter, loc, d0 + d1, {total, p});
      return total;
    };
    OpFoldResult kOff = sum(kOffsets), nOff = sum(nOffsets);
    OpFoldResult panel =
        affine::makeComposedFoldedAffineApply(rewriter, loc, d0.floorDiv(nr), {nOff});
    // [1, k, n] of the panels, rank-reduced to the [k, n] the op reads.
    SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
    auto tileType = cast<RankedTensorType>(operand.get().getType());
    if (auto last = operand.get().getDefiningOp<tensor::ExtractSliceOp>())
      llvm::append_range(sizes, last.getMixedSizes());
    else
      for (int64_t i = 0; i < 2; ++i)
        sizes.push_back(rewriter.getIndexAttr(tileType.getDimSize(i)));
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, tileType, bp, {panel, kOff, rewriter.getIndexAttr(0)}, sizes,
        SmallVector<OpFoldResult>(3, rewriter.getIndexAttr(1)));
    rewriter.modifyOpInPlace(op, [&] { operand.set(slice); });
  }

  /// The M size of the parallel cache tiles: the rows split into
  /// ceil(M / `tile`) tiles of equal size, rounded up to a multiple of the
  /// register tile `mr` (196 rows: 52, 52, 52, 40 instead of 64, 64, 64, 4,
  /// which gave one of two threads 128 rows and the other 68). Computed at
  /// run time for a dynamic M.
  OpFoldResult balancedTile(IRRewriter &rewriter, linalg::LinalgOp op, unsigned dim,
                            int64_t tile, int64_t mr) {
    int64_t size = op.getStaticLoopRanges()[dim];
    if (!ShapedType::isDynamic(size)) {
      if (size <= tile)
        return rewriter.getIndexAttr(tile);
      int64_t tiles = (size + tile - 1) / tile, even = (size + tiles - 1) / tiles;
      return rewriter.getIndexAttr((even + mr - 1) / mr * mr);
    }
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value m = getValueOrCreateConstantIndexOp(
        rewriter, loc, op.createLoopRanges(rewriter, loc)[dim].size);
    auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(rewriter, loc, v); };
    Value tiles = arith::MaxUIOp::create(rewriter, loc,
                                         arith::CeilDivUIOp::create(rewriter, loc, m, cst(tile)),
                                         cst(1));
    Value even = arith::CeilDivUIOp::create(rewriter, loc, m, tiles);
    Value rounded = arith::MulIOp::create(
        rewriter, loc, arith::CeilDivUIOp::create(rewriter, loc, even, cst(mr)), cst(mr));
    return arith::MaxUIOp::create(rewriter, loc, rounded, cst(mr)).getResult();
  }

  /// Tiles `op` with `sizes` (0 = not tiled) into scf.for loops and returns
  /// the tiled op (and the loops, outermost first, in `loops`).
  FailureOr<Operation *> tile(IRRewriter &rewriter, Operation *op,
                              ArrayRef<int64_t> sizes, bool forall = false,
                              SmallVectorImpl<scf::ForOp> *loops = nullptr) {
    return tile(rewriter, op, getAsIndexOpFoldResult(&getContext(), sizes), forall, loops);
  }
  FailureOr<Operation *> tile(IRRewriter &rewriter, Operation *op,
                              ArrayRef<OpFoldResult> sizes, bool forall = false,
                              SmallVectorImpl<scf::ForOp> *loops = nullptr) {
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes);
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
    if (loops)
      for (LoopLikeOpInterface l : result->loops)
        if (auto f = dyn_cast<scf::ForOp>(l.getOperation()))
          loops->push_back(f);
    return result->tiledOps.front();
  }
};

} // namespace
} // namespace kiln
