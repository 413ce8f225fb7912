// Round trip of the classical-ML inference ops (ir/KilnMLOps.td).
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func.func @pca
// CHECK: kiln.pca_transform %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
func.func @pca(%x: tensor<?x4xf32>, %m: tensor<4xf32>, %c: tensor<2x4xf32>) -> tensor<?x2xf32> {
  %z = kiln.pca_transform %x, %m, %c : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK: kiln.linear_predict %{{.*}} : tensor<?x3xf64>, tensor<3xf64>, tensor<f64> -> tensor<?xf64>
// CHECK: kiln.linear_predict %{{.*}} : tensor<?x3xf64>, tensor<2x3xf64>, tensor<2xf64> -> tensor<?x2xf64>
func.func @linear(%x: tensor<?x3xf64>, %w: tensor<3xf64>, %b: tensor<f64>, %w2: tensor<2x3xf64>, %b2: tensor<2xf64>) -> (tensor<?xf64>, tensor<?x2xf64>) {
  %y = kiln.linear_predict %x, %w, %b : tensor<?x3xf64>, tensor<3xf64>, tensor<f64> -> tensor<?xf64>
  %y2 = kiln.linear_predict %x, %w2, %b2 : tensor<?x3xf64>, tensor<2x3xf64>, tensor<2xf64> -> tensor<?x2xf64>
  return %y, %y2 : tensor<?xf64>, tensor<?x2xf64>
}

// CHECK-LABEL: func.func @distance
// CHECK: kiln.pairwise_distance %{{.*}}, %{{.*}} {metric = "manhattan"} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
// CHECK: kiln.pairwise_distance %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
func.func @distance(%x: tensor<?x4xf32>, %y: tensor<3x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %d = kiln.pairwise_distance %x, %y {metric = "manhattan"} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  %e = kiln.pairwise_distance %x, %y : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  return %d, %e : tensor<?x3xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @classify
// CHECK: kiln.kmeans_assign %{{.*}}, %{{.*}} : tensor<?x4xf64>, tensor<3x4xf64> -> tensor<?xi64>
// CHECK: kiln.gaussian_nb_predict %{{.*}} : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<?xi64>
func.func @classify(%x: tensor<?x4xf64>, %c: tensor<3x4xf64>, %v: tensor<3x4xf64>, %p: tensor<3xf64>) -> (tensor<?xi64>, tensor<?xi64>) {
  %l = kiln.kmeans_assign %x, %c : tensor<?x4xf64>, tensor<3x4xf64> -> tensor<?xi64>
  %n = kiln.gaussian_nb_predict %x, %c, %v, %p : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<?xi64>
  return %l, %n : tensor<?xi64>, tensor<?xi64>
}

// CHECK-LABEL: func.func @gda
// CHECK: kiln.gda_decision %{{.*}} : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?x3xf64>
// CHECK: kiln.gda_predict %{{.*}} : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?xi64>
func.func @gda(%x: tensor<?x4xf64>, %m: tensor<3x4xf64>, %w: tensor<3x4x4xf64>, %o: tensor<3xf64>) -> (tensor<?x3xf64>, tensor<?xi64>) {
  %s = kiln.gda_decision %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?x3xf64>
  %c = kiln.gda_predict %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?xi64>
  return %s, %c : tensor<?x3xf64>, tensor<?xi64>
}

// CHECK-LABEL: func.func @trees
// CHECK: kiln.tree_ensemble_predict %{{.*}} : tensor<?x4xf32>, tensor<10x15xi64>, tensor<10x15xf32>, tensor<10x15xi64>, tensor<10x15xi64>, tensor<10x15x3xf32> -> tensor<?x3xf32>
func.func @trees(%x: tensor<?x4xf32>, %f: tensor<10x15xi64>, %t: tensor<10x15xf32>, %l: tensor<10x15xi64>, %r: tensor<10x15xi64>, %v: tensor<10x15x3xf32>) -> tensor<?x3xf32> {
  %p = kiln.tree_ensemble_predict %x, %f, %t, %l, %r, %v : tensor<?x4xf32>, tensor<10x15xi64>, tensor<10x15xf32>, tensor<10x15xi64>, tensor<10x15xi64>, tensor<10x15x3xf32> -> tensor<?x3xf32>
  return %p : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @metrics
// CHECK: kiln.mean_squared_error %{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
// CHECK: kiln.mean_absolute_error
// CHECK: kiln.r2_score
// CHECK: kiln.accuracy %{{.*}}, %{{.*}} : tensor<?xi64>, tensor<?xi64> -> tensor<f64>
// CHECK: kiln.confusion_matrix %{{.*}}, %{{.*}} {num_classes = 3 : i64} : tensor<?xi64>, tensor<?xi64> -> tensor<3x3xi64>
func.func @metrics(%t: tensor<?xf32>, %p: tensor<?xf32>, %a: tensor<?xi64>, %b: tensor<?xi64>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f64>, tensor<3x3xi64>) {
  %e = kiln.mean_squared_error %t, %p : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
  %m = kiln.mean_absolute_error %t, %p : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
  %r = kiln.r2_score %t, %p : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
  %c = kiln.accuracy %a, %b : tensor<?xi64>, tensor<?xi64> -> tensor<f64>
  %cm = kiln.confusion_matrix %a, %b {num_classes = 3} : tensor<?xi64>, tensor<?xi64> -> tensor<3x3xi64>
  return %e, %m, %r, %c, %cm : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f64>, tensor<3x3xi64>
}

// CHECK-LABEL: func.func @fits
// CHECK: kiln.pca_fit %{{.*}} {n_components = 2 : i64, whiten = true} : tensor<?x4xf32> -> tensor<4xf32>, tensor<2x4xf32>
// CHECK: kiln.kmeans_fit %{{.*}} {n_clusters = 3 : i64} : tensor<?x2xf32> -> tensor<3x2xf32>
// CHECK: kiln.linear_fit %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f64} : tensor<?x4xf32>, tensor<?xf32> -> tensor<4xf32>, tensor<f32>
func.func @fits(%x: tensor<?x4xf32>, %y: tensor<?xf32>) -> (tensor<3x2xf32>, tensor<4xf32>, tensor<f32>) {
  %m, %c = kiln.pca_fit %x {n_components = 2, whiten = true} : tensor<?x4xf32> -> tensor<4xf32>, tensor<2x4xf32>
  %z = kiln.pca_transform %x, %m, %c : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  %k = kiln.kmeans_fit %z {n_clusters = 3} : tensor<?x2xf32> -> tensor<3x2xf32>
  %w, %b = kiln.linear_fit %x, %y {alpha = 1.0} : tensor<?x4xf32>, tensor<?xf32> -> tensor<4xf32>, tensor<f32>
  return %k, %w, %b : tensor<3x2xf32>, tensor<4xf32>, tensor<f32>
}
