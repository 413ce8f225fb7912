//===- LowerConv.cpp - Convolutions and window pooling to linalg ----------===//
//
//   conv2d            zero pad, then one linalg.generic over
//                     (n, g, f, oh, ow | c, kh, kw) reading
//                     x[n, g*Cg + c, oh*sh + kh*dh, ow*sw + kw*dw]
//                     (the direct path; --kiln-unfold-convolution turns
//                     conv2d into im2col + matmul before this runs)
//   im2col            zero pad, one copy-generic writing [N, C*KH*KW, OH*OW]
//                     directly (floordiv/mod index maps)
//   conv_transpose2d  the input dilated by the stride (strided
//                     tensor.insert_slice into zeros) and padded by
//                     d*(k-1), convolved with the flipped weight, cropped
//   max_pool2d        -inf pad (extra bottom/right padding for ceil_mode),
//                     a max-reduction generic over the window
//   avg_pool2d        zero pad, sum-reduction generic, divided by a
//                     compile-time [OH, OW] table of window sizes
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"
#include "ir/ConstantAttrs.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;

namespace kiln {
namespace {

RankedTensorType tensorType(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

/// Pads the spatial dims of x [N, C, H, W] by `low`/`high` (h, w) with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, double value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += low[0] + high[0];
  shape[3] += low[1] + high[1];
  SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0),
                                  b.getIndexAttr(low[0]), b.getIndexAttr(low[1])};
  SmallVector<OpFoldResult> hi = {b.getIndexAttr(0), b.getIndexAttr(0),
                                  b.getIndexAttr(high[0]), b.getIndexAttr(high[1])};
  Value pad = floatConstant(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, tensorType(shape, type.getElementType()), x, lo,
                               hi, pad);
}

SmallVector<OpFoldResult> withBatch(OpBuilder &b, Location loc, Value like,
                                    ArrayRef<int64_t> shape) {
  SmallVector<OpFoldResult> sizes;
  for (size_t i = 0; i < shape.size(); ++i)
    sizes.push_back(i == 0 ? tensor::getMixedSize(b, loc, like, 0)
                           : OpFoldResult(b.getIndexAttr(shape[i])));
  return sizes;
}

/// The direct convolution of an already padded input:
/// out[n, g*Fg + f, oh, ow] (+)= sum x[n, g*Cg + c, oh*s + kh*d, ...] w[g*Fg + f, c, kh, kw]
/// `init` is [N, G, Fg, OH, OW] (zeros or the broadcast bias).
Value directConv(OpBuilder &b, Location loc, Value padded, Value weight, Value init,
                 ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation, int64_t groups) {
  auto wt = cast<RankedTensorType>(weight.getType());
  int64_t f = wt.getDimSize(0), cg = wt.getDimSize(1), kh = wt.getDimSize(2),
          kw = wt.getDimSize(3), fg = f / groups;
  // weight [F, Cg, KH, KW] -> [G, Fg, Cg, KH, KW] (a view).
  auto w5 = tensorType({groups, fg, cg, kh, kw}, wt.getElementType());
  Value weight5 = tensor::ExpandShapeOp::create(
      b, loc, w5, weight, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  MLIRContext *ctx = b.getContext();
  AffineExpr n, g, fo, oh, ow, c, i, j;
  bindDims(ctx, n, g, fo, oh, ow, c, i, j);
  auto xMap = AffineMap::get(8, 0,
                             {n, g * cg + c, oh * stride[0] + i * dilation[0],
                              ow * stride[1] + j * dilation[1]},
                             ctx);
  auto wMap = AffineMap::get(8, 0, {g, fo, c, i, j}, ctx);
  auto oMap = AffineMap::get(8, 0, {n, g, fo, oh, ow}, ctx);
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{padded, weight5},
             ValueRange{init}, ArrayRef<AffineMap>{xMap, wMap, oMap}, iterators,
             [](OpBuilder &nb, Location nl, ValueRange args) {
               Value prod = arith::MulFOp::create(nb, nl, args[0], args[1]);
               linalg::YieldOp::create(nb, nl,
                                       Value(arith::AddFOp::create(nb, nl, args[2], prod)));
             })
      .getResult(0);
}

