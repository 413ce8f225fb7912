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
// Shape mistakes throw kiln::Error naming the op and the shapes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_MLOPS_H
#define KILN_FRONTEND_MLOPS_H

#include "frontend/Model.h"
#include "runtime/classical/Decomposition.h"
#include "runtime/classical/Discriminant.h"
#include "runtime/classical/KMeans.h"
#include "runtime/classical/LinearModels.h"

#include <string>

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

namespace ml {
/// The fitted model's transform/predict, parameters embedded as constants.
Value pcaTransform(Value x, const PCA &fitted);
Value kmeansAssign(Value x, const KMeans &fitted);
Value linearPredict(Value x, const LinearRegression &fitted);
Value linearPredict(Value x, const Ridge &fitted);
/// Index into fitted.classes() of each row's class.
Value gaussianNBPredict(Value x, const GaussianNB &fitted);
} // namespace ml

} // namespace kiln

#endif // KILN_FRONTEND_MLOPS_H
