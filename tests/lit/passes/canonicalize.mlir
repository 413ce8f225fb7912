// Folders of the kiln ops (ir/KilnFolds.cpp) through --canonicalize:
// identities, constant subgraphs, reshape / transpose chains, relu(relu),
// and what must not fold.
// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// Identities: x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1, x ** 1 -> x
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NOT: kiln.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]] :
func.func @identities(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<3xf32>
  %one = kiln.constant dense<1.0> : tensor<1x3xf32>
  %scalar_one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.add %x, %zero : tensor<?x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %1 = kiln.add %zero, %x : tensor<3xf32>, tensor<?x3xf32> -> tensor<?x3xf32>
  %2 = kiln.sub %x, %zero : tensor<?x3xf32>, tensor<3xf32> -> tensor<?x3xf32>
  %3 = kiln.mul %x, %one : tensor<?x3xf32>, tensor<1x3xf32> -> tensor<?x3xf32>
  %4 = kiln.mul %scalar_one, %x : tensor<f32>, tensor<?x3xf32> -> tensor<?x3xf32>
  %5 = kiln.div %x, %one : tensor<?x3xf32>, tensor<1x3xf32> -> tensor<?x3xf32>
  %6 = kiln.pow %x, %scalar_one : tensor<?x3xf32>, tensor<f32> -> tensor<?x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Not identities: x * 0 (NaN * 0 is NaN, not 0), 0 - x, 1 / x, 1 ** x, and
// x + 0 where the zero broadcasts x to a larger shape.
// CHECK-LABEL: func.func @not_identities
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[BIG:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK: %[[A:.*]] = kiln.mul %[[X]], %[[ZERO]] : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
// CHECK: %[[B:.*]] = kiln.sub %[[ZERO]], %[[X]]
// CHECK: %[[C:.*]] = kiln.div %[[ONE]], %[[X]]
// CHECK: %[[D:.*]] = kiln.pow %[[ONE]], %[[X]]
// CHECK: %[[E:.*]] = kiln.add %[[X]], %[[BIG]] : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: return %[[A]], %[[B]], %[[C]], %[[D]], %[[E]]
func.func @not_identities(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>) {
  %zero = kiln.constant dense<0.0> : tensor<3xf32>
  %one = kiln.constant dense<1.0> : tensor<3xf32>
  %big = kiln.constant dense<0.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %zero : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %1 = kiln.sub %zero, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %2 = kiln.div %one, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %3 = kiln.pow %one, %x : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %4 = kiln.add %x, %big : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>
}

// -----

// A zero that is not a splat is not recognized as an identity (only splats are).
// CHECK-LABEL: func.func @add_non_splat_constant
// CHECK: kiln.add
func.func @add_non_splat_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = kiln.add %x, %c : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Constant subgraphs
//===----------------------------------------------------------------------===//

// -----

// [[1], [2]] + [10, 20, 30] broadcasts to [2, 3]; then * 2, - 1, max with 25.
// CHECK-LABEL: func.func @binary_constants
// CHECK-DAG: %[[S:.*]] = kiln.constant dense<{{\[\[}}1.100000e+01, 2.100000e+01, 3.100000e+01], [1.200000e+01, 2.200000e+01, 3.200000e+01]]> : tensor<2x3xf32>
// CHECK-DAG: %[[T:.*]] = kiln.constant dense<{{\[\[}}2.500000e+01, 4.100000e+01, 6.100000e+01], [2.500000e+01, 4.300000e+01, 6.300000e+01]]> : tensor<2x3xf32>
// CHECK-DAG: %[[Q:.*]] = kiln.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf64>
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.mul
// CHECK-NOT: kiln.sub
// CHECK-NOT: kiln.max
// CHECK-NOT: kiln.div
// CHECK: return %[[S]], %[[T]], %[[Q]]
func.func @binary_constants() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf64>) {
  %a = kiln.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<1x1xf32>
  %c25 = kiln.constant dense<25.0> : tensor<3xf32>
  %s = kiln.add %a, %b : tensor<2x1xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %m = kiln.mul %s, %two : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %d = kiln.sub %m, %one : tensor<2x3xf32>, tensor<1x1xf32> -> tensor<2x3xf32>
  %t = kiln.max %d, %c25 : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %p = kiln.constant dense<[1.0, 4.0]> : tensor<2xf64>
  %r = kiln.constant dense<2.0> : tensor<2xf64>
  %q = kiln.div %p, %r : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
  return %s, %t, %q : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf64>
}

// -----

// Unary ops of constants: neg, abs, sqrt, relu, exp(0) and pow.
// CHECK-LABEL: func.func @unary_constants
// CHECK-DAG: %[[N:.*]] = kiln.constant dense<[4.000000e+00, -9.000000e+00, -0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[A:.*]] = kiln.constant dense<[2.000000e+00, 3.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[R:.*]] = kiln.constant dense<[0.000000e+00, 9.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[E:.*]] = kiln.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[P:.*]] = kiln.constant dense<[1.600000e+01, 8.100000e+01, 0.000000e+00]> : tensor<3xf32>
// CHECK-NOT: kiln.neg
// CHECK-NOT: kiln.abs
// CHECK-NOT: kiln.sqrt
// CHECK-NOT: kiln.relu
// CHECK-NOT: kiln.exp
// CHECK-NOT: kiln.pow
// CHECK: return %[[N]], %[[A]], %[[R]], %[[E]], %[[P]]
func.func @unary_constants() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) {
  %c = kiln.constant dense<[-4.0, 9.0, 0.0]> : tensor<3xf32>
  %z = kiln.constant dense<0.0> : tensor<2xf32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %n = kiln.neg %c : tensor<3xf32>
  %abs = kiln.abs %c : tensor<3xf32>
  %a = kiln.sqrt %abs : tensor<3xf32>
  %r = kiln.relu %c : tensor<3xf32>
  %e = kiln.exp %z : tensor<2xf32>
  %p = kiln.pow %c, %two : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
  return %n, %a, %r, %e, %p : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>
}

