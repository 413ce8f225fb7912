//===- LowerML.cpp - Classical-ML ops -------------------------------------===//
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
//   gda_decision       offsets - 1/2 ||W_c x - W_c mu_c||^2: all classes in one
//                      matmul x [W_0; ...; W_C-1]^T, [N, C*D] -> [N, C, D],
//                      squared and summed over D
//   gda_predict        argmax(gda_decision)
//   mean_squared_error mean((t - p)^2); mean_absolute_error mean(|t - p|)
//   r2_score           1 - sum((t - p)^2) / sum((t - mean(t))^2)
//   accuracy           a linalg.generic counting t == p (i64 labels have no
//                      kiln elementwise ops), divided by max(N, 1)
//
// Through the C ABI of the kiln::ml runtime (runtime/classical/CApi.h), for
// what has no good tensor form (data-dependent tree walks and scatters) or
// is a whole kiln::ml algorithm (the fits):
//
//   gaussian_nb_predict    kiln_ml_gaussian_nb_predict_{f32,f64}
//   tree_ensemble_predict  kiln_ml_tree_ensemble_predict_{f32,f64}
//   confusion_matrix       kiln_ml_confusion_matrix
//   kmeans_fit, pca_fit,   kiln_ml_{kmeans,pca,linear}_fit_{f32,f64}
//   linear_fit
//
// A call passes the operands' buffers (bufferization.to_buffer with a fully
// dynamic strided layout, so any buffer passes), then the op's settings as
// scalars, then fresh buffers for the results (memref.alloc, cast to a fully
// dynamic identity layout). The callee is declared `func.func private` in
// the module; the JIT resolves the symbol (Jit.cpp, CApi.h's symbols()).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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
  return ReduceSumOp::create(b, loc, MulOp::create(b, loc, v, v), ArrayRef<int64_t>{1},
                             false);
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
      rewriter.replaceOpWithNewOp<LinearOp>(op, a.getInput(), a.getCoef(),
                                            a.getIntercept());
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
      Value d2 = SubOp::create(
          rewriter, loc, AddOp::create(rewriter, loc, xx, yy),
          MulOp::create(rewriter, loc, xy, scalar(rewriter, loc, element, 2)));
      result = MaxOp::create(rewriter, loc, d2, scalar(rewriter, loc, element, 0));
      if (metric == "euclidean")
        result = SqrtOp::create(rewriter, loc, result);
    } else if (metric == "cosine") {
      Value nx = ReshapeOp::create(
          rewriter, loc, SqrtOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, x)),
          ArrayRef<int64_t>{-1, 1});
      Value ny = SqrtOp::create(rewriter, loc, rowSquaredNorms(rewriter, loc, y));
      Value xy = LinearOp::create(rewriter, loc, x, y, Value());
      Value sim = DivOp::create(rewriter, loc, xy, MulOp::create(rewriter, loc, nx, ny));
      result = SubOp::create(rewriter, loc, scalar(rewriter, loc, element, 1), sim);
    } else {
      Value x3 = ReshapeOp::create(rewriter, loc, x, ArrayRef<int64_t>{-1, 1, d});
      Value y3 =
          ReshapeOp::create(rewriter, loc, y, ArrayRef<int64_t>{1, yt.getDimSize(0), d});
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

/// Replaces `op` by a call `name(buffers of inputs..., scalars..., result
/// buffers...)`. The result buffers are fresh, of the shapes of op's result
/// types (dynamic sizes from `dynamicSizes`, in order), and become op's
/// results as tensors.
LogicalResult replaceWithRuntimeCall(ConversionPatternRewriter &rewriter, Operation *op,
                                     StringRef name, ValueRange inputs,
                                     ValueRange scalars, ValueRange dynamicSizes = {}) {
  Location loc = op->getLoc();
  TypeRange resultTypes = op->getResultTypes();
  SmallVector<Type> args;
  SmallVector<Value> operands;
  for (Value v : inputs) {
    auto t = cast<RankedTensorType>(v.getType());
    args.push_back(anyBuffer(t.getRank(), t.getElementType()));
    operands.push_back(asBuffer(rewriter, loc, v));
  }
  for (Value v : scalars) {
    args.push_back(v.getType());
    operands.push_back(v);
  }
  SmallVector<Value> buffers;
  auto sizes = dynamicSizes.begin();
  for (Type type : resultTypes) {
    auto t = cast<RankedTensorType>(type);
    auto bufferType = MemRefType::get(t.getShape(), t.getElementType());
    SmallVector<Value> dynamic;
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.isDynamicDim(i))
        dynamic.push_back(*sizes++);
    Value buffer = memref::AllocOp::create(rewriter, loc, bufferType, dynamic);
    buffers.push_back(buffer);
    auto argType = MemRefType::get(
        SmallVector<int64_t>(t.getRank(), ShapedType::kDynamic), t.getElementType());
    args.push_back(argType);
    operands.push_back(
        bufferType == argType
            ? buffer
            : memref::CastOp::create(rewriter, loc, argType, buffer).getResult());
  }
  if (failed(declareRuntimeFunction(op, name, args, rewriter)))
    return rewriter.notifyMatchFailure(op, "cannot declare " + name);
  func::CallOp::create(rewriter, loc, name, TypeRange{}, operands);
  SmallVector<Value> results;
  for (auto [type, buffer] : llvm::zip(resultTypes, buffers))
    results.push_back(bufferization::ToTensorOp::create(rewriter, loc, type, buffer,
                                                        /*restrict=*/true,
                                                        /*writable=*/true));
  rewriter.replaceOp(op, results);
  return success();
}

