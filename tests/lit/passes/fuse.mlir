// --kiln-fuse on linalg: elementwise chains become one linalg.generic, and a
// matmul's elementwise epilogue is tiled together with it (one scf.for nest
// per matmul). report=true emits the counts as a remark on each function.
// RUN: kiln-opt %s --convert-kiln-to-linalg '--kiln-fuse=report=true parallel=false' --canonicalize --cse -mlir-print-op-on-diagnostic=false -verify-diagnostics | FileCheck %s
// recompute=true also fuses producers with several users (duplicating them).
// RUN: kiln-opt %s --convert-kiln-to-linalg '--kiln-fuse=recompute=true parallel=false' --canonicalize --cse 2>/dev/null | FileCheck %s --check-prefix=RECOMPUTE
// epilogues=false keeps the matmul and its epilogue apart.
// By default the fused tile loop is an scf.forall (threads take its tiles).
// RUN: kiln-opt %s --convert-kiln-to-linalg --kiln-fuse --canonicalize --cse 2>/dev/null | FileCheck %s --check-prefix=PARALLEL
// RUN: kiln-opt %s --convert-kiln-to-linalg '--kiln-fuse=epilogues=false parallel=false' --canonicalize --cse 2>/dev/null | FileCheck %s --check-prefix=NOEPI

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>

// add -> exp -> relu: three loop nests become one, the broadcast bias
// keeping its map.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[B]] : tensor<?x16xf32>, tensor<16xf32>)
// CHECK: ^bb0(%[[A:.*]]: f32, %[[C:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[C]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[S]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[E]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[M]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
// expected-remark @+1 {{kiln-fuse: fused 2 elementwise ops and 0 matmul epilogues}}
func.func @elementwise_chain(%x: tensor<?x16xf32>, %b: tensor<16xf32>) -> tensor<?x16xf32> {
  %0 = kiln.add %x, %b : tensor<?x16xf32>, tensor<16xf32> -> tensor<?x16xf32>
  %1 = kiln.exp %0 : tensor<?x16xf32>
  %2 = kiln.relu %1 : tensor<?x16xf32>
  return %2 : tensor<?x16xf32>
}

// A reshape between two elementwise ops is moved out of the way: the
// consumer is collapsed to [2, 8, 64] and fused, one expand_shape remains.
// CHECK-LABEL: func.func @reshape_between
// CHECK: %[[G:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.addf
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: } -> tensor<2x8x64xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[E:.*]] = tensor.expand_shape %[[G]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 8, 8, 8] : tensor<2x8x64xf32> into tensor<2x8x8x8xf32>
// CHECK: return %[[E]]
// expected-remark @+1 {{kiln-fuse: fused 1 elementwise ops and 0 matmul epilogues}}
func.func @reshape_between(%x: tensor<2x8x64xf32>, %b: tensor<8x1xf32>) -> tensor<2x8x8x8xf32> {
  %0 = kiln.add %x, %b : tensor<2x8x64xf32>, tensor<8x1xf32> -> tensor<2x8x64xf32>
  %1 = kiln.reshape %0 [2, 8, 8, 8] : tensor<2x8x64xf32> -> tensor<2x8x8x8xf32>
  %2 = kiln.sigmoid %1 : tensor<2x8x8x8xf32>
  return %2 : tensor<2x8x8x8xf32>
}

// matmul + bias + relu: bias and relu fuse into one generic, which is tiled
// 64 x 256 (the default tile) with the matmul computed tile by tile inside
// the loop nest; the fill of the accumulator moves in too.
// CHECK-LABEL: func.func @matmul_bias_relu
// CHECK-SAME: (%[[X:.*]]: tensor<128x64xf32>, %[[W:.*]]: tensor<64x512xf32>, %[[B:.*]]: tensor<512xf32>)
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK-NOT: linalg.matmul
// CHECK: %[[OUTER:.*]] = scf.for %[[I:.*]] = %{{.*}} to %[[C128]] step %[[C64]] iter_args(%{{.*}}) -> (tensor<128x512xf32>)
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[C512]] step %[[C256]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<128x512xf32>)
// CHECK-DAG: %[[XS:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [64, 64] [1, 1]
// CHECK-DAG: %[[WS:.*]] = tensor.extract_slice %[[W]][0, %[[J]]] [64, 256] [1, 1]
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64x256xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[XS]], %[[WS]] : tensor<64x64xf32>, tensor<64x256xf32>) outs(%[[F]] : tensor<64x256xf32>)
// CHECK: %[[BS:.*]] = tensor.extract_slice %[[B]][%[[J]]] [256] [1]
// CHECK: %[[EPI:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], {{.*}}} ins(%[[MM]], %[[BS]] : tensor<64x256xf32>, tensor<256xf32>)
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK: tensor.insert_slice %[[EPI]] into %[[ACC]][%[[I]], %[[J]]] [64, 256] [1, 1]
// CHECK: return %[[OUTER]]
// CHECK-NOT: linalg.matmul
// NOEPI-LABEL: func.func @matmul_bias_relu
// NOEPI-NOT: scf.for
// NOEPI: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<128x64xf32>, tensor<64x512xf32>)
// NOEPI: linalg.generic
// NOEPI-NOT: scf.for
// NOEPI-LABEL: func.func @dynamic_rows
// expected-remark @+1 {{kiln-fuse: fused 1 elementwise ops and 1 matmul epilogues}}
func.func @matmul_bias_relu(%x: tensor<128x64xf32>, %w: tensor<64x512xf32>, %b: tensor<512xf32>) -> tensor<128x512xf32> {
  %0 = kiln.matmul %x, %w : tensor<128x64xf32>, tensor<64x512xf32> -> tensor<128x512xf32>
  %1 = kiln.add %0, %b : tensor<128x512xf32>, tensor<512xf32> -> tensor<128x512xf32>
  %2 = kiln.relu %1 : tensor<128x512xf32>
  return %2 : tensor<128x512xf32>
}

