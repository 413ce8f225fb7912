// --convert-kiln-to-linalg of the convolution, pooling, resampling and
// normalization ops: convolutions and window pooling become padded
// linalg.generic loop nests; the norms and resampling are first decomposed
// into kiln ops (elementwise, reductions, matmuls with constant matrices).
// RUN: kiln-opt %s --convert-kiln-to-linalg | FileCheck %s

// The affine maps, printed at the top of the module:
// CHECK-DAG: #[[BIAS2:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
// CHECK-DAG: #[[ID5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[CONVX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d5, d3 * 2 + d6, d4 + d7 * 2)>
// CHECK-DAG: #[[CONVW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[CONVO:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[IM2COL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1 floordiv 9, (d2 floordiv 4) * 2 + (d1 floordiv 3) mod 3, (d2 mod 4) * 2 + d1 mod 3)>
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0 * 4 + d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-DAG: #[[TCONVX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 4 + d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[POOLX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[POOLO:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEEP:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>

// The direct convolution: 8 loops (n, g, f, oh, ow | c, kh, kw), reading
// x[n, g*Cg + c, oh*sh + kh*dh, ow*sw + kw*dw] (Cg = 2, stride [2, 1],
// dilation [1, 2]) and w[g, f, c, kh, kw] (the weight [F, Cg, KH, KW]
// expanded to [G, F/G, ...]).
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 2] high[0, 0, 0, 2]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<?x4x8x8xf32> to tensor<?x4x9x12xf32>
// CHECK: %[[B2:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[BIAS2]], #[[ID5]]], {{.*}}} ins(%[[B2]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<?x2x3x4x8xf32>)
// CHECK: %[[W5:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[CONVX]], #[[CONVW]], #[[CONVO]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %[[W5]] : tensor<?x4x9x12xf32>, tensor<2x3x2x3x3xf32>) outs(%[[INIT]] : tensor<?x2x3x4x8xf32>)
// CHECK: ^bb0(%[[XI:.*]]: f32, %[[WI:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[XI]], %[[WI]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[C]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<?x2x3x4x8xf32> into tensor<?x6x4x8xf32>
// CHECK: return %[[R]]
// CHECK-NOT: kiln.
func.func @conv2d(%x: tensor<?x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<?x6x4x8xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 2, 1>, padding = array<i64: 1, 2, 0, 2>, dilation = array<i64: 1, 2>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32> -> tensor<?x6x4x8xf32>
  return %0 : tensor<?x6x4x8xf32>
}

// Without bias and padding: no pad, the accumulator is filled with zeros.
// CHECK-LABEL: func.func @conv2d_no_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x5x5xf32>, %[[W:.*]]: tensor<2x3x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x2x3x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<1x3x5x5xf32>, tensor<1x2x3x3x3xf32>) outs(%[[F]] : tensor<1x1x2x3x3xf32>)
func.func @conv2d_no_bias(%x: tensor<1x3x5x5xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// im2col: zero pad, one copy generic writing [N, C*KH*KW, OH*OW] directly:
// row r = (c, kh, kw) = (r floordiv 9, (r floordiv 3) mod 3, r mod 3) and
// column q = (oh, ow) = (q floordiv 4, q mod 4) read x[n, c, oh*2 + kh,
// ow*2 + kw]; the geometry is kept in `kiln.im2col` for kiln-fuse.
// CHECK-LABEL: func.func @im2col
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: } : tensor<?x3x8x8xf32> to tensor<?x3x9x9xf32>
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[IM2COL]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[PAD]] : tensor<?x3x9x9xf32>) outs(%{{.*}} : tensor<?x27x16xf32>) attrs = {kiln.im2col = array<i64: 3, 3, 2, 2, 1, 1, 4>}
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK: return %[[P]]
func.func @im2col(%x: tensor<?x3x8x8xf32>) -> tensor<?x27x16xf32> {
  %0 = kiln.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x27x16xf32>
  return %0 : tensor<?x27x16xf32>
}

