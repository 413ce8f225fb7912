// kiln.matmul / kiln.linear -> linalg.matmul / linalg.batch_matmul.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[LHS_BCAST:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[RHS_BCAST:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>

// 2-D x 2-D: one linalg.matmul accumulating onto zeros.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<4x16xf32>, %[[B:.*]]: tensor<16x32xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x32xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x32xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x16xf32>, tensor<16x32xf32>) outs(%[[INIT]] : tensor<4x32xf32>) -> tensor<4x32xf32>
// CHECK: return %[[MM]]
// CHECK-NOT: kiln.matmul
func.func @matmul_2d(%a: tensor<4x16xf32>, %b: tensor<16x32xf32>) -> tensor<4x32xf32> {
  %0 = kiln.matmul %a, %b : tensor<4x16xf32>, tensor<16x32xf32> -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// [B, M, K] x [K, N]: the rows of all batches in one GEMM, then the batch
// dimension back (the dynamic batch size read from the lhs).
// CHECK-LABEL: func.func @matmul_3d_2d
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x16xf32>, %[[B:.*]]: tensor<16x32xf32>)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4x16xf32>
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<?x4x16xf32> into tensor<?x16xf32>
// CHECK: linalg.fill
// CHECK-SAME: -> tensor<?x32xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %[[B]] : tensor<?x16xf32>, tensor<16x32xf32>) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK-NOT: linalg.batch_matmul
// CHECK: tensor.expand_shape
// CHECK-SAME: output_shape [%[[BATCH]], 4, 32]
// CHECK-SAME: into tensor<?x4x32xf32>
func.func @matmul_3d_2d(%a: tensor<?x4x16xf32>, %b: tensor<16x32xf32>) -> tensor<?x4x32xf32> {
  %0 = kiln.matmul %a, %b : tensor<?x4x16xf32>, tensor<16x32xf32> -> tensor<?x4x32xf32>
  return %0 : tensor<?x4x32xf32>
}

// Equal batch shapes: linalg.batch_matmul directly.
// CHECK-LABEL: func.func @batch_matmul
// CHECK-SAME: (%[[A:.*]]: tensor<8x4x16xf32>, %[[B:.*]]: tensor<8x16x32xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-SAME: -> tensor<8x4x32xf32>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<8x4x16xf32>, tensor<8x16x32xf32>) outs(%[[INIT]] : tensor<8x4x32xf32>) -> tensor<8x4x32xf32>
// CHECK: return %[[MM]]
func.func @batch_matmul(%a: tensor<8x4x16xf32>, %b: tensor<8x16x32xf32>) -> tensor<8x4x32xf32> {
  %0 = kiln.matmul %a, %b : tensor<8x4x16xf32>, tensor<8x16x32xf32> -> tensor<8x4x32xf32>
  return %0 : tensor<8x4x32xf32>
}

// Several batch dimensions fold into one.
// CHECK-LABEL: func.func @batch_matmul_4d
// CHECK: %[[A3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x4x16xf64> into tensor<6x4x16xf64>
// CHECK: %[[B3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x16x32xf64> into tensor<6x16x32xf64>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<6x4x16xf64>, tensor<6x16x32xf64>)
// CHECK-SAME: -> tensor<6x4x32xf64>
// CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 4, 32] : tensor<6x4x32xf64> into tensor<2x3x4x32xf64>
func.func @batch_matmul_4d(%a: tensor<2x3x4x16xf64>, %b: tensor<2x3x16x32xf64>) -> tensor<2x3x4x32xf64> {
  %0 = kiln.matmul %a, %b : tensor<2x3x4x16xf64>, tensor<2x3x16x32xf64> -> tensor<2x3x4x32xf64>
  return %0 : tensor<2x3x4x32xf64>
}

