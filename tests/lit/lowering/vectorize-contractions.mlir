// linalg.matmul / batch_matmul on tensors whose sizes do not divide the
// tiles -> tiled loops around a register tile (masked only on the last,
// partial tile of a row or column) whose contraction is plain FMAs on
// vector<64xf32> (the default 4 x 64 register tile).
// RUN: kiln-opt %s --kiln-cpu-vectorize-contractions=parallel=false | FileCheck %s
// The M x N cache tiles become an scf.forall by default; K stays a loop.
// RUN: kiln-opt %s --kiln-cpu-vectorize-contractions | FileCheck %s --check-prefix=PARALLEL
// RUN: kiln-opt %s '--kiln-cpu-vectorize-contractions=cache-tile=8,16,4 register-tile=2,8 parallel=false' | FileCheck %s --check-prefix=SMALL
// RUN: kiln-opt %s --kiln-cpu-vectorize-contractions | FileCheck %s --check-prefix=NO-CONTRACT
// RUN: kiln-opt %s '--kiln-cpu-vectorize-contractions=cache-tile=8,16,4 register-tile=2,8' | FileCheck %s --check-prefix=NO-CONTRACT
// RUN: not kiln-opt %s '--kiln-cpu-vectorize-contractions=cache-tile=8,16 register-tile=2,8' 2>&1 | FileCheck %s --check-prefix=BAD-OPTION

// No vector.contract is left anywhere (in particular no masked one: the
// zero-padded reads make the mask on the contraction unnecessary), and the
// masked transfers carry their mask as an operand.
// NO-CONTRACT-NOT: vector.contract
// NO-CONTRACT-NOT: vector.mask

// BAD-OPTION: error: kiln-cpu-vectorize-contractions: expected cache-tile=M,N,K and register-tile=M,N

// PARALLEL-LABEL: func.func @matmul_odd_sizes
// PARALLEL: scf.forall
// PARALLEL: scf.for
// PARALLEL: vector.fma
// PARALLEL: scf.forall.in_parallel
// CHECK-LABEL: func.func @matmul_odd_sizes
// CHECK-NOT: linalg.matmul
// Cache tile (M, N, K), then register tile (M, N) and a K step of 1.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// The M and N register loops are peeled: full tiles first, whose masks
// have constant sizes (all true, folded away later)...
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c4
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c64
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1
// CHECK: vector.create_mask %c4, %c1 : vector<4x1xi1>
// CHECK: vector.transfer_read {{.*}} : tensor<1x?xf32>, vector<64xf32>
// CHECK: vector.create_mask %c4, %c64 : vector<4x64xi1>
// CHECK: vector.transfer_read {{.*}} : tensor<?x?xf32>, vector<4x64xf32>
// ...and the contraction is an outer product of FMAs, one per row.
// CHECK: vector.broadcast %{{.*}} : f32 to vector<64xf32>
// CHECK-COUNT-4: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<64xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x64xf32>, tensor<?x?xf32>
// Then the last, partial column tile (70 = 64 + 6) with a runtime mask
// and zero padding...
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c64
// CHECK: vector.create_mask %c4, %{{[0-9]+}} : vector<4x64xi1>
// CHECK-COUNT-4: vector.fma
// ...and the last row tile (5 = 4 + 1), full and partial in N.
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK: vector.create_mask %{{[0-9]+}}, %c64 : vector<4x64xi1>
// CHECK-COUNT-4: vector.fma
// CHECK: vector.create_mask %{{[0-9]+}}, %{{[0-9]+}} : vector<4x64xi1>
// CHECK-COUNT-4: vector.fma
// CHECK-NOT: vector.fma
// CHECK: return
// SMALL-LABEL: func.func @matmul_odd_sizes
// SMALL: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// SMALL: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// SMALL: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// SMALL: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2
// SMALL: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// SMALL-COUNT-8: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// SMALL-NOT: vector.fma
// SMALL: return
func.func @matmul_odd_sizes(%a: tensor<5x7xf32>, %b: tensor<7x70xf32>, %c: tensor<5x70xf32>) -> tensor<5x70xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<5x7xf32>, tensor<7x70xf32>) outs(%c : tensor<5x70xf32>) -> tensor<5x70xf32>
  return %0 : tensor<5x70xf32>
}

// A dynamic M works the same way.
// CHECK-LABEL: func.func @matmul_dynamic_rows
// CHECK-NOT: linalg.matmul
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<64xf32>
// CHECK: return
func.func @matmul_dynamic_rows(%a: tensor<?x7xf32>, %b: tensor<7x70xf32>, %c: tensor<?x70xf32>) -> tensor<?x70xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x7xf32>, tensor<7x70xf32>) outs(%c : tensor<?x70xf32>) -> tensor<?x70xf32>
  return %0 : tensor<?x70xf32>
}

// batch_matmul: a batch tile of 1 around the same kernel.
// CHECK-LABEL: func.func @batch_matmul_odd_sizes
// CHECK-NOT: linalg.batch_matmul
// CHECK: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<64xf32>
// CHECK: return
func.func @batch_matmul_odd_sizes(%a: tensor<3x5x7xf32>, %b: tensor<3x7x9xf32>, %c: tensor<3x5x9xf32>) -> tensor<3x5x9xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<3x5x7xf32>, tensor<3x7x9xf32>) outs(%c : tensor<3x5x9xf32>) -> tensor<3x5x9xf32>
  return %0 : tensor<3x5x9xf32>
}

// Other linalg ops are left alone.
// CHECK-LABEL: func.func @not_a_contraction
// CHECK: linalg.transpose
// CHECK-NOT: vector.
// CHECK: return
func.func @not_a_contraction(%a: tensor<5x7xf32>, %b: tensor<7x5xf32>) -> tensor<7x5xf32> {
  %0 = linalg.transpose ins(%a : tensor<5x7xf32>) outs(%b : tensor<7x5xf32>) permutation = [1, 0]
  return %0 : tensor<7x5xf32>
}