// conv_transpose2d: the input is scattered with the stride (a strided
// insert_slice into zeros [N, C, (3-1)*2 + 1 + 2*(3-1) + 1 = 10, 10], at
// offset d*(k-1) = 2), convolved with the flipped weight
// w'[f, c, i, j] = w[c, f, 2 - i, 2 - j] at stride 1 (8 x 8), and cropped by
// the padding (offset 1, size 6).
// CHECK-LABEL: func.func @conv_transpose2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x3x3xf32>, %[[W:.*]]: tensor<4x2x3x3xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x4x10x10xf32>)
// CHECK: %[[DIL:.*]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 2, 2] [%{{.*}}, 4, 3, 3] [1, 1, 2, 2] : tensor<?x4x3x3xf32> into tensor<?x4x10x10xf32>
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}], {{.*}}} ins(%[[W]] : tensor<4x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x4x3x3xf32>)
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[TCONVX]], {{.*}}} ins(%[[DIL]], %{{.*}} : tensor<?x4x10x10xf32>, tensor<1x2x4x3x3xf32>) outs(%{{.*}} : tensor<?x1x2x8x8xf32>)
// CHECK: %[[FULL:.*]] = tensor.collapse_shape %[[C]] {{.*}} into tensor<?x2x8x8xf32>
// CHECK: %[[R:.*]] = tensor.extract_slice %[[FULL]][0, 0, 1, 1] [%{{.*}}, 2, 6, 6] [1, 1, 1, 1] : tensor<?x2x8x8xf32> to tensor<?x2x6x6xf32>
// CHECK: return %[[R]]
func.func @conv_transpose2d(%x: tensor<?x4x3x3xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<?x2x6x6xf32> {
  %0 = kiln.conv_transpose2d %x, %w, %b {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x4x3x3xf32>, tensor<4x2x3x3xf32>, tensor<2xf32> -> tensor<?x2x6x6xf32>
  return %0 : tensor<?x2x6x6xf32>
}

// max_pool2d: -inf padding (0xFF800000), accumulator filled with -inf, a max
// reduction over the window (the [KH, KW] empty tensor gives the window loops
// their extent).
// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x7x7xf32>)
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NINF]] : f32
// CHECK: } : tensor<?x3x7x7xf32> to tensor<?x3x9x9xf32>
// CHECK: %[[NINF2:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[NINF2]] : f32) outs(%{{.*}} : tensor<?x3x4x4xf32>)
// CHECK: %[[K:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[POOLX]], #[[WIN]], #[[POOLO]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[K]] : tensor<?x3x9x9xf32>, tensor<3x3xf32>) outs(%[[F]] : tensor<?x3x4x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[IN]], %[[OUT]] : f32
// CHECK-NEXT: linalg.yield %[[M]] : f32
// CHECK: return %[[R]]
func.func @max_pool2d(%x: tensor<?x3x7x7xf32>) -> tensor<?x3x4x4xf32> {
  %0 = kiln.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : tensor<?x3x7x7xf32> -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// ceil_mode: the last window (rows 6..7 of a 7-row input) needs one extra row
// and column of -inf at the bottom/right.
// CHECK-LABEL: func.func @max_pool2d_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: } : tensor<1x3x7x7xf32> to tensor<1x3x8x8xf32>
// CHECK: arith.maximumf
// CHECK-SAME: f32
// CHECK: -> tensor<1x3x4x4xf32>
func.func @max_pool2d_ceil(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x4x4xf32> {
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x7x7xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// avg_pool2d: zero pad, sum over the window, times a constant [OH, OW] table
// of 1 / window size. 3x3 input, 2x2 windows at stride 2 with padding 1:
// rows [-1, 1) and [1, 3). With count_include_pad every window counts 4
// elements; without it the windows hold [[1, 2], [2, 4]] input elements.
// CHECK-LABEL: func.func @avg_pool2d
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[POOLX]], #[[WIN]], #[[POOLO]]], {{.*}}} ins(%[[PAD]], %{{.*}} : tensor<?x2x5x5xf32>, tensor<2x2xf32>)
// CHECK: arith.addf
// CHECK: %[[T1:.*]] = arith.constant dense<2.500000e-01> : tensor<2x2xf32>
// CHECK: %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[HW]], #[[ID4]]], {{.*}}} ins(%[[SUM]], %[[T1]] : tensor<?x2x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.mulf
// CHECK: %[[SUM2:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[T2:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01], [5.000000e-01, 2.500000e-01]]> : tensor<2x2xf32>
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[SUM2]], %[[T2]] : tensor<?x2x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.mulf
// CHECK: return %[[A]], %[[B]]
func.func @avg_pool2d(%x: tensor<?x2x3x3xf32>) -> (tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>) {
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : tensor<?x2x3x3xf32> -> tensor<?x2x2x2xf32>
  %1 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<?x2x3x3xf32> -> tensor<?x2x2x2xf32>
  return %0, %1 : tensor<?x2x2x2xf32>, tensor<?x2x2x2xf32>
}

// batch_norm: a = scale * rsqrt(var + eps) and b = shift - mean * a on the
// [C] vectors, then x * a + b with a, b expanded to [C, 1, 1] (broadcast
// map (d1, 0, 0)).
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4x4xf32>, %[[G:.*]]: tensor<3xf32>, %[[SH:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK: %[[EPS:.*]] = arith.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: %[[VE:.*]] = linalg.generic {{.*}} ins(%[[V]], %[[EPS]] : tensor<3xf32>, tensor<f32>)
// CHECK: arith.addf
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[VE]] : tensor<3xf32>)
// CHECK: math.rsqrt
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[INV]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.mulf
// CHECK: %[[MA:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[A]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.mulf
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[SH]], %[[MA]] : tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.subf
// CHECK: %[[A3:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 1]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[CHAN]], #[[ID4]]], {{.*}}} ins(%[[X]], %[[A3]] : tensor<?x3x4x4xf32>, tensor<3x1x1xf32>)
// CHECK: arith.mulf
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 1]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[CHAN]], #[[ID4]]], {{.*}}} ins(%[[Y]], %[[B3]] : tensor<?x3x4x4xf32>, tensor<3x1x1xf32>)
// CHECK: arith.addf
// CHECK: return %[[R]]
// CHECK-NOT: kiln.
func.func @batch_norm(%x: tensor<?x3x4x4xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<?x3x4x4xf32> {
  %0 = kiln.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-05 : f64} : tensor<?x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// batch_norm_training: batch mean and biased variance are reductions over
// dims [0, 2, 3]; the running statistics blend with momentum 0.25, the
// variance unbiased by n / (n - 1) = 8 / 7: 0.25 * 8 / 7 = 0.285714298.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%{{.*}} : tensor<2x3x2x2xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2, 3]
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>)
// CHECK: arith.divf
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x3x2x2xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2, 3]
// CHECK: math.rsqrt
// CHECK: arith.constant dense<7.500000e-01> : tensor<f32>
// CHECK: %[[MOM:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK: linalg.generic {{.*}} ins(%[[MEAN]], %[[MOM]] : tensor<3xf32>, tensor<f32>)
// CHECK: arith.constant dense<7.500000e-01> : tensor<f32>
// CHECK: arith.constant dense<0.285714298> : tensor<f32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>
func.func @batch_norm_training(%x: tensor<2x3x2x2xf32>, %g: tensor<3xf32>) -> (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = kiln.batch_norm_training %x, %g, %g, %g, %g {epsilon = 1.0e-05 : f64, momentum = 0.25 : f64} : tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>
  return %0#0, %0#1, %0#2 : tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>
}

