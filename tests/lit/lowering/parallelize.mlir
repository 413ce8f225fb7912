// kiln-cpu-parallelize: large linalg ops at the top level of a function run
// their outermost parallel loop as an scf.forall (threads later).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-parallelize))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-parallelize{min-elements=100000000}))' | FileCheck %s --check-prefix=SMALL

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// A static 256-row elementwise op: 16 chunks of 16 rows.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) = (0) to (256) step (16)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<16x1024xf32>)
// SMALL-LABEL: func.func @elementwise
// SMALL-NOT: scf.forall
func.func @elementwise(%x: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %e = tensor.empty() : tensor<256x1024xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<256x1024xf32>) outs(%e : tensor<256x1024xf32>) {
    ^bb0(%in: f32, %o: f32):
      %a = arith.addf %in, %in : f32
      linalg.yield %a : f32
  } -> tensor<256x1024xf32>
  return %r : tensor<256x1024xf32>
}

// A row reduction over a dynamic batch: 16 chunks of ceil(rows / 16)
// rows, computed at run time; the reduction loop stays inside (same result
// at any thread count).
// CHECK-LABEL: func.func @row_sums
// SMALL-LABEL: func.func @row_sums
// SMALL: scf.forall
// CHECK: %[[CHUNK:.*]] = affine.apply {{.*}}()[%{{.*}}]
// CHECK: scf.forall (%{{.*}}) = (0) to (%{{.*}}) step (%[[CHUNK]])
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
func.func @row_sums(%x: tensor<?x65536xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x65536xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x65536xf32>) outs(%f : tensor<?xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// Left alone: an im2col-like floordiv/mod map, and a dynamic batch of rows
// too short to be worth a chunk each.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
// CHECK: return
func.func @left_alone(%x: tensor<?x512xf32>, %y: tensor<?x512xf32>,
                      %z: tensor<64x4096xf32>) -> (tensor<?x512xf32>, tensor<256x1024xf32>) {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x512xf32>) outs(%y : tensor<?x512xf32>) {
    ^bb0(%in: f32, %o: f32):
      %a = arith.addf %in, %o : f32
      linalg.yield %a : f32
  } -> tensor<?x512xf32>
  %e = tensor.empty() : tensor<256x1024xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 4, (d0 mod 4) * 1024 + d1)>, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%z : tensor<64x4096xf32>) outs(%e : tensor<256x1024xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<256x1024xf32>
  return %r, %s : tensor<?x512xf32>, tensor<256x1024xf32>
}

// An im2col copy in its 6-D form (window maps, no floordiv/mod): split
// along the channels, which index the input directly.
// CHECK-LABEL: func.func @window_copy
// CHECK: scf.forall (%[[C:.*]]) = (0) to (256) step (16)
// CHECK: tensor.extract_slice %{{.*}}[0, %[[C]], 0, 0] [1, 16, 16, 16]
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x16x3x3x14x14xf32>)
func.func @window_copy(%x: tensor<1x256x16x16xf32>) -> tensor<1x256x3x3x14x14xf32> {
  %e = tensor.empty() : tensor<1x256x3x3x14x14xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(n, c, i, j, y, x) -> (n, c, y + i, x + j)>,
                                        affine_map<(n, c, i, j, y, x) -> (n, c, i, j, y, x)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x256x16x16xf32>) outs(%e : tensor<1x256x3x3x14x14xf32>) {
    ^bb0(%in: f32, %o: f32):
      linalg.yield %in : f32
  } -> tensor<1x256x3x3x14x14xf32>
  return %p : tensor<1x256x3x3x14x14xf32>
}
