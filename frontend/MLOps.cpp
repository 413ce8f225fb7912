//===- MLOps.cpp - Classical-ML inference in the DSL ----------------------===//
#include "frontend/MLOps.h"
#include "frontend/ModelImpl.h"
#include "frontend/Ops.h"
#include "runtime/Error.h"

#include <Eigen/Cholesky>

#include <cmath>
#include <functional>

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

/// `op`'s results with attributes `attrs`.
std::vector<Value> emitMulti(const char *op, std::initializer_list<Value> operands,
                             llvm::ArrayRef<NamedAttribute> attrs, unsigned results) {
  ModelImpl &m = modelOf(*operands.begin(), op);
  for (const Value &v : operands)
    modelOf(v, op);
  return m.emitMulti(op, llvm::ArrayRef<Value>(operands.begin(), operands.size()), attrs,
                     results);
}

/// Contribution of tree `t`'s leaf (its value row `leaf`) to the K outputs.
using LeafValues = std::function<void(std::size_t t, const double *leaf, double *out)>;

/// The trees as kiln.tree_ensemble_predict operands ([T, M] nodes, M the
/// largest tree, shorter ones padded with leaves) and the op: [N, K].
Value treesToGraph(Value x, const char *what, const std::vector<ml::FlatTree> &trees,
                   int64_t k, const LeafValues &leafValues) {
  const char *op = "kiln.tree_ensemble_predict";
  if (trees.empty())
    fail("'", op, "' op: the ", what, " is not fitted");
  auto t = static_cast<int64_t>(trees.size());
  int64_t m = 0;
  for (const auto &tree : trees)
    m = std::max<int64_t>(m, tree.nodeCount());
  auto nodes = static_cast<std::size_t>(t * m);
  std::vector<int64_t> feature(nodes, -1), left(nodes, 0), right(nodes, 0);
  std::vector<double> threshold(nodes, 0), values(nodes * static_cast<std::size_t>(k), 0);
  for (std::size_t i = 0; i < trees.size(); ++i) {
    const ml::FlatTree &tree = trees[i];
    for (int64_t j = 0; j < tree.nodeCount(); ++j) {
      auto at = i * static_cast<std::size_t>(m) + static_cast<std::size_t>(j);
      auto node = static_cast<std::size_t>(j);
      feature[at] = tree.feature[node];
      if (tree.feature[node] >= 0) {
        threshold[at] = tree.threshold[node];
        left[at] = tree.left[node];
        right[at] = tree.right[node];
      } else {
        leafValues(i, tree.value.data() + node * static_cast<std::size_t>(tree.outputs),
                   values.data() + at * static_cast<std::size_t>(k));
      }
    }
  }
  ModelImpl &model = modelOf(x, op);
  auto ints = [&](const std::vector<int64_t> &v) {
    return model.constantTensor(Tensor::fromValues<int64_t>({t, m}, v));
  };
  return treeEnsemblePredict(x, ints(feature), constantLike(x, op, {t, m}, threshold),
                             ints(left), ints(right),
                             constantLike(x, op, {t, m, k}, values));
}

/// Copies the first k leaf values, scaled by `weight`.
LeafValues scaledLeaves(int64_t k, double weight) {
  return [k, weight](std::size_t, const double *leaf, double *out) {
    for (int64_t c = 0; c < k; ++c)
      out[c] = weight * leaf[c];
  };
}

} // namespace

Value gdaDecision(Value x, Value means, Value whiteners, Value offsets) {
  return emit("kiln.gda_decision", {x, means, whiteners, offsets});
}

Value gdaPredict(Value x, Value means, Value whiteners, Value offsets) {
  return emit("kiln.gda_predict", {x, means, whiteners, offsets});
}

Value treeEnsemblePredict(Value x, Value feature, Value threshold, Value left,
                          Value right, Value values) {
  return emit("kiln.tree_ensemble_predict", {x, feature, threshold, left, right, values});
}

