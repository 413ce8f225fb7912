// softmax / log_softmax -> three linalg.generic ops: the maximum along the
// axis, the sum of exp(x - max) along the axis, then the normalization.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MID:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x10xf32>)
// 1. max_j x_j, starting from -inf.
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX_INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<?xf32>) -> tensor<?xf32>
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ROW]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<?x10xf32>) outs(%[[MAX_INIT]] : tensor<?xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[M]] : f32
// 2. sum_j exp(x_j - max), starting from 0.
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUM_INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?xf32>) -> tensor<?xf32>
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>) outs(%[[SUM_INIT]] : tensor<?xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[MX:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[SHIFTED:.*]] = arith.subf %[[IN]], %[[MX]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[SHIFTED]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[E]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// 3. exp(x - max) / sum, elementwise.
// CHECK: %[[OUT:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]], #[[ID2]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<?x10xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[MX:.*]]: f32, %[[SM:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SHIFTED:.*]] = arith.subf %[[IN]], %[[MX]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[SHIFTED]] : f32
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[E]], %[[SM]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
// CHECK: return %[[OUT]] : tensor<?x10xf32>
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// A middle axis: the reductions drop d1; log_softmax = x - max - log(sum).
// CHECK-LABEL: func.func @log_softmax_middle_axis
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf64>)
// CHECK: arith.constant 0xFFF0000000000000 : f64
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[MID]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x4xf64>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[MID]], #[[MID]]]
// CHECK-SAME: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[MID]], #[[MID]], #[[ID3]]]
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<2x3x4xf64>, tensor<2x4xf64>, tensor<2x4xf64>)
// CHECK: ^bb0(%[[IN:.*]]: f64, %[[MX:.*]]: f64, %[[SM:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[SHIFTED:.*]] = arith.subf %[[IN]], %[[MX]] : f64
// CHECK-NEXT: %[[LOG:.*]] = math.log %[[SM]] : f64
// CHECK-NEXT: %[[R:.*]] = arith.subf %[[SHIFTED]], %[[LOG]] : f64
// CHECK-NEXT: linalg.yield %[[R]] : f64
func.func @log_softmax_middle_axis(%x: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> {
  %0 = kiln.log_softmax %x {axis = 1 : i64} : tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}
