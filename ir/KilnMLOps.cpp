//===- KilnMLOps.cpp - Shape inference of the classical-ML ops ------------===//
//
// Samples are [N, D] with a static D; parameters must have the element type
// of the samples and the shapes of the fitted model. Errors name the op,
// the operand types and what was expected.
//
//===----------------------------------------------------------------------===//
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln {
namespace {

/// x must be [N, D] with static D.
LogicalResult checkSamples(std::optional<Location> loc, StringRef op, RankedTensorType x,
                           StringRef what = "input") {
  if (x.getRank() != 2)
    return emitShapeError(loc, op,
                          Twine(what) + " " + typeToString(x) +
                              " is not 2-D (expected samples as rows, [N, D])");
  if (x.isDynamicDim(1))
    return emitShapeError(loc, op,
                          Twine(what) + " " + typeToString(x) +
                              " has a dynamic feature dimension (only N may be dynamic)");
  return success();
}

/// `v` must be a tensor of `shape` with x's element type.
LogicalResult checkParam(std::optional<Location> loc, StringRef op, StringRef name,
                         mlir::Value v, ArrayRef<int64_t> shape, RankedTensorType x,
                         StringRef meaning) {
  auto type = cast<RankedTensorType>(v.getType());
  auto expected = RankedTensorType::get(shape, x.getElementType());
  if (type != expected)
    return emitShapeError(loc, op,
                          Twine(name) + " " + typeToString(type) + " does not match " +
                              meaning + " " + typeToString(expected) + " for input " +
                              typeToString(x));
  return success();
}

/// `v` must be [K, D] (static K) with x's element type; returns K.
LogicalResult checkRows(std::optional<Location> loc, StringRef op, StringRef name,
                        mlir::Value v, RankedTensorType x, int64_t &k) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() != 2 || type.isDynamicDim(0) || type.getDimSize(1) != x.getDimSize(1) ||
      type.getElementType() != x.getElementType())
    return emitShapeError(loc, op,
                          Twine(name) + " " + typeToString(type) + " is not [K, " +
                              Twine(x.getDimSize(1)) + "] with static K and element type " +
                              typeToString(x.getElementType()) + " for input " +
                              typeToString(x));
  k = type.getDimSize(0);
  if (k < 1)
    return emitShapeError(loc, op, Twine(name) + " " + typeToString(type) + " has no rows");
  return success();
}

} // namespace

LogicalResult PcaTransformOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t k;
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkParam(loc, op, "mean", adaptor.getMean(), {x.getDimSize(1)}, x,
                        "the feature shape")) ||
      failed(checkRows(loc, op, "components", adaptor.getComponents(), x, k)))
    return failure();
  results.push_back(RankedTensorType::get({x.getDimSize(0), k}, x.getElementType()));
  return success();
}

LogicalResult LinearPredictOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkSamples(loc, op, x)))
    return failure();
  auto coef = cast<RankedTensorType>(adaptor.getCoef().getType());
  if (coef.getRank() == 1) {
    if (failed(checkParam(loc, op, "coef", adaptor.getCoef(), {x.getDimSize(1)}, x,
                          "the feature shape")) ||
        failed(checkParam(loc, op, "intercept", adaptor.getIntercept(), {}, x,
                          "a scalar (coef is 1-D)")))
      return failure();
    results.push_back(RankedTensorType::get({x.getDimSize(0)}, x.getElementType()));
    return success();
  }
  int64_t k;
  if (failed(checkRows(loc, op, "coef", adaptor.getCoef(), x, k)) ||
      failed(checkParam(loc, op, "intercept", adaptor.getIntercept(), {k}, x,
                        "one value per row of coef")))
    return failure();
  results.push_back(RankedTensorType::get({x.getDimSize(0), k}, x.getElementType()));
  return success();
}

LogicalResult PairwiseDistanceOp::inferReturnTypes(MLIRContext *,
                                                   std::optional<Location> loc,
                                                   Adaptor adaptor,
                                                   SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  auto y = cast<RankedTensorType>(adaptor.getOther().getType());
  StringRef metric = adaptor.getMetric();
  if (!llvm::is_contained(ArrayRef<StringRef>{"euclidean", "sqeuclidean", "manhattan",
                                              "chebyshev", "cosine"},
                          metric))
    return emitShapeError(loc, op,
                          "unknown metric '" + metric +
                              "' (expected euclidean, sqeuclidean, manhattan, "
                              "chebyshev or cosine)");
  if (failed(checkSamples(loc, op, x)) || failed(checkSamples(loc, op, y, "other")))
    return failure();
  if (y.getDimSize(1) != x.getDimSize(1) || y.getElementType() != x.getElementType())
    return emitShapeError(loc, op,
                          "other " + typeToString(y) + " does not have the features of input " +
                              typeToString(x));
  results.push_back(
      RankedTensorType::get({x.getDimSize(0), y.getDimSize(0)}, x.getElementType()));
  return success();
}

