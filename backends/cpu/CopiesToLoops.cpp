//===- CopiesToLoops.cpp - Copies as vectorized loops ---------------------===//
//
// memref.copy(%src, %dst)  ->  linalg.copy ins(%src) outs(%dst)
// so that no copy needs MLIR's `memrefCopy` runtime function (see Passes.td).
//
// Then every f32 copy on memrefs -- linalg.copy, or a linalg.generic whose
// body yields its input, whose output map is the identity and whose input
// walks the innermost loop d with a constant stride s (the im2col panel
// copies and the padding copies) -- becomes
//
//   for d0, ..., d(r-2)
//     for x0 = 0 to n step L
//       count = min(L, n - x0)
//       v = maskedload in[..., base + s*x0 : s*L]      (s > 1: every s-th lane)
//       maskedstore out[d0, ..., x0 : L], v, mask(count)
//
// LLVM vectorizes such loops itself only when it can tell the two buffers
// apart; inside an OpenMP-outlined body the buffers arrive through a
// struct and it cannot, and the copy stays one float at a time.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUCOPIESTOLOOPS
#include "backends/cpu/Passes.h.inc"

namespace {

bool unitInnerStride(MemRefType type) {
  if (type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && strides.back() == 1;
}

/// A copy that can be vectorized along its innermost loop: the input's
/// last index is `stride` * d_last + (terms without d_last), and no other
/// input index uses d_last.
struct InnerCopy {
  Value in, out;
  AffineMap inMap;
  int64_t stride;
};

/// The input and output of `op` if it is an f32 copy on memrefs with unit
/// innermost strides: linalg.copy / linalg.transpose, or a generic whose
/// body yields its input, all loops parallel, output map the identity.
std::optional<std::pair<Value, Value>> copyOperands(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 || op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getIndexingMapsArray()[1].isIdentity())
    return std::nullopt;
  if (!isa<linalg::CopyOp, linalg::TransposeOp>(op)) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic)
      return std::nullopt;
    Block &body = generic.getRegion().front();
    if (body.getOperations().size() != 1 ||
        body.getTerminator()->getOperand(0) != body.getArgument(0))
      return std::nullopt;
  }
  Value in = op.getDpsInputs()[0], out = op.getDpsInits()[0];
  auto inType = dyn_cast<MemRefType>(in.getType());
  auto outType = dyn_cast<MemRefType>(out.getType());
  if (!inType || !outType || !inType.getElementType().isF32() ||
      !outType.getElementType().isF32() || !unitInnerStride(inType) ||
      !unitInnerStride(outType))
    return std::nullopt;
  return std::make_pair(in, out);
}

std::optional<InnerCopy> matchCopy(linalg::LinalgOp op) {
  std::optional<std::pair<Value, Value>> operands = copyOperands(op);
  if (!operands)
    return std::nullopt;
  auto [in, out] = *operands;
  AffineMap inMap = op.getIndexingMapsArray()[0];
  if (inMap.getNumResults() == 0)
    return std::nullopt;
  unsigned last = inMap.getNumDims() - 1;
  for (unsigned r = 0; r + 1 < inMap.getNumResults(); ++r)
    if (inMap.getResult(r).isFunctionOfDim(last))
      return std::nullopt;
  AffineExpr inner = inMap.getResults().back();
  std::optional<int64_t> s = affineCoefficient(inner, last, inMap.getNumDims());
  if (!s || *s < 1 || *s > 4)
    return std::nullopt;
  // Linear in d_last: removing s * d_last leaves no trace of it.
  AffineExpr rest = simplifyAffineExpr(
      inner - getAffineDimExpr(last, op.getContext()) * *s, inMap.getNumDims(), 0);
  if (rest.isFunctionOfDim(last))
    return std::nullopt;
  return InnerCopy{in, out, inMap, *s};
}

/// A copy that swaps the last two dims: out[..., r, c] = in[..., c, r]
/// (a generic or linalg.transpose on f32 memrefs, rank >= 2, leading dims
/// in order). Done 16 x 16 at a time: 16 rows loaded, transposed with
/// shuffles in registers, 16 rows stored (LLVM made gathers of it).
std::optional<std::pair<Value, Value>> matchTranspose(linalg::LinalgOp op) {
  std::optional<std::pair<Value, Value>> operands = copyOperands(op);
  if (!operands || op.getNumLoops() < 2)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned rank = op.getNumLoops();
  SmallVector<unsigned> perm;
  for (unsigned d = 0; d < rank; ++d)
    perm.push_back(d);
  std::swap(perm[rank - 1], perm[rank - 2]);
  if (maps[0] != AffineMap::getPermutationMap(perm, op.getContext()))
    return std::nullopt;
  return operands;
}