// A dynamic number of rows: the row loop runs to the dynamic size (and the
// last tile is partial, affine.min); the 32 columns fit in one tile and are
// not tiled. After canonicalization only the tiled matmul is left.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}}) -> (tensor<?x32xf32>)
// CHECK-NOT: scf.for
// CHECK: %[[N:.*]] = affine.min
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<64x32xf32>) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK: linalg.generic
// CHECK: math.erf
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[I]], 0] [%[[N]], 32] [1, 1]
// CHECK-NOT: linalg.matmul
// expected-remark @+1 {{kiln-fuse: fused 0 elementwise ops and 1 matmul epilogues}}
func.func @dynamic_rows(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>) -> tensor<?x32xf32> {
  %0 = kiln.linear %x, %w, %b : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  %1 = kiln.gelu %0 : tensor<?x32xf32>
  return %1 : tensor<?x32xf32>
}

// A convolution unfolded to im2col + matmul (written out here as
// --kiln-unfold-convolution produces it), then its bias, a residual add and
// a relu: bias + residual + relu become one epilogue generic, tiled with the
// batch_matmul (one image per iteration; M = 8 and N = 64 fit in a tile).
// CHECK-LABEL: func.func @conv_residual_block
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x8x8xf32>, %{{.*}}: tensor<8x8x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[BIAS:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [8, 1]
// Small images keep their padding outside the loop (see @conv_big_image).
// CHECK-DAG: tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-DAG: %[[RES:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1], [2, 3]] : tensor<2x8x8x8xf32> into tensor<2x8x64xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[LOOP:.*]] = scf.for %[[N:.*]] = %{{.*}} to %[[C2]] step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<2x8x64xf32>)
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x8x10x10xf32>) outs(%{{.*}} : tensor<1x8x3x3x8x8xf32>)
// CHECK: %[[MM:.*]] = linalg.batch_matmul {{.*}} -> tensor<1x8x64xf32>
// CHECK: %[[RS:.*]] = tensor.extract_slice %[[RES]][%[[N]], 0, 0] [1, 8, 64] [1, 1, 1]
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%[[MM]], %[[BIAS]], %[[RS]] : tensor<1x8x64xf32>, tensor<8x1xf32>, tensor<1x8x64xf32>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: f32, %[[Q:.*]]: f32, %[[R:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S1:.*]] = arith.addf %[[P]], %[[Q]] : f32
// CHECK-NEXT: %[[S2:.*]] = arith.addf %[[S1]], %[[R]] : f32
// CHECK-NEXT: %[[S3:.*]] = arith.maximumf %[[S2]], %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[S3]] : f32
// CHECK: tensor.insert_slice %[[EPI]] into %[[ACC]][%[[N]], 0, 0] [1, 8, 64] [1, 1, 1]
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[LOOP]] {{\[\[}}0], [1], [2, 3]] output_shape [2, 8, 8, 8]
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[OUT]]
// expected-remark @+1 {{kiln-fuse: fused 2 elementwise ops and 1 matmul epilogues}}
func.func @conv_residual_block(%x: tensor<2x8x8x8xf32>, %w: tensor<8x8x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x8x8xf32> {
  %wm = kiln.reshape %w [8, 72] : tensor<8x8x3x3xf32> -> tensor<8x72xf32>
  %p = kiln.im2col %x {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<2x8x8x8xf32> -> tensor<2x72x64xf32>
  %m = kiln.matmul %wm, %p : tensor<8x72xf32>, tensor<2x72x64xf32> -> tensor<2x8x64xf32>
  %bc = kiln.reshape %b [8, 1] : tensor<8xf32> -> tensor<8x1xf32>
  %s = kiln.add %m, %bc : tensor<2x8x64xf32>, tensor<8x1xf32> -> tensor<2x8x64xf32>
  %c = kiln.reshape %s [2, 8, 8, 8] : tensor<2x8x64xf32> -> tensor<2x8x8x8xf32>
  %r = kiln.add %c, %x : tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32> -> tensor<2x8x8x8xf32>
  %y = kiln.relu %r : tensor<2x8x8x8xf32>
  return %y : tensor<2x8x8x8xf32>
}

// An image of 256 KB or more (8 x 130 x 130 floats padded): the zero
// padding moves into the tile loop, one input window per tile (its low and
// high amounts depend on the tile), instead of a padded copy of the whole
// input before the loop.
// CHECK-LABEL: func.func @conv_big_image
// CHECK-NOT: tensor.pad
// CHECK: scf.for
// CHECK: tensor.pad %{{.*}} low[0, 0, %{{.*}}, %{{.*}}] high[0, 0, %{{.*}}, %{{.*}}]
// CHECK: linalg.batch_matmul
// expected-remark @+1 {{kiln-fuse: fused 0 elementwise ops and 1 matmul epilogues}}
func.func @conv_big_image(%x: tensor<1x8x128x128xf32>, %w: tensor<8x8x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x16384xf32> {
  %wm = kiln.reshape %w [8, 72] : tensor<8x8x3x3xf32> -> tensor<8x72xf32>
  %p = kiln.im2col %x {dilation = array<i64: 1, 1>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : tensor<1x8x128x128xf32> -> tensor<1x72x16384xf32>
  %m = kiln.matmul %wm, %p : tensor<8x72xf32>, tensor<1x72x16384xf32> -> tensor<1x8x16384xf32>
  %bc = kiln.reshape %b [8, 1] : tensor<8xf32> -> tensor<8x1xf32>
  %s = kiln.add %m, %bc : tensor<1x8x16384xf32>, tensor<8x1xf32> -> tensor<1x8x16384xf32>
  return %s : tensor<1x8x16384xf32>
}

// exp has two users: fusing it into both would compute it twice, so by
// default the three generics stay; with recompute=true exp is fused into
// both consumers (two generics, each computing exp).
// CHECK-LABEL: func.func @two_users
// CHECK: %[[E:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]] : tensor<8x16xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%[[E]] : tensor<8x16xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.negf
// RECOMPUTE-LABEL: func.func @two_users
// RECOMPUTE-SAME: (%[[X:.*]]: tensor<8x16xf32>)
// RECOMPUTE: linalg.generic {{.*}} ins(%[[X]] : tensor<8x16xf32>)
// RECOMPUTE-NEXT: ^bb0
// RECOMPUTE-NEXT: math.exp
// RECOMPUTE-NEXT: arith.maximumf
// RECOMPUTE: linalg.generic {{.*}} ins(%[[X]] : tensor<8x16xf32>)
// RECOMPUTE-NEXT: ^bb0
// RECOMPUTE-NEXT: math.exp
// RECOMPUTE-NEXT: arith.negf
// RECOMPUTE-NOT: linalg.generic
// RECOMPUTE-LABEL: func.func @matmul_two_users
// expected-remark @+1 {{kiln-fuse: fused 0 elementwise ops and 0 matmul epilogues}}
func.func @two_users(%x: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %0 = kiln.exp %x : tensor<8x16xf32>
  %1 = kiln.relu %0 : tensor<8x16xf32>
  %2 = kiln.neg %0 : tensor<8x16xf32>
  return %1, %2 : tensor<8x16xf32>, tensor<8x16xf32>
}

// The matmul result is also returned: the epilogue is not tiled with it
// (the full product must exist anyway).
// CHECK-LABEL: func.func @matmul_two_users
// CHECK-NOT: scf.for
// CHECK: %[[M:.*]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[M]] : tensor<16x32xf32>)
// CHECK-NOT: scf.for
// expected-remark @+1 {{kiln-fuse: fused 0 elementwise ops and 0 matmul epilogues}}
func.func @matmul_two_users(%x: tensor<16x64xf32>, %w: tensor<64x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %0 = kiln.matmul %x, %w : tensor<16x64xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
  %1 = kiln.relu %0 : tensor<16x32xf32>
  return %0, %1 : tensor<16x32xf32>, tensor<16x32xf32>
}

// PARALLEL-LABEL: func.func @matmul_bias_relu
// PARALLEL: scf.forall
// PARALLEL: linalg.matmul
// PARALLEL: linalg.generic
// PARALLEL: scf.forall.in_parallel
