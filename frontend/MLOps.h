//===- MLOps.h - Classical-ML inference in the DSL --------------*- C++ -*-===//
//
// Inference of fitted kiln::ml models (runtime/classical/) as ops of a
// compiled graph. The kiln::ml overloads embed the fitted parameters as
// constants of x's element type (f32 or f64), so the graph carries the model:
//
//   kiln::ml::PCA pca({.nComponents = 2});  pca.fit(X);
//   kiln::ml::KMeans km({.nClusters = 3});  km.fit(pca.transform(X));
//   kiln::Model m("pca_kmeans");
//   kiln::Value x = m.input("x", {kiln::kBatch, 4}, kiln::DType::F64);
//   m.output(kiln::ml::kmeansAssign(kiln::ml::pcaTransform(x, pca), km));
//
// Fitting inside the graph (through kiln::ml's C ABI) chains the same way:
//
//   auto [mean, components] = kiln::pcaFit(x, {.nComponents = 2});
//   kiln::Value z = kiln::pcaTransform(x, mean, components);
//   m.output(kiln::kmeansAssign(z, kiln::kmeansFit(z, {.nClusters = 3})));
//
// Shape mistakes throw kiln::Error naming the op and the shapes; bad data
// met at run time (a label or tree index out of range, fewer rows than
// clusters) makes CompiledModel::run throw one.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_MLOPS_H
#define KILN_FRONTEND_MLOPS_H

#include "frontend/Model.h"
#include "runtime/classical/Boosting.h"
#include "runtime/classical/Decomposition.h"
#include "runtime/classical/Discriminant.h"
#include "runtime/classical/KMeans.h"
#include "runtime/classical/LinearModels.h"
#include "runtime/classical/Trees.h"

#include <string>
#include <utility>

namespace kiln {

/// kiln.pca_transform: (x [N, D] - mean [D]) components^T, components [K, D].
Value pcaTransform(Value x, Value mean, Value components);
/// kiln.linear_predict: x coef^T + intercept; coef [D] with intercept [] gives
/// [N], coef [K, D] with intercept [K] gives [N, K].
Value linearPredict(Value x, Value coef, Value intercept);
/// kiln.pairwise_distance: [N, M] distances between rows of x [N, D] and
/// y [M, D]; metric euclidean, sqeuclidean, manhattan, chebyshev or cosine.
Value pairwiseDistance(Value x, Value y, const std::string &metric = "euclidean");
/// kiln.kmeans_assign: i64 [N], the nearest row of centers [K, D].
Value kmeansAssign(Value x, Value centers);
/// kiln.gaussian_nb_predict: i64 [N] class indices (lowered to a runtime call).
Value gaussianNBPredict(Value x, Value means, Value variances, Value priors);

/// kiln.gda_decision: [N, C] scores offsets - 1/2 ||whiteners[c] (x - means[c])||^2.
Value gdaDecision(Value x, Value means, Value whiteners, Value offsets);
/// kiln.gda_predict: i64 [N], argmax of gdaDecision.
Value gdaPredict(Value x, Value means, Value whiteners, Value offsets);
/// kiln.tree_ensemble_predict: [N, K] sum over T trees (flattened, [T, M]
/// node tensors, values [T, M, K]) of the reached leaves' values.
Value treeEnsemblePredict(Value x, Value feature, Value threshold, Value left,
                          Value right, Value values);

/// Metrics: scalars. Float [N] for the regression ones, i64 [N] labels for
/// accuracy (an f64 scalar) and confusionMatrix (i64 [C, C]).
Value meanSquaredError(Value yTrue, Value yPred);
Value meanAbsoluteError(Value yTrue, Value yPred);
Value r2Score(Value yTrue, Value yPred);
Value accuracy(Value yTrue, Value yPred);
Value confusionMatrix(Value yTrue, Value yPred, int64_t numClasses);

/// Fitting: kiln::ml estimators run on x inside the graph; the results are
/// the fitted parameters, ready for the inference ops above.
/// kiln.kmeans_fit: centers [nClusters, D]. Uses nClusters, nInit, maxIter and
/// seed; tol and threads take kiln::ml's defaults (1e-4, KILN_NUM_THREADS).
Value kmeansFit(Value x, const ml::KMeansOptions &options);
/// kiln.pca_fit: {mean [D], components [nComponents, D]} (nComponents >= 1,
/// whiten folded into the components, threads kiln::ml's default).
std::pair<Value, Value> pcaFit(Value x, const ml::PCAOptions &options);
/// kiln.linear_fit: {coef [D], intercept []}; alpha 0 is least squares,
/// alpha > 0 ridge.
std::pair<Value, Value> linearFit(Value x, Value y, double alpha = 0);

namespace ml {
/// The fitted model's transform/predict, parameters embedded as constants.
Value pcaTransform(Value x, const PCA &fitted);
Value kmeansAssign(Value x, const KMeans &fitted);
Value linearPredict(Value x, const LinearRegression &fitted);
Value linearPredict(Value x, const Ridge &fitted);
/// Index into fitted.classes() of each row's class.
Value gaussianNBPredict(Value x, const GaussianNB &fitted);
/// QDA: decision_function [N, C] (kiln.gda_decision) and class indices.
Value gdaDecision(Value x, const QuadraticDiscriminantAnalysis &fitted);
Value gdaPredict(Value x, const QuadraticDiscriminantAnalysis &fitted);
/// LDA's scores are linear (its pseudo-inverse covariance has no whitener
/// form): argmax(kiln.linear_predict(x, coef, intercept)).
Value gdaPredict(Value x, const LinearDiscriminantAnalysis &fitted);

/// Trees as kiln.tree_ensemble_predict, tree weights folded into the values.
/// Classifiers give [N, classes] scores (argmax: the class index):
/// predict_proba for a tree or forest, decision_function for AdaBoost and
/// gradient boosting ([N, 1] log-odds for two classes). Regressors give [N].
Value treePredict(Value x, const DecisionTreeClassifier &fitted);
Value treePredict(Value x, const DecisionTreeRegressor &fitted);
Value treePredict(Value x, const RandomForestClassifier &fitted);
Value treePredict(Value x, const RandomForestRegressor &fitted);
Value treePredict(Value x, const AdaBoostClassifier &fitted);
Value treePredict(Value x, const GradientBoostingRegressor &fitted);
Value treePredict(Value x, const GradientBoostingClassifier &fitted);
} // namespace ml

} // namespace kiln

#endif // KILN_FRONTEND_MLOPS_H
