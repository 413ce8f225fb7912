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

} // namespace kiln