// -----

// transpose and reshape of constants: the values are permuted / reshaped.
// CHECK-LABEL: func.func @shape_of_constants
// CHECK-DAG: %[[T:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[R:.*]] = kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// 3-D: result[i, j, k] = c[k, i, j] with c = [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
// CHECK-DAG: %[[T3:.*]] = kiln.constant dense<{{\[\[\[}}0.000000e+00, 4.000000e+00], [1.000000e+00, 5.000000e+00]], {{\[\[}}2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK-NOT: kiln.reshape
// CHECK: return %[[T]], %[[R]], %[[T3]]
func.func @shape_of_constants() -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2x2xf32>) {
  %c = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = kiln.transpose %c [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %r = kiln.reshape %c [3, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  %d = kiln.constant dense<[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]]]> : tensor<2x2x2xf32>
  %t3 = kiln.transpose %d [1, 2, 0] : tensor<2x2x2xf32> -> tensor<2x2x2xf32>
  return %t, %r, %t3 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2x2xf32>
}

// -----

// A whole subgraph of constants folds to one constant:
// relu(transpose(reshape([1, -2, 3, -4], [2, 2])) * -1) = [[0, 0], [2, 4]].
// CHECK-LABEL: func.func @constant_subgraph
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[\[}}0.000000e+00, 0.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @constant_subgraph() -> tensor<2x2xf32> {
  %c = kiln.constant dense<[1.0, -2.0, 3.0, -4.0]> : tensor<4xf32>
  %m1 = kiln.constant dense<-1.0> : tensor<f32>
  %r = kiln.reshape %c [2, 2] : tensor<4xf32> -> tensor<2x2xf32>
  %t = kiln.transpose %r [1, 0] : tensor<2x2xf32> -> tensor<2x2xf32>
  %n = kiln.mul %t, %m1 : tensor<2x2xf32>, tensor<f32> -> tensor<2x2xf32>
  %y = kiln.relu %n : tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Results of more than 65536 elements stay ops: 257 * 256 = 65792 (add,
// unary, reshape, transpose); 256 * 256 = 65536 still folds.
// CHECK-LABEL: func.func @too_large
// CHECK-DAG: %[[OK:.*]] = kiln.constant dense<3.000000e+00> : tensor<256x256xf32>
// CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<257x256xf32>, tensor<257x256xf32> -> tensor<257x256xf32>
// CHECK: kiln.neg %{{.*}} : tensor<257x256xf32>
// CHECK: kiln.reshape %{{.*}} [256, 257] : tensor<257x256xf32> -> tensor<256x257xf32>
// CHECK: kiln.transpose %{{.*}} [1, 0] : tensor<257x256xf32> -> tensor<256x257xf32>
// CHECK: return {{.*}}, %[[OK]] :
func.func @too_large() -> (tensor<257x256xf32>, tensor<257x256xf32>, tensor<256x257xf32>, tensor<256x257xf32>, tensor<256x256xf32>) {
  %a = kiln.constant dense<1.0> : tensor<257x256xf32>
  %b = kiln.constant dense<2.0> : tensor<257x256xf32>
  %s = kiln.add %a, %b : tensor<257x256xf32>, tensor<257x256xf32> -> tensor<257x256xf32>
  %n = kiln.neg %a : tensor<257x256xf32>
  %r = kiln.reshape %a [256, 257] : tensor<257x256xf32> -> tensor<256x257xf32>
  %t = kiln.transpose %a [1, 0] : tensor<257x256xf32> -> tensor<256x257xf32>
  %c = kiln.constant dense<1.0> : tensor<256x256xf32>
  %d = kiln.constant dense<2.0> : tensor<256x256xf32>
  %ok = kiln.add %c, %d : tensor<256x256xf32>, tensor<256x256xf32> -> tensor<256x256xf32>
  return %s, %n, %r, %t, %ok : tensor<257x256xf32>, tensor<257x256xf32>, tensor<256x257xf32>, tensor<256x257xf32>, tensor<256x256xf32>
}

// -----

// Softmax of constants is not folded.
// CHECK-LABEL: func.func @softmax_constant
// CHECK: kiln.softmax
func.func @softmax_constant() -> tensor<2xf32> {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = kiln.softmax %c {axis = 0 : i64} : tensor<2xf32>
  return %s : tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Chains of shape ops, relu(relu)
//===----------------------------------------------------------------------===//

// -----

// transpose(transpose(x)) composes: [0, 2, 1] then [2, 0, 1] is [1, 0, 2];
// two inverse permutations cancel; an identity permutation is x.
// CHECK-LABEL: func.func @transpose_chains
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = kiln.transpose %[[X]] [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return %[[T]], %[[X]], %[[X]]
func.func @transpose_chains(%x: tensor<2x3x4xf32>) -> (tensor<3x2x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %a = kiln.transpose %x [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  %b = kiln.transpose %a [2, 0, 1] : tensor<2x4x3xf32> -> tensor<3x2x4xf32>
  %c = kiln.transpose %x [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %d = kiln.transpose %c [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  %e = kiln.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %b, %d, %e : tensor<3x2x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// A transpose with another user keeps it; the chain still reads x directly.
// CHECK-LABEL: func.func @transpose_chain_shared
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[T:.*]] = kiln.transpose %[[X]] [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return %[[T]], %[[X]]
func.func @transpose_chain_shared(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %a = kiln.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = kiln.transpose %a [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %a, %b : tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// reshape(reshape(x)) is one reshape of x (with the batch still -1); a
// reshape back to x's type is x.
// CHECK-LABEL: func.func @reshape_chains
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x3xf32>, %[[Y:.*]]: tensor<2x6xf32>)
// CHECK: %[[R:.*]] = kiln.reshape %[[X]] [-1, 2, 6] : tensor<?x4x3xf32> -> tensor<?x2x6xf32>
// CHECK-NOT: kiln.reshape
// CHECK: return %[[R]], %[[Y]]
func.func @reshape_chains(%x: tensor<?x4x3xf32>, %y: tensor<2x6xf32>) -> (tensor<?x2x6xf32>, tensor<2x6xf32>) {
  %a = kiln.reshape %x [-1, 12] : tensor<?x4x3xf32> -> tensor<?x12xf32>
  %b = kiln.reshape %a [-1, 2, 6] : tensor<?x12xf32> -> tensor<?x2x6xf32>
  %c = kiln.reshape %y [12] : tensor<2x6xf32> -> tensor<12xf32>
  %d = kiln.reshape %c [3, 4] : tensor<12xf32> -> tensor<3x4xf32>
  %e = kiln.reshape %d [2, 6] : tensor<3x4xf32> -> tensor<2x6xf32>
  return %b, %e : tensor<?x2x6xf32>, tensor<2x6xf32>
}

// -----

// relu(relu(x)) -> relu(x); relu of something else stays.
// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[R:.*]] = kiln.relu %[[X]] : tensor<4xf32>
// CHECK-NEXT: %[[S:.*]] = kiln.sigmoid %[[R]]
// CHECK-NEXT: %[[T:.*]] = kiln.relu %[[S]]
// CHECK-NEXT: return %[[R]], %[[T]]
func.func @relu_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.relu %x : tensor<4xf32>
  %1 = kiln.relu %0 : tensor<4xf32>
  %2 = kiln.relu %1 : tensor<4xf32>
  %3 = kiln.sigmoid %2 : tensor<4xf32>
  %4 = kiln.relu %3 : tensor<4xf32>
  return %2, %4 : tensor<4xf32>, tensor<4xf32>
}
