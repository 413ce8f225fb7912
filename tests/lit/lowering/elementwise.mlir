// Elementwise kiln ops and activations -> one linalg.generic each, with
// NumPy broadcasting expressed in the indexing maps.
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[TRAILING:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[ROW_BCAST:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[BATCH_BCAST:.+]] = affine_map<(d0, d1, d2) -> (0, d1, d2)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>

// A missing leading dimension is dropped from the map; a size-1 dimension
// broadcast against a larger one reads index 0. The dynamic batch size of
// the result comes from the operand that has it.
// CHECK-LABEL: func.func @binary_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<4x1xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = tensor.dim %[[A]], %[[C0]] : tensor<?x4x3xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x4x3xf32>
// CHECK: %[[ADD:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[TRAILING]], #[[ID3]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x4x3xf32>, tensor<3xf32>)
// CHECK-SAME: outs(%[[INIT]] : tensor<?x4x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID3]], #[[ROW_BCAST]], #[[ID3]]]
// CHECK-SAME: ins(%[[ADD]], %[[C]] : tensor<?x4x3xf32>, tensor<4x1xf32>)
// CHECK: arith.mulf
// CHECK-NOT: kiln.
func.func @binary_broadcast(%a: tensor<?x4x3xf32>, %b: tensor<3xf32>, %c: tensor<4x1xf32>) -> tensor<?x4x3xf32> {
  %0 = kiln.add %a, %b : tensor<?x4x3xf32>, tensor<3xf32> -> tensor<?x4x3xf32>
  %1 = kiln.mul %0, %c : tensor<?x4x3xf32>, tensor<4x1xf32> -> tensor<?x4x3xf32>
  return %1 : tensor<?x4x3xf32>
}

// The dynamic size comes from the second operand when only it has one; a
// static size-1 operand dimension against a dynamic one is broadcast too.
// CHECK-LABEL: func.func @binary_broadcast_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x3xf64>, %[[B:.*]]: tensor<?x4x3xf64>)
// CHECK: %[[DIM:.*]] = tensor.dim %[[B]], %{{.*}} : tensor<?x4x3xf64>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x4x3xf64>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[BATCH_BCAST]], #[[ID3]], #[[ID3]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<1x4x3xf64>, tensor<?x4x3xf64>)
// CHECK-SAME: outs(%[[INIT]] : tensor<?x4x3xf64>)
// CHECK: arith.subf %{{.*}}, %{{.*}} : f64
func.func @binary_broadcast_dynamic(%a: tensor<1x4x3xf64>, %b: tensor<?x4x3xf64>) -> tensor<?x4x3xf64> {
  %0 = kiln.sub %a, %b : tensor<1x4x3xf64>, tensor<?x4x3xf64> -> tensor<?x4x3xf64>
  return %0 : tensor<?x4x3xf64>
}

// The scalar body of each binary op.
// CHECK-LABEL: func.func @binary_bodies
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: arith.minimumf
// CHECK: linalg.generic
// CHECK: math.powf
func.func @binary_bodies(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.div %a, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.max %0, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.min %1, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = kiln.pow %2, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x8xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x8xf32>
// CHECK: linalg.generic
// CHECK-SAME: indexing_maps = [#[[ID2]], #[[ID2]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]] : tensor<?x8xf32>) outs(%[[INIT]] : tensor<?x8xf32>)
// CHECK: arith.negf
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: math.log
// CHECK: linalg.generic
// CHECK: math.sqrt
// CHECK: linalg.generic
// CHECK: math.rsqrt
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK-NOT: kiln.
func.func @unary(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = kiln.neg %x : tensor<?x8xf32>
  %1 = kiln.abs %0 : tensor<?x8xf32>
  %2 = kiln.exp %1 : tensor<?x8xf32>
  %3 = kiln.log %2 : tensor<?x8xf32>
  %4 = kiln.sqrt %3 : tensor<?x8xf32>
  %5 = kiln.rsqrt %4 : tensor<?x8xf32>
  %6 = kiln.tanh %5 : tensor<?x8xf32>
  return %6 : tensor<?x8xf32>
}

// relu = max(x, 0) (NaN-propagating maximumf).
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[R:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
// CHECK: linalg.yield %[[R]] : f32
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// sigmoid = 1 / (1 + e^-x); silu = x * sigmoid(x).
// CHECK-LABEL: func.func @sigmoid_silu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[NEG:.*]] = arith.negf %[[IN]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[DEN:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK: %[[SIG:.*]] = arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK: linalg.yield %[[SIG]] : f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN2:.*]]: f32, %{{.*}}: f32):
// CHECK: math.exp
// CHECK: %[[SIG2:.*]] = arith.divf
// CHECK: %[[SILU:.*]] = arith.mulf %[[IN2]], %[[SIG2]] : f32
// CHECK: linalg.yield %[[SILU]] : f32
func.func @sigmoid_silu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.sigmoid %x : tensor<4xf32>
  %1 = kiln.silu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// leaky_relu = x > 0 ? x : slope * x, with the op's slope.
// CHECK-LABEL: func.func @leaky_relu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SLOPE:.*]] = arith.constant 2.000000e-01 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[IN]], %[[SLOPE]] : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[IN]], %{{.*}} : f32
// CHECK: %[[R:.*]] = arith.select %[[POS]], %[[IN]], %[[SCALED]] : f32
// CHECK: linalg.yield %[[R]] : f32
// The default slope is 0.01.
// CHECK: linalg.generic
// CHECK: arith.constant 0.00999999977 : f32
// CHECK: arith.select
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.leaky_relu %x {negative_slope = 2.0e-01 : f64} : tensor<4xf32>
  %1 = kiln.leaky_relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// gelu: 0.5 x (1 + erf(x / sqrt 2)); approximate = "tanh":
// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @gelu
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f64, %{{.*}}: f64):
// CHECK: %[[RSQRT2:.*]] = arith.constant 0.70710678118654{{[0-9]*}} : f64
// CHECK: %[[SCALED:.*]] = arith.mulf %[[IN]], %[[RSQRT2]] : f64
// CHECK: %[[ERF:.*]] = math.erf %[[SCALED]] : f64
// CHECK: arith.addf %{{.*}}, %[[ERF]] : f64
// CHECK-NOT: math.tanh
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN2:.*]]: f64, %{{.*}}: f64):
// CHECK: arith.constant 4.471500e-02 : f64
// CHECK: arith.constant 0.79788456080286{{[0-9]*}} : f64
// CHECK: %[[TANH:.*]] = math.tanh %{{.*}} : f64
// CHECK: arith.addf %{{.*}}, %[[TANH]] : f64
// CHECK-NOT: math.erf
// CHECK: linalg.yield
func.func @gelu(%x: tensor<2x8xf64>) -> tensor<2x8xf64> {
  %0 = kiln.gelu %x : tensor<2x8xf64>
  %1 = kiln.gelu %0 {approximate = "tanh"} : tensor<2x8xf64>
  return %1 : tensor<2x8xf64>
}

// kiln.constant -> arith.constant with the same value.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
