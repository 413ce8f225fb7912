// kiln-cpu-vectorize-conv: a one-group convolution left direct becomes a
// loop over (image, band of output rows), each band's input rows padded
// once, then blocks of MR output channels, row tiles and column blocks,
// each tile accumulating MR x R x V vectors over (channel, kh, kw).
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-conv --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-conv=parallel=false --canonicalize --cse | FileCheck %s --check-prefix=SEQ
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-conv=accumulators=8 --canonicalize --cse | FileCheck %s --check-prefix=ACC8
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-fuse --canonicalize --cse --kiln-cpu-vectorize-conv --canonicalize --cse | FileCheck %s --check-prefix=FUSE
// RUN: not kiln-opt %s --kiln-cpu-vectorize-conv=lanes=0 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-conv --canonicalize --cse | FileCheck %s --check-prefix=NOMASK

// 3x3, pad 1, 12 x 40 outputs, 16 channels from 8: three bands of 4 rows,
// each reading its 6 input rows padded to [8, 6, 42]. The tile is 4
// channels x 4 rows x 1 vector (16 accumulators): columns 0 and 16 in an
// unmasked loop, then the last 8 columns as 8-lane vectors (no mask, no
// wasted lanes). The bias is the accumulators' initial value. Three bands
// are few iterations for threads: the four channel blocks become four
// groups, (band, group) one iteration each.
// CHECK-LABEL: func.func @stride1
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (3, 4)
// CHECK: tensor.pad %{{.*}} low[0, %{{.*}}, 1] high[0, %{{.*}}, 1]
// CHECK: } : tensor<8x?x40xf32> to tensor<8x6x42xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: tensor.extract %{{.*}} : tensor<1x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-144: vector.fma {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-16: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<4x4x40xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<8xf32>,
// CHECK-COUNT-144: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.transfer_write {{.*}}[%c0, %c0, %c32] {in_bounds = [true]} : vector<8xf32>, tensor<4x4x40xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %{{.*}}, %{{.*}}, 0] [1, 4, 4, 40]
// CHECK: return
// No read or write of @stride1 needs a mask (40 = 16 + 16 + 8 columns,
// each read inside the 42-column padded row).
// NOMASK-LABEL: func.func @stride1
// NOMASK-NOT: vector.constant_mask
// NOMASK: return
// NOMASK-LABEL: func.func @packed_epilogue
// SEQ-LABEL: func.func @stride1
// SEQ-NOT: scf.forall
// SEQ: tensor.pad
// SEQ: scf.for %{{.*}} = %c0 to %c4 step %c1
// SEQ: vector.fma
// SEQ: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, %{{.*}}, 0] [1, 16, 4, 40]
// ACC8-LABEL: func.func @stride1
// ACC8: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
func.func @stride1(%x: tensor<1x8x12x40xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x12x40xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x8x12x40xf32>, tensor<16x8x3x3xf32>, tensor<16xf32> -> tensor<1x16x12x40xf32>
  return %0 : tensor<1x16x12x40xf32>
}

// Constant weights are laid out again at compile time in the order the
// tile reads them, flat: w'[((f/MR * C + c) * 9 + i*3 + j) * MR + f%MR].
// Here w[f, c, i, j] = 18f + 9c + 3i + j and MR = 4 (all the channels), so
// w' starts w[0..3, 0, 0, 0] = 0, 18, 36, 54, then w[0..3, 0, 0, 1]. A relu
// after the convolution (kiln-fuse leaves it a separate generic) runs on
// the accumulators before they are stored; the dynamic batch is the
// forall's.
// FUSE-LABEL: func.func @packed_epilogue
// FUSE: %[[W:.*]] = arith.constant dense<[0.000000e+00, 1.800000e+01, 3.600000e+01, 5.400000e+01, 1.000000e+00, 1.900000e+01,
// FUSE-SAME: tensor<72xf32>
// FUSE: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, {{[0-9]+}})
// FUSE: tensor.extract %[[W]][%{{.*}}] : tensor<72xf32>
// FUSE: vector.fma
// FUSE: arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// FUSE: vector.transfer_write
// FUSE: tensor.parallel_insert_slice
// FUSE-NOT: linalg.generic
// FUSE: return
func.func @packed_epilogue(%x: tensor<?x2x20x32xf32>) -> tensor<?x4x20x32xf32> {
  %w = kiln.constant dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[9.0, 10.0, 11.0], [12.0, 13.0, 14.0], [15.0, 16.0, 17.0]]],
                            [[[18.0, 19.0, 20.0], [21.0, 22.0, 23.0], [24.0, 25.0, 26.0]], [[27.0, 28.0, 29.0], [30.0, 31.0, 32.0], [33.0, 34.0, 35.0]]],
                            [[[36.0, 37.0, 38.0], [39.0, 40.0, 41.0], [42.0, 43.0, 44.0]], [[45.0, 46.0, 47.0], [48.0, 49.0, 50.0], [51.0, 52.0, 53.0]]],
                            [[[54.0, 55.0, 56.0], [57.0, 58.0, 59.0], [60.0, 61.0, 62.0]], [[63.0, 64.0, 65.0], [66.0, 67.0, 68.0], [69.0, 70.0, 71.0]]]]> : tensor<4x2x3x3xf32>
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<?x2x20x32xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x20x32xf32>
  %1 = kiln.relu %0 : tensor<?x4x20x32xf32>
  return %1 : tensor<?x4x20x32xf32>
}

// Stride 2 (kiln-unfold-convolution unfolds these, but the kernel takes
// any convolution left direct): each vector reads 32 inputs and keeps the
// even lanes. Padding 3 with a 3x3 kernel would leave a band of rows
// wholly in the padding, so the input is padded whole, outside the loop.
// 19 columns: one 16-lane vector and one of 3 valid lanes in 8 (masked).
// CHECK-LABEL: func.func @stride2_wide_pad
// CHECK: tensor.pad %{{.*}} low[0, 0, 3, 3] high[0, 0, 3, 3]
// CHECK: scf.forall
// CHECK-NOT: tensor.pad
// CHECK: vector.constant_mask [3] : vector<8xi1>
// CHECK: vector.transfer_read {{.*}} : tensor<4x7x39xf32>, vector<32xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK: return
func.func @stride2_wide_pad(%x: tensor<1x4x20x33xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x12x19xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 3, 3, 3, 3>, dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x20x33xf32>, tensor<8x4x3x3xf32> -> tensor<1x8x12x19xf32>
  return %0 : tensor<1x8x12x19xf32>
}

// Grouped convolutions (two channels per group here) are not this kernel's.
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @grouped(%x: tensor<1x4x8x32xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x8x32xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x4x8x32xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x8x32xf32>
  return %0 : tensor<1x4x8x32xf32>
}

// BAD: kiln-cpu-vectorize-conv: lanes and accumulators must be >= 1, got lanes=0, accumulators=16