/// [N, G, Fg, OH, OW] initialized with the bias [F] (or zeros).
Value convInit(OpBuilder &b, Location loc, Value like, RankedTensorType result5,
               Value bias) {
  SmallVector<OpFoldResult> sizes = withBatch(b, loc, like, result5.getShape());
  Type element = result5.getElementType();
  if (!bias)
    return filledTensor(b, loc, result5, sizes, floatConstant(b, loc, element, 0.0));
  int64_t groups = result5.getDimSize(1), fg = result5.getDimSize(2);
  Value bias2 = tensor::ExpandShapeOp::create(
      b, loc, tensorType({groups, fg}, element), bias,
      ArrayRef<ReassociationIndices>{{0, 1}});
  Value init = emptyTensor(b, loc, result5, sizes);
  MLIRContext *ctx = b.getContext();
  AffineExpr n, g, f, h, w;
  bindDims(ctx, n, g, f, h, w);
  return linalg::GenericOp::create(
             b, loc, TypeRange{result5}, ValueRange{bias2}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(5, 0, {g, f}, ctx),
                                 AffineMap::getMultiDimIdentityMap(5, ctx)},
             SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

/// conv2d of an unpadded-or-padded input with everything explicit; returns
/// [N, F, OH, OW] of `resultType`.
Value buildConv(OpBuilder &b, Location loc, Value padded, Value weight, Value bias,
                RankedTensorType resultType, ArrayRef<int64_t> stride,
                ArrayRef<int64_t> dilation, int64_t groups) {
  int64_t f = resultType.getDimSize(1);
  auto result5 = tensorType({resultType.getDimSize(0), groups, f / groups,
                             resultType.getDimSize(2), resultType.getDimSize(3)},
                            resultType.getElementType());
  Value init = convInit(b, loc, padded, result5, bias);
  Value out = directConv(b, loc, padded, weight, init, stride, dilation, groups);
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, out, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

struct Conv2dLowering : OpConversionPattern<Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> p = op.getPadding();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), {p[0], p[1]},
                              {p[2], p[3]}, 0.0);
    Value result = buildConv(rewriter, loc, padded, adaptor.getWeight(),
                             adaptor.getBias(), op.getType(), op.getStride(),
                             op.getDilation(), static_cast<int64_t>(op.getGroups()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct Im2ColLowering : OpConversionPattern<Im2ColOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Im2ColOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> p = op.getPadding(), k = op.getKernel(), s = op.getStride(),
                      d = op.getDilation();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), {p[0], p[1]},
                              {p[2], p[3]}, 0.0);
    auto in = cast<RankedTensorType>(op.getInput().getType());
    RankedTensorType result = op.getType();
    int64_t l = result.getDimSize(2);
    // OH * OW = L; recover OW from the window rule.
    int64_t oh = (in.getDimSize(2) + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
    int64_t ow = l / oh;
    // One loop per result dim (n, row, column): the row r is (c, i, j) and
    // the column q is (y, x), recovered with floordiv/mod by constants. The
    // 3-D form (no collapse_shape after it) lets kiln-fuse tile this copy
    // together with the matmul that consumes it, one column panel at a time:
    // for panels of whole output rows the accessed input window is exact.
    Value init =
        emptyTensor(rewriter, loc, result, withBatch(rewriter, loc, padded, result.getShape()));
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, r, q;
    bindDims(ctx, n, r, q);
    AffineExpr c = r.floorDiv(k[0] * k[1]), i = (r.floorDiv(k[1])) % k[0], j = r % k[1];
    AffineExpr y = q.floorDiv(ow), x = q % ow;
    auto inMap = AffineMap::get(3, 0, {n, c, y * s[0] + i * d[0], x * s[1] + j * d[1]}, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{result}, ValueRange{padded}, ValueRange{init},
        ArrayRef<AffineMap>{inMap, AffineMap::getMultiDimIdentityMap(3, ctx)},
        SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, args[0]);
        });
    // The window geometry, for kiln-fuse to rewrite a tile of this copy
    // without the floordiv/mod index arithmetic.
    generic->setAttr("kiln.im2col", rewriter.getDenseI64ArrayAttr(
                                        {k[0], k[1], s[0], s[1], d[0], d[1], ow}));
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ConvTranspose2dLowering : OpConversionPattern<ConvTranspose2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTranspose2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    auto wt = cast<RankedTensorType>(op.getWeight().getType());
    Type element = in.getElementType();
    ArrayRef<int64_t> s = op.getStride(), p = op.getPadding(),
                      op_ = op.getOutputPadding(), d = op.getDilation();
    auto groups = static_cast<int64_t>(op.getGroups());
    int64_t c = in.getDimSize(1), cg = c / groups, fg = wt.getDimSize(1),
            kh = wt.getDimSize(2), kw = wt.getDimSize(3), f = fg * groups;
    int64_t k[2] = {kh, kw};
    // Dilate by the stride and pad by d*(k-1) (+ output_padding at the end).
    int64_t padded[2];
    for (int i = 0; i < 2; ++i)
      padded[i] = (in.getDimSize(2 + i) - 1) * s[i] + 1 + 2 * d[i] * (k[i] - 1) + op_[i];
    auto paddedType = tensorType({in.getDimSize(0), c, padded[0], padded[1]}, element);
    Value zeros =
        filledTensor(rewriter, loc, paddedType,
                     withBatch(rewriter, loc, adaptor.getInput(), paddedType.getShape()),
                     floatConstant(rewriter, loc, element, 0.0));
    SmallVector<OpFoldResult> offsets = {
        rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
        rewriter.getIndexAttr(d[0] * (kh - 1)), rewriter.getIndexAttr(d[1] * (kw - 1))};
    SmallVector<OpFoldResult> sizes =
        withBatch(rewriter, loc, adaptor.getInput(), in.getShape());
    SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                                         rewriter.getIndexAttr(s[0]),
                                         rewriter.getIndexAttr(s[1])};
    Value dilated = tensor::InsertSliceOp::create(rewriter, loc, adaptor.getInput(), zeros,
                                                  offsets, sizes, strides);
    // weight [C, Fg, KH, KW] -> flipped conv weight [F, Cg, KH, KW]:
    // w'[g*Fg + f, c, i, j] = w[g*Cg + c, f, KH-1-i, KW-1-j].
    auto convW = tensorType({f, cg, kh, kw}, element);
    auto convW5 = tensorType({groups, fg, cg, kh, kw}, element);
    Value wInit = tensor::EmptyOp::create(rewriter, loc, convW5.getShape(), element);
    AffineExpr g, fo, ci, i, j;
    bindDims(ctx, g, fo, ci, i, j);
    auto readMap = AffineMap::get(5, 0, {g * cg + ci, fo, (kh - 1) - i, (kw - 1) - j}, ctx);
    Value flipped5 =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{convW5}, ValueRange{adaptor.getWeight()},
            ValueRange{wInit},
            ArrayRef<AffineMap>{readMap, AffineMap::getMultiDimIdentityMap(5, ctx)},
            SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(nb, nl, args[0]);
            })
            .getResult(0);
    Value flipped = tensor::CollapseShapeOp::create(
        rewriter, loc, convW, flipped5,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    // Full (uncropped) output, then crop `padding` from both ends.
    int64_t full[2];
    for (int ax = 0; ax < 2; ++ax)
      full[ax] = padded[ax] - d[ax] * (k[ax] - 1);
    auto fullType = tensorType({in.getDimSize(0), f, full[0], full[1]}, element);
    SmallVector<int64_t> one = {1, 1};
    Value conv = buildConv(rewriter, loc, dilated, flipped, adaptor.getBias(), fullType,
                           one, d, groups);
    RankedTensorType result = op.getType();
    if (p[0] == 0 && p[1] == 0) {
      rewriter.replaceOp(op, conv);
      return success();
    }
    SmallVector<OpFoldResult> cropOffsets = {rewriter.getIndexAttr(0),
                                             rewriter.getIndexAttr(0),
                                             rewriter.getIndexAttr(p[0]),
                                             rewriter.getIndexAttr(p[1])};
    SmallVector<OpFoldResult> cropSizes =
        withBatch(rewriter, loc, adaptor.getInput(), result.getShape());
    SmallVector<OpFoldResult> unit(4, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, result, conv, cropOffsets,
                                                        cropSizes, unit);
    return success();
  }
};

