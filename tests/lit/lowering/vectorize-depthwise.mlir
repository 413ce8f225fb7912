// kiln-cpu-vectorize-depthwise: a depthwise conv2d (one input channel per
// group) becomes a loop over planes, rows and vectors of output columns,
// KH x KW FMAs per vector; the zero padding is done per plane.
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-depthwise --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-depthwise=parallel=false --canonicalize --cse | FileCheck %s --check-prefix=SEQ
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-cpu-vectorize-depthwise=lanes=8 --canonicalize --cse | FileCheck %s --check-prefix=L8
// RUN: kiln-opt %s --convert-kiln-to-linalg --canonicalize --cse --kiln-fuse --canonicalize --cse --kiln-cpu-vectorize-depthwise --canonicalize --cse | FileCheck %s --check-prefix=FUSE
// RUN: not kiln-opt %s --kiln-cpu-vectorize-depthwise=lanes=0 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: kiln-cpu-vectorize-depthwise: lanes must be >= 1, got 0

// 3x3, stride 1, pad 1, 40 columns: two unmasked vectors of 16 in a loop,
// then one of 8 columns under a constant mask. The bias is the
// accumulator's initial vector: no broadcast generic remains.
// CHECK-LABEL: func.func @stride1
// CHECK-NOT: tensor.pad
// CHECK: scf.forall (%[[C:.*]]) in (8)
// CHECK: %[[PLANE:.*]] = tensor.extract_slice %{{.*}}[0, %[[C]], 0, 0] [1, 1, 12, 40] [1, 1, 1, 1] : tensor<1x8x12x40xf32> to tensor<12x40xf32>
// CHECK: tensor.pad %[[PLANE]] low[1, 1] high[1, 1]
// CHECK: %[[BIAS:.*]] = tensor.extract %{{.*}}[%[[C]]{{.*}}] : tensor<8x1xf32>
// CHECK: %[[INIT:.*]] = vector.broadcast %[[BIAS]] : f32 to vector<16xf32>
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c16
// CHECK-COUNT-9: vector.fma
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<12x40xf32>
// CHECK: vector.constant_mask [8] : vector<16xi1>
// CHECK-COUNT-9: vector.fma
// CHECK: vector.transfer_write
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
// CHECK: return
// SEQ-LABEL: func.func @stride1
// SEQ-NOT: scf.forall
// SEQ: scf.for
// SEQ: vector.fma
// SEQ: tensor.insert_slice
// L8-LABEL: func.func @stride1
// L8: scf.for %{{.*}} = %{{.*}} to %c40 step %c8
// L8-NOT: vector.constant_mask
func.func @stride1(%x: tensor<1x8x12x40xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x12x40xf32> {
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 8 : i64} : tensor<1x8x12x40xf32>, tensor<8x1x3x3xf32>, tensor<8xf32> -> tensor<1x8x12x40xf32>
  return %0 : tensor<1x8x12x40xf32>
}

// Stride 2: each FMA reads 32 inputs and keeps the even lanes. Channel
// multiplier 2 (F = 2C): planes (n, g, f) write output channel 2g + f.
// Dynamic batch: the plane loop runs to the tensor's size.
// CHECK-LABEL: func.func @stride2_multiplier
// L8-LABEL: func.func @stride2_multiplier
// CHECK: scf.forall (%{{.*}}, %[[G:.*]], %[[F:.*]]) in (%{{.*}}, 4, 2)
// CHECK: vector.transfer_read {{.*}} : tensor<18x18xf32>, vector<32xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK: vector.fma
// CHECK: tensor.parallel_insert_slice
func.func @stride2_multiplier(%x: tensor<?x4x16x16xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<?x8x8x8xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<?x4x16x16xf32>, tensor<8x1x3x3xf32> -> tensor<?x8x8x8xf32>
  return %0 : tensor<?x8x8x8xf32>
}

