// Round trip of the convolution, pooling, resampling and normalization ops
// (ir/KilnNNOps.td), in the custom and in the generic form. Only the batch
// (dim 0) may be dynamic; each op that allows it is shown with a dynamic batch.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// The generic form keeps every attribute, defaults included.
// RUN: kiln-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

// OH = (32 + 1 + 1 - 1*(3-1) - 1) / 1 + 1 = 32; with stride 2, dilation 2
// and asymmetric padding: (9 + 0 + 1 - 2*2 - 1) / 2 + 1 = 3 rows,
// (9 + 2 + 0 - 2*2 - 1) / 2 + 1 = 4 columns.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x32x32xf32>, %[[W:.*]]: tensor<8x3x3x3xf32>, %[[B:.*]]: tensor<8xf32>, %[[Y:.*]]: tensor<2x4x9x9xf64>, %[[V:.*]]: tensor<6x4x3x3xf64>)
// CHECK: kiln.conv2d %[[X]], %[[W]], %[[B]] {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<?x8x32x32xf32>
// CHECK: kiln.conv2d %[[X]], %[[W]] {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x30x30xf32>
// CHECK: kiln.conv2d %[[Y]], %[[V]] {dilation = array<i64: 2, 2>, padding = array<i64: 0, 2, 1, 0>, stride = array<i64: 2, 2>} : tensor<2x4x9x9xf64>, tensor<6x4x3x3xf64> -> tensor<2x6x3x4xf64>
// GENERIC-LABEL: sym_name = "conv2d"
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}> : (tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x32x32xf32>
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}> : (tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x30x30xf32>
func.func @conv2d(%x: tensor<?x3x32x32xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>,
                  %y: tensor<2x4x9x9xf64>, %v: tensor<6x4x3x3xf64>)
    -> (tensor<?x8x32x32xf32>, tensor<?x8x30x30xf32>, tensor<2x6x3x4xf64>) {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<?x8x32x32xf32>
  %1 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x30x30xf32>
  %2 = kiln.conv2d %y, %v {stride = array<i64: 2, 2>, padding = array<i64: 0, 2, 1, 0>, dilation = array<i64: 2, 2>} : tensor<2x4x9x9xf64>, tensor<6x4x3x3xf64> -> tensor<2x6x3x4xf64>
  return %0, %1, %2 : tensor<?x8x32x32xf32>, tensor<?x8x30x30xf32>, tensor<2x6x3x4xf64>
}

// Grouped (weight [F, C/groups, KH, KW]) and depthwise (groups = C).
// CHECK-LABEL: func.func @conv2d_groups
// CHECK: kiln.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32> -> tensor<?x6x8x8xf32>
// CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<?x4x4x4xf32>
// GENERIC-LABEL: sym_name = "conv2d_groups"
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 2 : i64,
// GENERIC: "kiln.conv2d"(%{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 4 : i64,
func.func @conv2d_groups(%x: tensor<?x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>,
                         %dw: tensor<4x1x3x3xf32>) -> (tensor<?x6x8x8xf32>, tensor<?x4x4x4xf32>) {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32> -> tensor<?x6x8x8xf32>
  %1 = kiln.conv2d %x, %dw {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<?x4x4x4xf32>
  return %0, %1 : tensor<?x6x8x8xf32>, tensor<?x4x4x4xf32>
}

// OH = (4 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1 = 8. Grouped: weight
// [C, F/groups, KH, KW] = [8, 3, 2, 2] with groups 2 gives F = 6,
// OH = (5 - 1) * 1 - 0 + 1 * (2 - 1) + 0 + 1 = 6.
// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: kiln.conv_transpose2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<?x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<?x4x8x8xf32>
// CHECK: kiln.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 2 : i64, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, stride = array<i64: 1, 1>} : tensor<1x8x5x5xf32>, tensor<8x3x2x2xf32>, tensor<6xf32> -> tensor<1x6x6x6xf32>
// GENERIC-LABEL: sym_name = "conv_transpose2d"
// GENERIC: "kiln.conv_transpose2d"(%{{.*}}, %{{.*}}) <{dilation = array<i64: 1, 1>, groups = 1 : i64, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}> : (tensor<?x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x8x8xf32>
func.func @conv_transpose2d(%x: tensor<?x8x4x4xf32>, %w: tensor<8x4x3x3xf32>, %y: tensor<1x8x5x5xf32>,
                            %v: tensor<8x3x2x2xf32>, %b: tensor<6xf32>)
    -> (tensor<?x4x8x8xf32>, tensor<1x6x6x6xf32>) {
  %0 = kiln.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<?x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<?x4x8x8xf32>
  %1 = kiln.conv_transpose2d %y, %v, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x8x5x5xf32>, tensor<8x3x2x2xf32>, tensor<6xf32> -> tensor<1x6x6x6xf32>
  return %0, %1 : tensor<?x4x8x8xf32>, tensor<1x6x6x6xf32>
}

// [N, C * KH * KW, OH * OW]: 3 * 3 * 3 = 27 rows, 8 * 8 = 64 columns; a 2x2
// kernel with stride 3 and no padding: 4 * 2 * 2 = 16 rows, 3 * 3 = 9 columns.
// CHECK-LABEL: func.func @im2col
// CHECK: kiln.im2col %{{.*}} {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x27x64xf32>
// CHECK: kiln.im2col %{{.*}} {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 3, 3>} : tensor<2x4x8x8xf64> -> tensor<2x16x9xf64>
// GENERIC-LABEL: sym_name = "im2col"
// GENERIC: "kiln.im2col"(%{{.*}}) <{dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}> : (tensor<?x3x8x8xf32>) -> tensor<?x27x64xf32>
func.func @im2col(%x: tensor<?x3x8x8xf32>, %y: tensor<2x4x8x8xf64>) -> (tensor<?x27x64xf32>, tensor<2x16x9xf64>) {
  %0 = kiln.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x27x64xf32>
  %1 = kiln.im2col %y {kernel = array<i64: 2, 2>, stride = array<i64: 3, 3>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<2x4x8x8xf64> -> tensor<2x16x9xf64>
  return %0, %1 : tensor<?x27x64xf32>, tensor<2x16x9xf64>
}

//===----------------------------------------------------------------------===//
// Pooling and resampling
//===----------------------------------------------------------------------===//

// ceil_mode: (7 - 2) / 2 + 1 = 3 rounds up to 4, and the last window starts
// at 6 < 7, inside the input.
// CHECK-LABEL: func.func @max_pool2d
// CHECK: kiln.max_pool2d %{{.*}} {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : tensor<?x8x32x32xf32> -> tensor<?x8x16x16xf32>
// CHECK: kiln.max_pool2d %{{.*}} {ceil_mode = true, dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
// CHECK: kiln.max_pool2d %{{.*}} {dilation = array<i64: 2, 2>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<1x3x7x7xf32> -> tensor<1x3x5x5xf32>
// GENERIC-LABEL: sym_name = "max_pool2d"
// GENERIC: "kiln.max_pool2d"(%{{.*}}) <{ceil_mode = false, dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}> : (tensor<?x8x32x32xf32>) -> tensor<?x8x16x16xf32>
func.func @max_pool2d(%x: tensor<?x8x32x32xf32>, %y: tensor<1x3x7x7xf32>)
    -> (tensor<?x8x16x16xf32>, tensor<1x3x4x4xf32>, tensor<1x3x5x5xf32>) {
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x8x32x32xf32> -> tensor<?x8x16x16xf32>
  %1 = kiln.max_pool2d %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  %2 = kiln.max_pool2d %y {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 2, 2>} : tensor<1x3x7x7xf32> -> tensor<1x3x5x5xf32>
  return %0, %1, %2 : tensor<?x8x16x16xf32>, tensor<1x3x4x4xf32>, tensor<1x3x5x5xf32>
}

// CHECK-LABEL: func.func @avg_pool2d
// CHECK: kiln.avg_pool2d %{{.*}} {count_include_pad = false, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : tensor<?x8x7x7xf32> -> tensor<?x8x4x4xf32>
// CHECK: kiln.avg_pool2d %{{.*}} {ceil_mode = true, kernel = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : tensor<?x8x7x7xf32> -> tensor<?x8x4x4xf32>
// GENERIC-LABEL: sym_name = "avg_pool2d"
// GENERIC: "kiln.avg_pool2d"(%{{.*}}) <{ceil_mode = false, count_include_pad = false, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>}> : (tensor<?x8x7x7xf32>) -> tensor<?x8x4x4xf32>
// GENERIC: "kiln.avg_pool2d"(%{{.*}}) <{ceil_mode = true, count_include_pad = true, kernel = array<i64: 2, 2>,
func.func @avg_pool2d(%x: tensor<?x8x7x7xf32>) -> (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>) {
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<?x8x7x7xf32> -> tensor<?x8x4x4xf32>
  %1 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, ceil_mode = true} : tensor<?x8x7x7xf32> -> tensor<?x8x4x4xf32>
  return %0, %1 : tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>
}

// CHECK-LABEL: func.func @adaptive_avg_pool2d
// CHECK: kiln.adaptive_avg_pool2d %{{.*}} {output_size = array<i64: 1, 1>} : tensor<?x64x7x7xf32> -> tensor<?x64x1x1xf32>
// CHECK: kiln.adaptive_avg_pool2d %{{.*}} {output_size = array<i64: 3, 5>} : tensor<?x64x7x7xf32> -> tensor<?x64x3x5xf32>
// GENERIC-LABEL: sym_name = "adaptive_avg_pool2d"
// GENERIC: "kiln.adaptive_avg_pool2d"(%{{.*}}) <{output_size = array<i64: 1, 1>}> : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
func.func @adaptive_avg_pool2d(%x: tensor<?x64x7x7xf32>) -> (tensor<?x64x1x1xf32>, tensor<?x64x3x5xf32>) {
  %0 = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 1, 1>} : tensor<?x64x7x7xf32> -> tensor<?x64x1x1xf32>
  %1 = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 3, 5>} : tensor<?x64x7x7xf32> -> tensor<?x64x3x5xf32>
  return %0, %1 : tensor<?x64x1x1xf32>, tensor<?x64x3x5xf32>
}