/// Extra bottom/right padding so that every ceil_mode window fits.
SmallVector<int64_t> ceilExtra(RankedTensorType in, RankedTensorType out,
                               ArrayRef<int64_t> k, ArrayRef<int64_t> s,
                               ArrayRef<int64_t> p, ArrayRef<int64_t> d) {
  SmallVector<int64_t> extra;
  for (int i = 0; i < 2; ++i) {
    int64_t need = (out.getDimSize(2 + i) - 1) * s[i] + d[i] * (k[i] - 1) + 1;
    int64_t have = in.getDimSize(2 + i) + p[i] + p[i + 2];
    extra.push_back(std::max<int64_t>(0, need - have));
  }
  return extra;
}

/// A window reduction over (n, c, oh, ow | kh, kw) of a padded input.
Value windowReduce(OpBuilder &b, Location loc, Value padded, RankedTensorType result,
                   ArrayRef<int64_t> k, ArrayRef<int64_t> s, ArrayRef<int64_t> d,
                   double initValue, bool isMax) {
  MLIRContext *ctx = b.getContext();
  Type element = result.getElementType();
  Value init = filledTensor(b, loc, result, withBatch(b, loc, padded, result.getShape()),
                            floatConstant(b, loc, element, initValue));
  // The window tensor only gives the reduction dims their extent.
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{k[0], k[1]}, element);
  AffineExpr n, c, y, x, i, j;
  bindDims(ctx, n, c, y, x, i, j);
  auto inMap = AffineMap::get(6, 0, {n, c, y * s[0] + i * d[0], x * s[1] + j * d[1]}, ctx);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(2, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{result}, ValueRange{padded, window}, ValueRange{init},
             ArrayRef<AffineMap>{inMap, AffineMap::get(6, 0, {i, j}, ctx),
                                 AffineMap::get(6, 0, {n, c, y, x}, ctx)},
             iterators,
             [isMax](OpBuilder &nb, Location nl, ValueRange args) {
               Value r = isMax ? Value(arith::MaximumFOp::create(nb, nl, args[0], args[2]))
                               : Value(arith::AddFOp::create(nb, nl, args[0], args[2]));
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

struct MaxPool2dLowering : OpConversionPattern<MaxPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStride(), p = op.getPadding(),
                      d = op.getDilation();
    SmallVector<int64_t> extra = ceilExtra(in, op.getType(), k, s, p, d);
    double ninf = -std::numeric_limits<double>::infinity();
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), {p[0], p[1]},
                              {p[2] + extra[0], p[3] + extra[1]}, ninf);
    rewriter.replaceOp(op, windowReduce(rewriter, loc, padded, op.getType(), k, s, d,
                                        ninf, /*isMax=*/true));
    return success();
  }
};

