// kiln-unfold-convolution{direct=true}: one-group KxK convolutions of
// stride 1 with outputs at least direct-min-width wide stay conv2d (for the
// CPU's direct kernel); every other convolution is unfolded as without it.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-unfold-convolution{direct=true direct-min-width=8 report=true}))' -mlir-print-op-on-diagnostic=false -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @stride1
// CHECK: kiln.conv2d
// CHECK-NOT: kiln.im2col
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 0 of 1 convolutions, 1 left direct}}
func.func @stride1(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x8x8xf32>
  return %0 : tensor<?x8x8x8xf32>
}

// A dilated stride-1 conv with one input channel stays direct too.
// CHECK-LABEL: func.func @dilated_one_channel
// CHECK: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 0 of 1 convolutions, 1 left direct}}
func.func @dilated_one_channel(%x: tensor<1x1x12x12xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 2, 2>} : tensor<1x1x12x12xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// Stride 2: unfolded.
// CHECK-LABEL: func.func @stride2
// CHECK: kiln.im2col
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions, 0 left direct}}
func.func @stride2(%x: tensor<?x3x16x16xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x16x16xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x8x8xf32>
  return %0 : tensor<?x8x8x8xf32>
}

// 7 columns, under direct-min-width: unfolded.
// CHECK-LABEL: func.func @narrow
// CHECK: kiln.im2col
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions, 0 left direct}}
func.func @narrow(%x: tensor<?x3x7x7xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x7x7xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x7x7xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x7x7xf32>
  return %0 : tensor<?x8x7x7xf32>
}

// Two groups, and a 1x1: unfolded (a batched matmul, a plain matmul).
// CHECK-LABEL: func.func @grouped_and_pointwise
// CHECK: kiln.im2col
// CHECK: kiln.matmul
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 2 of 2 convolutions, 0 left direct}}
func.func @grouped_and_pointwise(%x: tensor<?x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %p: tensor<5x6x1x1xf32>) -> tensor<?x5x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<?x6x8x8xf32>
  %1 = kiln.conv2d %0, %p {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x6x8x8xf32>, tensor<5x6x1x1xf32> -> tensor<?x5x8x8xf32>
  return %1 : tensor<?x5x8x8xf32>
}
