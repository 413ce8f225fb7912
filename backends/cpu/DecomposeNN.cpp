//===- DecomposeNN.cpp - Normalization and resampling as kiln ops ---------===//
//
// These ops are rewritten into simpler kiln ops, which the conversion then
// lowers in turn (a dialect conversion legalizes the ops a pattern creates):
//
//   batch_norm           x * a + b, a = scale * rsqrt(var + eps) and
//                        b = shift - mean * a computed on [C] vectors
//   batch_norm_training  batch mean / biased variance over all dims but 1;
//                        running stats updated with the unbiased variance
//   layer_norm           (x - mean) * rsqrt(var + eps) * scale + shift
//   group_norm           the same on x reshaped to [N, G, C/G * spatial]
//   adaptive_avg_pool2d  global: a mean over H, W; otherwise two matmuls
//   upsample             with constant [in, out] interpolation matrices
//                        (pooling and resampling are separable: one matrix
//                        per spatial axis)
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"
#include "passes/ConstantUtils.h"

#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

Value scalarConst(OpBuilder &b, Location loc, Type element, double v) {
  return makeConstant(b, loc, RankedTensorType::get({}, element), {v});
}

Value matrixConst(OpBuilder &b, Location loc, Type element, int64_t rows, int64_t cols,
                  const std::vector<double> &values) {
  return makeConstant(b, loc, RankedTensorType::get({rows, cols}, element), values);
}

/// [C] -> [C, 1, ..., 1] for broadcasting over dim 1 of a rank-`rank` tensor.
Value perChannel(OpBuilder &b, Location loc, Value v, int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape = {type.getDimSize(0)};
  shape.append(rank - 2, 1);
  return ReshapeOp::create(b, loc, v, shape);
}

/// All dims of `type` except 1.
SmallVector<int64_t> allButChannels(RankedTensorType type) {
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < type.getRank(); ++i)
    axes.push_back(i);
  return axes;
}

struct BatchNormDecomposition : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type element = type.getElementType();
    Value eps = scalarConst(rewriter, loc, element, op.getEpsilon().convertToDouble());
    Value inv = RsqrtOp::create(rewriter, loc,
                                AddOp::create(rewriter, loc, a.getVariance(), eps));
    Value scale = MulOp::create(rewriter, loc, a.getScale(), inv);
    Value shift = SubOp::create(rewriter, loc, a.getShift(),
                                MulOp::create(rewriter, loc, a.getMean(), scale));
    int64_t rank = type.getRank();
    Value y = MulOp::create(rewriter, loc, a.getInput(),
                            perChannel(rewriter, loc, scale, rank));
    rewriter.replaceOpWithNewOp<AddOp>(op, y, perChannel(rewriter, loc, shift, rank));
    return success();
  }
};

struct BatchNormTrainingDecomposition : OpConversionPattern<BatchNormTrainingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormTrainingOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    if (!type.hasStaticShape())
      return op.emitOpError("needs a static batch size to compute the unbiased "
                            "running variance, got ")
             << type;
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes = allButChannels(type);
    int64_t count = type.getNumElements() / type.getDimSize(1);
    Value mean = ReduceMeanOp::create(rewriter, loc, a.getInput(), axes, false);
    Value centered = SubOp::create(rewriter, loc, a.getInput(),
                                   perChannel(rewriter, loc, mean, rank));
    Value var = ReduceMeanOp::create(
        rewriter, loc, MulOp::create(rewriter, loc, centered, centered), axes, false);
    double eps = op.getEpsilon().convertToDouble();
    double m = op.getMomentum().convertToDouble();
    Value inv = RsqrtOp::create(
        rewriter, loc, AddOp::create(rewriter, loc, var, scalarConst(rewriter, loc, element, eps)));
    Value scale = MulOp::create(rewriter, loc, a.getScale(), inv);
    Value y = AddOp::create(
        rewriter, loc,
        MulOp::create(rewriter, loc, centered, perChannel(rewriter, loc, scale, rank)),
        perChannel(rewriter, loc, a.getShift(), rank));
    auto blend = [&](Value running, Value batch, double batchFactor) -> Value {
      Value keep = MulOp::create(rewriter, loc, running,
                                 scalarConst(rewriter, loc, element, 1.0 - m));
      Value add = MulOp::create(rewriter, loc, batch,
                                scalarConst(rewriter, loc, element, m * batchFactor));
      return AddOp::create(rewriter, loc, keep, add);
    };
    double unbias = count > 1 ? static_cast<double>(count) / (count - 1) : 1.0;
    rewriter.replaceOp(op, {y, blend(a.getRunningMean(), mean, 1.0),
                            blend(a.getRunningVar(), var, unbias)});
    return success();
  }
};

/// (x - mean) * rsqrt(var + eps) over `axes` (keepdim), shared by the norms.
Value normalize(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, double eps) {
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  Value mean = ReduceMeanOp::create(b, loc, x, axes, true);
  Value centered = SubOp::create(b, loc, x, mean);
  Value var =
      ReduceMeanOp::create(b, loc, MulOp::create(b, loc, centered, centered), axes, true);
  Value inv = RsqrtOp::create(b, loc, AddOp::create(b, loc, var, scalarConst(b, loc, element, eps)));
  return MulOp::create(b, loc, centered, inv);
}

struct LayerNormDecomposition : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    auto k = static_cast<int64_t>(op.getNormalizedRank());
    SmallVector<int64_t> axes;
    for (int64_t i = rank - k; i < rank; ++i)
      axes.push_back(i);
    Value n = normalize(rewriter, loc, a.getInput(), axes,
                        op.getEpsilon().convertToDouble());
    rewriter.replaceOpWithNewOp<AddOp>(op, MulOp::create(rewriter, loc, n, a.getScale()),
                                       a.getShift());
    return success();
  }
};

