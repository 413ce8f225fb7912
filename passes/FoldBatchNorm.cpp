//===- FoldBatchNorm.cpp - Fold per-channel affine ops into weights -------===//
//
// conv(x, W) * s + t == conv(x, W * s) + t when s and t are per output
// channel: an inference batch norm, or a mul/add by a constant that varies
// only along the channel axis, disappears into the producer's weight and
// bias. The producer must have constant weights and no other user (other
// users would see the changed weights).
//
//===----------------------------------------------------------------------===//
#include "passes/ConstantUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDBATCHNORM
#include "passes/Passes.h.inc"

namespace {

/// A conv2d, linear or matmul whose weight (and bias) are constants; the
/// channel axis of its result is where per-channel factors apply.
struct Producer {
  Operation *op = nullptr;
  std::vector<double> weight, bias; // bias empty when absent
  RankedTensorType weightType;
  int64_t channels = 0;
  int64_t channelAxis = 0;
  /// Weight elements per output channel, and how channel k's elements
  /// are laid out: conv/linear weights are [out, ...] (contiguous rows),
  /// a matmul rhs [K, N] strides by N.
  bool channelIsLastDim = false;
};

LogicalResult analyze(PatternRewriter &rewriter, Operation *anchor, Value v,
                      Producer &p) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return rewriter.notifyMatchFailure(anchor, "operand is a block argument");
  if (!v.hasOneUse())
    return rewriter.notifyMatchFailure(anchor, "producer result has other users");
  Value weight, bias;
  if (auto conv = dyn_cast<Conv2dOp>(def)) {
    weight = conv.getWeight();
    bias = conv.getBias();
    p.channelAxis = 1;
  } else if (auto linear = dyn_cast<LinearOp>(def)) {
    weight = linear.getWeight();
    bias = linear.getBias();
    p.channelAxis = linear.getType().getRank() - 1;
  } else if (auto matmul = dyn_cast<MatmulOp>(def)) {
    weight = matmul.getRhs();
    if (cast<RankedTensorType>(weight.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(anchor, "matmul rhs is not a 2-D weight");
    p.channelAxis = matmul.getType().getRank() - 1;
    p.channelIsLastDim = true;
  } else {
    return rewriter.notifyMatchFailure(anchor, "not produced by conv2d, linear or matmul");
  }
  std::optional<std::vector<double>> w = constantValues(weight);
  if (!w)
    return rewriter.notifyMatchFailure(anchor, "producer weight is not a constant");
  p.op = def;
  p.weight = std::move(*w);
  p.weightType = cast<RankedTensorType>(weight.getType());
  p.channels = cast<RankedTensorType>(def->getResult(0).getType()).getDimSize(p.channelAxis);
  if (bias) {
    std::optional<std::vector<double>> b = constantValues(bias);
    if (!b)
      return rewriter.notifyMatchFailure(anchor, "producer bias is not a constant");
    p.bias = std::move(*b);
  }
  return success();
}

/// Rebuilds the producer with weight * scale[c] and bias * scale[c] + shift[c],
/// and replaces `anchor` with it. An empty `shift` means no bias change
/// (a matmul cannot take a bias).
void rebuild(PatternRewriter &rewriter, Operation *anchor, Producer &p,
             const std::vector<double> &scale, const std::vector<double> &shift) {
  std::vector<double> w = p.weight;
  int64_t n = static_cast<int64_t>(w.size());
  for (int64_t i = 0; i < n; ++i) {
    int64_t c = p.channelIsLastDim ? i % p.channels : i / (n / p.channels);
    w[i] *= scale[c];
  }
  Location loc = p.op->getLoc();
  rewriter.setInsertionPoint(p.op);
  Value weight = makeConstant(rewriter, loc, p.weightType, w);
  Value bias;
  if (!p.channelIsLastDim && (!p.bias.empty() || !shift.empty())) {
    std::vector<double> b(p.channels, 0.0);
    for (int64_t c = 0; c < p.channels; ++c)
      b[c] = (p.bias.empty() ? 0.0 : p.bias[c]) * scale[c] + (shift.empty() ? 0.0 : shift[c]);
    bias = makeConstant(rewriter, loc,
                        RankedTensorType::get({p.channels}, p.weightType.getElementType()),
                        b);
  }
  Value replacement;
  if (auto conv = dyn_cast<Conv2dOp>(p.op)) {
    replacement = Conv2dOp::create(rewriter, loc, conv.getInput(), weight, bias,
                                   conv.getStrideAttr(), conv.getPaddingAttr(),
                                   conv.getDilationAttr(), conv.getGroupsAttr());
  } else if (auto linear = dyn_cast<LinearOp>(p.op)) {
    replacement = LinearOp::create(rewriter, loc, linear.getInput(), weight, bias);
  } else {
    replacement = MatmulOp::create(rewriter, loc, cast<MatmulOp>(p.op).getLhs(), weight);
  }
  rewriter.replaceOp(anchor, replacement);
  rewriter.eraseOp(p.op);
}

struct FoldBatchNormPattern : OpRewritePattern<BatchNormOp> {
  FoldBatchNormPattern(MLIRContext *ctx, int64_t &folded)
      : OpRewritePattern(ctx), folded(folded) {}
  LogicalResult matchAndRewrite(BatchNormOp bn, PatternRewriter &rewriter) const override {
    Producer p;
    if (failed(analyze(rewriter, bn, bn.getInput(), p)))
      return failure();
    if (isa<MatmulOp>(p.op))
      return rewriter.notifyMatchFailure(bn, "a matmul has no bias to absorb the shift");
    if (p.channelAxis != 1)
      return rewriter.notifyMatchFailure(
          bn, "batch norm normalizes dim 1, which is not the producer's output channel");
    auto gamma = constantValues(bn.getScale()), beta = constantValues(bn.getShift()),
         mean = constantValues(bn.getMean()), var = constantValues(bn.getVariance());
    if (!gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "batch norm statistics are not constants");
    double eps = bn.getEpsilon().convertToDouble();
    std::vector<double> scale(p.channels), shift(p.channels);
    for (int64_t c = 0; c < p.channels; ++c) {
      scale[c] = (*gamma)[c] / std::sqrt((*var)[c] + eps);
      shift[c] = (*beta)[c] - (*mean)[c] * scale[c];
    }
    rebuild(rewriter, bn, p, scale, shift);
    ++folded;
    return success();
  }
  int64_t &folded;
};

/// mul / div / add / sub of a producer by a per-channel constant.
template <typename OpTy> struct FoldAffinePattern : OpRewritePattern<OpTy> {
  FoldAffinePattern(MLIRContext *ctx, int64_t &folded)
      : OpRewritePattern<OpTy>(ctx), folded(folded) {}
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    constexpr bool commutative = std::is_same_v<OpTy, MulOp> || std::is_same_v<OpTy, AddOp>;
    Value lhs = op.getLhs(), rhs = op.getRhs();
    // The producer on the left; for + and * it may be on either side.
    if (commutative && !constantValues(rhs) && constantValues(lhs))
      std::swap(lhs, rhs);
    Producer p;
    if (failed(analyze(rewriter, op, lhs, p)))
      return failure();
    auto target = cast<RankedTensorType>(lhs.getType());
    if (op.getType() != target)
      return rewriter.notifyMatchFailure(op, "the constant broadcasts the result larger");
    std::optional<std::vector<double>> c = perChannelValues(rhs, target, p.channelAxis);
    if (!c)
      return rewriter.notifyMatchFailure(
          op, "the other operand is not a constant varying only along the output channel");
    std::vector<double> ones(p.channels, 1.0), zeros;
    if constexpr (std::is_same_v<OpTy, MulOp>) {
      rebuild(rewriter, op, p, *c, zeros);
    } else if constexpr (std::is_same_v<OpTy, DivOp>) {
      std::vector<double> inv(p.channels);
      for (int64_t k = 0; k < p.channels; ++k) {
        if ((*c)[k] == 0.0)
          return rewriter.notifyMatchFailure(op, "division by a zero constant");
        inv[k] = 1.0 / (*c)[k];
      }
      rebuild(rewriter, op, p, inv, zeros);
    } else {
      if (isa<MatmulOp>(p.op))
        return rewriter.notifyMatchFailure(op, "a matmul has no bias to absorb the add");
      std::vector<double> shift = *c;
      if constexpr (std::is_same_v<OpTy, SubOp>)
        for (double &s : shift)
          s = -s;
      rebuild(rewriter, op, p, ones, shift);
    }
    ++folded;
    return success();
  }
  int64_t &folded;
};

struct FoldBatchNormPass : impl::KilnFoldBatchNormBase<FoldBatchNormPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // Counted here rather than in the Statistic, which this LLVM build
    // compiles to a no-op.
    int64_t folded = 0;
    patterns.add<FoldBatchNormPattern>(ctx, folded);
    patterns.add<FoldAffinePattern<MulOp>, FoldAffinePattern<DivOp>,
                 FoldAffinePattern<AddOp>, FoldAffinePattern<SubOp>>(ctx, folded);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    numFolded += folded;
    if (report)
      getOperation().emitRemark() << "kiln-fold-batch-norm: folded " << folded
                                  << " batch norm / per-channel ops into weights";
  }
};

} // namespace
} // namespace kiln