// Upsampling and downsampling; scale_factor is optional.
// CHECK-LABEL: func.func @upsample
// CHECK: kiln.upsample %{{.*}} {mode = "nearest", size = array<i64: 16, 16>} : tensor<?x3x8x8xf32> -> tensor<?x3x16x16xf32>
// CHECK: kiln.upsample %{{.*}} {align_corners = true, mode = "bilinear", size = array<i64: 5, 12>} : tensor<?x3x8x8xf32> -> tensor<?x3x5x12xf32>
// CHECK: kiln.upsample %{{.*}} {mode = "bilinear", scale_factor = array<f64: 2.000000e+00, 1.500000e+00>, size = array<i64: 16, 12>} : tensor<?x3x8x8xf32> -> tensor<?x3x16x12xf32>
// GENERIC-LABEL: sym_name = "upsample"
// GENERIC: "kiln.upsample"(%{{.*}}) <{align_corners = false, mode = "nearest", size = array<i64: 16, 16>}> : (tensor<?x3x8x8xf32>) -> tensor<?x3x16x16xf32>
func.func @upsample(%x: tensor<?x3x8x8xf32>)
    -> (tensor<?x3x16x16xf32>, tensor<?x3x5x12xf32>, tensor<?x3x16x12xf32>) {
  %0 = kiln.upsample %x {size = array<i64: 16, 16>, mode = "nearest"} : tensor<?x3x8x8xf32> -> tensor<?x3x16x16xf32>
  %1 = kiln.upsample %x {size = array<i64: 5, 12>, mode = "bilinear", align_corners = true} : tensor<?x3x8x8xf32> -> tensor<?x3x5x12xf32>
  %2 = kiln.upsample %x {size = array<i64: 16, 12>, mode = "bilinear", scale_factor = array<f64: 2.0, 1.5>} : tensor<?x3x8x8xf32> -> tensor<?x3x16x12xf32>
  return %0, %1, %2 : tensor<?x3x16x16xf32>, tensor<?x3x5x12xf32>, tensor<?x3x16x12xf32>
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

// batch_norm works on any rank >= 2 with the channels in dim 1
// (BatchNorm1d on [N, C] and BatchNorm2d on [N, C, H, W]).
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x4x4xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>, %[[M:.*]]: tensor<8xf32>, %[[V:.*]]: tensor<8xf32>, %[[F:.*]]: tensor<?x8xf32>)
// CHECK: kiln.batch_norm %[[X]], %[[G]], %[[B]], %[[M]], %[[V]] {epsilon = 1.000000e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
// CHECK: kiln.batch_norm %[[F]], %[[G]], %[[B]], %[[M]], %[[V]] {epsilon = 1.000000e-03 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8xf32>
// GENERIC-LABEL: sym_name = "batch_norm"
// GENERIC: "kiln.batch_norm"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 1.000000e-05 : f64}> : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
func.func @batch_norm(%x: tensor<?x8x4x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<8xf32>,
                      %v: tensor<8xf32>, %f: tensor<?x8xf32>) -> (tensor<?x8x4x4xf32>, tensor<?x8xf32>) {
  %0 = kiln.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  %1 = kiln.batch_norm %f, %g, %b, %m, %v {epsilon = 1.0e-03 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  return %0, %1 : tensor<?x8x4x4xf32>, tensor<?x8xf32>
}

// Three results: the output and the updated running mean and variance.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = kiln.batch_norm_training %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64} : tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>
// CHECK: kiln.batch_norm_training %{{.*}} : tensor<?x8x4x4xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64> -> tensor<?x8x4x4xf64>, tensor<8xf64>, tensor<8xf64>
// GENERIC-LABEL: sym_name = "batch_norm_training"
// GENERIC: "kiln.batch_norm_training"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 1.000000e-05 : f64, momentum = 1.000000e-01 : f64}> : (tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>)
func.func @batch_norm_training(%x: tensor<4x8x4x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<8xf32>,
                               %v: tensor<8xf32>, %y: tensor<?x8x4x4xf64>, %d: tensor<8xf64>)
    -> (tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8x4x4xf64>) {
  %y0, %m1, %v1 = kiln.batch_norm_training %x, %g, %b, %m, %v {epsilon = 1.0e-05 : f64, momentum = 1.0e-01 : f64} : tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>
  %y1:3 = kiln.batch_norm_training %y, %d, %d, %d, %d {epsilon = 1.0e-03 : f64, momentum = 0.5 : f64} : tensor<?x8x4x4xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64>, tensor<8xf64> -> tensor<?x8x4x4xf64>, tensor<8xf64>, tensor<8xf64>
  return %y0, %m1, %v1, %y1#0 : tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<?x8x4x4xf64>
}

// scale and shift have the shape of the normalized trailing dims; the
// leading dims (dynamic batch included) are free.
// CHECK-LABEL: func.func @layer_norm
// CHECK: kiln.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, normalized_rank = 1 : i64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<?x16x64xf32>
// CHECK: kiln.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 2.500000e-01 : f64, normalized_rank = 2 : i64} : tensor<?x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32> -> tensor<?x16x64xf32>
// CHECK: kiln.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, normalized_rank = 3 : i64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32> -> tensor<2x16x64xf32>
// GENERIC-LABEL: sym_name = "layer_norm"
// GENERIC: "kiln.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 1.000000e-05 : f64, normalized_rank = 1 : i64}> : (tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x16x64xf32>
func.func @layer_norm(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>, %g2: tensor<16x64xf32>,
                      %s: tensor<2x16x64xf32>) -> (tensor<?x16x64xf32>, tensor<?x16x64xf32>, tensor<2x16x64xf32>) {
  %0 = kiln.layer_norm %x, %g, %g {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<?x16x64xf32>
  %1 = kiln.layer_norm %x, %g2, %g2 {normalized_rank = 2 : i64, epsilon = 2.5e-01 : f64} : tensor<?x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32> -> tensor<?x16x64xf32>
  %2 = kiln.layer_norm %s, %s, %s {normalized_rank = 3 : i64, epsilon = 1.0e-05 : f64} : tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<2x16x64xf32> -> tensor<2x16x64xf32>
  return %0, %1, %2 : tensor<?x16x64xf32>, tensor<?x16x64xf32>, tensor<2x16x64xf32>
}

// num_groups = C is instance normalization; any rank >= 2.
// CHECK-LABEL: func.func @group_norm
// CHECK: kiln.group_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, num_groups = 4 : i64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
// CHECK: kiln.group_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, num_groups = 8 : i64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
// CHECK: kiln.group_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, num_groups = 2 : i64} : tensor<3x8x10xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<3x8x10xf32>
// GENERIC-LABEL: sym_name = "group_norm"
// GENERIC: "kiln.group_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 1.000000e-05 : f64, num_groups = 4 : i64}> : (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
func.func @group_norm(%x: tensor<?x8x4x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %s: tensor<3x8x10xf32>)
    -> (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>, tensor<3x8x10xf32>) {
  %0 = kiln.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  %1 = kiln.group_norm %x, %g, %b {num_groups = 8 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  %2 = kiln.group_norm %s, %g, %b {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : tensor<3x8x10xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<3x8x10xf32>
  return %0, %1, %2 : tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>, tensor<3x8x10xf32>
}