Value meanSquaredError(Value yTrue, Value yPred) {
  return emit("kiln.mean_squared_error", {yTrue, yPred});
}
Value meanAbsoluteError(Value yTrue, Value yPred) {
  return emit("kiln.mean_absolute_error", {yTrue, yPred});
}
Value r2Score(Value yTrue, Value yPred) { return emit("kiln.r2_score", {yTrue, yPred}); }
Value accuracy(Value yTrue, Value yPred) { return emit("kiln.accuracy", {yTrue, yPred}); }

Value confusionMatrix(Value yTrue, Value yPred, int64_t numClasses) {
  const char *op = "kiln.confusion_matrix";
  Builder b(modelOf(yTrue, op).context.get());
  return emit(op, {yTrue, yPred},
              {b.getNamedAttr("num_classes", b.getI64IntegerAttr(numClasses))});
}

Value kmeansFit(Value x, const ml::KMeansOptions &o) {
  const char *op = "kiln.kmeans_fit";
  Builder b(modelOf(x, op).context.get());
  return emit(
      op, {x},
      {b.getNamedAttr("n_clusters", b.getI64IntegerAttr(o.nClusters)),
       b.getNamedAttr("n_init", b.getI64IntegerAttr(o.nInit)),
       b.getNamedAttr("max_iter", b.getI64IntegerAttr(o.maxIter)),
       b.getNamedAttr("seed", b.getI64IntegerAttr(static_cast<int64_t>(o.seed)))});
}

std::pair<Value, Value> pcaFit(Value x, const ml::PCAOptions &o) {
  const char *op = "kiln.pca_fit";
  Builder b(modelOf(x, op).context.get());
  auto r = emitMulti(op, {x},
                     {b.getNamedAttr("n_components", b.getI64IntegerAttr(o.nComponents)),
                      b.getNamedAttr("whiten", b.getBoolAttr(o.whiten))},
                     2);
  return {r[0], r[1]};
}

std::pair<Value, Value> linearFit(Value x, Value y, double alpha) {
  const char *op = "kiln.linear_fit";
  Builder b(modelOf(x, op).context.get());
  auto r = emitMulti(op, {x, y}, {b.getNamedAttr("alpha", b.getF64FloatAttr(alpha))}, 2);
  return {r[0], r[1]};
}

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

/// QDA's class densities as whiteners W_c = L_c^-1 (S_c = L_c L_c^T) and
/// offsets log prior_c - 1/2 log det S_c (as its decisionFunction).
static std::vector<Value>
qdaOperands(Value x, const QuadraticDiscriminantAnalysis &fitted, const char *op) {
  if (fitted.classes().size() == 0)
    fail("'", op, "' op: the QuadraticDiscriminantAnalysis is not fitted");
  Index c = fitted.classes().size(), d = fitted.means().cols();
  std::vector<double> w(static_cast<size_t>(c * d * d)), offsets(static_cast<size_t>(c));
  for (Index k = 0; k < c; ++k) {
    Eigen::LLT<Matrix> llt(fitted.covariance(static_cast<int>(k)));
    Matrix l = llt.matrixL();
    Matrix inv = l.triangularView<Eigen::Lower>().solve(Matrix::Identity(d, d));
    for (Index i = 0; i < d; ++i)
      for (Index j = 0; j < d; ++j)
        w[static_cast<size_t>((k * d + i) * d + j)] = inv(i, j);
    offsets[static_cast<size_t>(k)] =
        std::log(fitted.priors()[k]) - l.diagonal().array().log().sum();
  }
  return {matrixLike(x, op, fitted.means()), constantLike(x, op, {c, d, d}, w),
          constantLike(x, op, {c}, offsets)};
}

Value gdaDecision(Value x, const QuadraticDiscriminantAnalysis &fitted) {
  auto p = qdaOperands(x, fitted, "kiln.gda_decision");
  return kiln::gdaDecision(x, p[0], p[1], p[2]);
}

