// Reductions -> linalg.reduce (+ a division for the mean, a reshape for
// keepdim); argmax -> a linalg.generic carrying (max, index) pairs.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<?x4x8xf32>) outs(%[[INIT]] : tensor<?x8xf32>) dimensions = [1]
// CHECK: arith.addf
// CHECK: return %[[R]] : tensor<?x8xf32>
func.func @reduce_sum(%x: tensor<?x4x8xf32>) -> tensor<?x8xf32> {
  %0 = kiln.reduce_sum %x [1] : tensor<?x4x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// The maximum starts from -inf; all axes reduce to a rank-0 tensor.
// CHECK-LABEL: func.func @reduce_max_all
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[R:.*]] = linalg.reduce ins(%{{.*}} : tensor<3x5xf32>) outs(%[[INIT]] : tensor<f32>) dimensions = [0, 1]
// CHECK: arith.maximumf
// CHECK: return %[[R]] : tensor<f32>
func.func @reduce_max_all(%x: tensor<3x5xf32>) -> tensor<f32> {
  %0 = kiln.reduce_max %x [1, 0] : tensor<3x5xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// mean = sum / count, the count read at run time for a dynamic axis.
// CHECK-LABEL: func.func @reduce_mean_dynamic_axis
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf64>)
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[X]] : tensor<?x4xf64>) outs(%{{.*}} : tensor<4xf64>) dimensions = [0]
// CHECK: arith.addf
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf64>
// CHECK: %[[COUNT:.*]] = arith.muli %{{.*}}, %[[N]] : index
// CHECK: %[[COUNT_I64:.*]] = arith.index_castui %[[COUNT]] : index to i64
// CHECK: %[[COUNT_F:.*]] = arith.uitofp %[[COUNT_I64]] : i64 to f64
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID1]], #[[ID1]]]
// CHECK-SAME: ins(%[[SUM]] : tensor<4xf64>)
// CHECK: ^bb0(%[[S:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[S]], %[[COUNT_F]] : f64
// CHECK-NEXT: linalg.yield %[[Q]] : f64
// CHECK: return %[[MEAN]] : tensor<4xf64>
func.func @reduce_mean_dynamic_axis(%x: tensor<?x4xf64>) -> tensor<4xf64> {
  %0 = kiln.reduce_mean %x [0] : tensor<?x4xf64> -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// The count is the product of all reduced sizes; keepdim reshapes the
// result back to rank 3 with the input's batch size.
// CHECK-LABEL: func.func @reduce_mean_keepdim
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>)
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[X]] : tensor<?x4x8xf32>) outs(%{{.*}} : tensor<?xf32>) dimensions = [1, 2]
// CHECK-DAG: %[[D2:.*]] = tensor.dim %[[X]], %[[C2:.*]] : tensor<?x4x8xf32>
// CHECK-DAG: %[[C2]] = arith.constant 2 : index
// CHECK: %[[P:.*]] = arith.muli %{{.*}}, %[[D2]] : index
// CHECK: %[[D1:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4x8xf32>
// CHECK: %[[COUNT:.*]] = arith.muli %[[P]], %[[D1]] : index
// CHECK: arith.uitofp
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<?xf32>)
// CHECK: arith.divf
// CHECK: %[[BATCH:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4x8xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [%[[BATCH]], 1, 1] : tensor<?xf32> into tensor<?x1x1xf32>
// CHECK: return %[[R]]
func.func @reduce_mean_keepdim(%x: tensor<?x4x8xf32>) -> tensor<?x1x1xf32> {
  %0 = kiln.reduce_mean %x [2, 1] {keepdim = true} : tensor<?x4x8xf32> -> tensor<?x1x1xf32>
  return %0 : tensor<?x1x1xf32>
}

// argmax: one reduction over the axis with two outputs (running max and its
// index); a strictly greater value (or a NaN) takes over, so the first
// maximum wins. The index output is the result.
// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x10xf32>)
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[MAX_INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK-DAG: %[[IDX_INIT:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<?xi64>)
// CHECK: %[[G:.*]]:2 = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<?x10xf32>) outs(%[[MAX_INIT]], %[[IDX_INIT]] : tensor<?xf32>, tensor<?xi64>)
// CHECK: ^bb0(%[[V:.*]]: f32, %[[BEST:.*]]: f32, %[[BEST_IDX:.*]]: i64):
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[V]], %[[BEST]] : f32
// CHECK: %[[TAKE:.*]] = arith.ori %[[GT]], %{{.*}} : i1
// CHECK: %[[NEW_MAX:.*]] = arith.select %[[TAKE]], %[[V]], %[[BEST]] : f32
// CHECK: %[[NEW_IDX:.*]] = arith.select %[[TAKE]], %[[I64]], %[[BEST_IDX]] : i64
// CHECK: linalg.yield %[[NEW_MAX]], %[[NEW_IDX]] : f32, i64
// CHECK: -> (tensor<?xf32>, tensor<?xi64>)
// CHECK: return %[[G]]#1 : tensor<?xi64>
func.func @argmax(%x: tensor<?x10xf32>) -> tensor<?xi64> {
  %0 = kiln.argmax %x {axis = 1 : i64} : tensor<?x10xf32> -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// CHECK-LABEL: func.func @argmax_keepdim
// CHECK: %[[G:.*]]:2 = linalg.generic
// CHECK: linalg.index 1
// CHECK: %[[R:.*]] = tensor.expand_shape %[[G]]#1 {{\[}}[0, 1]] output_shape [%{{.*}}, 1] : tensor<?xi64> into tensor<?x1xi64>
// CHECK: return %[[R]]
func.func @argmax_keepdim(%x: tensor<?x10xf32>) -> tensor<?x1xi64> {
  %0 = kiln.argmax %x {axis = 1 : i64, keepdim = true} : tensor<?x10xf32> -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}