/// Size `d` of memref `v`: a constant, or memref.dim.
Value dimSize(OpBuilder &b, Location loc, Value v, unsigned d) {
  auto t = cast<MemRefType>(v.getType());
  if (!t.isDynamicDim(d))
    return arith::ConstantIndexOp::create(b, loc, t.getDimSize(d));
  return memref::DimOp::create(b, loc, v, d);
}

/// scf.for loops over dims 0 .. count-1 of `v` (step 1), with `b` left
/// inside the innermost; returns their induction variables.
SmallVector<Value> outerLoops(OpBuilder &b, Location loc, Value v, unsigned count) {
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ivs;
  for (unsigned d = 0; d < count; ++d) {
    auto loop = scf::ForOp::create(b, loc, c0, dimSize(b, loc, v, d), c1);
    b.setInsertionPointToStart(loop.getBody());
    ivs.push_back(loop.getInductionVar());
  }
  return ivs;
}

struct CopiesToLoopsPass : impl::KilnCpuCopiesToLoopsBase<CopiesToLoopsPass> {
  using KilnCpuCopiesToLoopsBase::KilnCpuCopiesToLoopsBase;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) { copies.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(), op.getTarget());
    }
    if (lanes <= 0)
      return;
    SmallVector<std::pair<linalg::LinalgOp, InnerCopy>> work;
    SmallVector<std::pair<linalg::LinalgOp, std::pair<Value, Value>>> transposes;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (std::optional<InnerCopy> c = matchCopy(op))
        work.push_back({op, *c});
      else if (auto t = matchTranspose(op); t && lanes == 16)
        transposes.push_back({op, *t});
    });
    for (auto &[op, c] : work) {
      rewriter.setInsertionPoint(op);
      emit(rewriter, op.getLoc(), c);
      rewriter.eraseOp(op);
    }
    for (auto &[op, t] : transposes) {
      rewriter.setInsertionPoint(op);
      emitTranspose(rewriter, op.getLoc(), t.first, t.second);
      rewriter.eraseOp(op);
    }
    if (!transposes.empty()) {
      RewritePatternSet patterns(&getContext());
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle16x16);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }

  /// out[..., r, c] = in[..., c, r] in 16 x 16 blocks (masked at the edges).
  void emitTranspose(OpBuilder &b, Location loc, Value in, Value out) {
    auto outType = cast<MemRefType>(out.getType());
    unsigned rank = outType.getRank();
    constexpr int64_t B = 16;
    Type f32 = b.getF32Type();
    MLIRContext *ctx = b.getContext();
    OpBuilder::InsertionGuard guard(b);
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value cB = arith::ConstantIndexOp::create(b, loc, B);
    Value rows = dimSize(b, loc, out, rank - 2), cols = dimSize(b, loc, out, rank - 1);
    SmallVector<Value> lead = outerLoops(b, loc, out, rank - 2);
    auto rLoop = scf::ForOp::create(b, loc, c0, rows, cB);
    b.setInsertionPointToStart(rLoop.getBody());
    auto cLoop = scf::ForOp::create(b, loc, c0, cols, cB);
    b.setInsertionPointToStart(cLoop.getBody());
    Value r0 = rLoop.getInductionVar(), c0v = cLoop.getInductionVar();
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    auto remaining = [&](Value at, Value extent) -> Value {
      return affine::AffineMinOp::create(
          b, loc, AffineMap::get(2, 0, {getAffineConstantExpr(B, ctx), d1 - d0}, ctx),
          ValueRange{at, extent});
    };
    Value nRows = remaining(r0, rows), nCols = remaining(c0v, cols);
    auto vt = VectorType::get({B}, f32);
    auto mt = VectorType::get({B}, b.getI1Type());
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vt));
    // Indices and mask of line `t` of a block: memref row `base` + t from
    // column `start`, `width` elements wide; all-false past `count` lines.
    auto line = [&](int64_t t, Value base, Value start, Value width, Value count) {
      Value at = affine::AffineApplyOp::create(b, loc, AffineMap::get(1, 0, d0 + t),
                                               ValueRange{base});
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          arith::ConstantIndexOp::create(b, loc, t), count);
      Value mask = arith::AndIOp::create(
          b, loc, vector::CreateMaskOp::create(b, loc, mt, ValueRange{width}),
          vector::BroadcastOp::create(b, loc, mt, valid));
      SmallVector<Value> idx(lead);
      idx.push_back(at);
      idx.push_back(start);
      return std::make_pair(idx, mask);
    };
    // in[..., c0 + t, r0 : r0 + 16] for t < 16 (zero past the last column).
    Value block = arith::ConstantOp::create(
        b, loc, b.getZeroAttr(VectorType::get({B, B}, f32)));
    for (int64_t t = 0; t < B; ++t) {
      auto [idx, mask] = line(t, c0v, r0, nRows, nCols);
      Value row = vector::MaskedLoadOp::create(b, loc, vt, in, idx, mask, zero);
      block = vector::InsertOp::create(b, loc, row, block, ArrayRef<int64_t>{t});
    }
    Value transposed = vector::TransposeOp::create(b, loc, block, ArrayRef<int64_t>{1, 0});
    // out[..., r0 + t, c0 : c0 + 16] for t < 16 rows left.
    for (int64_t t = 0; t < B; ++t) {
      auto [idx, mask] = line(t, r0, c0v, nCols, nRows);
      Value row = vector::ExtractOp::create(b, loc, transposed, ArrayRef<int64_t>{t});
      vector::MaskedStoreOp::create(b, loc, out, idx, mask, row);
    }
  }

  /// The masked-vector loop nest of copy `c` (see the file comment).
  void emit(OpBuilder &b, Location loc, const InnerCopy &c) {
    auto outType = cast<MemRefType>(c.out.getType());
    auto inType = cast<MemRefType>(c.in.getType());
    unsigned rank = outType.getRank();
    const int64_t L = lanes, s = c.stride;
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value n = dimSize(b, loc, c.out, rank - 1);
    Value inWidth = dimSize(b, loc, c.in, inType.getRank() - 1);
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> ivs = outerLoops(b, loc, c.out, rank - 1);
    auto row = scf::ForOp::create(b, loc, c0, n, arith::ConstantIndexOp::create(b, loc, L));
    b.setInsertionPointToStart(row.getBody());
    Value x0 = row.getInductionVar();
    ivs.push_back(x0);
    // Input indices at (d0, ..., x0).
    SmallVector<Value> inIdx;
    for (AffineExpr e : c.inMap.getResults())
      inIdx.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(c.inMap.getNumDims(), 0, e, ctx), ivs));
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    // count = min(L, n - x0); readable = min(s*L, W - start).
    Value count = affine::AffineMinOp::create(
        b, loc, AffineMap::get(2, 0, {getAffineConstantExpr(L, ctx), d1 - d0}, ctx),
        ValueRange{x0, n});
    auto mask = [&](int64_t width, Value cnt) {
      return vector::CreateMaskOp::create(b, loc, VectorType::get({width}, b.getI1Type()),
                                          ValueRange{cnt});
    };
    auto vt = VectorType::get({L}, f32);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vt));
    Value v;
    if (s == 1) {
      v = vector::MaskedLoadOp::create(b, loc, vt, c.in, inIdx, mask(L, count), zero);
    } else {
      auto wide = VectorType::get({s * L}, f32);
      Value readable = affine::AffineMinOp::create(
          b, loc, AffineMap::get(2, 0, {getAffineConstantExpr(s * L, ctx), d1 - d0}, ctx),
          ValueRange{inIdx.back(), inWidth});
      Value w = vector::MaskedLoadOp::create(b, loc, wide, c.in, inIdx, mask(s * L, readable),
                                             arith::ConstantOp::create(b, loc, b.getZeroAttr(wide)));
      SmallVector<int64_t> pick;
      for (int64_t k = 0; k < L; ++k)
        pick.push_back(k * s);
      v = vector::ShuffleOp::create(b, loc, w, w, pick);
    }
    vector::MaskedStoreOp::create(b, loc, c.out, ivs, mask(L, count), v);
  }
};

} // namespace
} // namespace kiln
