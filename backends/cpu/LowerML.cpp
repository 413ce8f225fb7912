//===- LowerML.cpp - Classical-ML inference ops ---------------------------===//
//
// Native (rewritten into kiln ops, which the conversion lowers in turn):
//
//   pca_transform      linear(x - mean, components)
//   linear_predict     linear(x, coef, intercept) (1-D coef: reshaped to a
//                      1-row weight, the [N, 1] result back to [N])
//   pairwise_distance  euclidean / sqeuclidean: ||x||^2 + ||y||^2 - 2 x y^T
//                      (a matmul), clamped at 0 (then sqrt); cosine:
//                      1 - x y^T / (||x|| ||y||); manhattan / chebyshev:
//                      |x[:, None] - y[None]| summed / maxed over D
//   kmeans_assign      argmax(x c^T - ||c||^2 / 2): the nearest center
//                      without ||x||^2, one matmul and an argmax
//
// Through the C ABI of the kiln::ml runtime (runtime/classical/CApi.h):
//
//   gaussian_nb_predict  a call of kiln_ml_gaussian_nb_predict_{f32,f64}
//                        on the operands' buffers (bufferization.to_buffer
//                        with a fully dynamic strided layout, so any buffer
//                        passes) and a fresh i64 [N] buffer for the labels.
//                        The callee is declared `func.func private` in the
//                        module; the JIT resolves the symbol (Jit.cpp).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln {
namespace {

Value scalar(OpBuilder &b, Location loc, Type element, double v) {
  auto type = RankedTensorType::get({}, element);
  auto attr = DenseElementsAttr::get(type, FloatAttr::get(element, v));
  return ConstantOp::create(b, loc, cast<ElementsAttr>(attr));
}

/// Sum of squares of each row of [R, D]: [R].
Value rowSquaredNorms(OpBuilder &b, Location loc, Value v) {
  return ReduceSumOp::create(b, loc, MulOp::create(b, loc, v, v),
                             ArrayRef<int64_t>{1}, false);
}

struct PcaTransformLowering : OpConversionPattern<PcaTransformOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PcaTransformOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Value centered = SubOp::create(rewriter, op.getLoc(), a.getInput(), a.getMean());
    rewriter.replaceOpWithNewOp<LinearOp>(op, centered, a.getComponents(), Value());
    return success();
  }
};

struct LinearPredictLowering : OpConversionPattern<LinearPredictOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(LinearPredictOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto coef = cast<RankedTensorType>(a.getCoef().getType());
    if (coef.getRank() == 2) {
      rewriter.replaceOpWithNewOp<LinearOp>(op, a.getInput(), a.getCoef(), a.getIntercept());
      return success();
    }
    Value w = ReshapeOp::create(rewriter, loc, a.getCoef(),
                                ArrayRef<int64_t>{1, coef.getDimSize(0)});
    Value bias = ReshapeOp::create(rewriter, loc, a.getIntercept(), ArrayRef<int64_t>{1});
    Value y = LinearOp::create(rewriter, loc, a.getInput(), w, bias);
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, y, ArrayRef<int64_t>{-1});
    return success();
  }
};

