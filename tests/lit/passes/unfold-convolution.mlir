// --kiln-unfold-convolution: conv2d -> reshape(matmul(W', im2col(x)) + b).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-unfold-convolution{report=true}))' -mlir-print-op-on-diagnostic=false -verify-diagnostics | FileCheck %s
// Depthwise convolutions are unfolded too with depthwise=true.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-unfold-convolution{depthwise=true}))' 2>/dev/null | FileCheck %s --check-prefix=DW
// A small max-patch-bytes splits the output rows into bands.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-unfold-convolution{max-patch-bytes=360}))' 2>/dev/null | FileCheck %s --check-prefix=BAND

// The weight [F, C, KH, KW] becomes [F, C*KH*KW] = [8, 27]; the patches are
// [N, 27, OH*OW = 64]; the bias is added as [F, 1] columns; the result is
// reshaped back to NCHW with the dynamic batch as -1.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>, %[[W:.*]]: tensor<8x3x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[WM:.*]] = kiln.reshape %[[W]] [8, 27] : tensor<8x3x3x3xf32> -> tensor<8x27xf32>
// CHECK: %[[P:.*]] = kiln.im2col %[[X]] {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x27x64xf32>
// CHECK: %[[M:.*]] = kiln.matmul %[[WM]], %[[P]] : tensor<8x27xf32>, tensor<?x27x64xf32> -> tensor<?x8x64xf32>
// CHECK: %[[BC:.*]] = kiln.reshape %[[B]] [8, 1] : tensor<8xf32> -> tensor<8x1xf32>
// CHECK: %[[S:.*]] = kiln.add %[[M]], %[[BC]] : tensor<?x8x64xf32>, tensor<8x1xf32> -> tensor<?x8x64xf32>
// CHECK: %[[R:.*]] = kiln.reshape %[[S]] [-1, 8, 8, 8] : tensor<?x8x64xf32> -> tensor<?x8x8x8xf32>
// CHECK-NOT: kiln.conv2d
// CHECK: return %[[R]]
// At max-patch-bytes=360, a row of this patch matrix (27*8*4 = 864 bytes)
// is already too large: one band per output row, 8 in all.
// BAND-LABEL: func.func @conv
// BAND-COUNT-8: kiln.im2col %{{.*}} -> tensor<?x27x8xf32>
// BAND-NOT: kiln.im2col
// BAND: kiln.concat
// BAND-SAME: -> tensor<?x8x64xf32>
// BAND-LABEL: func.func @grouped
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @conv(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x8x8xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<?x8x8x8xf32>
  return %0 : tensor<?x8x8x8xf32>
}

// Grouped: the weight is a stack of per-group matrices [G, F/G, C/G*KH*KW]
// = [2, 3, 18], the patches are viewed as [N, G, 18, L], and one batched
// matmul gives [N, G, F/G, L], reshaped to NCHW.
// CHECK-LABEL: func.func @grouped
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[WG:.*]] = kiln.reshape %[[W]] [2, 3, 18] : tensor<6x2x3x3xf32> -> tensor<2x3x18xf32>
// CHECK: %[[P:.*]] = kiln.im2col %[[X]] {{.*}} : tensor<?x4x8x8xf32> -> tensor<?x36x36xf32>
// CHECK: %[[PG:.*]] = kiln.reshape %[[P]] [-1, 2, 18, 36] : tensor<?x36x36xf32> -> tensor<?x2x18x36xf32>
// CHECK: %[[M:.*]] = kiln.matmul %[[WG]], %[[PG]] : tensor<2x3x18xf32>, tensor<?x2x18x36xf32> -> tensor<?x2x3x36xf32>
// CHECK: kiln.reshape %[[M]] [-1, 6, 6, 6] : tensor<?x2x3x36xf32> -> tensor<?x6x6x6xf32>
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @grouped(%x: tensor<?x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<?x6x6x6xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<?x6x6x6xf32>
  return %0 : tensor<?x6x6x6xf32>
}

