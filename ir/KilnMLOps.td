//===- KilnMLOps.td - Classical-ML inference ops ----------*- tablegen -*-===//
//
// Inference of fitted classical models (kiln::ml, runtime/classical/) inside
// a compiled graph. The fitted parameters are ordinary tensor operands
// (constants or params), so a fitted model embeds in the graph as weights.
// Samples are rows: `x [N, D]`, N may be dynamic, D must be static.
//
// Lowering (backends/cpu/LowerML.cpp): pca_transform, linear_predict,
// pairwise_distance and kmeans_assign decompose into kiln ops (matmul /
// linear, reductions, argmax), which then lower to linalg like any other;
// gaussian_nb_predict is a call into the kiln::ml runtime through the C ABI
// of runtime/classical/CApi.cpp.
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

#endif // KILN_ML_OPS_TD