/// "prefix_f32" or "prefix_f64" after the element type of `v`.
std::string typedName(StringRef prefix, Value v) {
  Type element = cast<RankedTensorType>(v.getType()).getElementType();
  return (prefix + (element.isF32() ? "_f32" : "_f64")).str();
}

/// Rows of x as a dynamic size, when the result has a dynamic N.
SmallVector<Value> rowsIfDynamic(OpBuilder &b, Location loc, Value x) {
  if (!cast<RankedTensorType>(x.getType()).isDynamicDim(0))
    return {};
  return {tensor::DimOp::create(b, loc, x, 0)};
}

Value i64Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

struct GaussianNBPredictLowering : OpConversionPattern<GaussianNBPredictOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GaussianNBPredictOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    return replaceWithRuntimeCall(
        rewriter, op, typedName("kiln_ml_gaussian_nb_predict", a.getInput()),
        {a.getInput(), a.getMeans(), a.getVariances(), a.getPriors()}, {},
        rowsIfDynamic(rewriter, op.getLoc(), a.getInput()));
  }
};

struct TreeEnsemblePredictLowering : OpConversionPattern<TreeEnsemblePredictOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TreeEnsemblePredictOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    return replaceWithRuntimeCall(
        rewriter, op, typedName("kiln_ml_tree_ensemble_predict", a.getInput()),
        {a.getInput(), a.getFeature(), a.getThreshold(), a.getLeft(), a.getRight(),
         a.getValues()},
        {}, rowsIfDynamic(rewriter, op.getLoc(), a.getInput()));
  }
};

struct ConfusionMatrixLowering : OpConversionPattern<ConfusionMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConfusionMatrixOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    return replaceWithRuntimeCall(rewriter, op, "kiln_ml_confusion_matrix",
                                  {a.getYTrue(), a.getYPred()}, {});
  }
};

struct KMeansFitLowering : OpConversionPattern<KMeansFitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(KMeansFitOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    return replaceWithRuntimeCall(
        rewriter, op, typedName("kiln_ml_kmeans_fit", a.getInput()), {a.getInput()},
        {i64Constant(rewriter, loc, static_cast<int64_t>(op.getNInit())),
         i64Constant(rewriter, loc, static_cast<int64_t>(op.getMaxIter())),
         i64Constant(rewriter, loc, static_cast<int64_t>(op.getSeed()))});
  }
};

struct PcaFitLowering : OpConversionPattern<PcaFitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PcaFitOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    return replaceWithRuntimeCall(
        rewriter, op, typedName("kiln_ml_pca_fit", a.getInput()), {a.getInput()},
        {i64Constant(rewriter, op.getLoc(), op.getWhiten() ? 1 : 0)});
  }
};

struct LinearFitLowering : OpConversionPattern<LinearFitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(LinearFitOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Value alpha = arith::ConstantOp::create(
        rewriter, op.getLoc(), rewriter.getF64FloatAttr(op.getAlpha().convertToDouble()));
    return replaceWithRuntimeCall(rewriter, op,
                                  typedName("kiln_ml_linear_fit", a.getInput()),
                                  {a.getInput(), a.getTarget()}, {alpha});
  }
};

struct GdaDecisionLowering : OpConversionPattern<GdaDecisionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GdaDecisionOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto wt = cast<RankedTensorType>(a.getWhiteners().getType());
    int64_t c = wt.getDimSize(0), d = wt.getDimSize(1);
    Type element = wt.getElementType();
    // W_c mu_c for every class: sum_j W[c, i, j] mu[c, j] -> [C, D].
    Value mu = ReshapeOp::create(rewriter, loc, a.getMeans(), ArrayRef<int64_t>{c, 1, d});
    Value wmu = ReduceSumOp::create(rewriter, loc,
                                    MulOp::create(rewriter, loc, a.getWhiteners(), mu),
                                    ArrayRef<int64_t>{2}, false);
    Value bias = NegOp::create(
        rewriter, loc, ReshapeOp::create(rewriter, loc, wmu, ArrayRef<int64_t>{c * d}));
    Value w =
        ReshapeOp::create(rewriter, loc, a.getWhiteners(), ArrayRef<int64_t>{c * d, d});
    Value z = LinearOp::create(rewriter, loc, a.getInput(), w, bias); // [N, C*D]
    z = ReshapeOp::create(rewriter, loc, z, ArrayRef<int64_t>{-1, c, d});
    Value sq = ReduceSumOp::create(rewriter, loc, MulOp::create(rewriter, loc, z, z),
                                   ArrayRef<int64_t>{2}, false); // [N, C]
    Value scaled = MulOp::create(rewriter, loc, sq, scalar(rewriter, loc, element, -0.5));
    rewriter.replaceOpWithNewOp<AddOp>(op, scaled, a.getOffsets());
    return success();
  }
};

