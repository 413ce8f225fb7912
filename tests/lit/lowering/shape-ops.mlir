// reshape -> collapse_shape / expand_shape (views), transpose ->
// linalg.transpose, concat -> insert_slice, slice -> strided extract_slice.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// The -1 dimension of a dynamic reshape is the batch size of the input:
// the batch dim maps to itself and only the static dims are regrouped.
// CHECK-LABEL: func.func @reshape_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x28x28xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2, 3]] : tensor<?x1x28x28xf32> into tensor<?x784xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
func.func @reshape_dynamic(%x: tensor<?x1x28x28xf32>) -> tensor<?x784xf32> {
  %0 = kiln.reshape %x [-1, 784] : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// Dims regroup in runs of equal products: [2, 3, 4] -> [4, 6] is one run.
// CHECK-LABEL: func.func @reshape_static
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK-NOT: linalg.
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x [4, -1] : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// To rank 1: the collapse alone; to rank 0: a collapse with no groups.
// CHECK-LABEL: func.func @reshape_flatten_and_scalar
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[ONE:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x1xf32> into tensor<1xf32>
// CHECK: %[[SCALAR:.*]] = tensor.collapse_shape %[[ONE]] [] : tensor<1xf32> into tensor<f32>
// CHECK: return %[[FLAT]], %[[SCALAR]]
func.func @reshape_flatten_and_scalar(%x: tensor<2x3x4xf32>, %y: tensor<1x1xf32>) -> (tensor<24xf32>, tensor<f32>) {
  %0 = kiln.reshape %x [24] : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = kiln.reshape %y [] : tensor<1x1xf32> -> tensor<f32>
  return %0, %1 : tensor<24xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[BATCH]]) : tensor<4x?x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<?x3x4xf32>) outs(%[[INIT]] : tensor<4x?x3xf32>) permutation = [2, 0, 1]
// CHECK: return %[[T]]
func.func @transpose(%x: tensor<?x3x4xf32>) -> tensor<4x?x3xf32> {
  %0 = kiln.transpose %x [2, 0, 1] : tensor<?x3x4xf32> -> tensor<4x?x3xf32>
  return %0 : tensor<4x?x3xf32>
}

// Each input is inserted at its running offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<?x1xf32>, %[[C:.*]]: tensor<?x4xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<?x8xf32>
// CHECK: %[[S0:.*]] = tensor.insert_slice %[[A]] into %[[INIT]][0, 0] [%{{.*}}, 3] [1, 1] : tensor<?x3xf32> into tensor<?x8xf32>
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[B]] into %[[S0]][0, 3] [%{{.*}}, 1] [1, 1] : tensor<?x1xf32> into tensor<?x8xf32>
// CHECK: %[[S2:.*]] = tensor.insert_slice %[[C]] into %[[S1]][0, 4] [%{{.*}}, 4] [1, 1] : tensor<?x4xf32> into tensor<?x8xf32>
// CHECK: return %[[S2]]
func.func @concat(%a: tensor<?x3xf32>, %b: tensor<?x1xf32>, %c: tensor<?x4xf32>) -> tensor<?x8xf32> {
  %0 = kiln.concat %a, %b, %c {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @concat_leading_axis
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<5x3xf64>
// CHECK: %[[S0:.*]] = tensor.insert_slice %{{.*}} into %[[INIT]][0, 0] [2, 3] [1, 1] : tensor<2x3xf64> into tensor<5x3xf64>
// CHECK: tensor.insert_slice %{{.*}} into %[[S0]][2, 0] [3, 3] [1, 1] : tensor<3x3xf64> into tensor<5x3xf64>
func.func @concat_leading_axis(%a: tensor<2x3xf64>, %b: tensor<3x3xf64>) -> tensor<5x3xf64> {
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf64>, tensor<3x3xf64>) -> tensor<5x3xf64>
  return %0 : tensor<5x3xf64>
}

// x[:, 1:7:2]: offset 1, 3 elements, stride 2 along the axis.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK: %[[BATCH:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x8xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][0, 1] [%[[BATCH]], 3] [1, 2] : tensor<?x8xf32> to tensor<?x3xf32>
// CHECK: return %[[S]]
func.func @slice(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %0 = kiln.slice %x {axis = 1 : i64, start = 1 : i64, end = 7 : i64, step = 2 : i64} : tensor<?x8xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// The default step is 1; a partial last step still counts: 2:8:3 -> 2 elements.
// CHECK-LABEL: func.func @slice_leading_axis
// CHECK: tensor.extract_slice %{{.*}}[2, 0] [2, 5] [3, 1] : tensor<8x5xf32> to tensor<2x5xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [8, 3] [1, 1] : tensor<8x5xf32> to tensor<8x3xf32>
func.func @slice_leading_axis(%x: tensor<8x5xf32>) -> (tensor<2x5xf32>, tensor<8x3xf32>) {
  %0 = kiln.slice %x {axis = 0 : i64, start = 2 : i64, end = 8 : i64, step = 3 : i64} : tensor<8x5xf32> -> tensor<2x5xf32>
  %1 = kiln.slice %x {axis = 1 : i64, start = 1 : i64, end = 4 : i64} : tensor<8x5xf32> -> tensor<8x3xf32>
  return %0, %1 : tensor<2x5xf32>, tensor<8x3xf32>
}

// Runs that split and merge: [2, 12, 5] -> [2, 3, 4, 5] only expands the middle dim.
// CHECK-LABEL: func.func @reshape_runs
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3]] output_shape [2, 3, 4, 5] : tensor<2x12x5xf32> into tensor<2x3x4x5xf32>
// CHECK-NOT: tensor.collapse_shape
func.func @reshape_runs(%x: tensor<2x12x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = kiln.reshape %x [2, 3, 4, 5] : tensor<2x12x5xf32> -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}
