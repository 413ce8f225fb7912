// Round trip of every kiln op, in the custom and in the generic form.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// The generic form keeps every attribute, defaults included.
// RUN: kiln-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

//===----------------------------------------------------------------------===//
// Constants and parameters
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant_and_param
// CHECK: kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: kiln.constant dense<5.000000e-01> : tensor<3x4xf64>
// CHECK: kiln.param "fc1.weight" : tensor<256x784xf32>
// CHECK: kiln.param "fc1.bias" : tensor<256xf32>
// GENERIC-LABEL: sym_name = "constant_and_param"
// GENERIC: "kiln.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32>
// GENERIC: "kiln.param"() <{name = "fc1.weight"}> : () -> tensor<256x784xf32>
func.func @constant_and_param() -> (tensor<2xf32>, tensor<3x4xf64>, tensor<256x784xf32>, tensor<256xf32>) {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = kiln.constant dense<0.5> : tensor<3x4xf64>
  %w = kiln.param "fc1.weight" : tensor<256x784xf32>
  %b = kiln.param "fc1.bias" : tensor<256xf32>
  return %c, %d, %w, %b : tensor<2xf32>, tensor<3x4xf64>, tensor<256x784xf32>, tensor<256xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<4x1xf32>, %[[D:.*]]: tensor<?x1x1xf32>, %[[E:.*]]: tensor<2x3xf64>)