// A 1x1 convolution without padding needs no patch matrix: the input
// reshaped to [N, C, H*W] is it.
// CHECK-LABEL: func.func @pointwise
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<16x4x1x1xf32>)
// CHECK: %[[WM:.*]] = kiln.reshape %[[W]] [16, 4] : tensor<16x4x1x1xf32> -> tensor<16x4xf32>
// CHECK: %[[P:.*]] = kiln.reshape %[[X]] [-1, 4, 64] : tensor<?x4x8x8xf32> -> tensor<?x4x64xf32>
// CHECK: %[[M:.*]] = kiln.matmul %[[WM]], %[[P]] : tensor<16x4xf32>, tensor<?x4x64xf32> -> tensor<?x16x64xf32>
// CHECK: kiln.reshape %[[M]] [-1, 16, 8, 8] : tensor<?x16x64xf32> -> tensor<?x16x8x8xf32>
// CHECK-NOT: kiln.im2col
// CHECK-NOT: kiln.conv2d
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @pointwise(%x: tensor<?x4x8x8xf32>, %w: tensor<16x4x1x1xf32>) -> tensor<?x16x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x4x8x8xf32>, tensor<16x4x1x1xf32> -> tensor<?x16x8x8xf32>
  return %0 : tensor<?x16x8x8xf32>
}

// Stride 2: every other row and column, by strided slices (7 rows -> 4).
// CHECK-LABEL: func.func @pointwise_stride2
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x7x8xf32>, %[[W:.*]]: tensor<16x4x1x1xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[WM:.*]] = kiln.reshape %[[W]] [16, 4]
// CHECK: %[[R:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 7 : i64, start = 0 : i64, step = 2 : i64} : tensor<?x4x7x8xf32> -> tensor<?x4x4x8xf32>
// CHECK: %[[C:.*]] = kiln.slice %[[R]] {axis = 3 : i64, end = 8 : i64, start = 0 : i64, step = 2 : i64} : tensor<?x4x4x8xf32> -> tensor<?x4x4x4xf32>
// CHECK: %[[P:.*]] = kiln.reshape %[[C]] [-1, 4, 16] : tensor<?x4x4x4xf32> -> tensor<?x4x16xf32>
// CHECK: %[[M:.*]] = kiln.matmul %[[WM]], %[[P]] : tensor<16x4xf32>, tensor<?x4x16xf32> -> tensor<?x16x16xf32>
// CHECK: %[[BC:.*]] = kiln.reshape %[[B]] [16, 1]
// CHECK: %[[S:.*]] = kiln.add %[[M]], %[[BC]]
// CHECK: kiln.reshape %[[S]] [-1, 16, 4, 4] : tensor<?x16x16xf32> -> tensor<?x16x4x4xf32>
// CHECK-NOT: kiln.im2col
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @pointwise_stride2(%x: tensor<?x4x7x8xf32>, %w: tensor<16x4x1x1xf32>, %b: tensor<16xf32>) -> tensor<?x16x4x4xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x4x7x8xf32>, tensor<16x4x1x1xf32>, tensor<16xf32> -> tensor<?x16x4x4xf32>
  return %0 : tensor<?x16x4x4xf32>
}

// A padded 1x1 convolution reads zeros at the border: it goes through im2col.
// CHECK-LABEL: func.func @pointwise_padded
// CHECK: kiln.im2col %{{.*}} {dilation = array<i64: 1, 1>, kernel = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<2x4x8x8xf32> -> tensor<2x4x100xf32>
// CHECK: kiln.matmul
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @pointwise_padded(%x: tensor<2x4x8x8xf32>, %w: tensor<16x4x1x1xf32>) -> tensor<2x16x10x10xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<2x4x8x8xf32>, tensor<16x4x1x1xf32> -> tensor<2x16x10x10xf32>
  return %0 : tensor<2x16x10x10xf32>
}

