// --convert-kiln-to-linalg of the classical-ML ops that call the kiln::ml
// runtime (backends/cpu/LowerML.cpp, runtime/classical/CApi.h) and of the
// new native ones (gda_predict, accuracy, r2_score).
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s --check-prefix=NOKILN
// NOKILN-NOT: kiln.

// One private declaration per callee: inputs as strided buffers, settings as
// scalars, results as identity-layout buffers.
// CHECK-DAG: func.func private @kiln_ml_confusion_matrix(memref<?xi64, strided<[?], offset: ?>>, memref<?xi64, strided<[?], offset: ?>>, memref<?x?xi64>)
// CHECK-DAG: func.func private @kiln_ml_linear_fit_f64(memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?xf64, strided<[?], offset: ?>>, f64, memref<?xf64>, memref<f64>)
// CHECK-DAG: func.func private @kiln_ml_pca_fit_f64(memref<?x?xf64, strided<[?, ?], offset: ?>>, i64, memref<?xf64>, memref<?x?xf64>)
// CHECK-DAG: func.func private @kiln_ml_kmeans_fit_f64(memref<?x?xf64, strided<[?, ?], offset: ?>>, i64, i64, i64, memref<?x?xf64>)
// CHECK-DAG: func.func private @kiln_ml_tree_ensemble_predict_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xi64, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xi64, strided<[?, ?], offset: ?>>, memref<?x?xi64, strided<[?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?xf32>)

// The result buffer takes N from the input.
// CHECK-LABEL: func.func @trees
// CHECK: %[[N:.*]] = tensor.dim %arg0
// CHECK-COUNT-6: bufferization.to_buffer {{.*}} read_only
// CHECK: %[[OUT:.*]] = memref.alloc(%[[N]]) : memref<?x3xf32>
// CHECK: %[[ARG:.*]] = memref.cast %[[OUT]] : memref<?x3xf32> to memref<?x?xf32>
// CHECK: call @kiln_ml_tree_ensemble_predict_f32({{.*}}, %[[ARG]])
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable : memref<?x3xf32> to tensor<?x3xf32>

// Settings become scalar arguments (n_init, max_iter, seed; whiten; alpha).
// CHECK-LABEL: func.func @fits
// CHECK-DAG: %[[NINIT:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[ITERS:.*]] = arith.constant 300 : i64
// CHECK-DAG: %[[SEED:.*]] = arith.constant 7 : i64
// CHECK: memref.alloc() : memref<3x4xf64>
// CHECK: call @kiln_ml_kmeans_fit_f64(%{{.*}}, %[[NINIT]], %[[ITERS]], %[[SEED]], %{{.*}})
// CHECK: call @kiln_ml_pca_fit_f64(
// CHECK: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f64
// CHECK: call @kiln_ml_linear_fit_f64(%{{.*}}, %{{.*}}, %[[ALPHA]], %{{.*}}, %{{.*}})

// confusion_matrix calls the runtime; accuracy counts equal labels natively.
// CHECK-LABEL: func.func @metrics
// CHECK: memref.alloc() : memref<3x3xi64>
// CHECK: call @kiln_ml_confusion_matrix(
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]{{.*}}ins(%arg0, %arg1 : tensor<?xi64>, tensor<?xi64>)
// CHECK: arith.cmpi eq
// CHECK: arith.extui
// CHECK: arith.maxsi
// CHECK: arith.divf
// CHECK: linalg.reduce

// All classes' whitened differences in one matmul [N, 4] x [4, 12].
// CHECK-LABEL: func.func @gda
// CHECK: tensor.collapse_shape %arg2 {{\[\[}}0, 1], [2]] : tensor<3x4x4xf64> into tensor<12x4xf64>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x4xf64>, tensor<4x12xf64>)
// CHECK: tensor.expand_shape {{.*}} into tensor<?x3x4xf64>
// CHECK: arith.cmpf ogt

func.func @trees(%x: tensor<?x4xf32>, %f: tensor<2x5xi64>, %t: tensor<2x5xf32>, %l: tensor<2x5xi64>, %r: tensor<2x5xi64>, %v: tensor<2x5x3xf32>) -> tensor<?x3xf32> {
  %p = kiln.tree_ensemble_predict %x, %f, %t, %l, %r, %v : tensor<?x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>, tensor<2x5xi64>, tensor<2x5xi64>, tensor<2x5x3xf32> -> tensor<?x3xf32>
  return %p : tensor<?x3xf32>
}
func.func @fits(%x: tensor<?x4xf64>, %y: tensor<?xf64>) -> (tensor<3x4xf64>, tensor<4xf64>, tensor<2x4xf64>, tensor<4xf64>, tensor<f64>) {
  %c = kiln.kmeans_fit %x {n_clusters = 3, n_init = 2, seed = 7} : tensor<?x4xf64> -> tensor<3x4xf64>
  %m, %p = kiln.pca_fit %x {n_components = 2, whiten = true} : tensor<?x4xf64> -> tensor<4xf64>, tensor<2x4xf64>
  %w, %b = kiln.linear_fit %x, %y {alpha = 0.5} : tensor<?x4xf64>, tensor<?xf64> -> tensor<4xf64>, tensor<f64>
  return %c, %m, %p, %w, %b : tensor<3x4xf64>, tensor<4xf64>, tensor<2x4xf64>, tensor<4xf64>, tensor<f64>
}
func.func @metrics(%a: tensor<?xi64>, %b: tensor<?xi64>, %t: tensor<?xf32>, %p: tensor<?xf32>) -> (tensor<3x3xi64>, tensor<f64>, tensor<f32>) {
  %cm = kiln.confusion_matrix %a, %b {num_classes = 3} : tensor<?xi64>, tensor<?xi64> -> tensor<3x3xi64>
  %acc = kiln.accuracy %a, %b : tensor<?xi64>, tensor<?xi64> -> tensor<f64>
  %r2 = kiln.r2_score %t, %p : tensor<?xf32>, tensor<?xf32> -> tensor<f32>
  return %cm, %acc, %r2 : tensor<3x3xi64>, tensor<f64>, tensor<f32>
}
func.func @gda(%x: tensor<?x4xf64>, %m: tensor<3x4xf64>, %w: tensor<3x4x4xf64>, %o: tensor<3xf64>) -> tensor<?xi64> {
  %c = kiln.gda_predict %x, %m, %w, %o : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4x4xf64>, tensor<3xf64> -> tensor<?xi64>
  return %c : tensor<?xi64>
}
