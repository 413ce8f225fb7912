//===- UnfoldConvolution.cpp - conv2d as im2col + matmul ------------------===//
//
//   conv2d(x, W, b)                     [N, C, H, W] -> [N, F, OH, OW]
//     =  reshape(matmul(W', im2col(x)) + b', [N, F, OH, OW])
//   with W' = W as [F, C*KH*KW] and im2col(x) [N, C*KH*KW, OH*OW]
//   (grouped: W' [G, F/G, C/G*KH*KW] against im2col reshaped to
//   [N, G, C/G*KH*KW, OH*OW]).
//
// 1x1 convolutions without padding skip im2col: the input itself (strided
// by slices if stride > 1) reshaped to [N, C, H*W] is the patch matrix.
// Large images are split into bands of output rows (each band slices the
// input rows it reads, halo included) so that one band's patch matrix
// stays under max-patch-bytes; the bands' results are concatenated.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/ConstantUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNUNFOLDCONVOLUTION
#include "passes/Passes.h.inc"

namespace {

struct Counters {
  llvm::Statistic &unfolded, &pointwise, &bands;
};

/// Which one-group convolutions stay direct for the backend's kernel:
/// KxK (K > 1) of stride 1, at least `minWidth` output columns, f32.
struct DirectRule {
  bool enabled;
  int64_t minWidth;
};

bool leftDirect(Conv2dOp conv, DirectRule rule) {
  auto wt = cast<RankedTensorType>(conv.getWeight().getType());
  return rule.enabled && conv.getGroups() == 1 && wt.getDimSize(2) * wt.getDimSize(3) > 1 &&
         llvm::all_of(conv.getStride(), [](int64_t s) { return s == 1; }) &&
         conv.getType().getDimSize(3) >= rule.minWidth && wt.getElementType().isF32();
}

struct UnfoldPattern : OpRewritePattern<Conv2dOp> {
  UnfoldPattern(MLIRContext *ctx, Counters counters, int64_t maxPatchBytes,
                bool depthwise, DirectRule direct)
      : OpRewritePattern(ctx), counters(counters), maxPatchBytes(maxPatchBytes),
        depthwise(depthwise), direct(direct) {}