// Depthwise (one input channel per group) stays a direct convolution by
// default; a grouped conv with two channels per group next to it is unfolded.
// CHECK-LABEL: func.func @depthwise
// CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<?x4x8x8xf32>
// CHECK: kiln.im2col
// CHECK-NOT: kiln.conv2d
// DW-LABEL: func.func @depthwise
// DW-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %{{.*}}: tensor<4x2x3x3xf32>)
// DW: %[[WG:.*]] = kiln.reshape %[[W]] [4, 1, 9] : tensor<4x1x3x3xf32> -> tensor<4x1x9xf32>
// DW: %[[P:.*]] = kiln.im2col %[[X]] {{.*}} : tensor<?x4x8x8xf32> -> tensor<?x36x64xf32>
// DW: %[[PG:.*]] = kiln.reshape %[[P]] [-1, 4, 9, 64] : tensor<?x36x64xf32> -> tensor<?x4x9x64xf32>
// DW: %[[M:.*]] = kiln.matmul %[[WG]], %[[PG]] : tensor<4x1x9xf32>, tensor<?x4x9x64xf32> -> tensor<?x4x1x64xf32>
// DW: kiln.reshape %[[M]] [-1, 4, 8, 8] : tensor<?x4x1x64xf32> -> tensor<?x4x8x8xf32>
// DW-NOT: kiln.conv2d
// DW-LABEL: func.func @banded
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 2 convolutions}}
func.func @depthwise(%x: tensor<?x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %v: tensor<4x2x3x3xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<?x4x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<?x4x8x8xf32>
  %1 = kiln.conv2d %x, %v {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x8x8xf32>
  return %0, %1 : tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>
}

// Banding. One output row of this patch matrix is C*KH*KW*OW*4 = 9*5*4 =
// 180 bytes, so max-patch-bytes=360 allows 2 of the 5 output rows per band:
// bands [0, 2), [2, 4), [4, 5). With stride 2, kernel 3 and padding 1, band
// [r0, r1) reads input rows [2*r0 - 1, 2*(r1-1) + 2) clipped to [0, 9); the
// clipped-off rows become the band's top/bottom padding:
//   [0, 2): rows [0, 4), top 1    [2, 4): rows [3, 8)    [4, 5): rows [7, 9), bottom 1
// The bands' [N, F, rows*OW] products are concatenated along the columns.
// CHECK-LABEL: func.func @banded
// CHECK: kiln.im2col
// CHECK-NOT: kiln.im2col
// CHECK-NOT: kiln.concat
// BAND-LABEL: func.func @banded
// BAND-SAME: (%[[X:.*]]: tensor<?x1x9x9xf32>, %{{.*}}: tensor<2x1x3x3xf32>, %[[B:.*]]: tensor<2xf32>)
// BAND: %[[WM:.*]] = kiln.reshape %{{.*}} [2, 9]
// BAND: %[[S0:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 4 : i64, start = 0 : i64} : tensor<?x1x9x9xf32> -> tensor<?x1x4x9xf32>
// BAND: %[[P0:.*]] = kiln.im2col %[[S0]] {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 0, 1>, stride = array<i64: 2, 2>} : tensor<?x1x4x9xf32> -> tensor<?x9x10xf32>
// BAND: %[[M0:.*]] = kiln.matmul %[[WM]], %[[P0]] : tensor<2x9xf32>, tensor<?x9x10xf32> -> tensor<?x2x10xf32>
// BAND: %[[S1:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 8 : i64, start = 3 : i64} : tensor<?x1x9x9xf32> -> tensor<?x1x5x9xf32>
// BAND: %[[P1:.*]] = kiln.im2col %[[S1]] {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : tensor<?x1x5x9xf32> -> tensor<?x9x10xf32>
// BAND: %[[M1:.*]] = kiln.matmul %[[WM]], %[[P1]]
// BAND: %[[S2:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 9 : i64, start = 7 : i64} : tensor<?x1x9x9xf32> -> tensor<?x1x2x9xf32>
// BAND: %[[P2:.*]] = kiln.im2col %[[S2]] {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 0, 1, 1, 1>, stride = array<i64: 2, 2>} : tensor<?x1x2x9xf32> -> tensor<?x9x5xf32>
// BAND: %[[M2:.*]] = kiln.matmul %[[WM]], %[[P2]] : tensor<2x9xf32>, tensor<?x9x5xf32> -> tensor<?x2x5xf32>
// BAND-NOT: kiln.im2col
// BAND: %[[CAT:.*]] = kiln.concat %[[M0]], %[[M1]], %[[M2]] {axis = 2 : i64} : (tensor<?x2x10xf32>, tensor<?x2x10xf32>, tensor<?x2x5xf32>) -> tensor<?x2x25xf32>
// BAND: %[[BC:.*]] = kiln.reshape %[[B]] [2, 1]
// BAND: %[[SUM:.*]] = kiln.add %[[CAT]], %[[BC]]
// BAND: kiln.reshape %[[SUM]] [-1, 2, 5, 5] : tensor<?x2x25xf32> -> tensor<?x2x5x5xf32>
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 1 of 1 convolutions}}
func.func @banded(%x: tensor<?x1x9x9xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<?x2x5x5xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x1x9x9xf32>, tensor<2x1x3x3xf32>, tensor<2xf32> -> tensor<?x2x5x5xf32>
  return %0 : tensor<?x2x5x5xf32>
}

