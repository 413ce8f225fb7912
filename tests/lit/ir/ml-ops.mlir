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
