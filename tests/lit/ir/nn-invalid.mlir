// Every shape-inference error of the convolution, pooling, resampling and
// normalization ops (ir/KilnNNOps.cpp), one case per distinct message. Shape
// errors come from result type inference, so each is followed by MLIR's
// generic "failed to infer returned types".
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Input layout (shared by every NCHW op)
//===----------------------------------------------------------------------===//

func.func @conv2d_input_not_4d(%x: tensor<3x32x32xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<8x30x30xf32> {
  // expected-error @+2 {{'kiln.conv2d' op input tensor<3x32x32xf32> is not 4-D (expected [N, C, H, W])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<8x30x30xf32>
  return %r : tensor<8x30x30xf32>
}

// -----

// Only the batch may be dynamic: the channels ...
func.func @conv2d_dynamic_channels(%x: tensor<1x?x32x32xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x30x30xf32> {
  // expected-error @+2 {{'kiln.conv2d' op input tensor<1x?x32x32xf32> has a dynamic channel or spatial size (only the batch may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x?x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x30x30xf32>
  return %r : tensor<1x8x30x30xf32>
}

// -----

// ... the height ...
func.func @max_pool_dynamic_height(%x: tensor<?x3x?x32xf32>) -> tensor<?x3x?x16xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op input tensor<?x3x?x32xf32> has a dynamic channel or spatial size (only the batch may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x?x32xf32> -> tensor<?x3x?x16xf32>
  return %r : tensor<?x3x?x16xf32>
}

// -----

// ... and the width.
func.func @upsample_dynamic_width(%x: tensor<1x3x8x?xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op input tensor<1x3x8x?xf32> has a dynamic channel or spatial size (only the batch may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 16, 16>, mode = "nearest"} : tensor<1x3x8x?xf32> -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

// -----

func.func @im2col_input_not_4d(%x: tensor<1x1x3x8x8xf32>) -> tensor<1x27x64xf32> {
  // expected-error @+2 {{'kiln.im2col' op input tensor<1x1x3x8x8xf32> is not 4-D (expected [N, C, H, W])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x1x3x8x8xf32> -> tensor<1x27x64xf32>
  return %r : tensor<1x27x64xf32>
}

// -----

// Integer tensors are rejected by the operand constraint, before inference.
func.func @conv2d_integer_input(%x: tensor<1x3x8x8xi32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv2d' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<1x3x8x8xi32>'}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xi32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

func.func @conv2d_weight_not_4d(%x: tensor<1x3x8x8xf32>, %w: tensor<8x27xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op weight tensor<8x27xf32> is not a static 4-D [F, C/groups, KH, KW] tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x27xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

func.func @conv2d_weight_dynamic(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) -> tensor<1x?x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op weight tensor<?x3x3x3xf32> is not a static 4-D [F, C/groups, KH, KW] tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32> -> tensor<1x?x6x6xf32>
  return %r : tensor<1x?x6x6xf32>
}

// -----

func.func @conv2d_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf64>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op input tensor<1x3x8x8xf32> and weight tensor<8x3x3x3xf64> have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf64> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// The weight reads 4 input channels, the input has 3.
func.func @conv2d_wrong_channels(%x: tensor<?x3x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<?x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op weight tensor<8x4x3x3xf32> expects 4 input channels but input tensor<?x3x8x8xf32> has 3 (groups = 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<8x4x3x3xf32> -> tensor<?x8x6x6xf32>
  return %r : tensor<?x8x6x6xf32>
}

// -----

// With groups the weight holds C/groups channels: 2 * 2 = 4 expected, 6 given.
func.func @conv2d_wrong_channels_grouped(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op weight tensor<4x2x3x3xf32> expects 4 input channels but input tensor<1x6x8x8xf32> has 6 (groups = 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// groups = 4 divides the 8 output channels but not the 6 input channels.
func.func @conv2d_groups_not_dividing_input(%x: tensor<1x6x8x8xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op groups = 4 must divide the input channels (6) and the output channels (8) of input tensor<1x6x8x8xf32> and weight tensor<8x1x3x3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x6x8x8xf32>, tensor<8x1x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// groups = 2 divides the 4 input channels but not the 3 output channels.
func.func @conv2d_groups_not_dividing_output(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op groups = 2 must divide the input channels (4) and the output channels (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x6x6xf32>
  return %r : tensor<1x3x6x6xf32>
}

// -----

func.func @conv2d_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op groups = 0 must divide the input channels (4) and the output channels (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 0 : i64} : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

func.func @conv2d_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op bias tensor<3xf32> is not tensor<8xf32> (one value per channel of input tensor<1x3x8x8xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

func.func @conv2d_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf64>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op bias tensor<8xf64> is not tensor<8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf64> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// A 5x5 kernel on a 4x4 image padded by 0 on top and bottom.
func.func @conv2d_kernel_does_not_fit(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x5x5xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+2 {{'kiln.conv2d' op kernel [5, 5] with dilation [1, 1] does not fit in input tensor<1x3x4x4xf32> padded by [0, 1, 0, 0] [top, left, bottom, right]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 1, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x4x4xf32>, tensor<8x3x5x5xf32> -> tensor<1x8x1x1xf32>
  return %r : tensor<1x8x1x1xf32>
}

// -----

// The dilation spreads a 3x3 kernel over 2 * 2 + 1 = 5 pixels > 4.
func.func @conv2d_dilated_kernel_does_not_fit(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+2 {{'kiln.conv2d' op kernel [3, 3] with dilation [2, 2] does not fit in input tensor<1x3x4x4xf32> padded by [0, 0, 0, 0] [top, left, bottom, right]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 2, 2>} : tensor<1x3x4x4xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x1x1xf32>
  return %r : tensor<1x8x1x1xf32>
}

// -----

func.func @conv2d_stride_length(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op stride [1] has 1 values (expected 2) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// conv2d padding is [top, left, bottom, right]: two values are not enough.
func.func @conv2d_padding_length(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+2 {{'kiln.conv2d' op padding [1, 1] has 2 values (expected 4) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

func.func @conv2d_dilation_length(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op dilation [1, 1, 1] has 3 values (expected 2) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

func.func @conv2d_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op stride [1, 0] has a value below 1 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 0>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

func.func @conv2d_negative_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op padding [0, 0, -1, 0] has a value below 0 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, -1, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

func.func @conv2d_zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv2d' op dilation [0, 1] has a value below 1 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 0, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// The inferred type wins over a wrong result type.
func.func @conv2d_result_type(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x8x8xf32> {
  // expected-error @+2 {{'kiln.conv2d' op inferred type(s) 'tensor<?x8x6x6xf32>' are incompatible with return type(s) of operation 'tensor<?x8x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<?x8x8x8xf32>
  return %r : tensor<?x8x8x8xf32>
}

// -----

func.func @conv2d_missing_attribute(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'kiln.conv2d' op requires attribute 'dilation'}}
  %r = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

//===----------------------------------------------------------------------===//
// conv_transpose2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv_transpose_input_dynamic_width(%x: tensor<1x8x4x?xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op input tensor<1x8x4x?xf32> has a dynamic channel or spatial size (only the batch may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x?xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_transpose_weight_not_4d(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op weight tensor<8x4x3xf32> is not a static 4-D [C, F/groups, KH, KW] tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_transpose_element_types(%x: tensor<1x8x4x4xf64>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x6x6xf64> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op input tensor<1x8x4x4xf64> and weight tensor<8x4x3x3xf32> have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf64>, tensor<8x4x3x3xf32> -> tensor<1x4x6x6xf64>
  return %r : tensor<1x4x6x6xf64>
}

// -----

func.func @conv_transpose_groups_not_dividing(%x: tensor<1x6x4x4xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op groups = 4 must divide the input channels of tensor<1x6x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x6x4x4xf32>, tensor<6x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// The transposed weight is [C, F/groups, KH, KW]: its dim 0 is the input channels.
func.func @conv_transpose_wrong_channels(%x: tensor<1x8x4x4xf32>, %w: tensor<4x8x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op weight tensor<4x8x3x3xf32> expects 4 input channels but input tensor<1x8x4x4xf32> has 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<4x8x3x3xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// F = weight[1] * groups = 4 * 2 = 8 output channels.
func.func @conv_transpose_bias(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op bias tensor<4xf32> is not tensor<8xf32> (one value per channel of input tensor<1x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>, tensor<4xf32> -> tensor<1x8x6x6xf32>
  return %r : tensor<1x8x6x6xf32>
}

// -----

// conv_transpose2d padding is symmetric [h, w], not [top, left, bottom, right].
func.func @conv_transpose_padding_length(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op padding [1, 1, 1, 1] has 4 values (expected 2) for input tensor<1x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

func.func @conv_transpose_output_padding_length(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x9x9xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op output_padding [1] has 1 values (expected 2) for input tensor<1x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, output_padding = array<i64: 1>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x9x9xf32>
  return %r : tensor<1x4x9x9xf32>
}

// -----

func.func @conv_transpose_zero_stride(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op stride [0, 1] has a value below 1 for input tensor<1x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 0, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_transpose_negative_output_padding(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op output_padding [0, -1] has a value below 0 for input tensor<1x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0, -1>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// output_padding must be below the stride or the dilation (here 2 >= 2 and 2 >= 1).
func.func @conv_transpose_output_padding_too_large(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x11x11xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op output_padding [2, 0] must be smaller than the stride [2, 2] or the dilation [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, output_padding = array<i64: 2, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32> -> tensor<1x4x11x11xf32>
  return %r : tensor<1x4x11x11xf32>
}

// -----

// (1 - 1) * 1 - 2 * 1 + 1 * (1 - 1) + 0 + 1 = -1 output rows.
func.func @conv_transpose_padding_leaves_nothing(%x: tensor<1x8x1x1xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+2 {{'kiln.conv_transpose2d' op padding [1, 1] leaves no output for input tensor<1x8x1x1xf32> and weight tensor<8x4x1x1xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.conv_transpose2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x8x1x1xf32>, tensor<8x4x1x1xf32> -> tensor<1x4x1x1xf32>
  return %r : tensor<1x4x1x1xf32>
}

//===----------------------------------------------------------------------===//
// im2col
//===----------------------------------------------------------------------===//

// -----

func.func @im2col_kernel_length(%x: tensor<1x3x8x8xf32>) -> tensor<1x27x64xf32> {
  // expected-error @+2 {{'kiln.im2col' op kernel [3, 3, 3] has 3 values (expected 2) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.im2col %x {kernel = array<i64: 3, 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x27x64xf32>
  return %r : tensor<1x27x64xf32>
}

// -----

func.func @im2col_zero_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x0x64xf32> {
  // expected-error @+2 {{'kiln.im2col' op kernel [0, 3] has a value below 1 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.im2col %x {kernel = array<i64: 0, 3>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x0x64xf32>
  return %r : tensor<1x0x64xf32>
}

// -----

func.func @im2col_kernel_does_not_fit(%x: tensor<1x3x8x8xf32>) -> tensor<1x243x1xf32> {
  // expected-error @+2 {{'kiln.im2col' op kernel [9, 9] with dilation [1, 1] does not fit in input tensor<1x3x8x8xf32> padded by [0, 0, 0, 0] [top, left, bottom, right]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.im2col %x {kernel = array<i64: 9, 9>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x243x1xf32>
  return %r : tensor<1x243x1xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// -----

func.func @max_pool_input_not_4d(%x: tensor<8x32x32xf32>) -> tensor<8x16x16xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op input tensor<8x32x32xf32> is not 4-D (expected [N, C, H, W])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<8x32x32xf32> -> tensor<8x16x16xf32>
  return %r : tensor<8x16x16xf32>
}

// -----

// PyTorch allows padding of at most half the kernel (3 > 4 / 2 here).
func.func @max_pool_padding_over_half_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op padding [3, 0, 0, 0] must be at most half the kernel [4, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 4, 1>, stride = array<i64: 1, 1>, padding = array<i64: 3, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %r : tensor<1x3x8x8xf32>
}

// -----

func.func @max_pool_zero_stride(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op stride [0, 0] has a value below 1 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 0, 0>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

func.func @max_pool_window_does_not_fit(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x1x1xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op kernel [3, 3] with dilation [1, 1] does not fit in input tensor<1x3x2x2xf32> padded by [0, 0, 0, 0] [top, left, bottom, right]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x2x2xf32> -> tensor<1x3x1x1xf32>
  return %r : tensor<1x3x1x1xf32>
}

// -----

// ceil_mode drops a last window that would start in the bottom padding:
// (7 - 3) / 3 + 1 = 2 rounds up to 3, but the third window starts at 6 >= 6.
func.func @max_pool_ceil_mode_result(%x: tensor<1x3x6x6xf32>) -> tensor<1x3x3x3xf32> {
  // expected-error @+2 {{'kiln.max_pool2d' op inferred type(s) 'tensor<1x3x2x2xf32>' are incompatible with return type(s) of operation 'tensor<1x3x3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 3, 3>, padding = array<i64: 0, 0, 1, 1>, dilation = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x6x6xf32> -> tensor<1x3x3x3xf32>
  return %r : tensor<1x3x3x3xf32>
}

// -----

func.func @avg_pool_padding_over_half_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32> {
  // expected-error @+2 {{'kiln.avg_pool2d' op padding [1, 1, 2, 2] must be at most half the kernel [3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x5x5xf32>
  return %r : tensor<1x3x5x5xf32>
}

// -----

func.func @avg_pool_negative_padding(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'kiln.avg_pool2d' op padding [-1, 0, 0, 0] has a value below 0 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: -1, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

func.func @avg_pool_kernel_length(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{'kiln.avg_pool2d' op kernel [2] has 1 values (expected 2) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.avg_pool2d %x {kernel = array<i64: 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

func.func @avg_pool_dynamic_channels(%x: tensor<1x?x8x8xf32>) -> tensor<1x?x4x4xf32> {
  // expected-error @+2 {{'kiln.avg_pool2d' op input tensor<1x?x8x8xf32> has a dynamic channel or spatial size (only the batch may be dynamic)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<1x?x8x8xf32> -> tensor<1x?x4x4xf32>
  return %r : tensor<1x?x4x4xf32>
}

// -----

func.func @adaptive_output_size_length(%x: tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32> {
  // expected-error @+2 {{'kiln.adaptive_avg_pool2d' op output_size [1] has 1 values (expected 2) for input tensor<?x64x7x7xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 1>} : tensor<?x64x7x7xf32> -> tensor<?x64x1x1xf32>
  return %r : tensor<?x64x1x1xf32>
}

// -----

func.func @adaptive_output_size_zero(%x: tensor<?x64x7x7xf32>) -> tensor<?x64x0x1xf32> {
  // expected-error @+2 {{'kiln.adaptive_avg_pool2d' op output_size [0, 1] has a value below 1 for input tensor<?x64x7x7xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 0, 1>} : tensor<?x64x7x7xf32> -> tensor<?x64x0x1xf32>
  return %r : tensor<?x64x0x1xf32>
}

// -----

func.func @adaptive_input_not_4d(%x: tensor<64x7x7xf32>) -> tensor<64x1x1xf32> {
  // expected-error @+2 {{'kiln.adaptive_avg_pool2d' op input tensor<64x7x7xf32> is not 4-D (expected [N, C, H, W])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 1, 1>} : tensor<64x7x7xf32> -> tensor<64x1x1xf32>
  return %r : tensor<64x1x1xf32>
}

//===----------------------------------------------------------------------===//
// upsample
//===----------------------------------------------------------------------===//

// -----

func.func @upsample_bad_mode(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op mode "bicubic" is not "nearest" or "bilinear"}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 16, 16>, mode = "bicubic"} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

// -----

func.func @upsample_size_length(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op size [16, 16, 16] has 3 values (expected 2) for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 16, 16, 16>, mode = "nearest"} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

// -----

func.func @upsample_size_zero(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x0x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op size [0, 16] has a value below 1 for input tensor<1x3x8x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 0, 16>, mode = "nearest"} : tensor<1x3x8x8xf32> -> tensor<1x3x0x16xf32>
  return %r : tensor<1x3x0x16xf32>
}

// -----

func.func @upsample_scale_factor_length(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op scale_factor must be two positive numbers}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 16, 16>, mode = "nearest", scale_factor = array<f64: 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

// -----

func.func @upsample_scale_factor_negative(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+2 {{'kiln.upsample' op scale_factor must be two positive numbers}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.upsample %x {size = array<i64: 16, 16>, mode = "bilinear", scale_factor = array<f64: 2.0, -2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %r : tensor<1x3x16x16xf32>
}

//===----------------------------------------------------------------------===//
// batch_norm, batch_norm_training
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_scale_size(%x: tensor<?x8x4x4xf32>, %g: tensor<4xf32>, %v: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op scale tensor<4xf32> is not tensor<8xf32> (one value per channel of input tensor<?x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %g, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// -----

// The statistics are [C], not [1, C, 1, 1].
func.func @batch_norm_variance_rank(%x: tensor<?x8x4x4xf32>, %v: tensor<8xf32>, %var: tensor<1x8x1x1xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op variance tensor<1x8x1x1xf32> is not tensor<8xf32> (one value per channel of input tensor<?x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %v, %v, %v, %var {epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<1x8x1x1xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// -----

func.func @batch_norm_mean_element_type(%x: tensor<?x8x4x4xf32>, %v: tensor<8xf32>, %m: tensor<8xf64>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op mean tensor<8xf64> is not tensor<8xf32> (one value per channel of input tensor<?x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %v, %v, %m, %v {epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf64>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// -----

func.func @batch_norm_shift_size(%x: tensor<?x8xf32>, %v: tensor<8xf32>, %b: tensor<9xf32>) -> tensor<?x8xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op shift tensor<9xf32> is not tensor<8xf32> (one value per channel of input tensor<?x8xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %v, %b, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<9xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

func.func @batch_norm_dynamic_channels(%x: tensor<2x?x4x4xf32>, %v: tensor<8xf32>) -> tensor<2x?x4x4xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op input tensor<2x?x4x4xf32> needs a static channel dimension 1 (expected [N, C, ...])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<2x?x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<2x?x4x4xf32>
  return %r : tensor<2x?x4x4xf32>
}

// -----

func.func @batch_norm_rank_1(%x: tensor<8xf32>, %v: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+2 {{'kiln.batch_norm' op input tensor<8xf32> needs a static channel dimension 1 (expected [N, C, ...])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.batch_norm %x, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

func.func @batch_norm_training_running_var(%x: tensor<4x8x4x4xf32>, %v: tensor<8xf32>, %rv: tensor<16xf32>) -> tensor<4x8x4x4xf32> {
  // expected-error @+2 {{'kiln.batch_norm_training' op running_var tensor<16xf32> is not tensor<8xf32> (one value per channel of input tensor<4x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r:3 = kiln.batch_norm_training %x, %v, %v, %v, %rv {epsilon = 1.0e-05 : f64, momentum = 1.0e-01 : f64} : tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16xf32> -> tensor<4x8x4x4xf32>, tensor<8xf32>, tensor<16xf32>
  return %r#0 : tensor<4x8x4x4xf32>
}

// -----

func.func @batch_norm_training_dynamic_channels(%x: tensor<4x?xf32>, %v: tensor<8xf32>) -> tensor<4x?xf32> {
  // expected-error @+2 {{'kiln.batch_norm_training' op input tensor<4x?xf32> needs a static channel dimension 1 (expected [N, C, ...])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r:3 = kiln.batch_norm_training %x, %v, %v, %v, %v {epsilon = 1.0e-05 : f64, momentum = 1.0e-01 : f64} : tensor<4x?xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<4x?xf32>, tensor<8xf32>, tensor<8xf32>
  return %r#0 : tensor<4x?xf32>
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @layer_norm_rank_zero(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>) -> tensor<?x16x64xf32> {
  // expected-error @+2 {{'kiln.layer_norm' op normalized_rank 0 is out of range for input tensor<?x16x64xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.layer_norm %x, %g, %g {normalized_rank = 0 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

func.func @layer_norm_rank_too_large(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) -> tensor<2x16x64xf32> {
  // expected-error @+2 {{'kiln.layer_norm' op normalized_rank 4 is out of range for input tensor<2x16x64xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.layer_norm %x, %g, %g {normalized_rank = 4 : i64, epsilon = 1.0e-05 : f64} : tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<2x16x64xf32>
  return %r : tensor<2x16x64xf32>
}

// -----

// Normalizing over all dims includes the dynamic batch.
func.func @layer_norm_dynamic_normalized_dim(%x: tensor<?x16x64xf32>, %g: tensor<16x64xf32>) -> tensor<?x16x64xf32> {
  // expected-error @+2 {{'kiln.layer_norm' op the normalized dims of input tensor<?x16x64xf32> must be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.layer_norm %x, %g, %g {normalized_rank = 3 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32> -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>) -> tensor<?x16x64xf32> {
  // expected-error @+2 {{'kiln.layer_norm' op scale tensor<64xf32> does not match the normalized shape tensor<16x64xf32> of input tensor<?x16x64xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.layer_norm %x, %g, %g {normalized_rank = 2 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

// -----

func.func @layer_norm_shift_element_type(%x: tensor<?x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf64>) -> tensor<?x16x64xf32> {
  // expected-error @+2 {{'kiln.layer_norm' op shift tensor<64xf64> does not match the normalized shape tensor<64xf32> of input tensor<?x16x64xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.layer_norm %x, %g, %b {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : tensor<?x16x64xf32>, tensor<64xf32>, tensor<64xf64> -> tensor<?x16x64xf32>
  return %r : tensor<?x16x64xf32>
}

//===----------------------------------------------------------------------===//
// group_norm
//===----------------------------------------------------------------------===//

// -----

func.func @group_norm_groups_not_dividing(%x: tensor<?x8x4x4xf32>, %g: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.group_norm' op num_groups = 3 does not divide the channels of input tensor<?x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.group_norm %x, %g, %g {num_groups = 3 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// -----

func.func @group_norm_zero_groups(%x: tensor<?x8x4x4xf32>, %g: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.group_norm' op num_groups = 0 does not divide the channels of input tensor<?x8x4x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.group_norm %x, %g, %g {num_groups = 0 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}

// -----

func.func @group_norm_dynamic_spatial(%x: tensor<?x8x?x4xf32>, %g: tensor<8xf32>) -> tensor<?x8x?x4xf32> {
  // expected-error @+2 {{'kiln.group_norm' op input tensor<?x8x?x4xf32> has a dynamic dim after the channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.group_norm %x, %g, %g {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x?x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x8x?x4xf32>
  return %r : tensor<?x8x?x4xf32>
}

// -----

func.func @group_norm_dynamic_channels(%x: tensor<1x?x4x4xf32>, %g: tensor<8xf32>) -> tensor<1x?x4x4xf32> {
  // expected-error @+2 {{'kiln.group_norm' op input tensor<1x?x4x4xf32> needs a static channel dimension 1 (expected [N, C, ...])}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.group_norm %x, %g, %g {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : tensor<1x?x4x4xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<1x?x4x4xf32>
  return %r : tensor<1x?x4x4xf32>
}

// -----

func.func @group_norm_scale_size(%x: tensor<?x8x4x4xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  // expected-error @+2 {{'kiln.group_norm' op scale tensor<4xf32> is not tensor<8xf32> (one value per channel of input tensor<?x8x4x4xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.group_norm %x, %g, %b {num_groups = 4 : i64, epsilon = 1.0e-05 : f64} : tensor<?x8x4x4xf32>, tensor<4xf32>, tensor<8xf32> -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}