LogicalResult KMeansAssignOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t k;
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkRows(loc, op, "centers", adaptor.getCenters(), x, k)))
    return failure();
  results.push_back(RankedTensorType::get({x.getDimSize(0)}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult GaussianNBPredictOp::inferReturnTypes(MLIRContext *ctx,
                                                    std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t c;
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkRows(loc, op, "means", adaptor.getMeans(), x, c)) ||
      failed(checkParam(loc, op, "variances", adaptor.getVariances(),
                        {c, x.getDimSize(1)}, x, "the shape of means")) ||
      failed(checkParam(loc, op, "priors", adaptor.getPriors(), {c}, x,
                        "one value per class")))
    return failure();
  results.push_back(RankedTensorType::get({x.getDimSize(0)}, IntegerType::get(ctx, 64)));
  return success();
}

/// The operands of gda_decision / gda_predict; returns the class count.
static LogicalResult checkGda(std::optional<Location> loc, StringRef op,
                              mlir::Value input, mlir::Value means, mlir::Value whiteners,
                              mlir::Value offsets, int64_t &c) {
  auto x = cast<RankedTensorType>(input.getType());
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkRows(loc, op, "means", means, x, c)))
    return failure();
  int64_t d = x.getDimSize(1);
  return success(succeeded(checkParam(loc, op, "whiteners", whiteners, {c, d, d}, x,
                                      "one [D, D] matrix per row of means")) &&
                 succeeded(checkParam(loc, op, "offsets", offsets, {c}, x,
                                      "one value per row of means")));
}

LogicalResult GdaDecisionOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor a, SmallVectorImpl<Type> &results) {
  int64_t c;
  if (failed(checkGda(loc, getOperationName(), a.getInput(), a.getMeans(),
                      a.getWhiteners(), a.getOffsets(), c)))
    return failure();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  results.push_back(RankedTensorType::get({x.getDimSize(0), c}, x.getElementType()));
  return success();
}