struct GdaPredictLowering : OpConversionPattern<GdaPredictOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GdaPredictOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Value scores = GdaDecisionOp::create(rewriter, op.getLoc(), a.getInput(),
                                         a.getMeans(), a.getWhiteners(), a.getOffsets());
    rewriter.replaceOpWithNewOp<ArgmaxOp>(op, scores, 1, false);
    return success();
  }
};

/// mean_squared_error, mean_absolute_error, r2_score.
template <typename OpTy> struct RegressionMetricLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<int64_t, 1> all = {0};
    Value diff = SubOp::create(rewriter, loc, a.getYTrue(), a.getYPred());
    Value result;
    if constexpr (std::is_same_v<OpTy, MeanSquaredErrorOp>) {
      result = ReduceMeanOp::create(rewriter, loc,
                                    MulOp::create(rewriter, loc, diff, diff), all, false);
    } else if constexpr (std::is_same_v<OpTy, MeanAbsoluteErrorOp>) {
      result = ReduceMeanOp::create(rewriter, loc, AbsOp::create(rewriter, loc, diff),
                                    all, false);
    } else {
      Type element = cast<RankedTensorType>(a.getYTrue().getType()).getElementType();
      Value residual = ReduceSumOp::create(
          rewriter, loc, MulOp::create(rewriter, loc, diff, diff), all, false);
      Value centered =
          SubOp::create(rewriter, loc, a.getYTrue(),
                        ReduceMeanOp::create(rewriter, loc, a.getYTrue(), all, true));
      Value total = ReduceSumOp::create(
          rewriter, loc, MulOp::create(rewriter, loc, centered, centered), all, false);
      result = SubOp::create(rewriter, loc, scalar(rewriter, loc, element, 1),
                             DivOp::create(rewriter, loc, residual, total));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct AccuracyLowering : OpConversionPattern<AccuracyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AccuracyOp op, OpAdaptor a,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto i64 = rewriter.getI64Type();
    auto countType = RankedTensorType::get({}, i64);
    Value count0 =
        filledTensor(rewriter, loc, countType, {}, i64Constant(rewriter, loc, 0));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    AffineMap scalarMap = AffineMap::get(1, 0, {}, ctx);
    // count = sum_i (t[i] == p[i])
    Value count =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{countType}, ValueRange{a.getYTrue(), a.getYPred()},
            ValueRange{count0}, ArrayRef<AffineMap>{id, id, scalarMap},
            ArrayRef<utils::IteratorType>{utils::IteratorType::reduction},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value eq =
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[0], args[1]);
              Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), eq);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddIOp::create(b, l, args[2], one)});
            })
            .getResult(0);
    auto f64 = rewriter.getF64Type();
    Value hits = arith::SIToFPOp::create(
        rewriter, loc, f64,
        tensor::ExtractOp::create(rewriter, loc, count, ValueRange{}));
    Value n = arith::IndexCastOp::create(
        rewriter, loc, i64, tensor::DimOp::create(rewriter, loc, a.getYTrue(), 0));
    n = arith::MaxSIOp::create(rewriter, loc, n, i64Constant(rewriter, loc, 1));
    Value ratio = arith::DivFOp::create(rewriter, loc, hits,
                                        arith::SIToFPOp::create(rewriter, loc, f64, n));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(),
                                                        ValueRange{ratio});
    return success();
  }
};

} // namespace

void populateMLLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<PcaTransformLowering, LinearPredictLowering, PairwiseDistanceLowering,
               KMeansAssignLowering, GaussianNBPredictLowering,
               TreeEnsemblePredictLowering, ConfusionMatrixLowering, KMeansFitLowering,
               PcaFitLowering, LinearFitLowering, GdaDecisionLowering, GdaPredictLowering,
               RegressionMetricLowering<MeanSquaredErrorOp>,
               RegressionMetricLowering<MeanAbsoluteErrorOp>,
               RegressionMetricLowering<R2ScoreOp>, AccuracyLowering>(
      patterns.getContext());
}

} // namespace kiln