struct AvgPool2dLowering : OpConversionPattern<AvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    RankedTensorType result = op.getType();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStride(), p = op.getPadding();
    SmallVector<int64_t> d = {1, 1};
    SmallVector<int64_t> extra = ceilExtra(in, result, k, s, p, d);
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), {p[0], p[1]},
                              {p[2] + extra[0], p[3] + extra[1]}, 0.0);
    Value sums = windowReduce(rewriter, loc, padded, result, k, s, d, 0.0, false);
    // PyTorch's divisor: the window clipped to the padded input (or to the
    // input itself without count_include_pad).
    int64_t oh = result.getDimSize(2), ow = result.getDimSize(3);
    int64_t h = in.getDimSize(2), w = in.getDimSize(3);
    std::vector<double> divisors;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t y0 = y * s[0] - p[0], x0 = x * s[1] - p[1];
        int64_t y1 = std::min(y0 + k[0], h + p[2]), x1 = std::min(x0 + k[1], w + p[3]);
        int64_t area = (y1 - y0) * (x1 - x0);
        if (!op.getCountIncludePad()) {
          y0 = std::max<int64_t>(y0, 0);
          x0 = std::max<int64_t>(x0, 0);
          y1 = std::min(y1, h);
          x1 = std::min(x1, w);
          area = std::max<int64_t>(0, y1 - y0) * std::max<int64_t>(0, x1 - x0);
        }
        divisors.push_back(1.0 / static_cast<double>(std::max<int64_t>(area, 1)));
      }
    Type element = result.getElementType();
    auto tableType = tensorType({oh, ow}, element);
    DenseElementsAttr table = floatDenseAttr(tableType, divisors);
    Value inv = arith::ConstantOp::create(rewriter, loc, tableType, table);
    rewriter.replaceOp(op, buildElementwise(
                               rewriter, loc, result, ValueRange{sums, inv},
                               [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                                 return arith::MulFOp::create(nb, nl, args[0], args[1]);
                               }));
    return success();
  }
};

} // namespace

void populateConvLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, Im2ColLowering, ConvTranspose2dLowering,
               MaxPool2dLowering, AvgPool2dLowering>(patterns.getContext());
}

} // namespace kiln
