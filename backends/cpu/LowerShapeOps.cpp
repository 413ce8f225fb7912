//===- LowerShapeOps.cpp - Shape ops and reductions to tensor/linalg ------===//
//
// reshape -> collapse_shape/expand_shape (views), transpose ->
// linalg.transpose, concat -> insert_slice into one buffer, slice ->
// extract_slice with a stride, reductions -> linalg.reduce (+ a reshape for
// keepdim), argmax -> a linalg.generic carrying (max, index) pairs.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// The size of the (single) dynamic dimension of `v`, i.e. the batch size.
OpFoldResult dynamicSize(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      return tensor::DimOp::create(b, loc, v, i).getResult();
  return b.getIndexAttr(0);
}

/// Sizes of `x` with the dimensions in `reduced` set to 1 (keepdim results).
SmallVector<OpFoldResult> keepdimSizes(OpBuilder &b, Location loc, Value x,
                                       ArrayRef<int64_t> reduced) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  for (int64_t axis : reduced)
    sizes[axis] = b.getIndexAttr(1);
  return sizes;
}

/// Sizes of `type` with every dynamic dimension equal to the batch size of `v`.
SmallVector<OpFoldResult> sizesWithBatchOf(OpBuilder &b, Location loc,
                                           RankedTensorType type, Value v) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : type.getShape())
    sizes.push_back(ShapedType::isDynamic(d) ? dynamicSize(b, loc, v)
                                             : b.getIndexAttr(d));
  return sizes;
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), x, type,
                                         sizesWithBatchOf(rewriter, op.getLoc(), type, x)));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> in = tensor::getMixedSizes(rewriter, loc, x), sizes;
    for (int64_t p : op.getPermutation())
      sizes.push_back(in[p]);
    Value init = emptyTensor(rewriter, loc, cast<RankedTensorType>(op.getType()), sizes);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc, x, init,
                                                       op.getPermutation())
                               .getResult()[0]);
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    ValueRange inputs = adaptor.getInputs();
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, inputs[0]);
    sizes[axis] = rewriter.getIndexAttr(type.getDimSize(axis));
    Value result = emptyTensor(rewriter, loc, type, sizes);
    int64_t offset = 0;
    for (Value input : inputs) {
      SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result, offsets,
                                             tensor::getMixedSizes(rewriter, loc, input),
                                             strides);
      offset += cast<RankedTensorType>(input.getType()).getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    int64_t axis = op.getAxis(), rank = type.getRank();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    if (type.getDimSize(axis) == 0) {
      // An empty slice: extract_slice rejects an offset at the end, and there
      // is nothing to read anyway.
      sizes[axis] = rewriter.getIndexAttr(0);
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type, sizes));
      return success();
    }
    offsets[axis] = rewriter.getIndexAttr(op.getStart());
    strides[axis] = rewriter.getIndexAttr(op.getStep());
    sizes[axis] = rewriter.getIndexAttr(type.getDimSize(axis));
    rewriter.replaceOp(op, tensor::ExtractSliceOp::create(rewriter, loc, type, x,
                                                          offsets, sizes, strides));
    return success();
  }
};

enum class ReduceKind { Sum, Mean, Max };

/// linalg.reduce of `x` over `axes`; the result drops the reduced dims.
Value buildReduce(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                  ReduceKind kind) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(axes, i))
      continue;
    shape.push_back(type.getDimSize(i));
    sizes.push_back(tensor::getMixedSize(b, loc, x, i));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  double initValue = kind == ReduceKind::Max ? -INFINITY : 0.0;
  Value init = filledTensor(b, loc, outType, sizes,
                            floatConstant(b, loc, type.getElementType(), initValue));
  SmallVector<int64_t> dims(axes);
  llvm::sort(dims);
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{x}, ValueRange{init}, dims,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = kind == ReduceKind::Max
                      ? arith::MaximumFOp::create(nb, nl, args[0], args[1]).getResult()
                      : arith::AddFOp::create(nb, nl, args[0], args[1]).getResult();
        linalg::YieldOp::create(nb, nl, r);
      });
  Value result = reduce.getResult(0);
  if (kind != ReduceKind::Mean)
    return result;
  // mean = sum / (product of the reduced sizes), read at run time when a
  // reduced dimension is dynamic.
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t axis : axes)
    count = arith::MulIOp::create(b, loc, count,
                                  tensor::DimOp::create(b, loc, x, axis));
  Value countF = arith::UIToFPOp::create(
      b, loc, type.getElementType(),
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), count));
  return buildElementwise(b, loc, outType, ValueRange{result},
                          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                            return arith::DivFOp::create(nb, nl, args[0], countF);
                          });
}

template <typename OpTy, ReduceKind kind>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Value reduced = buildReduce(rewriter, loc, x, op.getAxes(), kind);
    auto type = cast<RankedTensorType>(op.getType());
    if (reduced.getType() != type)
      reduced = reshapeTensor(rewriter, loc, reduced, type,
                              keepdimSizes(rewriter, loc, x, op.getAxes()));
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

struct ArgmaxLowering : OpConversionPattern<ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis(), rank = type.getRank();
    SmallVector<int64_t> shape;
    SmallVector<OpFoldResult> sizes;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == axis)
        continue;
      shape.push_back(type.getDimSize(i));
      sizes.push_back(tensor::getMixedSize(rewriter, loc, x, i));
      exprs.push_back(rewriter.getAffineDimExpr(i));
    }
    Type f = type.getElementType(), i64 = rewriter.getI64Type();
    auto maxType = RankedTensorType::get(shape, f);
    auto idxType = RankedTensorType::get(shape, i64);
    Value maxInit = filledTensor(rewriter, loc, maxType, sizes,
                                 floatConstant(rewriter, loc, f, -INFINITY));
    Value idxInit = filledTensor(
        rewriter, loc, idxType, sizes,
        arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(0)));
    AffineMap out = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{maxType, idxType}, ValueRange{x},
        ValueRange{maxInit, idxInit},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), out, out},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = args[0], best = args[1], bestIdx = args[2];
          Value idx = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          // Strictly greater keeps the first maximum; a NaN beats any number
          // (PyTorch treats NaN as the maximum).
          Value greater = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, best);
          Value vNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
          Value bestNum = arith::CmpFOp::create(b, l, arith::CmpFPredicate::ORD, best, best);
          Value take = arith::OrIOp::create(
              b, l, greater, arith::AndIOp::create(b, l, vNan, bestNum));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, v, best),
                         arith::SelectOp::create(b, l, take, idx, bestIdx)});
        });
    Value result = generic.getResult(1);
    auto resultType = cast<RankedTensorType>(op.getType());
    if (result.getType() != resultType)
      result = reshapeTensor(rewriter, loc, result, resultType,
                             keepdimSizes(rewriter, loc, x, {axis}));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering, SliceLowering,
               ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>, ArgmaxLowering>(
      patterns.getContext());
}

} // namespace kiln
