//===- MLOps.cpp - Classical-ML inference in the DSL ----------------------===//
#include "frontend/MLOps.h"
#include "frontend/ModelImpl.h"
#include "runtime/Error.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// A constant of x's float type holding `rows` x `cols` values (row-major).
Value constantLike(const Value &x, const char *op, Shape shape,
                   const std::vector<double> &values) {
  ModelImpl &m = modelOf(x, op);
  DType dtype = x.dtype();
  if (dtype != DType::F32 && dtype != DType::F64)
    fail("'", op, "' op input ", x.typeString(), " must be f32 or f64");
  Tensor t = Tensor::fromValues<double>(std::move(shape), values);
  return m.constantTensor(dtype == DType::F64 ? t : t.to(dtype));
}

Value matrixLike(const Value &x, const char *op, const ml::Matrix &a) {
  std::vector<double> v(static_cast<size_t>(a.size()));
  for (ml::Index i = 0; i < a.rows(); ++i)
    for (ml::Index j = 0; j < a.cols(); ++j)
      v[static_cast<size_t>(i * a.cols() + j)] = a(i, j);
  return constantLike(x, op, {a.rows(), a.cols()}, v);
}

Value vectorLike(const Value &x, const char *op, const ml::Vector &a) {
  return constantLike(x, op, {a.size()}, std::vector<double>(a.data(), a.data() + a.size()));
}

Value emit(const char *op, std::initializer_list<Value> operands,
           llvm::ArrayRef<NamedAttribute> attrs = {}) {
  ModelImpl &m = modelOf(*operands.begin(), op);
  for (const Value &v : operands)
    modelOf(v, op);
  return m.emit(op, llvm::ArrayRef<Value>(operands.begin(), operands.size()), attrs);
}

} // namespace

Value pcaTransform(Value x, Value mean, Value components) {
  return emit("kiln.pca_transform", {x, mean, components});
}

Value linearPredict(Value x, Value coef, Value intercept) {
  return emit("kiln.linear_predict", {x, coef, intercept});
}

Value pairwiseDistance(Value x, Value y, const std::string &metric) {
  const char *op = "kiln.pairwise_distance";
  Builder b(modelOf(x, op).context.get());
  return emit(op, {x, y}, {b.getNamedAttr("metric", b.getStringAttr(metric))});
}

Value kmeansAssign(Value x, Value centers) {
  return emit("kiln.kmeans_assign", {x, centers});
}

Value gaussianNBPredict(Value x, Value means, Value variances, Value priors) {
  return emit("kiln.gaussian_nb_predict", {x, means, variances, priors});
}

namespace ml {

Value pcaTransform(Value x, const PCA &fitted) {
  const char *op = "kiln.pca_transform";
  if (fitted.components().size() == 0)
    fail("'", op, "' op: the PCA is not fitted");
  Matrix c = fitted.components();
  if (fitted.options().whiten) // fold 1 / sqrt(explained variance) into the rows
    for (Index j = 0; j < c.rows(); ++j)
      c.row(j) /= std::sqrt(std::max(fitted.explainedVariance()[j], 1e-300));
  return kiln::pcaTransform(x, vectorLike(x, op, fitted.mean()), matrixLike(x, op, c));
}

Value kmeansAssign(Value x, const KMeans &fitted) {
  const char *op = "kiln.kmeans_assign";
  if (fitted.centers().size() == 0)
    fail("'", op, "' op: the KMeans is not fitted");
  return kiln::kmeansAssign(x, matrixLike(x, op, fitted.centers()));
}

template <typename M> Value linearPredictOf(Value x, const M &fitted) {
  const char *op = "kiln.linear_predict";
  if (fitted.coef().size() == 0)
    fail("'", op, "' op: the linear model is not fitted");
  return kiln::linearPredict(x, vectorLike(x, op, fitted.coef()),
                             constantLike(x, op, {}, {fitted.intercept()}));
}

Value linearPredict(Value x, const LinearRegression &fitted) { return linearPredictOf(x, fitted); }
Value linearPredict(Value x, const Ridge &fitted) { return linearPredictOf(x, fitted); }

Value gaussianNBPredict(Value x, const GaussianNB &fitted) {
  const char *op = "kiln.gaussian_nb_predict";
  if (fitted.classes().size() == 0)
    fail("'", op, "' op: the GaussianNB is not fitted");
  return kiln::gaussianNBPredict(x, matrixLike(x, op, fitted.means()),
                                 matrixLike(x, op, fitted.variances()),
                                 vectorLike(x, op, fitted.priors()));
}

} // namespace ml
} // namespace kiln
