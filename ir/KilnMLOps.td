//===- KilnMLOps.td - Classical-ML inference ops ----------*- tablegen -*-===//
//
// Inference of fitted classical models (kiln::ml, runtime/classical/) inside
// a compiled graph. The fitted parameters are ordinary tensor operands
// (constants or params), so a fitted model embeds in the graph as weights.
// Samples are rows: `x [N, D]`, N may be dynamic, D must be static.
//
// Lowering (backends/cpu/LowerML.cpp): pca_transform, linear_predict,
// pairwise_distance, kmeans_assign, gda_decision / gda_predict and the
// float metrics decompose into kiln ops (matmul / linear, reductions,
// argmax), which then lower to linalg like any other; accuracy is a
// linalg reduction; gaussian_nb_predict, tree_ensemble_predict,
// confusion_matrix and the fitting ops (kmeans_fit, pca_fit, linear_fit)
// are calls into the kiln::ml runtime through the C ABI of
// runtime/classical/CApi.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_ML_OPS_TD
#define KILN_ML_OPS_TD

def Kiln_PcaTransformOp : Kiln_Op<"pca_transform", [InferTypeOpAdaptor]> {
  let summary = "PCA projection (x - mean) components^T (sklearn PCA.transform)";
  let description = [{
    `x [N, D]`, `mean [D]` and `components [K, D]` (one component per row,
    as `kiln::ml::PCA::components()`) give `[N, K]`. Whitening is folded
    into the components by the DSL.

    ```mlir
    %z = kiln.pca_transform %x, %mean, %components : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$mean,
                   Kiln_FloatTensor:$components);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $mean `,` $components attr-dict `:` type($input) `,` type($mean) `,`
    type($components) `->` type($result)
  }];
}

def Kiln_LinearPredictOp : Kiln_Op<"linear_predict", [InferTypeOpAdaptor]> {
  let summary = "Linear model prediction x coef^T + intercept (sklearn LinearModel.predict)";
  let description = [{
    `x [N, D]` with `coef [D]` and a scalar `intercept []` gives `[N]`
    (one target, as `kiln::ml::LinearRegression`); `coef [K, D]` with
    `intercept [K]` gives `[N, K]` (K targets or decision functions).

    ```mlir
    %y = kiln.linear_predict %x, %coef, %b : tensor<?x10xf64>, tensor<10xf64>, tensor<f64> -> tensor<?xf64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$coef,
                   Kiln_FloatTensor:$intercept);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $coef `,` $intercept attr-dict `:` type($input) `,` type($coef) `,`
    type($intercept) `->` type($result)
  }];
}

