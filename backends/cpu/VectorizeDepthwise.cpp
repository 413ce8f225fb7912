//===- VectorizeDepthwise.cpp - Depthwise convolution kernels -------------===//
//
// A depthwise convolution (one input channel per group) has no reduction
// over channels, so the unfolded im2col + matmul path would give every
// matmul a single row. It stays a direct convolution (LowerConv.cpp):
//
//   out[n, g, f, oh, ow] += x[n, g, oh*sh + i*dh, ow*sw + j*dw] * w[g, f, 0, i, j]
//
// and this pass turns that generic into the loop nest
//
//   forall (n, g, f)                       plane by plane (threads)
//     wv[i][j] = broadcast(w[g, f, 0, i, j])
//     for oh                               output rows
//       for ow0 step L                     vectors of L output columns
//         acc = bias / 0 / out[oh, ow0 : ow0+L]
//         acc = fma(x[oh*sh + i*dh, ow0*sw + j*dw : ... + L*sw : sw], wv[i][j], acc)
//         out[oh, ow0 : ow0+L] = acc       (KH*KW FMAs per vector)
//
// An elementwise consumer (ReLU6, a residual add) runs on acc before the
// store, so it costs no pass over memory of its own.
//
// Stride 1 reads L contiguous inputs per FMA; stride s reads s*L and keeps
// every s-th lane with one shuffle. The loop runs over the vectors whose
// reads all stay inside the padded row without masks; the last one or two
// vectors of a row are emitted once each with constant masks (partial
// outputs, reads that would pass the row's end). LLVM would otherwise see
// the generic's loop order, with the 3-iteration kernel-width loop
// innermost, and vectorize nothing useful.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/ConvKernels.h"
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <optional>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZEDEPTHWISE
#include "backends/cpu/Passes.h.inc"

namespace {

using namespace convkernel;

/// A depthwise convolution: one input channel per group, several groups
/// (a one-group convolution of one input channel is
/// kiln-cpu-vectorize-conv's, which shares each input load among several
/// output channels).
std::optional<DirectConv> matchDepthwise(linalg::GenericOp op) {
  std::optional<DirectConv> d = matchDirectConv(op);
  auto wt = d ? cast<RankedTensorType>(d->w.getType()) : RankedTensorType();
  if (!d || wt.getDimSize(2) != 1 || wt.getDimSize(0) == 1)
    return std::nullopt;
  return d;
}

struct VectorizeDepthwisePass
    : impl::KilnCpuVectorizeDepthwiseBase<VectorizeDepthwisePass> {
  using KilnCpuVectorizeDepthwiseBase::KilnCpuVectorizeDepthwiseBase;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation()->emitError("kiln-cpu-vectorize-depthwise: lanes must be >= 1, got ")
          << static_cast<int64_t>(lanes);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    rewriteEachMatch(getOperation(), matchDepthwise,
                     [&](linalg::GenericOp op, const DirectConv &d) { rewrite(rewriter, op, d); });
  }