// layer_norm over the last dim: mean and variance are sum reductions over
// dim 2 divided by the count, kept as [N, 4, 1]; then scale and shift [8]
// broadcast along the trailing dim.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: linalg.reduce ins(%[[X]] : tensor<?x4x8xf32>) outs(%{{.*}} : tensor<?x4xf32>) dimensions = [2]
// CHECK: arith.divf
// CHECK: %[[MEAN:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 4, 1] : tensor<?x4xf32> into tensor<?x4x1xf32>
// CHECK: %[[CEN:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP]], #[[ID3]]], {{.*}}} ins(%[[X]], %[[MEAN]] : tensor<?x4x8xf32>, tensor<?x4x1xf32>)
// CHECK: arith.subf
// CHECK: linalg.reduce {{.*}} dimensions = [2]
// CHECK: math.rsqrt
// CHECK: %[[N:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP]], #[[ID3]]], {{.*}}} ins(%[[CEN]], %{{.*}} : tensor<?x4x8xf32>, tensor<?x4x1xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[LAST]], #[[ID3]]], {{.*}}} ins(%[[N]], %[[G]] : tensor<?x4x8xf32>, tensor<8xf32>)
// CHECK: arith.mulf
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[LAST]], #[[ID3]]], {{.*}}} ins(%[[S]], %[[B]] : tensor<?x4x8xf32>, tensor<8xf32>)
// CHECK: arith.addf
func.func @layer_norm(%x: tensor<?x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x4x8xf32> {
  %0 = kiln.layer_norm %x, %g, %b {normalized_rank = 1 : i64, epsilon = 1.0e-05 : f64} : tensor<?x4x8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x4x8xf32>
  return %0 : tensor<?x4x8xf32>
}

// group_norm: x [N, 4, 2, 2] viewed as [N, 2 groups, 2 * 2 * 2 = 8],
// normalized over dim 2, viewed back, then scaled and shifted per channel.
// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x2x2xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2, 3]] : tensor<?x4x2x2xf32> into tensor<?x16xf32>
// CHECK: %[[GRP:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 2, 8] : tensor<?x16xf32> into tensor<?x2x8xf32>
// CHECK: linalg.reduce ins(%[[GRP]] : tensor<?x2x8xf32>) outs(%{{.*}} : tensor<?x2xf32>) dimensions = [2]
// CHECK: math.rsqrt
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [%{{.*}}, 4, 2, 2] : tensor<?x16xf32> into tensor<?x4x2x2xf32>
// CHECK: %[[G3:.*]] = tensor.expand_shape %[[G]] {{\[\[}}0, 1, 2]] output_shape [4, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[CHAN]], #[[ID4]]], {{.*}}} ins(%{{.*}}, %[[G3]] : tensor<?x4x2x2xf32>, tensor<4x1x1xf32>)
// CHECK: arith.mulf
// CHECK: %[[B3:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1, 2]] output_shape [4, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[CHAN]], #[[ID4]]], {{.*}}} ins(%{{.*}}, %[[B3]] : tensor<?x4x2x2xf32>, tensor<4x1x1xf32>)
// CHECK: arith.addf
func.func @group_norm(%x: tensor<?x4x2x2xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x4x2x2xf32> {
  %0 = kiln.group_norm %x, %g, %b {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : tensor<?x4x2x2xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<?x4x2x2xf32>
  return %0 : tensor<?x4x2x2xf32>
}

// upsample: two matmuls with constant interpolation matrices [in, out],
// first along W, then (transposed) along H. Nearest 2x2 -> 4x3: source
// columns floor(j * 2/3) = [0, 0, 1], source rows floor(i / 2) = [0, 0, 1, 1].
// CHECK-LABEL: func.func @upsample_nearest
// CHECK: %[[AW:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<2x3xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[AW]] : tensor<?x2xf32>, tensor<2x3xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<?x3x2x3xf32>) outs(%{{.*}} : tensor<?x3x3x2xf32>) permutation = [0, 1, 3, 2]
// CHECK: %[[AH:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00]]> : tensor<2x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[AH]] : tensor<?x2xf32>, tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x3x3x4xf32>) outs(%{{.*}} : tensor<?x3x4x3xf32>) permutation = [0, 1, 3, 2]
// CHECK: return %[[R]]
func.func @upsample_nearest(%x: tensor<?x3x2x2xf32>) -> tensor<?x3x4x3xf32> {
  %0 = kiln.upsample %x {size = array<i64: 4, 3>, mode = "nearest"} : tensor<?x3x2x2xf32> -> tensor<?x3x4x3xf32>
  return %0 : tensor<?x3x4x3xf32>
}

// Bilinear with align_corners: sources j * (2-1)/(3-1) = [0, 0.5, 1] and
// i * (2-1)/(4-1) = [0, 1/3, 2/3, 1].
// CHECK-LABEL: func.func @upsample_bilinear
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01, 0.000000e+00], [0.000000e+00, 5.000000e-01, 1.000000e+00]]> : tensor<2x3xf32>
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 0.666666686, 0.333333343, 0.000000e+00], [0.000000e+00, 0.333333343, 0.666666686, 1.000000e+00]]> : tensor<2x4xf32>
func.func @upsample_bilinear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x3xf32> {
  %0 = kiln.upsample %x {size = array<i64: 4, 3>, mode = "bilinear", align_corners = true} : tensor<1x1x2x2xf32> -> tensor<1x1x4x3xf32>
  return %0 : tensor<1x1x4x3xf32>
}