// 4*2*1*8*4 = 256 bytes per output row: one row per band. With 4 rows of
// bottom padding, output rows 2..4 read only padding: such a band cannot
// slice any input row, so the conv is not banded (one im2col). With one row
// of bottom padding every band reads an input row: two bands.
// CHECK-LABEL: func.func @bottom_padding
// CHECK-COUNT-2: kiln.im2col
// CHECK-NOT: kiln.im2col
// BAND-LABEL: func.func @bottom_padding
// BAND-SAME: (%[[X:.*]]: tensor<1x4x2x8xf32>,
// BAND-NOT: kiln.slice
// BAND: kiln.im2col %[[X]] {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 1>, padding = array<i64: 0, 0, 4, 0>, stride = array<i64: 1, 1>} : tensor<1x4x2x8xf32> -> tensor<1x8x40xf32>
// BAND: %[[S0:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 2 : i64, start = 0 : i64} : tensor<1x4x2x8xf32> -> tensor<1x4x2x8xf32>
// BAND: kiln.im2col %[[S0]] {{.*}} padding = array<i64: 0, 0, 0, 0>{{.*}} -> tensor<1x8x8xf32>
// BAND: %[[S1:.*]] = kiln.slice %[[X]] {axis = 2 : i64, end = 2 : i64, start = 1 : i64} : tensor<1x4x2x8xf32> -> tensor<1x4x1x8xf32>
// BAND: kiln.im2col %[[S1]] {{.*}} padding = array<i64: 0, 0, 1, 0>{{.*}} -> tensor<1x8x8xf32>
// BAND: kiln.concat
// BAND-SAME: -> tensor<1x2x16xf32>
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 2 of 2 convolutions}}
func.func @bottom_padding(%x: tensor<1x4x2x8xf32>, %w: tensor<2x4x2x1xf32>) -> (tensor<1x2x5x8xf32>, tensor<1x2x2x8xf32>) {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 4, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x2x8xf32>, tensor<2x4x2x1xf32> -> tensor<1x2x5x8xf32>
  %1 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 1, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x2x8xf32>, tensor<2x4x2x1xf32> -> tensor<1x2x2x8xf32>
  return %0, %1 : tensor<1x2x5x8xf32>, tensor<1x2x2x8xf32>
}

// A small image (7x7: L = 49 fills 49 of the kernel's 64 lanes) with 64
// constant filters (all 64 lanes): the product is computed transposed,
// P^T [N, 49, 18] x W^T [18, 64] with W^T a new constant, then transposed
// back to [N, 64, 49]. A runtime weight keeps the usual orientation.
// CHECK-LABEL: func.func @small_image
// CHECK: %[[WT:.*]] = kiln.constant dense<{{.*}}> : tensor<18x64xf32>
// CHECK: %[[P:.*]] = kiln.im2col %{{.*}} -> tensor<?x18x49xf32>
// CHECK: %[[PT:.*]] = kiln.transpose %[[P]] [0, 2, 1] : tensor<?x18x49xf32> -> tensor<?x49x18xf32>
// CHECK: %[[M:.*]] = kiln.matmul %[[PT]], %[[WT]] : tensor<?x49x18xf32>, tensor<18x64xf32> -> tensor<?x49x64xf32>
// CHECK: kiln.transpose %[[M]] [0, 2, 1] : tensor<?x49x64xf32> -> tensor<?x64x49xf32>
// CHECK: kiln.matmul %{{.*}}, %{{.*}} : tensor<64x18xf32>, tensor<?x18x49xf32> -> tensor<?x64x49xf32>
// CHECK: return
// expected-remark @+1 {{kiln-unfold-convolution: unfolded 2 of 2 convolutions}}
func.func @small_image(%x: tensor<?x2x7x7xf32>, %w2: tensor<64x2x3x3xf32>) -> (tensor<?x64x7x7xf32>, tensor<?x64x7x7xf32>) {
  %w = kiln.constant dense<0.25> : tensor<64x2x3x3xf32>
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x2x7x7xf32>, tensor<64x2x3x3xf32> -> tensor<?x64x7x7xf32>
  %1 = kiln.conv2d %x, %w2 {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x2x7x7xf32>, tensor<64x2x3x3xf32> -> tensor<?x64x7x7xf32>
  return %0, %1 : tensor<?x64x7x7xf32>, tensor<?x64x7x7xf32>
}