  LogicalResult matchAndRewrite(Conv2dOp conv, PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(conv.getInput().getType());
    auto wt = cast<RankedTensorType>(conv.getWeight().getType());
    RankedTensorType out = conv.getType();
    auto groups = static_cast<int64_t>(conv.getGroups());
    int64_t c = in.getDimSize(1), f = wt.getDimSize(0), kh = wt.getDimSize(2),
            kw = wt.getDimSize(3), cg = c / groups;
    if (groups > 1 && cg == 1 && !depthwise)
      return rewriter.notifyMatchFailure(
          conv, "depthwise convolution: one input channel per group makes each "
                "matmul a single row; left direct (set depthwise=true to unfold)");
    Location loc = conv.getLoc();
    int64_t batch = in.isDynamicDim(0) ? -1 : in.getDimSize(0);
    int64_t oh = out.getDimSize(2), ow = out.getDimSize(3);
    ArrayRef<int64_t> s = conv.getStride(), p = conv.getPadding(), d = conv.getDilation();
    bool pointwise = kh == 1 && kw == 1 && llvm::all_of(p, [](int64_t v) { return v == 0; });
    if (leftDirect(conv, direct))
      return rewriter.notifyMatchFailure(
          conv, "stride-1 KxK convolution: left direct for the backend's kernel");

    // The weight as a matrix (or a stack of per-group matrices).
    int64_t kdim = cg * kh * kw;
    Value weight = groups == 1
                       ? ReshapeOp::create(rewriter, loc, conv.getWeight(),
                                           ArrayRef<int64_t>{f, kdim})
                       : ReshapeOp::create(rewriter, loc, conv.getWeight(),
                                           ArrayRef<int64_t>{groups, f / groups, kdim});
    // The 64-wide register tile of the matmul kernel runs along the output
    // columns L = OH*OW of W[F, CK] x P[CK, L]. Small images fill it badly
    // (7x7: 49 of 64 lanes, 14x14: 196 of 256): then, if the filters F fill
    // it better and W is a constant (transposed here, once), the product is
    // computed transposed, P^T[L, CK] x W^T[CK, F], and its [L, F] result
    // transposed back (a copy of F*L, against F*L*CK multiply-adds).
    auto laneUse = [](int64_t n) {
      return static_cast<double>(n) / static_cast<double>((n + 63) / 64 * 64);
    };
    Value weightT;
    if (groups == 1 && laneUse(oh * ow) < 0.85 && laneUse(f) > laneUse(oh * ow) + 0.1)
      if (std::optional<std::vector<double>> w = constantValues(conv.getWeight())) {
        std::vector<double> t(w->size());
        for (int64_t i = 0; i < f; ++i)
          for (int64_t j = 0; j < kdim; ++j)
            t[j * f + i] = (*w)[i * kdim + j];
        weightT = makeConstant(rewriter, loc, RankedTensorType::get({kdim, f}, wt.getElementType()), t);
      }
    auto product = [&](Value patches, int64_t columns) -> Value {
      // patches [N, C*KH*KW, L] -> [N, F, L]
      if (weightT) {
        auto swap = rewriter.getDenseI64ArrayAttr({0, 2, 1});
        Value pt = TransposeOp::create(rewriter, loc, patches, swap);
        Value r = MatmulOp::create(rewriter, loc, pt, weightT);
        return TransposeOp::create(rewriter, loc, r, swap);
      }
      if (groups == 1)
        return MatmulOp::create(rewriter, loc, weight, patches);
      Value grouped = ReshapeOp::create(rewriter, loc, patches,
                                        ArrayRef<int64_t>{batch, groups, kdim, columns});
      Value r = MatmulOp::create(rewriter, loc, weight, grouped);
      return ReshapeOp::create(rewriter, loc, r, ArrayRef<int64_t>{batch, f, columns});
    };

    Value flat;
    if (pointwise) {
      Value x = conv.getInput();
      for (int axis = 0; axis < 2; ++axis)
        if (s[axis] > 1)
          x = SliceOp::create(rewriter, loc, x, 2 + axis, 0, in.getDimSize(2 + axis),
                              s[axis]);
      Value patches =
          ReshapeOp::create(rewriter, loc, x, ArrayRef<int64_t>{batch, c, oh * ow});
      flat = product(patches, oh * ow);
      ++counters.pointwise;
    } else {
      int64_t bytesPerRow =
          c * kh * kw * ow * static_cast<int64_t>(in.getElementTypeBitWidth() / 8);
      int64_t rowsPerBand = std::max<int64_t>(1, maxPatchBytes / std::max<int64_t>(bytesPerRow, 1));
      // Each band is its own im2col + matmul in the generated code: at most
      // kMaxBands of them, so compile time stays bounded for huge images.
      constexpr int64_t kMaxBands = 16;
      rowsPerBand = std::max(rowsPerBand, (oh + kMaxBands - 1) / kMaxBands);
      // Every band must read at least one input row (a band lying wholly in
      // the bottom padding cannot be sliced): otherwise do not band.
      int64_t h = in.getDimSize(2);
      for (int64_t r0 = 0; r0 < oh && rowsPerBand < oh; r0 += rowsPerBand) {
        int64_t r1 = std::min(oh, r0 + rowsPerBand);
        int64_t lo = r0 * s[0] - p[0];
        int64_t hi = (r1 - 1) * s[0] + d[0] * (kh - 1) + 1 - p[0];
        if (std::max<int64_t>(lo, 0) >= std::min(hi, h))
          rowsPerBand = oh;
      }
      if (rowsPerBand >= oh) {
        Value patches = Im2ColOp::create(rewriter, loc, conv.getInput(),
                                         rewriter.getDenseI64ArrayAttr({kh, kw}),
                                         conv.getStrideAttr(), conv.getPaddingAttr(),
                                         conv.getDilationAttr());
        flat = product(patches, oh * ow);
      } else {
        SmallVector<Value> bands;
        for (int64_t r0 = 0; r0 < oh; r0 += rowsPerBand) {
          int64_t r1 = std::min(oh, r0 + rowsPerBand);
          // Input rows read by output rows [r0, r1), in unpadded coordinates.
          int64_t lo = r0 * s[0] - p[0];
          int64_t hi = (r1 - 1) * s[0] + d[0] * (kh - 1) + 1 - p[0];
          int64_t top = std::max<int64_t>(0, -lo), bottom = std::max<int64_t>(0, hi - h);
          Value rows = SliceOp::create(rewriter, loc, conv.getInput(), 2,
                                       std::max<int64_t>(lo, 0), std::min(hi, h), 1);
          Value patches = Im2ColOp::create(
              rewriter, loc, rows, rewriter.getDenseI64ArrayAttr({kh, kw}),
              conv.getStrideAttr(), rewriter.getDenseI64ArrayAttr({top, p[1], bottom, p[3]}),
              conv.getDilationAttr());
          bands.push_back(product(patches, (r1 - r0) * ow));
          ++counters.bands;
        }
        flat = ConcatOp::create(rewriter, loc, bands, 2);
      }
      ++counters.unfolded;
    }
    if (Value bias = conv.getBias())
      flat = AddOp::create(rewriter, loc, flat,
                           ReshapeOp::create(rewriter, loc, bias, ArrayRef<int64_t>{f, 1}));
    rewriter.replaceOpWithNewOp<ReshapeOp>(conv, flat,
                                           ArrayRef<int64_t>{batch, f, oh, ow});
    return success();
  }

  Counters counters;
  int64_t maxPatchBytes;
  bool depthwise;
  DirectRule direct;
};

struct UnfoldConvolutionPass
    : impl::KilnUnfoldConvolutionBase<UnfoldConvolutionPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    DirectRule rule{direct, directMinWidth};
    patterns.add<UnfoldPattern>(ctx, Counters{numUnfolded, numPointwise, numBands},
                                maxPatchBytes, depthwise, rule);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    int64_t before = 0, after = 0;
    getOperation().walk([&](Conv2dOp) { ++before; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    int64_t keptDirect = 0;
    getOperation().walk([&](Conv2dOp conv) {
      ++after;
      keptDirect += leftDirect(conv, rule);
    });
    numDirect += keptDirect;
    if (report)
      getOperation().emitRemark()
          << "kiln-unfold-convolution: unfolded " << before - after << " of " << before
          << " convolutions, " << keptDirect << " left direct";
  }
};

} // namespace
} // namespace kiln