struct PairwiseDistanceLowering : OpConversionPattern<PairwiseDistanceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PairwiseDistanceOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = a.getInput(), y = a.getOther();
    auto xt = cast<RankedTensorType>(x.getType());
    auto yt = cast<RankedTensorType>(y.getType());
    Type element = xt.getElementType();
    int64_t d = xt.getDimSize(1);
    StringRef metric = op.getMetric();
    Value result;
    if (metric == "euclidean" || metric == "sqeuclidean") {
      Value xx = ReshapeOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, x),
                                   ArrayRef<int64_t>{-1, 1});
      Value yy = rowSquaredNorms(rewriter, loc, y); // [M] broadcasts over rows
      Value xy = LinearOp::create(rewriter, loc, x, y, Value());
      Value d2 = SubOp::create(rewriter, loc, AddOp::create(rewriter, loc, xx, yy),
                               MulOp::create(rewriter, loc, xy, scalar(rewriter, loc, element, 2)));
      result = MaxOp::create(rewriter, loc, d2, scalar(rewriter, loc, element, 0));
      if (metric == "euclidean")
        result = SqrtOp::create(rewriter, loc, result);
    } else if (metric == "cosine") {
      Value nx = ReshapeOp::create(rewriter, loc,
                                   SqrtOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, x)),
                                   ArrayRef<int64_t>{-1, 1});
      Value ny = SqrtOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, y));
      Value xy = LinearOp::create(rewriter, loc, x, y, Value());
      Value sim = DivOp::create(rewriter, loc, xy, MulOp::create(rewriter, loc, nx, ny));
      result = SubOp::create(rewriter, loc, scalar(rewriter, loc, element, 1), sim);
    } else {
      Value x3 = ReshapeOp::create(rewriter, loc, x, ArrayRef<int64_t>{-1, 1, d});
      Value y3 = ReshapeOp::create(rewriter, loc, y,
                                   ArrayRef<int64_t>{1, yt.getDimSize(0), d});
      Value diff = AbsOp::create(rewriter, loc, SubOp::create(rewriter, loc, x3, y3));
      if (metric == "manhattan")
        result = ReduceSumOp::create(rewriter, loc, diff, ArrayRef<int64_t>{2}, false);
      else
        result = ReduceMaxOp::create(rewriter, loc, diff, ArrayRef<int64_t>{2}, false);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct KMeansAssignLowering : OpConversionPattern<KMeansAssignOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(KMeansAssignOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type element = cast<RankedTensorType>(a.getInput().getType()).getElementType();
    Value c = a.getCenters();
    Value half = MulOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, c),
                               scalar(rewriter, loc, element, -0.5));
    Value score = LinearOp::create(rewriter, loc, a.getInput(), c, half);
    rewriter.replaceOpWithNewOp<ArgmaxOp>(op, score, 1, false);
    return success();
  }
};

/// memref<?x...x?xT, strided<[?, ...], offset: ?>>: every buffer casts to it.
MemRefType anyBuffer(int64_t rank, Type element) {
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(element.getContext(), ShapedType::kDynamic,
                                       SmallVector<int64_t>(rank, ShapedType::kDynamic));
  return MemRefType::get(shape, element, layout);
}

Value asBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> dynamic(type.getRank(), ShapedType::kDynamic);
  Value cast = tensor::CastOp::create(
      b, loc, RankedTensorType::get(dynamic, type.getElementType()), tensor);
  return bufferization::ToBufferOp::create(
      b, loc, anyBuffer(type.getRank(), type.getElementType()), cast, /*read_only=*/true);
}

/// Declares `func.func private @name(types)` in the enclosing module once.
LogicalResult declareRuntimeFunction(Operation *from, StringRef name, TypeRange args,
                                     OpBuilder &rewriter) {
  auto module = from->getParentOfType<ModuleOp>();
  if (!module)
    return failure();
  auto type = FunctionType::get(from->getContext(), args, {});
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return success(existing.getFunctionType() == type);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(rewriter, module.getLoc(), name, type);
  fn.setPrivate();
  return success();
}

struct GaussianNBPredictLowering : OpConversionPattern<GaussianNBPredictOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GaussianNBPredictOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto xt = cast<RankedTensorType>(a.getInput().getType());
    Type element = xt.getElementType();
    std::string name = std::string("kiln_ml_gaussian_nb_predict_") +
                       (element.isF32() ? "f32" : "f64");
    auto i64 = rewriter.getI64Type();
    SmallVector<Type> args = {anyBuffer(2, element), anyBuffer(2, element),
                              anyBuffer(2, element), anyBuffer(1, element),
                              MemRefType::get({ShapedType::kDynamic}, i64)};
    if (failed(declareRuntimeFunction(op, name, args, rewriter)))
      return rewriter.notifyMatchFailure(op, "cannot declare " + name);
    SmallVector<Value> operands;
    for (Value v : {a.getInput(), a.getMeans(), a.getVariances(), a.getPriors()})
      operands.push_back(asBuffer(rewriter, loc, v));
    Value n = tensor::DimOp::create(rewriter, loc, a.getInput(), 0);
    Value labels = memref::AllocOp::create(rewriter, loc, cast<MemRefType>(args.back()),
                                           ValueRange{n});
    operands.push_back(labels);
    func::CallOp::create(rewriter, loc, name, TypeRange{}, operands);
    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, RankedTensorType::get({ShapedType::kDynamic}, i64), labels,
        /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getType(), result);
    return success();
  }
};

} // namespace

void populateMLLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<PcaTransformLowering, LinearPredictLowering, PairwiseDistanceLowering,
               KMeansAssignLowering, GaussianNBPredictLowering>(patterns.getContext());
}

} // namespace kiln
