// --convert-kiln-to-linalg of the classical-ML ops (backends/cpu/LowerML.cpp):
// pca_transform, linear_predict, pairwise_distance and kmeans_assign become
// kiln ops and then linalg (matmuls, elementwise generics, reductions);
// gaussian_nb_predict becomes a call into the kiln::ml C ABI.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s --check-prefix=NOKILN
// NOKILN-NOT: kiln.

// The runtime function is declared once, private, with strided buffers.
// CHECK: func.func private @kiln_ml_gaussian_nb_predict_f64(memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?x?xf64, strided<[?, ?], offset: ?>>, memref<?xf64, strided<[?], offset: ?>>, memref<?xi64>)

// (x - mean) then a matmul with the transposed components.
// CHECK-LABEL: func.func @pca
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x2xf32>)

// ||c||^2 (reduce), x c^T - ||c||^2/2 (matmul on the broadcast bias), argmax.
// CHECK-LABEL: func.func @kmeans
// CHECK: linalg.reduce
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x4xf64>, tensor<4x3xf64>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt

// CHECK-LABEL: func.func @nb
// CHECK-COUNT-4: bufferization.to_buffer {{.*}} read_only
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?xi64>
// CHECK: call @kiln_ml_gaussian_nb_predict_f64({{.*}}, %[[OUT]])
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable

// CHECK-LABEL: func.func @linear
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x3xf64>, tensor<3x1xf64>)
// CHECK: tensor.collapse_shape

// manhattan: |x[:, None] - y[None]| summed over D; euclidean: the matmul identity.
// CHECK-LABEL: func.func @dist
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x1x4xf32>, tensor<1x3x4xf32>)
// CHECK: math.absf
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x3x4xf32>) outs(%{{.*}} : tensor<?x3xf32>) dimensions = [2]
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x3xf32>)
// CHECK: arith.maximumf
// CHECK: math.sqrt

func.func @pca(%x: tensor<?x4xf32>, %m: tensor<4xf32>, %c: tensor<2x4xf32>) -> tensor<?x2xf32> {
  %z = kiln.pca_transform %x, %m, %c : tensor<?x4xf32>, tensor<4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
func.func @kmeans(%x: tensor<?x4xf64>, %c: tensor<3x4xf64>) -> tensor<?xi64> {
  %l = kiln.kmeans_assign %x, %c : tensor<?x4xf64>, tensor<3x4xf64> -> tensor<?xi64>
  return %l : tensor<?xi64>
}
func.func @nb(%x: tensor<?x4xf64>, %c: tensor<3x4xf64>, %v: tensor<3x4xf64>, %p: tensor<3xf64>) -> tensor<?xi64> {
  %n = kiln.gaussian_nb_predict %x, %c, %v, %p : tensor<?x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>, tensor<3xf64> -> tensor<?xi64>
  return %n : tensor<?xi64>
}
func.func @linear(%x: tensor<?x3xf64>, %w: tensor<3xf64>, %b: tensor<f64>) -> tensor<?xf64> {
  %y = kiln.linear_predict %x, %w, %b : tensor<?x3xf64>, tensor<3xf64>, tensor<f64> -> tensor<?xf64>
  return %y : tensor<?xf64>
}
func.func @dist(%x: tensor<?x4xf32>, %y: tensor<3x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %d = kiln.pairwise_distance %x, %y {metric = "manhattan"} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  %e = kiln.pairwise_distance %x, %y : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  return %d, %e : tensor<?x3xf32>, tensor<?x3xf32>
}
