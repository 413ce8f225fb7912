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
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUVECTORIZEDEPTHWISE
#include "backends/cpu/Passes.h.inc"

namespace {

/// A depthwise convolution generic, as directConv in LowerConv.cpp builds
/// it: loops (n, g, f, oh, ow | c, i, j), inputs x [N, C, Hp, Wp] and
/// w [G, Fg, 1, KH, KW], output [N, G, Fg, OH, OW], body out + x * w.
struct Depthwise {
  Value x, w, init;
  int64_t sh, sw, dh, dw;
};

bool isMulAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || yield.getNumOperands() != 1 || yield.getOperand(0) != add)
    return false;
  Value a0 = body.getArgument(0), a1 = body.getArgument(1), acc = body.getArgument(2);
  bool mulOk = (mul.getLhs() == a0 && mul.getRhs() == a1) ||
               (mul.getLhs() == a1 && mul.getRhs() == a0);
  bool addOk = (add.getLhs() == acc && add.getRhs() == mul) ||
               (add.getLhs() == mul && add.getRhs() == acc);
  return mulOk && addOk;
}

std::optional<Depthwise> matchDepthwise(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || op.getNumLoops() != 8 ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < 8; ++i)
    if (iterators[i] != (i < 5 ? utils::IteratorType::parallel
                               : utils::IteratorType::reduction))
      return std::nullopt;
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1],
        init = op.getDpsInits()[0];
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  auto wt = dyn_cast<RankedTensorType>(w.getType());
  auto ot = dyn_cast<RankedTensorType>(init.getType());
  if (!xt || !wt || !ot || xt.getRank() != 4 || wt.getRank() != 5 || ot.getRank() != 5 ||
      !xt.getElementType().isF32() || !wt.getElementType().isF32() ||
      !ot.getElementType().isF32() || !wt.hasStaticShape() || wt.getDimSize(2) != 1)
    return std::nullopt;
  // Everything but the batch is static.
  for (int64_t i = 1; i < 4; ++i)
    if (xt.isDynamicDim(i))
      return std::nullopt;
  for (int64_t i = 1; i < 5; ++i)
    if (ot.isDynamicDim(i))
      return std::nullopt;
  if (!isMulAddBody(op))
    return std::nullopt;

  MLIRContext *ctx = op.getContext();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineExpr n, g, f, oh, ow, c, i, j;
  bindDims(ctx, n, g, f, oh, ow, c, i, j);
  if (maps[1] != AffineMap::get(8, 0, {g, f, c, i, j}, ctx) ||
      maps[2] != AffineMap::get(8, 0, {n, g, f, oh, ow}, ctx))
    return std::nullopt;
  AffineMap xm = maps[0];
  std::optional<int64_t> sh = affineCoefficient(xm.getResult(2), 3, 8),
                         dh = affineCoefficient(xm.getResult(2), 6, 8),
                         sw = affineCoefficient(xm.getResult(3), 4, 8),
                         dw = affineCoefficient(xm.getResult(3), 7, 8);
  if (!sh || !dh || !sw || !dw || *sh < 1 || *sw < 1 || *dh < 1 || *dw < 1)
    return std::nullopt;
  if (xm != AffineMap::get(8, 0, {n, g + c, oh * *sh + i * *dh, ow * *sw + j * *dw}, ctx))
    return std::nullopt;
  // The input holds every window (LowerConv pads it first).
  int64_t kh = wt.getDimSize(3), kw = wt.getDimSize(4);
  if ((ot.getDimSize(3) - 1) * *sh + (kh - 1) * *dh >= xt.getDimSize(2) ||
      (ot.getDimSize(4) - 1) * *sw + (kw - 1) * *dw >= xt.getDimSize(3) ||
      xt.getDimSize(1) != ot.getDimSize(1))
    return std::nullopt;
  return Depthwise{x, w, init, *sh, *sw, *dh, *dw};
}