  void rewrite(IRRewriter &rewriter, linalg::GenericOp op, const DirectConv &d) {
    Location loc = op.getLoc();
    auto xt = cast<RankedTensorType>(d.x.getType());
    auto wt = cast<RankedTensorType>(d.w.getType());
    auto ot = cast<RankedTensorType>(d.init.getType());
    int64_t groups = ot.getDimSize(1), fg = ot.getDimSize(2), ohN = ot.getDimSize(3),
            owN = ot.getDimSize(4), kh = wt.getDimSize(3), kw = wt.getDimSize(4),
            hp = xt.getDimSize(2), wp = xt.getDimSize(3);
    const int64_t L = lanes;
    Type f32 = rewriter.getF32Type();
    auto vt = VectorType::get({L}, f32);
    MLIRContext *ctx = &getContext();

    ConvOutput output = prepareOutput(rewriter, op, d);
    const std::optional<ScalarInit> &si = output.init;
    const std::optional<Epilogue> &epi = output.epilogue;
    Value dest = output.dest, batch = output.batch;

    // A zero tensor.pad of the input is done plane by plane inside the
    // loop (a padded plane stays in cache) instead of on the whole tensor.
    Value input = d.x;
    SmallVector<int64_t> padLow = {0, 0}, padHigh = {0, 0};
    if (std::optional<SpatialPad> pad = zeroSpatialPad(d.x)) {
      input = pad->source;
      padLow = {pad->low[0], pad->low[1]};
      padHigh = {pad->high[0], pad->high[1]};
    }
    int64_t inH = hp - padLow[0] - padHigh[0], inW = wp - padLow[1] - padHigh[1];

    SmallVector<OpFoldResult> ubs = {batch, rewriter.getIndexAttr(groups),
                                     rewriter.getIndexAttr(fg)};
    auto one = rewriter.getIndexAttr(1), zero = rewriter.getIndexAttr(0);
    auto planeType = RankedTensorType::get({ohN, owN}, f32);
    auto xPlaneType = RankedTensorType::get({hp, wp}, f32);
    auto inPlaneType = RankedTensorType::get({inH, inW}, f32);
    // The output channel of plane (g, f).
    auto channel = [&](OpBuilder &b, Location l, Value gI, Value fI) -> Value {
      AffineExpr e0, e1;
      bindDims(ctx, e0, e1);
      return affine::AffineApplyOp::create(b, l, AffineMap::get(2, 0, e0 * fg + e1),
                                           ValueRange{gI, fI});
    };

    auto bodyBuilder = [&](OpBuilder &b, Location l, ValueRange ivs, Value out) -> Value {
      Value nI = ivs[0], gI = ivs[1], fI = ivs[2];
      Value xPlane = tensor::ExtractSliceOp::create(
          b, l, inPlaneType, input, ArrayRef<OpFoldResult>{nI, gI, zero, zero},
          ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(inH), b.getIndexAttr(inW)},
          ArrayRef<OpFoldResult>{one, one, one, one});
      if (input != d.x)
        xPlane = tensor::PadOp::create(
            b, l, xPlaneType, xPlane,
            ArrayRef<OpFoldResult>{b.getIndexAttr(padLow[0]), b.getIndexAttr(padLow[1])},
            ArrayRef<OpFoldResult>{b.getIndexAttr(padHigh[0]), b.getIndexAttr(padHigh[1])},
            Value(arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f))));
      Value oPlane = tensor::ExtractSliceOp::create(
          b, l, planeType, out, ArrayRef<OpFoldResult>{nI, channel(b, l, gI, fI), zero, zero},
          ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(ohN), b.getIndexAttr(owN)},
          ArrayRef<OpFoldResult>{one, one, one, one});
      // The KH x KW weights of this plane, broadcast once.
      SmallVector<Value> weights;
      Value c0 = arith::ConstantIndexOp::create(b, l, 0);
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          Value s = tensor::ExtractOp::create(
              b, l, d.w,
              ValueRange{gI, fI, c0, arith::ConstantIndexOp::create(b, l, i),
                         arith::ConstantIndexOp::create(b, l, j)});
          weights.push_back(vector::BroadcastOp::create(b, l, vt, s));
        }
      Value initVector;
      if (si)
        initVector = vector::BroadcastOp::create(b, l, vt, scalarInitValue(b, l, *si, nI, gI, fI));
      Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
      AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, ctx);

      // One vector of outputs at row `row`, columns ow0 .. ow0 + L, of
      // which `valid` are in range (a constant mask when < L; ow0Static
      // is the column when it is a constant, for the read masks).
      auto emitVector = [&](OpBuilder &vb, Value t, Value row, Value ow0,
                            std::optional<int64_t> ow0Static, int64_t valid) -> Value {
        auto inBounds = vb.getBoolArrayAttr({true});
        Value outMask = prefixMask(vb, l, L, valid);
        Value acc = initVector;
        if (!acc)
          acc = vector::TransferReadOp::create(vb, l, vt, t, ValueRange{row, ow0}, minor,
                                               pad, outMask, inBounds);
        for (int64_t i = 0; i < kh; ++i) {
          Value xRow = affine::AffineApplyOp::create(
              vb, l,
              AffineMap::get(1, 0, getAffineDimExpr(0, ctx) * d.sh + i * d.dh),
              ValueRange{row});
          for (int64_t j = 0; j < kw; ++j) {
            Value col = affine::AffineApplyOp::create(
                vb, l, AffineMap::get(1, 0, getAffineDimExpr(0, ctx) * d.sw + j * d.dw),
                ValueRange{ow0});
            int64_t readable =
                ow0Static ? wp - (*ow0Static * d.sw + j * d.dw) : L * d.sw;
            Value xv = readInputVector(vb, l, xPlane, ValueRange{xRow, col}, L, d.sw, readable);
            acc = vector::FMAOp::create(vb, l, xv, weights[i * kw + j], acc);
          }
        }
        if (epi)
          acc = applyEpilogue(vb, l, *epi, acc, ValueRange{nI, channel(vb, l, gI, fI), row, ow0},
                              outMask);
        return vector::TransferWriteOp::create(vb, l, acc, t, ValueRange{row, ow0},
                                               AffineMapAttr::get(minor), outMask, inBounds)
            .getResult();
      };

      // Vectors whose every read ends inside the padded row run unmasked
      // in a loop.
      int64_t lastSafe = lastSafeColumn(owN, wp, kw, d.sw, d.dw, L);
      int64_t safeEnd = lastSafe < 0 ? 0 : (lastSafe / L + 1) * L;
      auto rows = scf::ForOp::create(
          b, l, c0, arith::ConstantIndexOp::create(b, l, ohN),
          arith::ConstantIndexOp::create(b, l, 1), ValueRange{oPlane},
          [&](OpBuilder &rb, Location rl, Value row, ValueRange rowArgs) {
            Value t = rowArgs[0];
            if (safeEnd > 0) {
              auto cols = scf::ForOp::create(
                  rb, rl, c0, arith::ConstantIndexOp::create(rb, rl, safeEnd),
                  arith::ConstantIndexOp::create(rb, rl, L), ValueRange{t},
                  [&](OpBuilder &cb, Location, Value ow0, ValueRange colArgs) {
                    Value r = emitVector(cb, colArgs[0], row, ow0, std::nullopt, L);
                    scf::YieldOp::create(cb, rl, r);
                  });
              t = cols.getResult(0);
            }
            for (int64_t ow0 = safeEnd; ow0 < owN; ow0 += L)
              t = emitVector(rb, t, row, arith::ConstantIndexOp::create(rb, rl, ow0), ow0,
                             std::min(L, owN - ow0));
            scf::YieldOp::create(rb, rl, t);
          });
      return rows.getResult(0);
    };

    SmallVector<OpFoldResult> planeSizes = {one, one, rewriter.getIndexAttr(ohN),
                                            rewriter.getIndexAttr(owN)};
    SmallVector<OpFoldResult> unitStrides(4, one);
    Value result;
    if (parallel) {
      auto forall = scf::ForallOp::create(rewriter, loc, ubs, ValueRange{dest}, std::nullopt);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(forall.getBody());
      SmallVector<Value> ivs = forall.getInductionVars();
      Value plane = bodyBuilder(rewriter, loc, ivs, forall.getRegionIterArgs()[0]);
      Value c = channel(rewriter, loc, ivs[1], ivs[2]);
      rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(
          rewriter, loc, plane, forall.getRegionIterArgs()[0],
          ArrayRef<OpFoldResult>{ivs[0], c, zero, zero}, planeSizes, unitStrides);
      result = forall.getResult(0);
    } else {
      // Sequential: three nested scf.for carrying the output tensor.
      Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
      SmallVector<Value> ubValues = {batch,
                                     arith::ConstantIndexOp::create(rewriter, loc, groups),
                                     arith::ConstantIndexOp::create(rewriter, loc, fg)};
      SmallVector<Value> ivs;
      std::function<Value(OpBuilder &, unsigned, Value)> nest =
          [&](OpBuilder &b, unsigned level, Value out) -> Value {
        auto loop = scf::ForOp::create(
            b, loc, c0, ubValues[level], c1, ValueRange{out},
            [&](OpBuilder &lb, Location l, Value iv, ValueRange args) {
              ivs.push_back(iv);
              Value next;
              if (level == 2) {
                Value plane = bodyBuilder(lb, l, ivs, args[0]);
                next = tensor::InsertSliceOp::create(
                    lb, l, plane, args[0],
                    ArrayRef<OpFoldResult>{ivs[0], channel(lb, l, ivs[1], ivs[2]), zero,
                                           zero},
                    planeSizes, unitStrides);
              } else {
                next = nest(lb, level + 1, args[0]);
              }
              ivs.pop_back();
              scf::YieldOp::create(lb, l, next);
            });
        return loop.getResult(0);
      };
      result = nest(rewriter, 0, dest);
    }
    finishOutput(rewriter, op, output, result);
  }
};

} // namespace
} // namespace kiln