// adaptive_avg_pool2d: [1, 1] is a mean over H and W; otherwise averaging
// matrices: W 4 -> 2 averages columns [0, 2) and [2, 4); H 5 -> 3 averages
// rows [0, 2), [1, 4), [3, 5).
// CHECK-LABEL: func.func @adaptive_avg_pool2d
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x3x5x4xf32>) outs(%{{.*}} : tensor<?x3xf32>) dimensions = [2, 3]
// CHECK: arith.divf
// CHECK: %[[GLOBAL:.*]] = tensor.expand_shape %{{.*}} into tensor<?x3x1x1xf32>
// CHECK: %[[AW:.*]] = arith.constant dense<{{\[\[}}5.000000e-01, 0.000000e+00], [5.000000e-01, 0.000000e+00], [0.000000e+00, 5.000000e-01], [0.000000e+00, 5.000000e-01]]> : tensor<4x2xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[AW]] : tensor<?x4xf32>, tensor<4x2xf32>)
// CHECK: %[[AH:.*]] = arith.constant dense<{{\[\[}}5.000000e-01, 0.000000e+00, 0.000000e+00], [5.000000e-01, 0.333333343, 0.000000e+00], [0.000000e+00, 0.333333343, 0.000000e+00], [0.000000e+00, 0.333333343, 5.000000e-01], [0.000000e+00, 0.000000e+00, 5.000000e-01]]> : tensor<5x3xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %[[AH]] : tensor<?x5xf32>, tensor<5x3xf32>)
// CHECK: %[[R:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x3x2x3xf32>) outs(%{{.*}} : tensor<?x3x3x2xf32>) permutation = [0, 1, 3, 2]
// CHECK: return %[[GLOBAL]], %[[R]]
func.func @adaptive_avg_pool2d(%x: tensor<?x3x5x4xf32>) -> (tensor<?x3x1x1xf32>, tensor<?x3x3x2xf32>) {
  %0 = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 1, 1>} : tensor<?x3x5x4xf32> -> tensor<?x3x1x1xf32>
  %1 = kiln.adaptive_avg_pool2d %x {output_size = array<i64: 3, 2>} : tensor<?x3x5x4xf32> -> tensor<?x3x3x2xf32>
  return %0, %1 : tensor<?x3x1x1xf32>, tensor<?x3x3x2xf32>
}