// Two input channels per group is not depthwise: left to the direct loops.
// CHECK-LABEL: func.func @grouped
// CHECK-NOT: vector.fma
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
// CHECK: return
func.func @grouped(%x: tensor<1x8x12x12xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x10x10xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x8x12x12xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x10x10xf32>
  return %0 : tensor<1x4x10x10xf32>
}

// Stride 2 on a 31-wide input (16 outputs, padded row of 33): the one
// vector's 32-lane reads for kernel column 2 would end one float past the
// row, so it is emitted with a read mask instead of in the unmasked loop.
// CHECK-LABEL: func.func @stride2_row_end
// CHECK-NOT: scf.for %{{.*}} step %c16
// CHECK: vector.constant_mask [31] : vector<32xi1>
// CHECK: tensor.parallel_insert_slice
func.func @stride2_row_end(%x: tensor<1x4x31x31xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x16x16xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 4 : i64} : tensor<1x4x31x31xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x16x16xf32>
  return %0 : tensor<1x4x16x16xf32>
}

// Dilation 2 and a channel multiplier of 2: plane (g, f) reads input
// channel g and writes output channel 2g + f; taps 2 apart.
// CHECK-LABEL: func.func @dilated_multiplier
// CHECK: scf.forall (%[[G:.*]], %[[F:.*]]) in (3, 2)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[G]], 0, 0] [1, 1, 20, 20]
// CHECK: %[[OC:.*]] = affine.apply #{{.*}}(%[[G]], %[[F]])
// CHECK: tensor.extract_slice %{{.*}}[0, %[[OC]], 0, 0] [1, 1, 20, 20]
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %c4]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %{{.*}}, 0, 0] [1, 1, 20, 20]
func.func @dilated_multiplier(%x: tensor<1x3x20x20xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x20x20xf32> {
  %0 = kiln.conv2d %x, %w {stride = array<i64: 1, 1>, padding = array<i64: 2, 2, 2, 2>, dilation = array<i64: 2, 2>, groups = 3 : i64} : tensor<1x3x20x20xf32>, tensor<6x1x3x3xf32> -> tensor<1x6x20x20xf32>
  return %0 : tensor<1x6x20x20xf32>
}

// An elementwise consumer (ReLU, a residual input, a clamp at 6) runs on
// the accumulators before they are stored: the residual is read at the
// same positions (with the tail's mask), and no linalg.generic is left,
// not even the bias broadcast (the batch size comes from the input).
// FUSE-LABEL: func.func @epilogue
// FUSE-NOT: linalg.generic
// FUSE: scf.forall
// FUSE: %[[R:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x8x21x37xf32>, vector<16xf32>
// FUSE: %[[A:.*]] = arith.maximumf %{{.*}}, %{{.*}} : vector<16xf32>
// FUSE: %[[B:.*]] = arith.addf %[[A]], %[[R]] : vector<16xf32>
// FUSE: %[[C:.*]] = arith.minimumf %[[B]], %{{.*}} : vector<16xf32>
// FUSE: vector.transfer_write %[[C]]
// FUSE-NOT: linalg.generic
// FUSE: return
func.func @epilogue(%x: tensor<?x8x21x37xf32>, %r: tensor<?x8x21x37xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x21x37xf32> {
  %six = arith.constant dense<6.0> : tensor<f32>
  %0 = kiln.conv2d %x, %w, %b {stride = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>, groups = 8 : i64} : tensor<?x8x21x37xf32>, tensor<8x1x3x3xf32>, tensor<8xf32> -> tensor<?x8x21x37xf32>
  %1 = kiln.relu %0 : tensor<?x8x21x37xf32>
  %2 = kiln.add %1, %r : tensor<?x8x21x37xf32>, tensor<?x8x21x37xf32> -> tensor<?x8x21x37xf32>
  %3 = kiln.min %2, %six : tensor<?x8x21x37xf32>, tensor<f32> -> tensor<?x8x21x37xf32>
  return %3 : tensor<?x8x21x37xf32>
}