Value gdaPredict(Value x, const QuadraticDiscriminantAnalysis &fitted) {
  auto p = qdaOperands(x, fitted, "kiln.gda_predict");
  return kiln::gdaPredict(x, p[0], p[1], p[2]);
}

Value gdaPredict(Value x, const LinearDiscriminantAnalysis &fitted) {
  const char *op = "kiln.linear_predict";
  if (fitted.classes().size() == 0)
    fail("'", op, "' op: the LinearDiscriminantAnalysis is not fitted");
  return kiln::argmax(kiln::linearPredict(x, matrixLike(x, op, fitted.coef()),
                                          vectorLike(x, op, fitted.intercept())),
                      1);
}

/// A fitted tree as a one-tree ensemble (none when not fitted).
static std::vector<FlatTree> oneTree(const FlatTree &tree) {
  if (tree.nodeCount() == 0)
    return {};
  return {tree};
}

Value treePredict(Value x, const DecisionTreeClassifier &fitted) {
  auto k = static_cast<int64_t>(fitted.classes().size());
  return treesToGraph(x, "DecisionTreeClassifier", oneTree(fitted.tree()), k,
                      scaledLeaves(k, 1));
}

Value treePredict(Value x, const DecisionTreeRegressor &fitted) {
  return kiln::reshape(treesToGraph(x, "DecisionTreeRegressor", oneTree(fitted.tree()), 1,
                                    scaledLeaves(1, 1)),
                       {-1});
}

Value treePredict(Value x, const RandomForestClassifier &fitted) {
  auto k = static_cast<int64_t>(fitted.classes().size());
  double w = 1.0 / static_cast<double>(std::max<size_t>(fitted.trees().size(), 1));
  return treesToGraph(x, "RandomForestClassifier", fitted.trees(), k, scaledLeaves(k, w));
}

Value treePredict(Value x, const RandomForestRegressor &fitted) {
  double w = 1.0 / static_cast<double>(std::max<size_t>(fitted.trees().size(), 1));
  return kiln::reshape(
      treesToGraph(x, "RandomForestRegressor", fitted.trees(), 1, scaledLeaves(1, w)),
      {-1});
}

Value treePredict(Value x, const AdaBoostClassifier &fitted) {
  // Each tree votes alpha_m / sum(alpha) for the class of largest leaf value.
  auto k = static_cast<int64_t>(fitted.classes().size());
  const std::vector<double> &alphas = fitted.estimatorWeights();
  double total = 0;
  for (double a : alphas)
    total += a;
  return treesToGraph(x, "AdaBoostClassifier", fitted.trees(), k,
                      [&](std::size_t t, const double *leaf, double *out) {
                        out[std::max_element(leaf, leaf + k) - leaf] = alphas[t] / total;
                      });
}

Value treePredict(Value x, const GradientBoostingRegressor &fitted) {
  const char *op = "kiln.tree_ensemble_predict";
  Value sum =
      treesToGraph(x, "GradientBoostingRegressor", fitted.trees(), 1, scaledLeaves(1, 1));
  return kiln::reshape(kiln::add(sum, constantLike(x, op, {}, {fitted.init()})), {-1});
}

Value treePredict(Value x, const GradientBoostingClassifier &fitted) {
  // Stage-major trees: tree t adds its (one) leaf value to output t % K.
  const char *op = "kiln.tree_ensemble_predict";
  const Vector &init = fitted.init();
  auto k = static_cast<int64_t>(init.size());
  Value sum = treesToGraph(x, "GradientBoostingClassifier", fitted.trees(),
                           std::max<int64_t>(k, 1),
                           [k](std::size_t t, const double *leaf, double *out) {
                             out[static_cast<int64_t>(t) % k] = leaf[0];
                           });
  return kiln::add(sum, vectorLike(x, op, init));
}

} // namespace ml
} // namespace kiln
