// Shape-inference errors of the classical-ML ops (ir/KilnMLOps.cpp), one
// case per distinct message.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @pca_not_2d(%x: tensor<4xf32>, %m: tensor<4xf32>, %c: tensor<2x4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'kiln.pca_transform' op input tensor<4xf32> is not 2-D (expected samples as rows, [N, D])}}
  // expected-error @+1 {{failed to infer returned types}}
  %z = kiln.pca_transform %x, %m, %c : tensor<4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @pca_dynamic_features(%x: tensor<?x?xf32>, %m: tensor<4xf32>, %c: tensor<2x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'kiln.pca_transform' op input tensor<?x?xf32> has a dynamic feature dimension (only N may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %z = kiln.pca_transform %x, %m, %c : tensor<?x?xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

func.func @pca_mean(%x: tensor<?x4xf32>, %m: tensor<3xf32>, %c: tensor<2x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'kiln.pca_transform' op mean tensor<3xf32> does not match the feature shape tensor<4xf32> for input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %z = kiln.pca_transform %x, %m, %c : tensor<?x4xf32>, tensor<3xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

func.func @kmeans_centers(%x: tensor<?x4xf32>, %c: tensor<3x5xf32>) -> tensor<?xi64> {
  // expected-error @+2 {{'kiln.kmeans_assign' op centers tensor<3x5xf32> is not [K, 4] with static K and element type f32 for input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %l = kiln.kmeans_assign %x, %c : tensor<?x4xf32>, tensor<3x5xf32> -> tensor<?xi64>
  return %l : tensor<?xi64>
}

// -----

func.func @linear_intercept(%x: tensor<?x4xf32>, %w: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'kiln.linear_predict' op intercept tensor<2xf32> does not match a scalar (coef is 1-D) tensor<f32> for input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = kiln.linear_predict %x, %w, %b : tensor<?x4xf32>, tensor<4xf32>, tensor<2xf32> -> tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

func.func @distance_metric(%x: tensor<?x4xf32>, %y: tensor<3x4xf32>) -> tensor<?x3xf32> {
  // expected-error @+2 {{'kiln.pairwise_distance' op unknown metric 'hamming' (expected euclidean, sqeuclidean, manhattan, chebyshev or cosine)}}
  // expected-error @+1 {{failed to infer returned types}}
  %d = kiln.pairwise_distance %x, %y {metric = "hamming"} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  return %d : tensor<?x3xf32>
}

// -----

func.func @distance_features(%x: tensor<?x4xf32>, %y: tensor<3x5xf32>) -> tensor<?x3xf32> {
  // expected-error @+2 {{'kiln.pairwise_distance' op other tensor<3x5xf32> does not have the features of input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %d = kiln.pairwise_distance %x, %y : tensor<?x4xf32>, tensor<3x5xf32> -> tensor<?x3xf32>
  return %d : tensor<?x3xf32>
}

// -----

func.func @nb_priors(%x: tensor<?x4xf64>, %m: tensor<3x4xf64>, %v: tensor<3x4xf64>, %p: tensor<2xf64>) -> tensor<?xi64> {
  // expected-error @+2 {{'kiln.gaussian_nb_predict' op priors tensor<2xf64> does not match one value per class tensor<3xf64> for input tensor<?x4xf64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = kiln.gaussian_nb_predict %x, %m, %v, %p : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<2xf64> -> tensor<?xi64>
  return %c : tensor<?xi64>
}

// -----

func.func @gda_whiteners(%x: tensor<?x4xf64>, %m: tensor<3x4xf64>, %w: tensor<3x4x3xf64>, %o: tensor<3xf64>) -> tensor<?xi64> {
  // expected-error @+2 {{'kiln.gda_predict' op whiteners tensor<3x4x3xf64> does not match one [D, D] matrix per row of means tensor<3x4x4xf64> for input tensor<?x4xf64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = kiln.gda_predict %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x3xf64>, tensor<3xf64> -> tensor<?xi64>
  return %c : tensor<?xi64>
}

// -----

func.func @trees_left(%x: tensor<?x4xf32>, %f: tensor<2x5xi64>, %t: tensor<2x5xf32>, %l: tensor<2x4xi64>, %v: tensor<2x5x1xf32>) -> tensor<?x1xf32> {
  // expected-error @+2 {{'kiln.tree_ensemble_predict' op left tensor<2x4xi64> does not match tensor<2x5xi64> (one entry per node, as feature tensor<2x5xi64>, for input tensor<?x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %p = kiln.tree_ensemble_predict %x, %f, %t, %l, %f, %v : tensor<?x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>, tensor<2x4xi64>, tensor<2x5xi64>, tensor<2x5x1xf32> -> tensor<?x1xf32>
  return %p : tensor<?x1xf32>
}

// -----

func.func @trees_values(%x: tensor<?x4xf32>, %f: tensor<2x5xi64>, %t: tensor<2x5xf32>, %v: tensor<3x5x1xf32>) -> tensor<?x1xf32> {
  // expected-error @+2 {{'kiln.tree_ensemble_predict' op values tensor<3x5x1xf32> is not [2, 5, K] (static K >= 1, element type f32) for feature tensor<2x5xi64> and input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %p = kiln.tree_ensemble_predict %x, %f, %t, %f, %f, %v : tensor<?x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>, tensor<2x5xi64>, tensor<2x5xi64>, tensor<3x5x1xf32> -> tensor<?x1xf32>
  return %p : tensor<?x1xf32>
}

// -----

func.func @metric_mismatch(%t: tensor<?xf32>, %p: tensor<?xf64>) -> tensor<f32> {
  // expected-error @+2 {{'kiln.mean_squared_error' op y_pred tensor<?xf64> does not match y_true tensor<?xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %e = kiln.mean_squared_error %t, %p : tensor<?xf32>, tensor<?xf64> -> tensor<f32>
  return %e : tensor<f32>
}

// -----

func.func @kmeans_fit_too_few_rows(%x: tensor<5x2xf32>) -> tensor<6x2xf32> {
  // expected-error @+2 {{'kiln.kmeans_fit' op n_clusters = 6 exceeds the 5 rows of input tensor<5x2xf32>; expected at least 6 samples}}
  // expected-error @+1 {{failed to infer returned types}}
  %c = kiln.kmeans_fit %x {n_clusters = 6} : tensor<5x2xf32> -> tensor<6x2xf32>
  return %c : tensor<6x2xf32>
}

// -----

func.func @pca_fit_components(%x: tensor<?x4xf32>) -> (tensor<4xf32>, tensor<5x4xf32>) {
  // expected-error @+2 {{'kiln.pca_fit' op n_components = 5 exceeds the 4 features of input tensor<?x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %m, %c = kiln.pca_fit %x {n_components = 5} : tensor<?x4xf32> -> tensor<4xf32>, tensor<5x4xf32>
  return %m, %c : tensor<4xf32>, tensor<5x4xf32>
}