// CHECK: %[[ADD:.*]] = kiln.add %[[A]], %[[B]] : tensor<?x4x3xf32>, tensor<3xf32> -> tensor<?x4x3xf32>
// CHECK: %[[SUB:.*]] = kiln.sub %[[ADD]], %[[C]] : tensor<?x4x3xf32>, tensor<4x1xf32> -> tensor<?x4x3xf32>
// CHECK: %[[MUL:.*]] = kiln.mul %[[C]], %[[B]] : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
// CHECK: %[[DIV:.*]] = kiln.div %[[SUB]], %[[MUL]] : tensor<?x4x3xf32>, tensor<4x3xf32> -> tensor<?x4x3xf32>
// CHECK: %[[MAX:.*]] = kiln.max %[[DIV]], %[[D]] : tensor<?x4x3xf32>, tensor<?x1x1xf32> -> tensor<?x4x3xf32>
// CHECK: %[[MIN:.*]] = kiln.min %[[D]], %[[C]] : tensor<?x1x1xf32>, tensor<4x1xf32> -> tensor<?x4x1xf32>
// CHECK: kiln.pow %[[MAX]], %[[MIN]] : tensor<?x4x3xf32>, tensor<?x4x1xf32> -> tensor<?x4x3xf32>
// CHECK: kiln.add %[[E]], %[[E]] : tensor<2x3xf64>, tensor<2x3xf64> -> tensor<2x3xf64>
// GENERIC-LABEL: sym_name = "binary"
// GENERIC: "kiln.add"(%{{.*}}, %{{.*}}) : (tensor<?x4x3xf32>, tensor<3xf32>) -> tensor<?x4x3xf32>
func.func @binary(%a: tensor<?x4x3xf32>, %b: tensor<3xf32>, %c: tensor<4x1xf32>,
                  %d: tensor<?x1x1xf32>, %e: tensor<2x3xf64>)
    -> (tensor<?x4x3xf32>, tensor<2x3xf64>) {
  %0 = kiln.add %a, %b : tensor<?x4x3xf32>, tensor<3xf32> -> tensor<?x4x3xf32>
  %1 = kiln.sub %0, %c : tensor<?x4x3xf32>, tensor<4x1xf32> -> tensor<?x4x3xf32>
  %2 = kiln.mul %c, %b : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
  %3 = kiln.div %1, %2 : tensor<?x4x3xf32>, tensor<4x3xf32> -> tensor<?x4x3xf32>
  %4 = kiln.max %3, %d : tensor<?x4x3xf32>, tensor<?x1x1xf32> -> tensor<?x4x3xf32>
  %5 = kiln.min %d, %c : tensor<?x1x1xf32>, tensor<4x1xf32> -> tensor<?x4x1xf32>
  %6 = kiln.pow %4, %5 : tensor<?x4x3xf32>, tensor<?x4x1xf32> -> tensor<?x4x3xf32>
  %7 = kiln.add %e, %e : tensor<2x3xf64>, tensor<2x3xf64> -> tensor<2x3xf64>
  return %6, %7 : tensor<?x4x3xf32>, tensor<2x3xf64>
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops and activations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK: %[[NEG:.*]] = kiln.neg %[[X]] : tensor<?x8xf32>
// CHECK: %[[ABS:.*]] = kiln.abs %[[NEG]] : tensor<?x8xf32>
// CHECK: %[[EXP:.*]] = kiln.exp %[[ABS]] : tensor<?x8xf32>
// CHECK: %[[LOG:.*]] = kiln.log %[[EXP]] : tensor<?x8xf32>
// CHECK: %[[SQRT:.*]] = kiln.sqrt %[[LOG]] : tensor<?x8xf32>
// CHECK: %[[RSQRT:.*]] = kiln.rsqrt %[[SQRT]] : tensor<?x8xf32>
// CHECK: %[[RELU:.*]] = kiln.relu %[[RSQRT]] : tensor<?x8xf32>
// CHECK: %[[SIG:.*]] = kiln.sigmoid %[[RELU]] : tensor<?x8xf32>
// CHECK: %[[TANH:.*]] = kiln.tanh %[[SIG]] : tensor<?x8xf32>
// CHECK: kiln.silu %[[TANH]] : tensor<?x8xf32>
func.func @unary(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = kiln.neg %x : tensor<?x8xf32>
  %1 = kiln.abs %0 : tensor<?x8xf32>
  %2 = kiln.exp %1 : tensor<?x8xf32>
  %3 = kiln.log %2 : tensor<?x8xf32>
  %4 = kiln.sqrt %3 : tensor<?x8xf32>
  %5 = kiln.rsqrt %4 : tensor<?x8xf32>
  %6 = kiln.relu %5 : tensor<?x8xf32>
  %7 = kiln.sigmoid %6 : tensor<?x8xf32>
  %8 = kiln.tanh %7 : tensor<?x8xf32>
  %9 = kiln.silu %8 : tensor<?x8xf32>
  return %9 : tensor<?x8xf32>
}

// Default attribute values are elided by the custom printer.
// CHECK-LABEL: func.func @activations_with_attributes
// CHECK: kiln.leaky_relu %{{.*}} : tensor<2x8xf32>
// CHECK: kiln.leaky_relu %{{.*}} {negative_slope = 2.000000e-01 : f64} : tensor<2x8xf32>
// CHECK: kiln.gelu %{{.*}} : tensor<2x8xf32>
// CHECK: kiln.gelu %{{.*}} : tensor<2x8xf32>
// CHECK: kiln.gelu %{{.*}} {approximate = "tanh"} : tensor<2x8xf64>
// GENERIC-LABEL: sym_name = "activations_with_attributes"
// GENERIC: "kiln.leaky_relu"(%{{.*}}) <{negative_slope = 1.000000e-02 : f64}>
// GENERIC: "kiln.leaky_relu"(%{{.*}}) <{negative_slope = 2.000000e-01 : f64}>
// GENERIC: "kiln.gelu"(%{{.*}}) <{approximate = "none"}>
// GENERIC: "kiln.gelu"(%{{.*}}) <{approximate = "none"}>
// GENERIC: "kiln.gelu"(%{{.*}}) <{approximate = "tanh"}>
func.func @activations_with_attributes(%x: tensor<2x8xf32>, %y: tensor<2x8xf64>)
    -> (tensor<2x8xf32>, tensor<2x8xf64>) {
  %0 = kiln.leaky_relu %x : tensor<2x8xf32>
  %1 = kiln.leaky_relu %0 {negative_slope = 2.0e-01 : f64} : tensor<2x8xf32>
  %2 = kiln.gelu %1 : tensor<2x8xf32>
  %3 = kiln.gelu %2 {approximate = "none"} : tensor<2x8xf32>
  %4 = kiln.gelu %y {approximate = "tanh"} : tensor<2x8xf64>
  return %3, %4 : tensor<2x8xf32>, tensor<2x8xf64>
}

// CHECK-LABEL: func.func @softmax
// CHECK: kiln.softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
// CHECK: kiln.softmax %{{.*}} {axis = 0 : i64} : tensor<?x10xf32>
// CHECK: kiln.log_softmax %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf64>
// GENERIC-LABEL: sym_name = "softmax"
// GENERIC: "kiln.softmax"(%{{.*}}) <{axis = 1 : i64}> : (tensor<?x10xf32>) -> tensor<?x10xf32>
// GENERIC: "kiln.log_softmax"(%{{.*}}) <{axis = 2 : i64}> : (tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
func.func @softmax(%x: tensor<?x10xf32>, %y: tensor<2x3x4xf64>)
    -> (tensor<?x10xf32>, tensor<2x3x4xf64>) {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<?x10xf32>
  %1 = kiln.softmax %0 {axis = 0 : i64} : tensor<?x10xf32>
  %2 = kiln.log_softmax %y {axis = 2 : i64} : tensor<2x3x4xf64>
  return %1, %2 : tensor<?x10xf32>, tensor<2x3x4xf64>
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<16x32xf32> -> tensor<4x32xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<?x4x16xf32>, tensor<16x32xf32> -> tensor<?x4x32xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<8x4x16xf32>, tensor<8x16x32xf32> -> tensor<8x4x32xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<2x1x4x16xf32>, tensor<3x16x32xf32> -> tensor<2x3x4x32xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<?x1x4x16xf32>, tensor<5x16x32xf32> -> tensor<?x5x4x32xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<4x16xf64>, tensor<2x16x8xf64> -> tensor<2x4x8xf64>
// GENERIC-LABEL: sym_name = "matmul"
// GENERIC: "kiln.matmul"(%{{.*}}, %{{.*}}) : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
func.func @matmul(%a: tensor<4x16xf32>, %b: tensor<16x32xf32>, %c: tensor<?x4x16xf32>,
                  %d: tensor<8x4x16xf32>, %e: tensor<8x16x32xf32>,
                  %f: tensor<2x1x4x16xf32>, %g: tensor<3x16x32xf32>,
                  %h: tensor<?x1x4x16xf32>, %i: tensor<5x16x32xf32>,
                  %j: tensor<4x16xf64>, %k: tensor<2x16x8xf64>)
    -> (tensor<4x32xf32>, tensor<?x4x32xf32>, tensor<8x4x32xf32>,
        tensor<2x3x4x32xf32>, tensor<?x5x4x32xf32>, tensor<2x4x8xf64>) {
  %0 = kiln.matmul %a, %b : tensor<4x16xf32>, tensor<16x32xf32> -> tensor<4x32xf32>
  %1 = kiln.matmul %c, %b : tensor<?x4x16xf32>, tensor<16x32xf32> -> tensor<?x4x32xf32>
  %2 = kiln.matmul %d, %e : tensor<8x4x16xf32>, tensor<8x16x32xf32> -> tensor<8x4x32xf32>
  %3 = kiln.matmul %f, %g : tensor<2x1x4x16xf32>, tensor<3x16x32xf32> -> tensor<2x3x4x32xf32>
  %4 = kiln.matmul %h, %i : tensor<?x1x4x16xf32>, tensor<5x16x32xf32> -> tensor<?x5x4x32xf32>
  %5 = kiln.matmul %j, %k : tensor<4x16xf64>, tensor<2x16x8xf64> -> tensor<2x4x8xf64>
  return %0, %1, %2, %3, %4, %5 : tensor<4x32xf32>, tensor<?x4x32xf32>, tensor<8x4x32xf32>,
                                  tensor<2x3x4x32xf32>, tensor<?x5x4x32xf32>, tensor<2x4x8xf64>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<256x784xf32>, %[[B:.*]]: tensor<256xf32>, %[[Y:.*]]: tensor<2x3x784xf32>)
// CHECK: kiln.linear %[[X]], %[[W]], %[[B]] : tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32> -> tensor<?x256xf32>
// CHECK: kiln.linear %[[X]], %[[W]] : tensor<?x784xf32>, tensor<256x784xf32> -> tensor<?x256xf32>
// CHECK: kiln.linear %[[Y]], %[[W]], %[[B]] : tensor<2x3x784xf32>, tensor<256x784xf32>, tensor<256xf32> -> tensor<2x3x256xf32>
// GENERIC-LABEL: sym_name = "linear"
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>) -> tensor<?x256xf32>
// GENERIC: "kiln.linear"(%{{.*}}, %{{.*}}) : (tensor<?x784xf32>, tensor<256x784xf32>) -> tensor<?x256xf32>
func.func @linear(%x: tensor<?x784xf32>, %w: tensor<256x784xf32>, %b: tensor<256xf32>,
                  %y: tensor<2x3x784xf32>)
    -> (tensor<?x256xf32>, tensor<?x256xf32>, tensor<2x3x256xf32>) {
  %0 = kiln.linear %x, %w, %b : tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32> -> tensor<?x256xf32>
  %1 = kiln.linear %x, %w : tensor<?x784xf32>, tensor<256x784xf32> -> tensor<?x256xf32>
  %2 = kiln.linear %y, %w, %b : tensor<2x3x784xf32>, tensor<256x784xf32>, tensor<256xf32> -> tensor<2x3x256xf32>
  return %0, %1, %2 : tensor<?x256xf32>, tensor<?x256xf32>, tensor<2x3x256xf32>
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK: kiln.reshape %{{.*}} [-1, 784] : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
// CHECK: kiln.reshape %{{.*}} [-1, 28, 28] : tensor<?x784xf32> -> tensor<?x28x28xf32>
// CHECK: kiln.reshape %{{.*}} [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK: kiln.reshape %{{.*}} [3, -1] : tensor<2x3x4xf32> -> tensor<3x8xf32>
// CHECK: kiln.reshape %{{.*}} [24] : tensor<2x3x4xf32> -> tensor<24xf32>
// GENERIC-LABEL: sym_name = "reshape"
// GENERIC: "kiln.reshape"(%{{.*}}) <{shape = array<i64: -1, 784>}> : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
func.func @reshape(%x: tensor<?x1x28x28xf32>, %y: tensor<2x3x4xf32>)
    -> (tensor<?x28x28xf32>, tensor<4x6xf32>, tensor<3x8xf32>, tensor<24xf32>) {
  %0 = kiln.reshape %x [-1, 784] : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  %1 = kiln.reshape %0 [-1, 28, 28] : tensor<?x784xf32> -> tensor<?x28x28xf32>
  %2 = kiln.reshape %y [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
  %3 = kiln.reshape %y [3, -1] : tensor<2x3x4xf32> -> tensor<3x8xf32>
  %4 = kiln.reshape %y [24] : tensor<2x3x4xf32> -> tensor<24xf32>
  return %1, %2, %3, %4 : tensor<?x28x28xf32>, tensor<4x6xf32>, tensor<3x8xf32>, tensor<24xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK: kiln.transpose %{{.*}} [0, 2, 1] : tensor<?x3x4xf32> -> tensor<?x4x3xf32>
// CHECK: kiln.transpose %{{.*}} [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
// GENERIC-LABEL: sym_name = "transpose"
// GENERIC: "kiln.transpose"(%{{.*}}) <{permutation = array<i64: 0, 2, 1>}>
func.func @transpose(%x: tensor<?x3x4xf32>, %y: tensor<3x5xf64>)
    -> (tensor<?x4x3xf32>, tensor<5x3xf64>) {
  %0 = kiln.transpose %x [0, 2, 1] : tensor<?x3x4xf32> -> tensor<?x4x3xf32>
  %1 = kiln.transpose %y [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
  return %0, %1 : tensor<?x4x3xf32>, tensor<5x3xf64>
}

// CHECK-LABEL: func.func @concat
// CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK: kiln.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x1xf32>, tensor<?x3xf32>) -> tensor<?x7xf32>
// CHECK: kiln.concat %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC-LABEL: sym_name = "concat"
// GENERIC: "kiln.concat"(%{{.*}}, %{{.*}}) <{axis = 1 : i64}> : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<?x3xf32>,
                  %d: tensor<?x1xf32>) -> (tensor<2x8xf32>, tensor<?x7xf32>, tensor<2x3xf32>) {
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %1 = kiln.concat %c, %d, %c {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x1xf32>, tensor<?x3xf32>) -> tensor<?x7xf32>
  %2 = kiln.concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x8xf32>, tensor<?x7xf32>, tensor<2x3xf32>
}

// The step defaults to 1 and is then elided.
// CHECK-LABEL: func.func @slice
// CHECK: kiln.slice %{{.*}} {axis = 1 : i64, end = 7 : i64, start = 1 : i64, step = 2 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
// CHECK: kiln.slice %{{.*}} {axis = 1 : i64, end = 3 : i64, start = 0 : i64} : tensor<?x8xf32> -> tensor<?x3xf32>
// CHECK: kiln.slice %{{.*}} {axis = 0 : i64, end = 4 : i64, start = 4 : i64} : tensor<4x8xf32> -> tensor<0x8xf32>
// GENERIC-LABEL: sym_name = "slice"
// GENERIC: "kiln.slice"(%{{.*}}) <{axis = 1 : i64, end = 7 : i64, start = 1 : i64, step = 2 : i64}>
// GENERIC: "kiln.slice"(%{{.*}}) <{axis = 1 : i64, end = 3 : i64, start = 0 : i64, step = 1 : i64}>
func.func @slice(%x: tensor<4x8xf32>, %y: tensor<?x8xf32>)
    -> (tensor<4x3xf32>, tensor<?x3xf32>, tensor<0x8xf32>) {
  %0 = kiln.slice %x {axis = 1 : i64, start = 1 : i64, end = 7 : i64, step = 2 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
  %1 = kiln.slice %y {axis = 1 : i64, start = 0 : i64, end = 3 : i64} : tensor<?x8xf32> -> tensor<?x3xf32>
  %2 = kiln.slice %x {axis = 0 : i64, start = 4 : i64, end = 4 : i64} : tensor<4x8xf32> -> tensor<0x8xf32>
  return %0, %1, %2 : tensor<4x3xf32>, tensor<?x3xf32>, tensor<0x8xf32>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions
// CHECK: kiln.reduce_sum %{{.*}} [1] : tensor<?x4x8xf32> -> tensor<?x8xf32>
// CHECK: kiln.reduce_sum %{{.*}} [1, 2] {keepdim = true} : tensor<?x4x8xf32> -> tensor<?x1x1xf32>
// CHECK: kiln.reduce_mean %{{.*}} [2, 0] : tensor<?x4x8xf32> -> tensor<4xf32>
// CHECK: kiln.reduce_mean %{{.*}} [2] {keepdim = true} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
// CHECK: kiln.reduce_max %{{.*}} [0] : tensor<?x4x8xf32> -> tensor<4x8xf32>
// CHECK: kiln.reduce_max %{{.*}} [0, 1] {keepdim = true} : tensor<3x5xf64> -> tensor<1x1xf64>
// CHECK: kiln.reduce_sum %{{.*}} [0, 1] : tensor<3x5xf64> -> tensor<f64>
// GENERIC-LABEL: sym_name = "reductions"
// GENERIC: "kiln.reduce_sum"(%{{.*}}) <{axes = array<i64: 1>, keepdim = false}> : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
// GENERIC: "kiln.reduce_sum"(%{{.*}}) <{axes = array<i64: 1, 2>, keepdim = true}> : (tensor<?x4x8xf32>) -> tensor<?x1x1xf32>
func.func @reductions(%x: tensor<?x4x8xf32>, %y: tensor<3x5xf64>)
    -> (tensor<?x8xf32>, tensor<?x1x1xf32>, tensor<4xf32>, tensor<?x4x1xf32>,
        tensor<4x8xf32>, tensor<1x1xf64>, tensor<f64>) {
  %0 = kiln.reduce_sum %x [1] : tensor<?x4x8xf32> -> tensor<?x8xf32>
  %1 = kiln.reduce_sum %x [1, 2] {keepdim = true} : tensor<?x4x8xf32> -> tensor<?x1x1xf32>
  %2 = kiln.reduce_mean %x [2, 0] : tensor<?x4x8xf32> -> tensor<4xf32>
  %3 = kiln.reduce_mean %x [2] {keepdim = true} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
  %4 = kiln.reduce_max %x [0] {keepdim = false} : tensor<?x4x8xf32> -> tensor<4x8xf32>
  %5 = kiln.reduce_max %y [0, 1] {keepdim = true} : tensor<3x5xf64> -> tensor<1x1xf64>
  %6 = kiln.reduce_sum %y [0, 1] : tensor<3x5xf64> -> tensor<f64>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x8xf32>, tensor<?x1x1xf32>, tensor<4xf32>,
                                      tensor<?x4x1xf32>, tensor<4x8xf32>, tensor<1x1xf64>, tensor<f64>
}

// CHECK-LABEL: func.func @argmax
// CHECK: kiln.argmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32> -> tensor<?xi64>
// CHECK: kiln.argmax %{{.*}} {axis = 1 : i64, keepdim = true} : tensor<?x10xf32> -> tensor<?x1xi64>
// CHECK: kiln.argmax %{{.*}} {axis = 0 : i64} : tensor<4x10xf64> -> tensor<10xi64>
// GENERIC-LABEL: sym_name = "argmax"
// GENERIC: "kiln.argmax"(%{{.*}}) <{axis = 1 : i64, keepdim = false}> : (tensor<?x10xf32>) -> tensor<?xi64>
// GENERIC: "kiln.argmax"(%{{.*}}) <{axis = 1 : i64, keepdim = true}> : (tensor<?x10xf32>) -> tensor<?x1xi64>
func.func @argmax(%x: tensor<?x10xf32>, %y: tensor<4x10xf64>)
    -> (tensor<?xi64>, tensor<?x1xi64>, tensor<10xi64>) {
  %0 = kiln.argmax %x {axis = 1 : i64} : tensor<?x10xf32> -> tensor<?xi64>
  %1 = kiln.argmax %x {axis = 1 : i64, keepdim = true} : tensor<?x10xf32> -> tensor<?x1xi64>
  %2 = kiln.argmax %y {axis = 0 : i64} : tensor<4x10xf64> -> tensor<10xi64>
  return %0, %1, %2 : tensor<?xi64>, tensor<?x1xi64>, tensor<10xi64>
}