def Kiln_PairwiseDistanceOp : Kiln_Op<"pairwise_distance", [InferTypeOpAdaptor]> {
  let summary = "Distance matrix between rows (scipy.spatial.distance.cdist)";
  let description = [{
    `x [N, D]` and `y [M, D]` give `[N, M]`, entry (i, j) the `metric`
    distance between row i of x and row j of y. `metric` is one of
    `euclidean`, `sqeuclidean`, `manhattan`, `chebyshev`, `cosine`
    (1 - cosine similarity). Euclidean distances use
    `||x||^2 + ||y||^2 - 2 x.y`, clamped at 0.

    ```mlir
    %d = kiln.pairwise_distance %x, %y {metric = "euclidean"} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$other,
                   DefaultValuedAttr<StrAttr, "\"euclidean\"">:$metric);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $other attr-dict `:` type($input) `,` type($other) `->` type($result)
  }];
}

def Kiln_KMeansAssignOp : Kiln_Op<"kmeans_assign", [InferTypeOpAdaptor]> {
  let summary = "Index of the nearest center of each row (sklearn KMeans.predict)";
  let description = [{
    `x [N, D]` and `centers [K, D]` give i64 labels `[N]`: the index of the
    nearest center in Euclidean distance, the lowest index on ties.

    ```mlir
    %l = kiln.kmeans_assign %x, %centers : tensor<?x2xf32>, tensor<3x2xf32> -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$centers);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = [{
    $input `,` $centers attr-dict `:` type($input) `,` type($centers) `->` type($result)
  }];
}

def Kiln_GaussianNBPredictOp : Kiln_Op<"gaussian_nb_predict", [InferTypeOpAdaptor]> {
  let summary = "Gaussian naive Bayes class index (sklearn GaussianNB.predict)";
  let description = [{
    `x [N, D]`, per-class `means [C, D]`, `variances [C, D]` (smoothing
    already added, as `kiln::ml::GaussianNB::variances()`) and `priors [C]`
    give i64 `[N]`: the index (into the model's classes) of the class of
    highest joint log-likelihood, the lowest index on ties. Lowered to a
    call of `kiln_ml_gaussian_nb_predict_f32/f64` in the kiln::ml runtime.

    ```mlir
    %c = kiln.gaussian_nb_predict %x, %m, %v, %p : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$means,
                   Kiln_FloatTensor:$variances, Kiln_FloatTensor:$priors);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = [{
    $input `,` $means `,` $variances `,` $priors attr-dict `:` type($input) `,`
    type($means) `,` type($variances) `,` type($priors) `->` type($result)
  }];
}

def Kiln_GdaDecisionOp : Kiln_Op<"gda_decision", [InferTypeOpAdaptor]> {
  let summary = "Gaussian discriminant scores (sklearn QuadraticDiscriminantAnalysis.decision_function)";
  let description = [{
    `x [N, D]`, per-class `means [C, D]`, `whiteners [C, D, D]` and
    `offsets [C]` give `[N, C]` scores
    `offsets[c] - 1/2 ||whiteners[c] (x - means[c])||^2`. With
    `whiteners[c] = L_c^-1` for the covariance `S_c = L_c L_c^T` and
    `offsets[c] = log prior[c] - 1/2 log det S_c` this is QDA's log
    posterior up to a per-row constant (one shared covariance: LDA).

    ```mlir
    %s = kiln.gda_decision %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?x3xf64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$means,
                   Kiln_FloatTensor:$whiteners, Kiln_FloatTensor:$offsets);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $means `,` $whiteners `,` $offsets attr-dict `:` type($input) `,`
    type($means) `,` type($whiteners) `,` type($offsets) `->` type($result)
  }];
}

def Kiln_GdaPredictOp : Kiln_Op<"gda_predict", [InferTypeOpAdaptor]> {
  let summary = "Gaussian discriminant class index (sklearn QuadraticDiscriminantAnalysis.predict)";
  let description = [{
    The operands of `kiln.gda_decision`; gives i64 `[N]`, the index of the
    highest score (the lowest index on ties).

    ```mlir
    %c = kiln.gda_predict %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$means,
                   Kiln_FloatTensor:$whiteners, Kiln_FloatTensor:$offsets);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = [{
    $input `,` $means `,` $whiteners `,` $offsets attr-dict `:` type($input) `,`
    type($means) `,` type($whiteners) `,` type($offsets) `->` type($result)
  }];
}

def Kiln_TreeEnsemblePredictOp : Kiln_Op<"tree_ensemble_predict", [InferTypeOpAdaptor]> {
  let summary = "Sum of the leaf values of T binary decision trees";
  let description = [{
    T trees of at most M nodes, flattened as `kiln::ml::FlatTree`: node 0
    is the root; `feature [T, M]` (i64) is the split feature, -1 at a leaf;
    `x[feature] <= threshold [T, M]` goes to `left [T, M]`, else to
    `right [T, M]` (i64 node indices, children after their parent);
    `values [T, M, K]` are the leaf values. The result `[N, K]` is the sum
    over trees of the values of the leaf each row reaches. Forests,
    AdaBoost and gradient boosting fold their tree weights into `values`
    (the DSL does). Shorter trees are padded with leaves. Lowered to a call
    of `kiln_ml_tree_ensemble_predict_f32/f64`, which rejects a feature or
    child index out of range with an error naming the op.

    ```mlir
    %p = kiln.tree_ensemble_predict %x, %f, %t, %l, %r, %v : tensor<?x4xf32>, tensor<10x15xi64>, tensor<10x15xf32>, tensor<10x15xi64>, tensor<10x15xi64>, tensor<10x15x3xf32> -> tensor<?x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_IndexTensor:$feature,
                   Kiln_FloatTensor:$threshold, Kiln_IndexTensor:$left,
                   Kiln_IndexTensor:$right, Kiln_FloatTensor:$values);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $feature `,` $threshold `,` $left `,` $right `,` $values attr-dict `:`
    type($input) `,` type($feature) `,` type($threshold) `,` type($left) `,`
    type($right) `,` type($values) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Metrics
//===----------------------------------------------------------------------===//

class Kiln_RegressionMetricOp<string mnemonic, string sklearn, string formula>
    : Kiln_Op<mnemonic, [InferTypeOpAdaptor]> {
  let summary = formula # " (sklearn.metrics." # sklearn # ")";
  let description = [{
    `y_true [N]` and `y_pred [N]` (one float type) give a scalar of that type.

    ```mlir
    %e = kiln.}] # mnemonic # [{ %t, %p : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$y_true, Kiln_FloatTensor:$y_pred);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $y_true `,` $y_pred attr-dict `:` type($y_true) `,` type($y_pred) `->` type($result)
  }];
}

def Kiln_MeanSquaredErrorOp : Kiln_RegressionMetricOp<"mean_squared_error",
    "mean_squared_error", "mean((y_true - y_pred)^2)">;
def Kiln_MeanAbsoluteErrorOp : Kiln_RegressionMetricOp<"mean_absolute_error",
    "mean_absolute_error", "mean(|y_true - y_pred|)">;
def Kiln_R2ScoreOp : Kiln_RegressionMetricOp<"r2_score", "r2_score",
    "1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2)">;

def Kiln_AccuracyOp : Kiln_Op<"accuracy", [InferTypeOpAdaptor]> {
  let summary = "Fraction of equal labels (sklearn.metrics.accuracy_score)";
  let description = [{
    i64 `y_true [N]` and `y_pred [N]` give the f64 scalar
    `#{i : y_true[i] == y_pred[i]} / N` (0 for N = 0).

    ```mlir
    %a = kiln.accuracy %t, %p : tensor<?xi64>, tensor<?xi64> -> tensor<f64>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$y_true, Kiln_IndexTensor:$y_pred);
  let results = (outs TensorOf<[F64]>:$result);
  let assemblyFormat = [{
    $y_true `,` $y_pred attr-dict `:` type($y_true) `,` type($y_pred) `->` type($result)
  }];
}

def Kiln_ConfusionMatrixOp : Kiln_Op<"confusion_matrix", [InferTypeOpAdaptor]> {
  let summary = "Counts of (true, predicted) label pairs (sklearn.metrics.confusion_matrix)";
  let description = [{
    i64 `y_true [N]` and `y_pred [N]` with labels in `[0, num_classes)`
    give i64 `[num_classes, num_classes]`, entry (i, j) the number of rows
    of true label i predicted as j. Lowered to a call of
    `kiln_ml_confusion_matrix`; a label out of range is a run-time error
    naming the op.

    ```mlir
    %c = kiln.confusion_matrix %t, %p {num_classes = 3} : tensor<?xi64>, tensor<?xi64> -> tensor<3x3xi64>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$y_true, Kiln_IndexTensor:$y_pred,
                   I64Attr:$num_classes);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = [{
    $y_true `,` $y_pred attr-dict `:` type($y_true) `,` type($y_pred) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Fitting (calls into kiln::ml through the C ABI)
//===----------------------------------------------------------------------===//

def Kiln_KMeansFitOp : Kiln_Op<"kmeans_fit", [InferTypeOpAdaptor]> {
  let summary = "k-means cluster centers (sklearn KMeans.fit(x).cluster_centers_)";
  let description = [{
    `x [N, D]` gives the `[n_clusters, D]` centers found by
    `kiln::ml::KMeans` (k-means++ seeding, Lloyd iterations; the best of
    `n_init` seedings). N < n_clusters is an error naming the op and the
    shapes (at compile time when N is static, else at run time).

    ```mlir
    %c = kiln.kmeans_fit %x {n_clusters = 3} : tensor<?x2xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$n_clusters,
                   DefaultValuedAttr<I64Attr, "1">:$n_init,
                   DefaultValuedAttr<I64Attr, "300">:$max_iter,
                   DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Kiln_FloatTensor:$centers);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($centers)";
}

def Kiln_PcaFitOp : Kiln_Op<"pca_fit", [InferTypeOpAdaptor]> {
  let summary = "PCA mean and components (sklearn PCA.fit(x).mean_, .components_)";
  let description = [{
    `x [N, D]` gives `mean [D]` and `components [n_components, D]` as
    `kiln::ml::PCA`; with `whiten`, each component is divided by the square
    root of its explained variance, so `kiln.pca_transform` with the results
    equals sklearn's whitened transform. N < n_components is an error.

    ```mlir
    %m, %c = kiln.pca_fit %x {n_components = 2} : tensor<?x4xf32> -> tensor<4xf32>, tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$n_components,
                   DefaultValuedAttr<BoolAttr, "false">:$whiten);
  let results = (outs Kiln_FloatTensor:$mean, Kiln_FloatTensor:$components);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($mean) `,` type($components)";
}

def Kiln_LinearFitOp : Kiln_Op<"linear_fit", [InferTypeOpAdaptor]> {
  let summary = "Least squares / ridge coefficients (sklearn LinearRegression / Ridge .coef_, .intercept_)";
  let description = [{
    `x [N, D]` and `y [N]` give `coef [D]` and the scalar `intercept []` of
    `kiln::ml::LinearRegression` (`alpha = 0`) or `kiln::ml::Ridge`
    (`alpha > 0`), ready for `kiln.linear_predict`.

    ```mlir
    %w, %b = kiln.linear_fit %x, %y {alpha = 1.0} : tensor<?x3xf64>, tensor<?xf64> -> tensor<3xf64>, tensor<f64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$target,
                   DefaultValuedAttr<F64Attr, "0.0">:$alpha);
  let results = (outs Kiln_FloatTensor:$coef, Kiln_FloatTensor:$intercept);
  let assemblyFormat = [{
    $input `,` $target attr-dict `:` type($input) `,` type($target) `->` type($coef) `,`
    type($intercept)
  }];
}

#endif // KILN_ML_OPS_TD
