// A small model through the whole CPU pipeline ends in the LLVM dialect: the
// model function on expanded memref descriptors (inputs, then outputs), its
// C interface wrapper, and nothing left of kiln, linalg, tensor, vector, scf
// or the other intermediate dialects.
// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s --check-prefix=NOT-LOWERED

// NOT-LOWERED-NOT: = kiln.
// NOT-LOWERED-NOT: "kiln.
// NOT-LOWERED-NOT: linalg.
// NOT-LOWERED-NOT: tensor.
// NOT-LOWERED-NOT: memref.
// NOT-LOWERED-NOT: bufferization.
// NOT-LOWERED-NOT: vector.
// NOT-LOWERED-NOT: scf.
// NOT-LOWERED-NOT: cf.
// NOT-LOWERED-NOT: arith.
// NOT-LOWERED-NOT: math.
// NOT-LOWERED-NOT: func.func
// NOT-LOWERED-NOT: unrealized_conversion_cast
// NOT-LOWERED-NOT: llvm.intr.exp
// NOT-LOWERED-NOT: @expf

// CHECK: module
// CHECK: llvm.func @mlp(
// CHECK-SAME: attributes {llvm.emit_c_interface}
// The matmul kernel: FMAs on 64-wide vectors.
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<64xf32>, vector<64xf32>, vector<64xf32>) -> vector<64xf32>
// softmax: its max and sum reductions are reassociable (so LLVM may keep
// them in vector lanes) and its exponential is a polynomial
// (kiln-cpu-fast-math): no libm call, no llvm.intr.exp.
// CHECK: llvm.intr.maximum({{.*}}) {fastmathFlags = #llvm.fastmath<reassoc>}
// CHECK: llvm.intr.floor
// CHECK: llvm.fadd {{.*}} {fastmathFlags = #llvm.fastmath<reassoc>}
// CHECK: llvm.return
// The C interface takes one descriptor pointer per input and output and
// keeps their attributes.
// CHECK: llvm.func @_mlir_ciface_mlp(%[[IN:.*]]: !llvm.ptr {kiln.name = "x"}, %[[OUT:.*]]: !llvm.ptr {kiln.name = "probs"})
// CHECK: llvm.call @mlp(
// CHECK: llvm.return
func.func @mlp(%x: tensor<?x8xf32> {kiln.name = "x"}) -> (tensor<?x4xf32> {kiln.name = "probs"}) {
  %w1 = kiln.constant dense<0.125> : tensor<16x8xf32>
  %b1 = kiln.constant dense<0.5> : tensor<16xf32>
  %w2 = kiln.constant dense<-0.25> : tensor<4x16xf32>
  %h = kiln.linear %x, %w1, %b1 : tensor<?x8xf32>, tensor<16x8xf32>, tensor<16xf32> -> tensor<?x16xf32>
  %r = kiln.relu %h : tensor<?x16xf32>
  %o = kiln.linear %r, %w2 : tensor<?x16xf32>, tensor<4x16xf32> -> tensor<?x4xf32>
  %p = kiln.softmax %o {axis = 1 : i64} : tensor<?x4xf32>
  return %p : tensor<?x4xf32>
}
