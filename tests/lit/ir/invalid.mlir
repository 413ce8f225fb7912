// Every verifier and shape-inference error of the kiln dialect. Shape errors
// come from result type inference, so each is followed by MLIR's generic
// "failed to infer returned types".
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Elementwise binary ops: broadcasting and element types
//===----------------------------------------------------------------------===//

func.func @broadcast_mismatch(%a: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.add' op cannot broadcast tensor<4x3xf32> with tensor<4xf32>: dimension 1 of the broadcast shape: 3 vs 4 (expected equal sizes or one of them 1)}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %r = kiln.add %a, %b : tensor<4x3xf32>, tensor<4xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// A dynamic (batch) dimension broadcasts only with 1 or another dynamic one.
func.func @broadcast_dynamic_with_static(%a: tensor<?x3xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.mul' op cannot broadcast tensor<?x3xf32> with tensor<4x3xf32>: dimension 0 of the broadcast shape: ? vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.mul %a, %b : tensor<?x3xf32>, tensor<4x3xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// Broadcast failure in a leading dimension that only one operand has.
func.func @broadcast_mismatch_rank(%a: tensor<2x4x3xf32>, %b: tensor<5x1x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{'kiln.pow' op cannot broadcast tensor<2x4x3xf32> with tensor<5x1x3xf32>: dimension 0 of the broadcast shape: 2 vs 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.pow %a, %b : tensor<2x4x3xf32>, tensor<5x1x3xf32> -> tensor<2x4x3xf32>
  return %r : tensor<2x4x3xf32>
}

// -----

func.func @element_type_mismatch(%a: tensor<4x3xf32>, %b: tensor<4x3xf64>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.sub' op operands have different element types: tensor<4x3xf32> and tensor<4x3xf64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.sub %a, %b : tensor<4x3xf32>, tensor<4x3xf64> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @result_type_disagrees_binary(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{'kiln.div' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.div %a, %b : tensor<4x3xf32>, tensor<3xf32> -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

// A static result where the inferred dimension is dynamic disagrees too.
func.func @result_type_disagrees_dynamic(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.max' op inferred type(s) 'tensor<?x3xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.max %a, %b : tensor<?x3xf32>, tensor<3xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @integer_operand(%a: tensor<4x3xi32>, %b: tensor<4x3xi32>) -> tensor<4x3xi32> {
  // expected-error @+1 {{'kiln.min' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4x3xi32>'}}
  %r = kiln.min %a, %b : tensor<4x3xi32>, tensor<4x3xi32> -> tensor<4x3xi32>
  return %r : tensor<4x3xi32>
}

//===----------------------------------------------------------------------===//
// Constants, parameters, unary ops and activations
//===----------------------------------------------------------------------===//

// -----

func.func @param_dynamic_shape() -> tensor<?x3xf32> {
  // expected-error @+1 {{'kiln.param' op result #0 must be statically shaped tensor of any type values, but got 'tensor<?x3xf32>'}}
  %r = kiln.param "fc1.weight" : tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

func.func @constant_type_disagrees() -> tensor<2xf32> {
  // expected-error @+2 {{'kiln.constant' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "kiln.constant"() <{value = dense<1.0> : tensor<3xf32>}> : () -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

func.func @unary_integer_operand(%a: tensor<4x3xi32>) -> tensor<4x3xi32> {
  // expected-error @+1 {{'kiln.relu' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4x3xi32>'}}
  %r = kiln.relu %a : tensor<4x3xi32>
  return %r : tensor<4x3xi32>
}

// -----

func.func @unary_result_type_disagrees(%a: tensor<4x3xf32>) -> tensor<4x3xf64> {
  // expected-error @+2 {{'kiln.exp' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x3xf64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "kiln.exp"(%a) : (tensor<4x3xf32>) -> tensor<4x3xf64>
  return %r : tensor<4x3xf64>
}

// -----

func.func @gelu_bad_approximate(%a: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'kiln.gelu' op approximate must be "none" or "tanh", got "fast"}}
  %r = kiln.gelu %a {approximate = "fast"} : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @softmax_axis_out_of_range(%a: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for tensor<4x3xf32> (expected 0 <= axis < 2)}}
  %r = kiln.softmax %a {axis = 2 : i64} : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// Negative (PyTorch-style) axes are not part of the IR.
func.func @log_softmax_negative_axis(%a: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'kiln.log_softmax' op axis -1 is out of range for tensor<4x3xf32> (expected 0 <= axis < 2)}}
  %r = kiln.log_softmax %a {axis = -1 : i64} : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_contracting_mismatch(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op contracting dimensions differ: tensor<4x3xf32> x tensor<4x5xf32> (expected lhs[-1] == rhs[-2], got 3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<4x3xf32>, tensor<4x5xf32> -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

func.func @matmul_rank_1(%a: tensor<3xf32>, %b: tensor<3x5xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{'kiln.matmul' op expected operands of rank 2 or more, got tensor<3xf32> and tensor<3x5xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<3xf32>, tensor<3x5xf32> -> tensor<5xf32>
  return %r : tensor<5xf32>
}

// -----

func.func @matmul_rhs_rank_1(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'kiln.matmul' op expected operands of rank 2 or more, got tensor<4x3xf32> and tensor<3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<4x3xf32>, tensor<3xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @matmul_batch_broadcast(%a: tensor<2x4x3xf32>, %b: tensor<3x3x5xf32>) -> tensor<3x4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op batch dimensions of tensor<2x4x3xf32> and tensor<3x3x5xf32> do not broadcast: dimension 0 of the broadcast shape: 2 vs 3 (expected equal sizes or one of them 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<2x4x3xf32>, tensor<3x3x5xf32> -> tensor<3x4x5xf32>
  return %r : tensor<3x4x5xf32>
}

// -----

func.func @matmul_dynamic_batch_broadcast(%a: tensor<?x4x3xf32>, %b: tensor<2x3x5xf32>) -> tensor<2x4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op batch dimensions of tensor<?x4x3xf32> and tensor<2x3x5xf32> do not broadcast: dimension 0 of the broadcast shape: ? vs 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<?x4x3xf32>, tensor<2x3x5xf32> -> tensor<2x4x5xf32>
  return %r : tensor<2x4x5xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<4x3xf32>, %b: tensor<3x5xf64>) -> tensor<4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op operands have different element types: tensor<4x3xf32> and tensor<3x5xf64>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf64> -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

func.func @matmul_dynamic_contracting(%a: tensor<4x?xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op contracting dimension must be static: tensor<4x?xf32> x tensor<3x5xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<4x?xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

func.func @matmul_result_type_disagrees(%a: tensor<8x4x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{'kiln.matmul' op inferred type(s) 'tensor<8x4x5xf32>' are incompatible with return type(s) of operation 'tensor<4x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.matmul %a, %b : tensor<8x4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// -----

func.func @linear_feature_mismatch(%x: tensor<?x784xf32>, %w: tensor<256x700xf32>) -> tensor<?x256xf32> {
  // expected-error @+2 {{'kiln.linear' op input features tensor<?x784xf32> do not match weight tensor<256x700xf32> (expected input[-1] == weight[1], got 784 vs 700)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w : tensor<?x784xf32>, tensor<256x700xf32> -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// -----

func.func @linear_bias_size(%x: tensor<?x784xf32>, %w: tensor<256x784xf32>, %b: tensor<128xf32>) -> tensor<?x256xf32> {
  // expected-error @+2 {{'kiln.linear' op bias tensor<128xf32> does not match weight tensor<256x784xf32> (expected tensor<256xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w, %b : tensor<?x784xf32>, tensor<256x784xf32>, tensor<128xf32> -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// -----

func.func @linear_bias_rank(%x: tensor<?x784xf32>, %w: tensor<256x784xf32>, %b: tensor<1x256xf32>) -> tensor<?x256xf32> {
  // expected-error @+2 {{'kiln.linear' op bias tensor<1x256xf32> does not match weight tensor<256x784xf32> (expected tensor<256xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w, %b : tensor<?x784xf32>, tensor<256x784xf32>, tensor<1x256xf32> -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// -----

func.func @linear_bias_element_type(%x: tensor<784xf32>, %w: tensor<256x784xf32>, %b: tensor<256xf64>) -> tensor<256xf32> {
  // expected-error @+2 {{'kiln.linear' op bias tensor<256xf64> does not match weight tensor<256x784xf32> (expected tensor<256xf32>)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w, %b : tensor<784xf32>, tensor<256x784xf32>, tensor<256xf64> -> tensor<256xf32>
  return %r : tensor<256xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<?x784xf32>, %w: tensor<784xf32>) -> tensor<?x256xf32> {
  // expected-error @+2 {{'kiln.linear' op expected a static 2-D weight [out, in], got tensor<784xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w : tensor<?x784xf32>, tensor<784xf32> -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// -----

func.func @linear_dynamic_weight(%x: tensor<?x784xf32>, %w: tensor<?x784xf32>) -> tensor<?x?xf32> {
  // expected-error @+2 {{'kiln.linear' op expected a static 2-D weight [out, in], got tensor<?x784xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w : tensor<?x784xf32>, tensor<?x784xf32> -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

func.func @linear_element_types(%x: tensor<?x784xf64>, %w: tensor<256x784xf32>) -> tensor<?x256xf64> {
  // expected-error @+2 {{'kiln.linear' op input and weight element types differ: tensor<?x784xf64> and tensor<256x784xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w : tensor<?x784xf64>, tensor<256x784xf32> -> tensor<?x256xf64>
  return %r : tensor<?x256xf64>
}

// -----

func.func @linear_rank_0_input(%x: tensor<f32>, %w: tensor<1x1xf32>) -> tensor<1xf32> {
  // expected-error @+2 {{'kiln.linear' op expected an input of rank 1 or more, got tensor<f32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.linear %x, %w : tensor<f32>, tensor<1x1xf32> -> tensor<1xf32>
  return %r : tensor<1xf32>
}

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_count_mismatch(%a: tensor<2x3x4xf32>) -> tensor<5x5xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<2x3x4xf32> to [5, 5]: element counts differ (24 vs 25)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [5, 5] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return %r : tensor<5x5xf32>
}

// -----

func.func @reshape_not_divisible(%a: tensor<2x3x4xf32>) -> tensor<5x5xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<2x3x4xf32> to [-1, 5]: element count 24 is not divisible by 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [-1, 5] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return %r : tensor<5x5xf32>
}

// -----

func.func @reshape_two_inferred(%a: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<2x3x4xf32> to [-1, -1]: more than one -1 (expected at most one)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [-1, -1] : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}

// -----

func.func @reshape_negative_size(%a: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<2x3x4xf32> to [-2, 12]: negative size -2 (expected -1 or >= 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [-2, 12] : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %r : tensor<2x12xf32>
}

// -----

func.func @reshape_dynamic_without_inferred(%a: tensor<?x784xf32>) -> tensor<?x28x28xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<?x784xf32> to [4, 28, 28]: the input has a dynamic batch dimension, so the shape must contain one -1 and its other sizes must multiply to 784}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [4, 28, 28] : tensor<?x784xf32> -> tensor<?x28x28xf32>
  return %r : tensor<?x28x28xf32>
}

// -----

// The -1 must stand for the batch dimension exactly.
func.func @reshape_dynamic_splits_batch(%a: tensor<?x784xf32>) -> tensor<?x28xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<?x784xf32> to [-1, 28]: the input has a dynamic batch dimension, so the shape must contain one -1 and its other sizes must multiply to 784}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [-1, 28] : tensor<?x784xf32> -> tensor<?x28xf32>
  return %r : tensor<?x28xf32>
}

// -----

func.func @reshape_two_dynamic(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'kiln.reshape' op cannot reshape tensor<?x?xf32> to [-1]: the input has more than one dynamic dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [-1] : tensor<?x?xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @reshape_result_type_disagrees(%a: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+2 {{'kiln.reshape' op inferred type(s) 'tensor<4x6xf32>' are incompatible with return type(s) of operation 'tensor<6x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [4, -1] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %r : tensor<6x4xf32>
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_repeated(%a: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{'kiln.transpose' op permutation [0, 2, 2] is not a permutation of the 3 dimensions of tensor<2x3x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.transpose %a [0, 2, 2] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return %r : tensor<2x4x3xf32>
}

// -----

func.func @transpose_too_short(%a: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{'kiln.transpose' op permutation [0, 2] is not a permutation of the 3 dimensions of tensor<2x3x4xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.transpose %a [0, 2] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

func.func @transpose_out_of_range(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'kiln.transpose' op permutation [1, 2] is not a permutation of the 2 dimensions of tensor<2x3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.transpose %a [1, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

func.func @transpose_negative(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'kiln.transpose' op permutation [-1, 0] is not a permutation of the 2 dimensions of tensor<2x3xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.transpose %a [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

// -----

func.func @concat_dimension_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op input 1 tensor<3x5xf32> differs from input 0 tensor<2x3xf32> in dimension 0 (only the concatenation axis 1 may differ)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_dynamic_vs_static(%a: tensor<?x3xf32>, %b: tensor<2x5xf32>) -> tensor<?x8xf32> {
  // expected-error @+2 {{'kiln.concat' op input 1 tensor<2x5xf32> differs from input 0 tensor<?x3xf32> in dimension 0 (only the concatenation axis 1 may differ)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<?x3xf32>, tensor<2x5xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

func.func @concat_element_type_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x5xf64>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op input 1 tensor<2x5xf64> does not match input 0 tensor<2x3xf32> (expected the same rank and element type)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf64>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op input 1 tensor<2x3x1xf32> does not match input 0 tensor<2x3xf32> (expected the same rank and element type)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op axis 2 is out of range for tensor<2x3xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_negative_axis(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op axis -1 is out of range for tensor<2x3xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_dynamic_axis(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+2 {{'kiln.concat' op concatenation axis 0 of input 0 tensor<?x3xf32> is dynamic (expected static)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 0 : i64} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

// The custom syntax cannot spell an empty input list; the generic one can.
func.func @concat_no_inputs() -> tensor<2x8xf32> {
  // expected-error @+2 {{'kiln.concat' op expected at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "kiln.concat"() <{axis = 0 : i64}> : () -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

func.func @concat_result_type_disagrees(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x9xf32> {
  // expected-error @+2 {{'kiln.concat' op inferred type(s) 'tensor<2x8xf32>' are incompatible with return type(s) of operation 'tensor<2x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x9xf32>
  return %r : tensor<2x9xf32>
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

// -----

func.func @slice_end_before_start(%a: tensor<4x8xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.slice' op slice 5:2:1 of axis 1 of tensor<4x8xf32> is not normalized (expected 0 <= start <= end <= 8 and step >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = 5 : i64, end = 2 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @slice_negative_start(%a: tensor<4x8xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.slice' op slice -3:8:1 of axis 1 of tensor<4x8xf32> is not normalized (expected 0 <= start <= end <= 8 and step >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = -3 : i64, end = 8 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @slice_end_past_dim(%a: tensor<4x8xf32>) -> tensor<4x9xf32> {
  // expected-error @+2 {{'kiln.slice' op slice 0:9:1 of axis 1 of tensor<4x8xf32> is not normalized (expected 0 <= start <= end <= 8 and step >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = 0 : i64, end = 9 : i64} : tensor<4x8xf32> -> tensor<4x9xf32>
  return %r : tensor<4x9xf32>
}

// -----

func.func @slice_zero_step(%a: tensor<4x8xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.slice' op slice 0:3:0 of axis 1 of tensor<4x8xf32> is not normalized (expected 0 <= start <= end <= 8 and step >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = 0 : i64, end = 3 : i64, step = 0 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @slice_dynamic_axis(%a: tensor<?x8xf32>) -> tensor<1x8xf32> {
  // expected-error @+2 {{'kiln.slice' op axis 0 of tensor<?x8xf32> is dynamic (expected a static axis to slice)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 0 : i64, start = 0 : i64, end = 1 : i64} : tensor<?x8xf32> -> tensor<1x8xf32>
  return %r : tensor<1x8xf32>
}

// -----

func.func @slice_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'kiln.slice' op axis 2 is out of range for tensor<4x8xf32>}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 2 : i64, start = 0 : i64, end = 3 : i64} : tensor<4x8xf32> -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

func.func @slice_result_type_disagrees(%a: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+2 {{'kiln.slice' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = 1 : i64, end = 7 : i64, step = 2 : i64} : tensor<4x8xf32> -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

//===----------------------------------------------------------------------===//
// Reductions and argmax
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'kiln.reduce_sum' op axis 2 is out of range for tensor<4x8xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reduce_sum %a [2] : tensor<4x8xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @reduce_negative_axis(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'kiln.reduce_max' op axis -1 is out of range for tensor<4x8xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reduce_max %a [-1] : tensor<4x8xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @reduce_duplicated_axis(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'kiln.reduce_mean' op axis 1 is listed twice}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reduce_mean %a [1, 1] : tensor<4x8xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @reduce_keepdim_result_disagrees(%a: tensor<?x8xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{'kiln.reduce_sum' op inferred type(s) 'tensor<?x1xf32>' are incompatible with return type(s) of operation 'tensor<?xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reduce_sum %a [1] {keepdim = true} : tensor<?x8xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @argmax_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4xi64> {
  // expected-error @+2 {{'kiln.argmax' op axis 2 is out of range for tensor<4x8xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.argmax %a {axis = 2 : i64} : tensor<4x8xf32> -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

func.func @argmax_negative_axis(%a: tensor<4x8xf32>) -> tensor<4xi64> {
  // expected-error @+2 {{'kiln.argmax' op axis -1 is out of range for tensor<4x8xf32> (expected 0 <= axis < 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.argmax %a {axis = -1 : i64} : tensor<4x8xf32> -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

func.func @argmax_float_result(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<4xf32>'}}
  %r = kiln.argmax %a {axis = 1 : i64} : tensor<4x8xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @argmax_result_type_disagrees(%a: tensor<4x8xf32>) -> tensor<4x1xi64> {
  // expected-error @+2 {{'kiln.argmax' op inferred type(s) 'tensor<4xi64>' are incompatible with return type(s) of operation 'tensor<4x1xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.argmax %a {axis = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xi64>
  return %r : tensor<4x1xi64>
}

// -----

// A huge step must not overflow the size computation: 1:8:huge keeps one element.
func.func @slice_huge_step(%a: tensor<4x8xf32>) -> tensor<4x0xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4x0xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.slice %a {axis = 1 : i64, start = 1 : i64, end = 8 : i64, step = 9223372036854775807 : i64} : tensor<4x8xf32> -> tensor<4x0xf32>
  return %r : tensor<4x0xf32>
}

// -----

func.func @reshape_overflow(%a: tensor<1xf32>) -> tensor<7x7905747460161236407xf32> {
  // expected-error @+2 {{the sizes overflow 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = kiln.reshape %a [7, 7905747460161236407] : tensor<1xf32> -> tensor<7x7905747460161236407xf32>
  return %r : tensor<7x7905747460161236407xf32>
}
