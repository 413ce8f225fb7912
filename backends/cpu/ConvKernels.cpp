//===- ConvKernels.cpp - Shared parts of the direct convolution kernels ---===//
#include "backends/cpu/ConvKernels.h"
#include "backends/cpu/LoweringUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln::convkernel {

namespace {

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

} // namespace

std::optional<DirectConv> matchDirectConv(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || op.getNumLoops() != 8 ||
      !op.hasPureTensorSemantics())
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < 8; ++i)
    if (iterators[i] != (i < 5 ? utils::IteratorType::parallel
                               : utils::IteratorType::reduction))
      return std::nullopt;
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1], init = op.getDpsInits()[0];
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  auto wt = dyn_cast<RankedTensorType>(w.getType());
  auto ot = dyn_cast<RankedTensorType>(init.getType());
  if (!xt || !wt || !ot || xt.getRank() != 4 || wt.getRank() != 5 || ot.getRank() != 5 ||
      !xt.getElementType().isF32() || !wt.getElementType().isF32() ||
      !ot.getElementType().isF32() || !wt.hasStaticShape())
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
  int64_t cg = wt.getDimSize(2), groups = wt.getDimSize(0);
  if (xm != AffineMap::get(8, 0, {n, g * cg + c, oh * *sh + i * *dh, ow * *sw + j * *dw},
                           ctx))
    return std::nullopt;
  // The input holds every window (LowerConv pads it first).
  int64_t kh = wt.getDimSize(3), kw = wt.getDimSize(4);
  if ((ot.getDimSize(3) - 1) * *sh + (kh - 1) * *dh >= xt.getDimSize(2) ||
      (ot.getDimSize(4) - 1) * *sw + (kw - 1) * *dw >= xt.getDimSize(3) ||
      xt.getDimSize(1) != groups * cg || ot.getDimSize(1) != groups)
    return std::nullopt;
  return DirectConv{x, w, init, *sh, *sw, *dh, *dw};
}

void rewriteEachMatch(
    Operation *root, llvm::function_ref<std::optional<DirectConv>(linalg::GenericOp)> match,
    llvm::function_ref<void(linalg::GenericOp, const DirectConv &)> rewrite) {
  SmallVector<linalg::GenericOp> convs;
  root->walk([&](linalg::GenericOp op) {
    if (match(op))
      convs.push_back(op);
  });
  for (linalg::GenericOp op : convs)
    if (std::optional<DirectConv> d = match(op))
      rewrite(op, *d);
}

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
  // A fill in generic form (kiln-fuse generalizes fills): no inputs, the
  // body yields a value from outside.
  if (generic && generic.getNumDpsInputs() == 0 && generic.getNumDpsInits() == 1 &&
      generic.hasPureTensorSemantics()) {
    Block &body = generic.getRegion().front();
    Value yielded = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0);
    if (body.getOperations().size() == 1 && yielded.getParentBlock() != &body)
      return ScalarInit{yielded, Value(), AffineMap()};
    return std::nullopt;
  }
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

Value scalarInitValue(OpBuilder &b, Location l, const ScalarInit &si, Value n, Value g,
                      Value f) {
  if (si.fill)
    return si.fill;
  SmallVector<Value> idx;
  for (AffineExpr e : si.channelMap.getResults())
    idx.push_back(affine::AffineApplyOp::create(
        b, l, AffineMap::get(3, 0, e, b.getContext()), ValueRange{n, g, f}));
  return tensor::ExtractOp::create(b, l, si.source, idx);
}

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
        map.map(operand,
                vector::BroadcastOp::create(b, l, vectorOf(operand.getType()), operand));
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