struct GroupNormDecomposition : OpConversionPattern<GroupNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GroupNormOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto groups = static_cast<int64_t>(op.getNumGroups());
    int64_t perGroup = type.getDimSize(1) / groups;
    for (int64_t i = 2; i < type.getRank(); ++i)
      perGroup *= type.getDimSize(i);
    int64_t batch = type.isDynamicDim(0) ? -1 : type.getDimSize(0);
    Value grouped = ReshapeOp::create(rewriter, loc, a.getInput(),
                                      ArrayRef<int64_t>{batch, groups, perGroup});
    Value n = normalize(rewriter, loc, grouped, {2}, op.getEpsilon().convertToDouble());
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = batch;
    Value back = ReshapeOp::create(rewriter, loc, n, shape);
    int64_t rank = type.getRank();
    Value y = MulOp::create(rewriter, loc, back, perChannel(rewriter, loc, a.getScale(), rank));
    rewriter.replaceOpWithNewOp<AddOp>(op, y, perChannel(rewriter, loc, a.getShift(), rank));
    return success();
  }
};

/// out = A_h x A_w^T on the two trailing dims, with A_h [OH, H] and
/// A_w [OW, W] given row-major. Two matmuls of the "[..., M, K] x [K, N]"
/// form (one GEMM each), with transposes between.
Value separable(OpBuilder &b, Location loc, Value x, int64_t oh, int64_t h,
                const std::vector<double> &ah, int64_t ow, int64_t w,
                const std::vector<double> &aw) {
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  auto transposed = [](int64_t rows, int64_t cols, const std::vector<double> &m) {
    std::vector<double> t(m.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        t[c * rows + r] = m[r * cols + c];
    return t;
  };
  SmallVector<int64_t> swap = {0, 1, 3, 2};
  Value t = MatmulOp::create(b, loc, x, matrixConst(b, loc, element, w, ow, transposed(ow, w, aw)));
  t = TransposeOp::create(b, loc, t, swap);
  t = MatmulOp::create(b, loc, t, matrixConst(b, loc, element, h, oh, transposed(oh, h, ah)));
  return TransposeOp::create(b, loc, t, swap);
}

std::vector<double> adaptiveMatrix(int64_t out, int64_t in) {
  std::vector<double> m(out * in, 0.0);
  for (int64_t i = 0; i < out; ++i) {
    int64_t start = (i * in) / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = start; j < end; ++j)
      m[i * in + j] = 1.0 / static_cast<double>(end - start);
  }
  return m;
}

struct AdaptiveAvgPoolDecomposition : OpConversionPattern<AdaptiveAvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdaptiveAvgPool2dOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> size = op.getOutputSize();
    if (size[0] == 1 && size[1] == 1) {
      rewriter.replaceOpWithNewOp<ReduceMeanOp>(op, a.getInput(),
                                                ArrayRef<int64_t>{2, 3}, true);
      return success();
    }
    int64_t h = in.getDimSize(2), w = in.getDimSize(3);
    rewriter.replaceOp(op, separable(rewriter, loc, a.getInput(), size[0], h,
                                     adaptiveMatrix(size[0], h), size[1], w,
                                     adaptiveMatrix(size[1], w)));
    return success();
  }
};

/// PyTorch's interpolation weights along one axis: [out, in].
std::vector<double> interpolationMatrix(int64_t out, int64_t in, bool bilinear,
                                        bool alignCorners, std::optional<double> factor) {
  std::vector<double> m(out * in, 0.0);
  // Source/destination ratio as PyTorch computes it.
  double scale = factor ? 1.0 / *factor : static_cast<double>(in) / out;
  for (int64_t i = 0; i < out; ++i) {
    if (!bilinear) {
      // In float, as PyTorch's CPU kernel computes it.
      auto src = static_cast<int64_t>(
          std::floor(static_cast<float>(i) * static_cast<float>(scale)));
      m[i * in + std::min(src, in - 1)] = 1.0;
      continue;
    }
    double src;
    if (alignCorners)
      src = out > 1 ? i * static_cast<double>(in - 1) / (out - 1) : 0.0;
    else
      src = std::max(0.0, scale * (i + 0.5) - 0.5);
    auto i0 = static_cast<int64_t>(src);
    int64_t i1 = std::min(i0 + 1, in - 1);
    double l1 = src - i0;
    m[i * in + i0] += 1.0 - l1;
    m[i * in + i1] += l1;
  }
  return m;
}

struct UpsampleDecomposition : OpConversionPattern<UpsampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UpsampleOp op, OpAdaptor a,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> size = op.getSize();
    bool bilinear = op.getMode() == "bilinear";
    std::optional<double> fh, fw;
    if (auto f = op.getScaleFactor()) {
      fh = (*f)[0];
      fw = (*f)[1];
    }
    int64_t h = in.getDimSize(2), w = in.getDimSize(3);
    rewriter.replaceOp(
        op, separable(rewriter, op.getLoc(), a.getInput(), size[0], h,
                      interpolationMatrix(size[0], h, bilinear, op.getAlignCorners(), fh),
                      size[1], w,
                      interpolationMatrix(size[1], w, bilinear, op.getAlignCorners(), fw)));
    return success();
  }
};

} // namespace

void populateNNDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormDecomposition, BatchNormTrainingDecomposition,
               LayerNormDecomposition, GroupNormDecomposition,
               AdaptiveAvgPoolDecomposition, UpsampleDecomposition>(
      patterns.getContext());
}

} // namespace kiln
