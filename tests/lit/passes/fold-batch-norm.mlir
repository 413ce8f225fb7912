// --kiln-fold-batch-norm: inference batch norm and per-channel mul / div /
// add / sub by constants fold into the weights and bias of the producing
// conv2d / linear (mul and div also into a matmul's weight), when every
// operand is a constant and the producer has no other user. report=true
// emits one remark per function with the number of ops folded away.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-fold-batch-norm{report=true}))' -mlir-print-op-on-diagnostic=false -verify-diagnostics | FileCheck %s
// Without report there is no remark (stderr only has this MLIR's complaints
// about the unmet expected-remark lines), and the rewrite is the same.
// RUN: kiln-opt %s --kiln-fold-batch-norm 2>&1 >/dev/null | FileCheck %s --check-prefix=QUIET
// RUN: kiln-opt %s --kiln-fold-batch-norm 2>/dev/null | FileCheck %s
// QUIET-NOT: remark: kiln-fold-batch-norm

//===----------------------------------------------------------------------===//
// What folds
//===----------------------------------------------------------------------===//

// A 1x1 convolution, two output channels, numbers computed by hand (eps = 1
// keeps them exact):
//   s = gamma / sqrt(var + eps) = [3 / sqrt(4), 1 / sqrt(16)] = [1.5, 0.25]
//   t = beta - mean * s         = [0.5 - 1.5, 2 + 0.5]        = [-1, 2.5]
//   W' = W * s = [2 * 1.5, -1 * 0.25] = [3, -0.25]
//   b' = b * s + t = [1 * 1.5 - 1, 0.5 * 0.25 + 2.5] = [0.5, 2.625]
// CHECK-LABEL: func.func @conv_bn
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x4x4xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}-2.500000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[5.000000e-01, 2.625000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = kiln.conv2d %[[X]], %[[W]], %[[B]] {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
// CHECK-NOT: kiln.batch_norm
// CHECK: return %[[Y]]
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @conv_bn(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[2.0]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %gamma = kiln.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 15.0]> : tensor<2xf32>
  %c = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// The case of the issue with a tiny epsilon: weight 2, gamma 3, var 3,
// mean 1, beta 0.5 -> s = 3 / sqrt(3) = sqrt(3) = 1.7320508,
// W' = 2 * sqrt(3) = 3.4641016, and a conv without bias gets one:
// b' = 0.5 - sqrt(3) = -1.2320508. With a 2x2 kernel, the stride, padding,
// dilation and groups attributes carry over; every kernel element of a
// channel is scaled by the same factor (here channel 1 is scaled by 1 / 2).
// CHECK-LABEL: func.func @conv_without_bias_bn
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}3.464101{{[0-9]*}}]]], {{\[\[\[}}2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[-1.232050{{[0-9]*}}, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[W3:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00]]], {{\[\[\[}}5.000000e-01, 5.000000e-01], [5.000000e-01, 5.000000e-01]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B3:.*]] = kiln.constant dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: kiln.conv2d %{{.*}}, %[[W]], %[[B]] {dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
// CHECK: kiln.conv2d %{{.*}}, %[[W3]], %[[B3]] {dilation = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 1>} : tensor<1x2x6x6xf32>, tensor<2x1x2x2xf32>, tensor<2xf32> -> tensor<1x2x3x4xf32>
// CHECK-NOT: kiln.batch_norm
// expected-remark @+1 {{kiln-fold-batch-norm: folded 2 batch norm / per-channel ops into weights}}
func.func @conv_without_bias_bn(%x: tensor<1x1x4x4xf32>, %z: tensor<1x2x6x6xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>) {
  %w = kiln.constant dense<[[[[2.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %gamma = kiln.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x4x4xf32>
  %y = kiln.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0e-12 : f64} : tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2x4x4xf32>
  // Grouped: s = [1 / sqrt(1), 1 / sqrt(4)] = [1, 0.5], t = -mean * s = [0, -1].
  %w3 = kiln.constant dense<1.0> : tensor<2x1x2x2xf32>
  %one = kiln.constant dense<1.0> : tensor<2xf32>
  %zero = kiln.constant dense<0.0> : tensor<2xf32>
  %m3 = kiln.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %v3 = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %c3 = kiln.conv2d %z, %w3 {stride = array<i64: 2, 1>, padding = array<i64: 1, 0, 1, 0>, dilation = array<i64: 2, 2>, groups = 2 : i64} : tensor<1x2x6x6xf32>, tensor<2x1x2x2xf32> -> tensor<1x2x3x4xf32>
  %y3 = kiln.batch_norm %c3, %one, %zero, %m3, %v3 {epsilon = 0.0 : f64} : tensor<1x2x3x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2x3x4xf32>
  return %y, %y3 : tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>
}

// BatchNorm1d after a linear layer: weight [out, in] rows scale per output.
//   s = gamma / sqrt(var + 1) = [2 / 2, 3 / 1] = [1, 3]
//   t = beta - mean * s       = [1 - 1, 0 - 3] = [0, -3]
//   W' = [[1, 2, 3] * 1, [4, 5, 6] * 3],  b' = [1 * 1 + 0, 2 * 3 - 3] = [1, 3]
// CHECK-LABEL: func.func @linear_bn
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [1.200000e+01, 1.500000e+01, 1.800000e+01]]> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = kiln.linear %[[X]], %[[W]], %[[B]] : tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32> -> tensor<?x2xf32>
// CHECK-NOT: kiln.batch_norm
// CHECK: return %[[Y]]
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @linear_bn(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %gamma = kiln.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %var = kiln.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %l = kiln.linear %x, %w, %b : tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %y = kiln.batch_norm %l, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// conv * c with c [1, F, 1, 1] (varying along the output channel only):
// weight and bias both scale.
// CHECK-LABEL: func.func @conv_mul
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}-3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[2.000000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK: kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: kiln.mul
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @conv_mul(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %s = kiln.constant dense<[[[[2.0]], [[-3.0]]]]> : tensor<1x2x1x1xf32>
  %c = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.mul %c, %s : tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// The constant may be on the left of a mul, and a scalar scales every channel.
// CHECK-LABEL: func.func @scalar_mul_on_the_left
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK: kiln.conv2d %{{.*}}, %[[W]] {
// CHECK-NOT: kiln.mul
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @scalar_mul_on_the_left(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %s = kiln.constant dense<0.5> : tensor<f32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.mul %s, %c : tensor<f32>, tensor<?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// conv + c with c [F, 1, 1]: only the bias changes (created when absent).
// CHECK-LABEL: func.func @conv_add
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[2.500000e-01, -4.000000e+00]> : tensor<2xf32>
// CHECK: kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: kiln.add
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @conv_add(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %t = kiln.constant dense<[[[0.25]], [[-4.0]]]> : tensor<2x1x1xf32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.add %c, %t : tensor<?x2x4x4xf32>, tensor<2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// div and sub by per-channel constants: W / d, b / d - e.
// CHECK-LABEL: func.func @conv_div_sub
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[\[\[}}2.500000e-01]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[-7.500000e-01, 7.000000e+00]> : tensor<2xf32>
// CHECK: kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: kiln.div
// CHECK-NOT: kiln.sub
// expected-remark @+1 {{kiln-fold-batch-norm: folded 2 batch norm / per-channel ops into weights}}
func.func @conv_div_sub(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x4x4xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %d = kiln.constant dense<[[[4.0]], [[0.5]]]> : tensor<2x1x1xf32>
  %e = kiln.constant dense<[[[1.0]], [[1.0]]]> : tensor<2x1x1xf32>
  %c = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %q = kiln.div %c, %d : tensor<?x2x4x4xf32>, tensor<2x1x1xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.sub %q, %e : tensor<?x2x4x4xf32>, tensor<2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y : tensor<?x2x4x4xf32>
}

// A chain folds step by step: conv -> bn -> mul -> add is one conv.
//   bn:  s = 2 / sqrt(3 + 1) = 1, t = 1 - 2 * 1 = -1  -> W = 3, b = 1 * 1 - 1 = 0
//   mul: * 4                                         -> W = 12, b = 0
//   add: + 0.5                                       -> W = 12, b = 0.5
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x4x4xf32>)
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<1.200000e+01> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK: %[[Y:.*]] = kiln.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-NEXT: return %[[Y]]
// expected-remark @+1 {{kiln-fold-batch-norm: folded 3 batch norm / per-channel ops into weights}}
func.func @chain(%x: tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32> {
  %w = kiln.constant dense<3.0> : tensor<1x1x1x1xf32>
  %b = kiln.constant dense<1.0> : tensor<1xf32>
  %gamma = kiln.constant dense<2.0> : tensor<1xf32>
  %beta = kiln.constant dense<1.0> : tensor<1xf32>
  %mean = kiln.constant dense<2.0> : tensor<1xf32>
  %var = kiln.constant dense<3.0> : tensor<1xf32>
  %four = kiln.constant dense<4.0> : tensor<1x1x1xf32>
  %half = kiln.constant dense<0.5> : tensor<1x1x1xf32>
  %c = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<1x1x1x1xf32>, tensor<1xf32> -> tensor<?x1x4x4xf32>
  %n = kiln.batch_norm %c, %gamma, %beta, %mean, %var {epsilon = 1.0 : f64} : tensor<?x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32> -> tensor<?x1x4x4xf32>
  %m = kiln.mul %n, %four : tensor<?x1x4x4xf32>, tensor<1x1x1xf32> -> tensor<?x1x4x4xf32>
  %y = kiln.add %m, %half : tensor<?x1x4x4xf32>, tensor<1x1x1xf32> -> tensor<?x1x4x4xf32>
  return %y : tensor<?x1x4x4xf32>
}

// matmul * c with c varying along the columns: the rhs [K, N] scales per
// column (stride N), and a matmul takes no bias.
// CHECK-LABEL: func.func @matmul_mul
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[}}2.000000e+00, 3.000000e+01], [4.000000e+00, 6.000000e+01], [6.000000e+00, 9.000000e+01]]> : tensor<3x2xf32>
// CHECK: kiln.matmul %{{.*}}, %[[W]] : tensor<?x3xf32>, tensor<3x2xf32> -> tensor<?x2xf32>
// CHECK-NOT: kiln.mul
// expected-remark @+1 {{kiln-fold-batch-norm: folded 1 batch norm / per-channel ops into weights}}
func.func @matmul_mul(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = kiln.constant dense<[[1.0, 3.0], [2.0, 6.0], [3.0, 9.0]]> : tensor<3x2xf32>
  %s = kiln.constant dense<[2.0, 10.0]> : tensor<2xf32>
  %m = kiln.matmul %x, %w : tensor<?x3xf32>, tensor<3x2xf32> -> tensor<?x2xf32>
  %y = kiln.mul %m, %s : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

//===----------------------------------------------------------------------===//
// What stays
//===----------------------------------------------------------------------===//

// The weight is not a constant (an unbound parameter or an argument).
// CHECK-LABEL: func.func @weight_not_constant
// CHECK: kiln.conv2d
// CHECK: kiln.batch_norm
// CHECK: kiln.conv2d
// CHECK: kiln.mul
// expected-remark @+1 {{kiln-fold-batch-norm: folded 0 batch norm / per-channel ops into weights}}
func.func @weight_not_constant(%x: tensor<?x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %v = kiln.constant dense<1.0> : tensor<2xf32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.batch_norm %c, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %p = kiln.param "conv.weight" : tensor<2x2x1x1xf32>
  %s = kiln.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %c2 = kiln.conv2d %x, %p {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x2x4x4xf32>, tensor<2x2x1x1xf32> -> tensor<?x2x4x4xf32>
  %z = kiln.mul %c2, %s : tensor<?x2x4x4xf32>, tensor<2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y, %z : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}

// The bias is an argument; and the batch norm statistics are not constants.
// CHECK-LABEL: func.func @bias_or_stats_not_constant
// CHECK-COUNT-2: kiln.batch_norm
// expected-remark @+1 {{kiln-fold-batch-norm: folded 0 batch norm / per-channel ops into weights}}
func.func @bias_or_stats_not_constant(%x: tensor<?x1x4x4xf32>, %b: tensor<2xf32>, %m: tensor<2xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %v = kiln.constant dense<1.0> : tensor<2xf32>
  %c = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.batch_norm %c, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %c2 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %z = kiln.batch_norm %c2, %v, %v, %m, %v {epsilon = 1.0e-05 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  return %y, %z : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}

// The conv result has a second user, which must keep seeing the unscaled
// values: neither the batch norm nor the mul folds.
// CHECK-LABEL: func.func @producer_with_two_users
// CHECK: %[[C:.*]] = kiln.conv2d
// CHECK: kiln.batch_norm %[[C]]
// CHECK: kiln.mul %[[C]]
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-fold-batch-norm: folded 0 batch norm / per-channel ops into weights}}
func.func @producer_with_two_users(%x: tensor<?x1x4x4xf32>) -> (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %v = kiln.constant dense<2.0> : tensor<2xf32>
  %s = kiln.constant dense<3.0> : tensor<1x2x1x1xf32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %y = kiln.batch_norm %c, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2x4x4xf32>
  %z = kiln.mul %c, %s : tensor<?x2x4x4xf32>, tensor<1x2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y, %z : tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}

// Constants that vary along a non-channel axis: [4] broadcasts along W,
// [4, 1] along H, [2, 1, 1, 1] along the batch; and a constant that
// broadcasts the result to a larger shape.
// CHECK-LABEL: func.func @not_per_channel
// CHECK-COUNT-4: kiln.conv2d %{{.*}}, %{{[^,]*}} {
// CHECK: kiln.mul %{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<4xf32> -> tensor<1x2x4x4xf32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<4x1xf32> -> tensor<1x2x4x4xf32>
// CHECK: kiln.mul %{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<2x2x4x4xf32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<1x2x4x4xf32>, tensor<3x1x1x1xf32> -> tensor<3x2x4x4xf32>
// expected-remark @+1 {{kiln-fold-batch-norm: folded 0 batch norm / per-channel ops into weights}}
func.func @not_per_channel(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<3x2x4x4xf32>) {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %row = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %col = kiln.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %batch = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %bigger = kiln.constant dense<2.0> : tensor<3x1x1x1xf32>
  %c0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x4x4xf32>
  %c1 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x4x4xf32>
  %c2 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x4x4xf32>
  %c3 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x4x4xf32>
  %y0 = kiln.mul %c0, %row : tensor<1x2x4x4xf32>, tensor<4xf32> -> tensor<1x2x4x4xf32>
  %y1 = kiln.add %c1, %col : tensor<1x2x4x4xf32>, tensor<4x1xf32> -> tensor<1x2x4x4xf32>
  %y2 = kiln.mul %c2, %batch : tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<2x2x4x4xf32>
  %y3 = kiln.add %c3, %bigger : tensor<1x2x4x4xf32>, tensor<3x1x1x1xf32> -> tensor<3x2x4x4xf32>
  return %y0, %y1, %y2, %y3 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<3x2x4x4xf32>
}

// A matmul has no bias to absorb a batch norm's shift or an add; a batch
// norm over dim 1 of a 3-D linear output normalizes the wrong axis; a
// constant divided by the conv, or a division by zero, is not a scaling.
// CHECK-LABEL: func.func @bn_of_matmul
// CHECK: %[[M:.*]] = kiln.matmul
// CHECK: kiln.batch_norm %[[M]]
// CHECK: %[[M2:.*]] = kiln.matmul
// CHECK: kiln.add %[[M2]]
// CHECK: %[[L:.*]] = kiln.linear
// CHECK: kiln.batch_norm %[[L]]
// CHECK: %[[C:.*]] = kiln.conv2d
// CHECK: kiln.div %{{.*}}, %[[C]]
// CHECK: %[[C2:.*]] = kiln.conv2d
// CHECK: kiln.div %[[C2]]
// expected-remark @+1 {{kiln-fold-batch-norm: folded 0 batch norm / per-channel ops into weights}}
func.func @bn_of_matmul(%x: tensor<?x2xf32>, %t: tensor<?x3x2xf32>, %i: tensor<?x1x4x4xf32>)
    -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x3x2xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) {
  %w = kiln.constant dense<1.0> : tensor<2x2xf32>
  %v = kiln.constant dense<2.0> : tensor<2xf32>
  %v3 = kiln.constant dense<2.0> : tensor<3xf32>
  %m = kiln.matmul %x, %w : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
  %y = kiln.batch_norm %m, %v, %v, %v, %v {epsilon = 1.0e-05 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %m2 = kiln.matmul %x, %w : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
  %y2 = kiln.add %m2, %v : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %l = kiln.linear %t, %w : tensor<?x3x2xf32>, tensor<2x2xf32> -> tensor<?x3x2xf32>
  %y3 = kiln.batch_norm %l, %v3, %v3, %v3, %v3 {epsilon = 1.0e-05 : f64} : tensor<?x3x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x3x2xf32>
  %cw = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %s = kiln.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %zero = kiln.constant dense<[[[2.0]], [[0.0]]]> : tensor<2x1x1xf32>
  %c = kiln.conv2d %i, %cw {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %y4 = kiln.div %s, %c : tensor<2x1x1xf32>, tensor<?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %c2 = kiln.conv2d %i, %cw {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x1x4x4xf32>, tensor<2x1x1x1xf32> -> tensor<?x2x4x4xf32>
  %y5 = kiln.div %c2, %zero : tensor<?x2x4x4xf32>, tensor<2x1x1xf32> -> tensor<?x2x4x4xf32>
  return %y, %y2, %y3, %y4, %y5 : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x3x2xf32>, tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>
}