ConvOutput prepareOutput(RewriterBase &rewriter, linalg::GenericOp op, const DirectConv &d) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto ot = cast<RankedTensorType>(d.init.getType());
  ConvOutput out;
  out.init = scalarInit(d.init, ot.getDimSize(2));
  // The kernel writes a 4-D [N, F, OH, OW] tensor, expanded back to the
  // generic's [N, G, Fg, OH, OW]: the expand_shape then cancels the
  // collapse_shape after it, and a model output is written in place.
  out.type = RankedTensorType::get({ot.getDimSize(0), ot.getDimSize(1) * ot.getDimSize(2),
                                    ot.getDimSize(3), ot.getDimSize(4)},
                                   ot.getElementType());
  if (out.init)
    out.epilogue = elementwiseConsumer(op, out.type);
  // Fused, the kernel replaces the epilogue and is built where it is (its
  // output and other inputs are defined by then).
  if (out.epilogue)
    rewriter.setInsertionPoint(out.epilogue->op);
  // The batch size, read from the convolution's input (not from the
  // initial value, which a fused bias no longer needs to compute).
  Value batchSource = d.x;
  if (auto pad = d.x.getDefiningOp<tensor::PadOp>())
    batchSource = pad.getSource();
  out.batch = ot.isDynamicDim(0)
                  ? Value(tensor::DimOp::create(rewriter, loc, batchSource, 0))
                  : Value(arith::ConstantIndexOp::create(rewriter, loc, ot.getDimSize(0)));
  if (out.epilogue) {
    out.dest = out.epilogue->op.getDpsInits()[0];
  } else if (out.init) {
    SmallVector<Value> dyn;
    if (ot.isDynamicDim(0))
      dyn.push_back(out.batch);
    out.dest = tensor::EmptyOp::create(rewriter, loc, out.type, dyn);
  } else {
    out.dest = tensor::CollapseShapeOp::create(
        rewriter, loc, out.type, d.init,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  }
  return out;
}

void finishOutput(RewriterBase &rewriter, linalg::GenericOp op, const ConvOutput &out,
                  Value result) {
  if (out.epilogue) {
    rewriter.replaceOp(out.epilogue->op, result);
    rewriter.eraseOp(out.epilogue->collapse);
    rewriter.eraseOp(op);
    return;
  }
  rewriter.replaceOp(op, tensor::ExpandShapeOp::create(
                             rewriter, op.getLoc(), op.getResult(0).getType(), result,
                             ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}));
}

std::optional<SpatialPad> zeroSpatialPad(Value x) {
  auto pad = x.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return std::nullopt;
  Value padValue = pad.getConstantPaddingValue();
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  if (!padValue || !matchPattern(padValue, m_AnyZeroFloat()) ||
      ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) ||
      low.size() != 4 || low[0] != 0 || low[1] != 0 || high[0] != 0 || high[1] != 0)
    return std::nullopt;
  return SpatialPad{pad.getSource(), {low[2], low[3]}, {high[2], high[3]}};
}

Value prefixMask(OpBuilder &b, Location l, int64_t width, int64_t count) {
  if (count >= width)
    return Value();
  return vector::ConstantMaskOp::create(b, l, VectorType::get({width}, b.getI1Type()),
                                        ArrayRef<int64_t>{count});
}

Value readInputVector(OpBuilder &b, Location l, Value t, ValueRange index, int64_t lanes,
                      int64_t stride, int64_t readable) {
  int64_t width = lanes * stride;
  auto rank = static_cast<unsigned>(index.size());
  AffineMap minor = AffineMap::getMinorIdentityMap(rank, 1, b.getContext());
  Value pad = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
  Value v = vector::TransferReadOp::create(
      b, l, VectorType::get({width}, b.getF32Type()), t, index, minor, pad,
      prefixMask(b, l, width, readable), b.getBoolArrayAttr({true}));
  if (stride == 1)
    return v;
  SmallVector<int64_t> pick;
  for (int64_t k = 0; k < lanes; ++k)
    pick.push_back(k * stride);
  return vector::ShuffleOp::create(b, l, v, v, pick);
}

int64_t lastSafeColumn(int64_t ow, int64_t wp, int64_t kw, int64_t sw, int64_t dw,
                       int64_t lanes) {
  // Floor division: a negative numerator means no column is safe.
  return std::min(ow - lanes, llvm::divideFloorSigned(wp - (kw - 1) * dw - lanes * sw, sw));
}

} // namespace kiln::convkernel