/// Where the accumulator starts when the output's initial value is a
/// per-channel broadcast (the bias) or a fill, instead of a tensor to read:
/// the value at channel (g, f) is then one scalar.
struct ScalarInit {
  /// A fill's value, or the broadcast generic's input (read at `channelMap`).
  Value fill, source;
  /// Maps (n, g, f) of the 5-D output to the source's indices.
  AffineMap channelMap;
};

/// Recognizes init = [expand_shape of] a fill or a broadcast generic whose
/// input depends on the channel only.
std::optional<ScalarInit> scalarInit(Value init, int64_t fg) {
  MLIRContext *ctx = init.getContext();
  AffineExpr n, g, f;
  bindDims(ctx, n, g, f);
  // The generic's iteration space: 5-D (n, g, f, oh, ow), or 4-D
  // (n, g*Fg + f, oh, ow) behind an expand_shape of the channel dim.
  SmallVector<AffineExpr> point = {n, g, f, getAffineConstantExpr(0, ctx),
                                   getAffineConstantExpr(0, ctx)};
  Value v = init;
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>()) {
    SmallVector<ReassociationIndices> expected = {{0}, {1, 2}, {3}, {4}};
    if (expand.getReassociationIndices() != expected)
      return std::nullopt;
    v = expand.getSrc();
    point = {n, g * fg + f, getAffineConstantExpr(0, ctx), getAffineConstantExpr(0, ctx)};
  }
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return ScalarInit{fill.getInputs()[0], Value(), AffineMap()};
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != point.size() || !generic.hasPureTensorSemantics())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!maps[1].isIdentity() || generic.getNumParallelLoops() != generic.getNumLoops())
    return std::nullopt;
  // The input may depend on the channel dim(s) only: not on n or space.
  unsigned channelDims = point.size() == 5 ? 2 : 1;
  for (AffineExpr r : maps[0].getResults())
    for (unsigned d = 0; d < maps[0].getNumDims(); ++d)
      if (r.isFunctionOfDim(d) && (d == 0 || d > channelDims))
        return std::nullopt;
  AffineMap channelMap = maps[0].compose(AffineMap::get(3, 0, point, ctx));
  return ScalarInit{Value(), generic.getDpsInputs()[0], channelMap};
}

/// An elementwise op applied to the convolution's result (through the
/// collapse_shape back to [N, F, OH, OW]): a linalg.generic with identity
/// maps on [N, F, OH, OW] operands, arith/math scalar ops in its body, its
/// output only written. Its body then runs on the accumulator vectors
/// before they are stored (a ReLU6 after a depthwise convolution costs no
/// pass of its own).
struct Epilogue {
  linalg::GenericOp op;
  tensor::CollapseShapeOp collapse;
  unsigned convInput; // which input is the convolution's result
};

std::optional<Epilogue> elementwiseConsumer(linalg::GenericOp conv,
                                            RankedTensorType out4Type) {
  Value result = conv.getResult(0);
  if (!result.hasOneUse())
    return std::nullopt;
  auto collapse = dyn_cast<tensor::CollapseShapeOp>(*result.getUsers().begin());
  if (!collapse || collapse.getType() != out4Type || !collapse.getResult().hasOneUse())
    return std::nullopt;
  auto op = dyn_cast<linalg::GenericOp>(*collapse.getResult().getUsers().begin());
  if (!op || op.getNumDpsInits() != 1 || op.getNumLoops() != 4 ||
      op.getNumParallelLoops() != 4 || !op.hasPureTensorSemantics() ||
      op.getDpsInits()[0].getType() != out4Type ||
      !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) { return m.isIdentity(); }))
    return std::nullopt;
  std::optional<unsigned> convInput;
  for (auto [i, in] : llvm::enumerate(op.getDpsInputs())) {
    if (in.getType() != out4Type)
      return std::nullopt;
    if (in == collapse.getResult())
      convInput = i;
  }
  Block &body = op.getRegion().front();
  if (!convInput || !body.getArgument(op.getNumDpsInputs()).use_empty())
    return std::nullopt;
  for (Operation &inner : body.without_terminator()) {
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) ||
        inner.getNumRegions() != 0)
      return std::nullopt;
    for (Type t : llvm::concat<Type>(inner.getOperandTypes(), inner.getResultTypes()))
      if (!t.isIntOrFloat())
        return std::nullopt;
  }
  return Epilogue{op, collapse, *convInput};
}