LogicalResult GdaPredictOp::inferReturnTypes(MLIRContext *ctx,
                                             std::optional<Location> loc, Adaptor a,
                                             SmallVectorImpl<Type> &results) {
  int64_t c;
  if (failed(checkGda(loc, getOperationName(), a.getInput(), a.getMeans(),
                      a.getWhiteners(), a.getOffsets(), c)))
    return failure();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  results.push_back(RankedTensorType::get({x.getDimSize(0)}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TreeEnsemblePredictOp::inferReturnTypes(MLIRContext *ctx,
                                                      std::optional<Location> loc,
                                                      Adaptor a,
                                                      SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  if (failed(checkSamples(loc, op, x)))
    return failure();
  auto feature = cast<RankedTensorType>(a.getFeature().getType());
  if (feature.getRank() != 2 || !feature.hasStaticShape() ||
      feature.getNumElements() == 0)
    return emitShapeError(loc, op,
                          "feature " + typeToString(feature) +
                              " is not [T, M] (T trees of M nodes, static, non-empty)");
  int64_t t = feature.getDimSize(0), m = feature.getDimSize(1);
  auto i64 = IntegerType::get(ctx, 64);
  auto expectNodes = [&](StringRef name, mlir::Value v, Type element) -> LogicalResult {
    auto type = cast<RankedTensorType>(v.getType());
    auto expected = RankedTensorType::get({t, m}, element);
    if (type == expected)
      return success();
    return emitShapeError(
        loc, op,
        Twine(name) + " " + typeToString(type) + " does not match " +
            typeToString(expected) + " (one entry per node, as feature " +
            typeToString(feature) + ", for input " + typeToString(x) + ")");
  };
  if (failed(expectNodes("threshold", a.getThreshold(), x.getElementType())) ||
      failed(expectNodes("left", a.getLeft(), i64)) ||
      failed(expectNodes("right", a.getRight(), i64)))
    return failure();
  auto values = cast<RankedTensorType>(a.getValues().getType());
  if (values.getRank() != 3 || values.getDimSize(0) != t || values.getDimSize(1) != m ||
      values.isDynamicDim(2) || values.getDimSize(2) < 1 ||
      values.getElementType() != x.getElementType())
    return emitShapeError(loc, op,
                          "values " + typeToString(values) + " is not [" + Twine(t) +
                              ", " + Twine(m) + ", K] (static K >= 1, element type " +
                              typeToString(x.getElementType()) + ") for feature " +
                              typeToString(feature) + " and input " + typeToString(x));
  results.push_back(
      RankedTensorType::get({x.getDimSize(0), values.getDimSize(2)}, x.getElementType()));
  return success();
}

/// y_true [N] and y_pred of the same type.
static LogicalResult checkMetricOperands(std::optional<Location> loc, StringRef op,
                                         mlir::Value yTrue, mlir::Value yPred) {
  auto t = cast<RankedTensorType>(yTrue.getType());
  auto p = cast<RankedTensorType>(yPred.getType());
  if (t.getRank() != 1)
    return emitShapeError(loc, op, "y_true " + typeToString(t) + " is not 1-D ([N])");
  if (p != t)
    return emitShapeError(loc, op,
                          "y_pred " + typeToString(p) + " does not match y_true " +
                              typeToString(t));
  return success();
}

#define KILN_REGRESSION_METRIC(OP)                                                       \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,         \
                                     Adaptor a, SmallVectorImpl<Type> &results) {        \
    if (failed(                                                                          \
            checkMetricOperands(loc, getOperationName(), a.getYTrue(), a.getYPred())))   \
      return failure();                                                                  \
    results.push_back(RankedTensorType::get(                                             \
        {}, cast<RankedTensorType>(a.getYTrue().getType()).getElementType()));           \
    return success();                                                                    \
  }
KILN_REGRESSION_METRIC(MeanSquaredErrorOp)
KILN_REGRESSION_METRIC(MeanAbsoluteErrorOp)
KILN_REGRESSION_METRIC(R2ScoreOp)
#undef KILN_REGRESSION_METRIC

LogicalResult AccuracyOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                           Adaptor a, SmallVectorImpl<Type> &results) {
  if (failed(checkMetricOperands(loc, getOperationName(), a.getYTrue(), a.getYPred())))
    return failure();
  results.push_back(RankedTensorType::get({}, Float64Type::get(ctx)));
  return success();
}

LogicalResult ConfusionMatrixOp::inferReturnTypes(MLIRContext *ctx,
                                                  std::optional<Location> loc, Adaptor a,
                                                  SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  if (failed(checkMetricOperands(loc, op, a.getYTrue(), a.getYPred())))
    return failure();
  auto c = static_cast<int64_t>(a.getNumClasses());
  if (c < 1)
    return emitShapeError(loc, op, "num_classes is " + Twine(c) + "; expected >= 1");
  results.push_back(RankedTensorType::get({c, c}, IntegerType::get(ctx, 64)));
  return success();
}

/// A fit needs `needed` >= 1 rows (when N is static).
static LogicalResult checkFitRows(std::optional<Location> loc, StringRef op,
                                  RankedTensorType x, StringRef setting, int64_t needed) {
  if (needed < 1)
    return emitShapeError(loc, op,
                          Twine(setting) + " is " + Twine(needed) + "; expected >= 1");
  if (!x.isDynamicDim(0) && x.getDimSize(0) < needed)
    return emitShapeError(loc, op,
                          Twine(setting) + " = " + Twine(needed) + " exceeds the " +
                              Twine(x.getDimSize(0)) + " rows of input " +
                              typeToString(x) + "; expected at least " + Twine(needed) +
                              " samples");
  return success();
}

LogicalResult KMeansFitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor a, SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  auto k = static_cast<int64_t>(a.getNClusters());
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkFitRows(loc, op, x, "n_clusters", k)))
    return failure();
  if (static_cast<int64_t>(a.getNInit()) < 1 || static_cast<int64_t>(a.getMaxIter()) < 1)
    return emitShapeError(
        loc, op,
        "n_init " + Twine(static_cast<int64_t>(a.getNInit())) + " and max_iter " +
            Twine(static_cast<int64_t>(a.getMaxIter())) + " must be >= 1");
  results.push_back(RankedTensorType::get({k, x.getDimSize(1)}, x.getElementType()));
  return success();
}

LogicalResult PcaFitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor a, SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  auto k = static_cast<int64_t>(a.getNComponents());
  if (failed(checkSamples(loc, op, x)) ||
      failed(checkFitRows(loc, op, x, "n_components", k)))
    return failure();
  int64_t d = x.getDimSize(1);
  if (k > d)
    return emitShapeError(loc, op,
                          "n_components = " + Twine(k) + " exceeds the " + Twine(d) +
                              " features of input " + typeToString(x));
  results.push_back(RankedTensorType::get({d}, x.getElementType()));
  results.push_back(RankedTensorType::get({k, d}, x.getElementType()));
  return success();
}

LogicalResult LinearFitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor a, SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto x = cast<RankedTensorType>(a.getInput().getType());
  auto y = cast<RankedTensorType>(a.getTarget().getType());
  if (failed(checkSamples(loc, op, x)) || failed(checkFitRows(loc, op, x, "samples", 1)))
    return failure();
  if (y.getRank() != 1 || y.getElementType() != x.getElementType() ||
      (!y.isDynamicDim(0) && !x.isDynamicDim(0) && y.getDimSize(0) != x.getDimSize(0)))
    return emitShapeError(loc, op,
                          "target " + typeToString(y) +
                              " is not [N] with one value per row of input " +
                              typeToString(x));
  double alpha = a.getAlpha().convertToDouble();
  if (!(alpha >= 0))
    return emitShapeError(loc, op,
                          "alpha is " + std::to_string(alpha) + "; expected >= 0");
  results.push_back(RankedTensorType::get({x.getDimSize(1)}, x.getElementType()));
  results.push_back(RankedTensorType::get({}, x.getElementType()));
  return success();
}

} // namespace kiln