// Broadcast batch dimensions are materialized (a copy through a
// linalg.generic with a constant-0 / dropped index), then batch_matmul.
// CHECK-LABEL: func.func @batch_matmul_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<?x1x4x16xf32>, %[[B:.*]]: tensor<5x16x32xf32>)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x1x4x16xf32>
// CHECK: %[[ABC:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[LHS_BCAST]], #[[ID4]]]
// CHECK-SAME: ins(%[[A]] : tensor<?x1x4x16xf32>) outs(%{{.*}} : tensor<?x5x4x16xf32>)
// CHECK: %[[A3:.*]] = tensor.collapse_shape %[[ABC]] {{\[}}[0, 1], [2], [3]] : tensor<?x5x4x16xf32> into tensor<?x4x16xf32>
// CHECK: %[[BBC:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[RHS_BCAST]], #[[ID4]]]
// CHECK-SAME: ins(%[[B]] : tensor<5x16x32xf32>) outs(%{{.*}} : tensor<?x5x16x32xf32>)
// CHECK: %[[B3:.*]] = tensor.collapse_shape %[[BBC]] {{\[}}[0, 1], [2], [3]] : tensor<?x5x16x32xf32> into tensor<?x16x32xf32>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<?x4x16xf32>, tensor<?x16x32xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [%[[BATCH]], 5, 4, 32] : tensor<?x4x32xf32> into tensor<?x5x4x32xf32>
func.func @batch_matmul_broadcast(%a: tensor<?x1x4x16xf32>, %b: tensor<5x16x32xf32>) -> tensor<?x5x4x32xf32> {
  %0 = kiln.matmul %a, %b : tensor<?x1x4x16xf32>, tensor<5x16x32xf32> -> tensor<?x5x4x32xf32>
  return %0 : tensor<?x5x4x32xf32>
}

// linear with a constant weight: W^T is computed at compile time (a
// transposed arith.constant, no linalg.transpose) and the bias, broadcast
// over the rows, is the matmul's initial accumulator.
// CHECK-LABEL: func.func @linear_constant_weight
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-DAG: %[[BIAS:.*]] = arith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[WT:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[ROWS]]) : tensor<?x2xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[BIAS]] : tensor<2xf32>) outs(%[[EMPTY]] : tensor<?x2xf32>) dimensions = [0]
// CHECK-NOT: linalg.fill
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[X]], %[[WT]] : tensor<?x3xf32>, tensor<3x2xf32>) outs(%[[INIT]] : tensor<?x2xf32>)
// CHECK: return %[[MM]] : tensor<?x2xf32>
func.func @linear_constant_weight(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = kiln.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = kiln.linear %x, %w, %b : tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// linear with a weight that is not a constant and no bias: a runtime
// linalg.transpose and a zero accumulator; leading input dims are folded
// into the rows.
// CHECK-LABEL: func.func @linear_no_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3xf64>, %[[W:.*]]: tensor<2x3xf64>)
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<2x3xf64>) outs(%{{.*}} : tensor<3x2xf64>) permutation = [1, 0]
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x5x3xf64> into tensor<10x3xf64>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<10x2xf64>)
// CHECK-NOT: linalg.broadcast
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %[[WT]] : tensor<10x3xf64>, tensor<3x2xf64>) outs(%[[INIT]] : tensor<10x2xf64>)
// CHECK: tensor.expand_shape
// CHECK-SAME: into tensor<2x5x2xf64>
func.func @linear_no_bias(%x: tensor<2x5x3xf64>, %w: tensor<2x3xf64>) -> tensor<2x5x2xf64> {
  %0 = kiln.linear %x, %w : tensor<2x5x3xf64>, tensor<2x3xf64> -> tensor<2x5x2xf64>
  return %0 : tensor<2x5x2xf64>
}

// A rank-1 input is one row.
// CHECK-LABEL: func.func @linear_vector
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[W:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: linalg.transpose ins(%[[W]]
// CHECK: %[[ROW:.*]] = tensor.expand_shape %[[X]] {{\[}}[0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<2xf32>) outs(%{{.*}} : tensor<1x2xf32>) dimensions = [0]
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROW]], %{{.*}} : tensor<1x3xf32>, tensor<3x2xf32>) outs(%[[INIT]] : tensor<1x2xf32>)
// CHECK: tensor.collapse_shape %[[MM]] {{\[}}[0, 1]] : tensor<1x2xf32> into tensor<2xf32>
func.func @linear_vector(%x: tensor<3xf32>, %w: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<3xf32>, tensor<2x3xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