struct VectorizeDepthwisePass
    : impl::KilnCpuVectorizeDepthwiseBase<VectorizeDepthwisePass> {
  using KilnCpuVectorizeDepthwiseBase::KilnCpuVectorizeDepthwiseBase;

  void runOnOperation() override {
    if (lanes < 1) {
      getOperation()->emitError("kiln-cpu-vectorize-depthwise: lanes must be >= 1, got ")
          << lanes;
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Depthwise>> convs;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Depthwise> d = matchDepthwise(op))
        convs.push_back({op, *d});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, d] : convs)
      rewrite(rewriter, op, d);
  }

  void rewrite(IRRewriter &rewriter, linalg::GenericOp op, const Depthwise &d) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
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

    std::optional<ScalarInit> si = scalarInit(d.init, fg);
    // The batch size, read from the convolution's input (not from the
    // initial value, which a fused bias no longer needs to compute).
    Value batchSource = d.x;
    if (auto pad = d.x.getDefiningOp<tensor::PadOp>())
      batchSource = pad.getSource();
    // The loop nest writes a 4-D [N, F, OH, OW] tensor, expanded back to
    // the generic's [N, G, Fg, OH, OW]: the expand_shape then cancels the
    // collapse_shape after it, and a model output is written in place.
    auto out4Type = RankedTensorType::get(
        {ot.getDimSize(0), groups * fg, ohN, owN}, f32);
    SmallVector<ReassociationIndices> channelSplit = {{0}, {1, 2}, {3}, {4}};
    std::optional<Epilogue> epi;
    if (si)
      epi = elementwiseConsumer(op, out4Type);
    // Fused, the loop nest replaces the epilogue and is built where it is
    // (its output and other inputs are defined by then).
    if (epi)
      rewriter.setInsertionPoint(epi->op);
    Value dest;
    if (epi) {
      dest = epi->op.getDpsInits()[0];
    } else if (si) {
      SmallVector<Value> dyn;
      if (ot.isDynamicDim(0))
        dyn.push_back(tensor::DimOp::create(rewriter, loc, batchSource, 0));
      dest = tensor::EmptyOp::create(rewriter, loc, out4Type, dyn);
    } else {
      dest = tensor::CollapseShapeOp::create(rewriter, loc, out4Type, d.init, channelSplit);
    }
    Value batch = ot.isDynamicDim(0)
                      ? Value(tensor::DimOp::create(rewriter, loc, batchSource, 0))
                      : Value(arith::ConstantIndexOp::create(rewriter, loc, ot.getDimSize(0)));

    // A zero tensor.pad of the input is done plane by plane inside the
    // loop (a padded plane stays in cache) instead of on the whole tensor.
    Value input = d.x;
    SmallVector<int64_t> padLow = {0, 0}, padHigh = {0, 0};
    if (auto pad = d.x.getDefiningOp<tensor::PadOp>()) {
      Value padValue = pad.getConstantPaddingValue();
      ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
      if (padValue && matchPattern(padValue, m_AnyZeroFloat()) &&
          !ShapedType::isDynamicShape(low) && !ShapedType::isDynamicShape(high) &&
          low[0] == 0 && low[1] == 0 && high[0] == 0 && high[1] == 0) {
        input = pad.getSource();
        padLow = {low[2], low[3]};
        padHigh = {high[2], high[3]};
      }
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
      if (si && si->fill) {
        initVector = vector::BroadcastOp::create(b, l, vt, si->fill);
      } else if (si) {
        SmallVector<Value> idx;
        for (AffineExpr e : si->channelMap.getResults())
          idx.push_back(affine::AffineApplyOp::create(
              b, l, AffineMap::get(3, 0, e, ctx), ValueRange{nI, gI, fI}));
        initVector = vector::BroadcastOp::create(
            b, l, vt, tensor::ExtractOp::create(b, l, si->source, idx));
      }
      Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
      AffineMap minor = AffineMap::getMinorIdentityMap(2, 1, ctx);

      // One vector of outputs at row `row`, columns ow0 .. ow0 + L, of
      // which `valid` are in range (a constant mask when < L; ow0Static
      // is the column when it is a constant, for the read masks).
      auto emitVector = [&](OpBuilder &vb, Value t, Value row, Value ow0,
                            std::optional<int64_t> ow0Static, int64_t valid) -> Value {
        auto mask = [&](int64_t width, int64_t count) -> Value {
          if (count >= width)
            return Value();
          return vector::ConstantMaskOp::create(
              vb, l, VectorType::get({width}, vb.getI1Type()), ArrayRef<int64_t>{count});
        };
        auto inBounds = vb.getBoolArrayAttr({true});
        Value outMask = mask(L, valid);
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
            int64_t width = L * d.sw;
            int64_t readable =
                ow0Static ? wp - (*ow0Static * d.sw + j * d.dw) : width;
            auto wideType = VectorType::get({width}, f32);
            Value xv = vector::TransferReadOp::create(
                vb, l, wideType, xPlane, ValueRange{xRow, col}, minor, pad,
                mask(width, readable), inBounds);
            if (d.sw > 1) {
              SmallVector<int64_t> pick;
              for (int64_t k = 0; k < L; ++k)
                pick.push_back(k * d.sw);
              xv = vector::ShuffleOp::create(vb, l, xv, xv, pick);
            }
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
      // in a loop: ow0*sw + (KW-1)*dw + L*sw <= Wp and ow0 + L <= OW.
      // (Floor division: a negative numerator means no column is safe.)
      int64_t lastSafe =
          std::min(owN - L, llvm::divideFloorSigned(wp - (kw - 1) * d.dw - L * d.sw, d.sw));
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
      ValueRange ivs = forall.getInductionVars();
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
    if (epi) {
      rewriter.replaceOp(epi->op, result);
      rewriter.eraseOp(epi->collapse);
      rewriter.eraseOp(op);
      return;
    }
    rewriter.replaceOp(op, tensor::ExpandShapeOp::create(rewriter, loc, ot, result,
                                                         channelSplit));
  }

  /// The epilogue's body on vectors: its convolution input is `acc`, its
  /// other inputs are read at `index` ([n, channel, row, column]) with
  /// `mask`; scalars from outside the body are broadcast.
  Value applyEpilogue(OpBuilder &b, Location l, Epilogue epi, Value acc,
                      ValueRange index, Value mask) {
    auto vt = cast<VectorType>(acc.getType());
    int64_t L = vt.getDimSize(0);
    Block &body = epi.op.getRegion().front();
    IRMapping map;
    Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
    AffineMap minor = AffineMap::getMinorIdentityMap(4, 1, b.getContext());
    for (auto [i, in] : llvm::enumerate(epi.op.getDpsInputs())) {
      if (i == epi.convInput) {
        map.map(body.getArgument(i), acc);
        continue;
      }
      map.map(body.getArgument(i),
              vector::TransferReadOp::create(b, l, vt, in, index, minor, pad, mask,
                                             b.getBoolArrayAttr({true}))
                  .getResult());
    }
    auto vectorOf = [&](Type t) { return VectorType::get({L}, t); };
    for (Operation &inner : body.without_terminator()) {
      for (Value operand : inner.getOperands())
        if (!map.contains(operand))
          map.map(operand, vector::BroadcastOp::create(b, l, vectorOf(operand.getType()),
                                                       operand));
      if (auto cst = dyn_cast<arith::ConstantOp>(inner)) {
        Value scalar = b.clone(inner)->getResult(0);
        map.map(cst.getResult(),
                vector::BroadcastOp::create(b, l, vectorOf(cst.getType()), scalar));
        continue;
      }
      Operation *clone = b.clone(inner, map);
      for (Value r : clone->getResults())
        r.setType(vectorOf(r.getType()));
    }
    return map.lookup(body.getTerminator()->getOperand(0));
  }
};

} // namespace
} // namespace kiln
