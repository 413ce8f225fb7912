// The --kiln-optimize pipeline: level 0 changes nothing, level 1 only
// canonicalizes (+ CSE), level 2 also folds batch norm into the conv and
// unfolds the conv into im2col + matmul, except a stride-1 conv with an
// output at least direct-min-width wide, which stays direct for the CPU
// backend's kernel; each pass can be switched off.
// RUN: kiln-opt %s --kiln-optimize="level=0" | FileCheck %s --check-prefix=O0
// RUN: kiln-opt %s --kiln-optimize="level=1 canonicalize=0" | FileCheck %s --check-prefix=O0
// RUN: kiln-opt %s --kiln-optimize="level=1" | FileCheck %s --check-prefix=O1
// RUN: kiln-opt %s --kiln-optimize="level=2 direct-convolution=0" | FileCheck %s --check-prefix=O2
// RUN: kiln-opt %s --kiln-optimize="level=2 direct-min-width=9" | FileCheck %s --check-prefix=O2
// RUN: kiln-opt %s --kiln-optimize | FileCheck %s --check-prefix=DIRECT
// RUN: kiln-opt %s --kiln-optimize="level=2 fold-batch-norm=0 direct-convolution=0" | FileCheck %s --check-prefix=NOBN
// RUN: kiln-opt %s --kiln-optimize="level=2 unfold-convolution=0" | FileCheck %s --check-prefix=NOUNFOLD
// RUN: kiln-opt %s --kiln-optimize="level=0 unfold-convolution=1" | FileCheck %s --check-prefix=ONLYUNFOLD
// RUN: kiln-opt %s --kiln-optimize="level=2 max-patch-bytes=1024 direct-convolution=0" | FileCheck %s --check-prefix=BANDS

// Level 0: every op as written, the no-op x * 1 and relu(relu(x)) included.
// O0-LABEL: func.func @net
// O0: kiln.conv2d
// O0: kiln.batch_norm
// O0: kiln.mul
// O0: kiln.relu
// O0: kiln.relu
// O0-NOT: kiln.im2col

// Level 1: x * 1 and the second relu are gone (and the then unused
// constant); the conv and the batch norm stay.
// O1-LABEL: func.func @net
// O1-NOT: kiln.constant dense<1.000000e+00> : tensor<f32>
// O1: %[[C:.*]] = kiln.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<?x4x8x8xf32>
// O1: %[[N:.*]] = kiln.batch_norm %[[C]]
// O1: %[[R:.*]] = kiln.relu %[[N]]
// O1-NEXT: return %[[R]]
// O1-NOT: kiln.mul
// O1-NOT: kiln.im2col

// Level 2: s = gamma / sqrt(var + eps) = 4 / sqrt(3 + 1) = 2 scales the
// weight (1 -> 2) and the shift 0.5 - 0 * 2 = 0.5 becomes the bias; the conv
// is then unfolded, the weight reshape folded into the constant [F, C*KH*KW].
// O2-LABEL: func.func @net
// O2-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>)
// O2-DAG: %[[B:.*]] = kiln.constant dense<5.000000e-01> : tensor<4x1xf32>
// O2-DAG: %[[W:.*]] = kiln.constant dense<2.000000e+00> : tensor<4x27xf32>
// O2: %[[P:.*]] = kiln.im2col %[[X]] {{.*}} : tensor<?x3x8x8xf32> -> tensor<?x27x64xf32>
// O2: %[[M:.*]] = kiln.matmul %[[W]], %[[P]] : tensor<4x27xf32>, tensor<?x27x64xf32> -> tensor<?x4x64xf32>
// O2: %[[S:.*]] = kiln.add %[[M]], %[[B]]
// O2: %[[R:.*]] = kiln.reshape %[[S]] [-1, 4, 8, 8]
// O2: %[[Y:.*]] = kiln.relu %[[R]]
// O2-NEXT: return %[[Y]]
// O2-NOT: kiln.conv2d
// O2-NOT: kiln.batch_norm

// The default: the batch norm is folded as above, and the stride-1 conv,
// 8 columns wide (direct-min-width is 8), stays direct.
// DIRECT-LABEL: func.func @net
// DIRECT-DAG: %[[W:.*]] = kiln.constant dense<2.000000e+00> : tensor<4x3x3x3xf32>
// DIRECT-DAG: %[[B:.*]] = kiln.constant dense<5.000000e-01> : tensor<4xf32>
// DIRECT: %[[C:.*]] = kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// DIRECT-NEXT: %[[Y:.*]] = kiln.relu %[[C]]
// DIRECT-NEXT: return %[[Y]]
// DIRECT-NOT: kiln.batch_norm
// DIRECT-NOT: kiln.im2col

// fold-batch-norm=0: the batch norm stays (after the unfolded conv).
// NOBN-LABEL: func.func @net
// NOBN-NOT: kiln.conv2d
// NOBN: kiln.im2col
// NOBN: %[[M:.*]] = kiln.matmul
// NOBN: %[[R:.*]] = kiln.reshape %[[M]] [-1, 4, 8, 8]
// NOBN: kiln.batch_norm %[[R]]
// NOBN-NOT: kiln.conv2d

// unfold-convolution=0: the conv stays, with the batch norm folded in.
// NOUNFOLD-LABEL: func.func @net
// NOUNFOLD-DAG: %[[W:.*]] = kiln.constant dense<2.000000e+00> : tensor<4x3x3x3xf32>
// NOUNFOLD-DAG: %[[B:.*]] = kiln.constant dense<5.000000e-01> : tensor<4xf32>
// NOUNFOLD: %[[C:.*]] = kiln.conv2d %{{.*}}, %[[W]], %[[B]]
// NOUNFOLD-NEXT: %[[R:.*]] = kiln.relu %[[C]]
// NOUNFOLD-NEXT: return %[[R]]
// NOUNFOLD-NOT: kiln.im2col
// NOUNFOLD-NOT: kiln.batch_norm

// A pass forced on at level 0 runs alone: no batch norm folding. (Its
// greedy rewrite driver still applies the op folders: x * 1 and the
// second relu go.)
// ONLYUNFOLD-LABEL: func.func @net
// ONLYUNFOLD-NOT: kiln.conv2d
// ONLYUNFOLD: kiln.im2col
// ONLYUNFOLD: kiln.batch_norm
// ONLYUNFOLD: kiln.relu

// max-patch-bytes reaches the unfolding: 27 * 8 * 4 = 864 bytes per output
// row allow one row per band under 1024 bytes, 8 bands.
// BANDS-LABEL: func.func @net
// BANDS-COUNT-8: kiln.im2col
// BANDS-NOT: kiln.im2col
// BANDS: kiln.concat
func.func @net(%x: tensor<?x3x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %w = kiln.constant dense<1.0> : tensor<4x3x3x3xf32>
  %g = kiln.constant dense<4.0> : tensor<4xf32>
  %b = kiln.constant dense<0.5> : tensor<4xf32>
  %m = kiln.constant dense<0.0> : tensor<4xf32>
  %v = kiln.constant dense<3.0> : tensor<4xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %c = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<?x4x8x8xf32>
  %n = kiln.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0 : f64} : tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<?x4x8x8xf32>
  %s = kiln.mul %n, %one : tensor<?x4x8x8xf32>, tensor<f32> -> tensor<?x4x8x8xf32>
  %r = kiln.relu %s : tensor<?x4x8x8xf32>
  %r2 = kiln.relu %r : tensor<?x4x8x8xf32>
  return %r2 : tensor<?x4x8x8xf32>
}
