// kiln-cpu-copies-to-loops: memref.copy becomes linalg.copy; f32 copies
// (and copy generics walking the input with a constant stride) become
// loops around masked vector loads and stores along the innermost dim.
// RUN: kiln-opt %s --kiln-cpu-copies-to-loops --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-copies-to-loops=lanes=0 | FileCheck %s --check-prefix=NOVEC
// RUN: kiln-opt %s --kiln-cpu-copies-to-loops=lanes=8 | FileCheck %s --check-prefix=L8

// A strided subview copy (the padding copy): rows of 20, vectors of 16.
// CHECK-LABEL: func.func @pad_copy
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %c6 step %c1
// CHECK: scf.for %[[X:.*]] = %{{.*}} to %c20 step %c16
// CHECK: %[[N:.*]] = affine.min
// CHECK: %[[M:.*]] = vector.create_mask %[[N]] : vector<16xi1>
// CHECK: %[[V:.*]] = vector.maskedload %{{.*}}[%[[I]], %[[X]]], %[[M]]
// CHECK: vector.maskedstore %{{.*}}[%[[I]], %[[X]]], %{{.*}}, %[[V]]
// CHECK-NOT: linalg.copy
// NOVEC-LABEL: func.func @pad_copy
// NOVEC: linalg.copy
func.func @pad_copy(%src: memref<6x20xf32>, %dst: memref<8x22xf32>) {
  %sub = memref.subview %dst[1, 1] [6, 20] [1, 1] : memref<8x22xf32> to memref<6x20xf32, strided<[22, 1], offset: 23>>
  memref.copy %src, %sub : memref<6x20xf32> to memref<6x20xf32, strided<[22, 1], offset: 23>>
  return
}

// An im2col-style copy with stride 2 in the innermost dim: 32 inputs per
// vector, the even lanes kept.
// CHECK-LABEL: func.func @strided_window
// CHECK: vector.maskedload {{.*}} : memref<4x17xf32>, vector<32xi1>, vector<32xf32> into vector<32xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK: vector.maskedstore
#in = affine_map<(d0, d1, d2) -> (d0 + d1, d2 * 2 + d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @strided_window(%x: memref<4x17xf32>, %p: memref<2x3x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<4x17xf32>) outs(%p : memref<2x3x8xf32>) {
    ^bb0(%a: f32, %b: f32):
      linalg.yield %a : f32
  }
  return
}

// A transpose of the last two dims: 16 x 16 blocks, 16 masked row loads,
// a register transpose lowered to shuffles, 16 masked row stores. With
// 8 lanes (AVX2) it is left to convert-linalg-to-loops.
// CHECK-LABEL: func.func @transpose
// CHECK: scf.for %{{.*}} = %{{.*}} to %c40 step %c16
// CHECK: scf.for %{{.*}} = %{{.*}} to %c20 step %c16
// CHECK-COUNT-16: vector.maskedload
// CHECK: vector.shuffle
// CHECK-NOT: vector.transpose
// CHECK-COUNT-16: vector.maskedstore
// CHECK-NOT: linalg.generic
// L8-LABEL: func.func @transpose
// L8: linalg.generic
// L8-NOT: vector.maskedload
// L8: return
#t = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @transpose(%x: memref<20x40xf32>, %y: memref<40x20xf32>) {
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<20x40xf32>) outs(%y : memref<40x20xf32>) {
    ^bb0(%a: f32, %b: f32):
      linalg.yield %a : f32
  }
  return
}

// A permutation that is not a swap of the last two dims stays a loop nest.
// CHECK-LABEL: func.func @rotate
// CHECK: linalg.generic
// CHECK-NOT: vector.maskedload
// CHECK: return
#rot = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @rotate(%x: memref<4x2x3xf32>, %y: memref<2x3x4xf32>) {
  linalg.generic {indexing_maps = [#rot, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<4x2x3xf32>) outs(%y : memref<2x3x4xf32>) {
    ^bb0(%a: f32, %b: f32):
      linalg.yield %a : f32
  }
  return
}
