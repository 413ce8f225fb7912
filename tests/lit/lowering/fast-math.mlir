// kiln-cpu-fast-math: f32 transcendental functions become polynomials (no
// libm call to block vectorization), f64 ones stay; the accumulating ops of
// reductions become reassociable, other arithmetic is untouched.
// RUN: kiln-opt %s --kiln-cpu-fast-math | FileCheck %s

// CHECK-LABEL: func.func @functions
// CHECK-NOT: math.exp %{{.*}} : f32
// CHECK-NOT: math.erf %{{.*}} : f32
// CHECK-NOT: math.tanh %{{.*}} : f32
// CHECK: math.exp %{{.*}} : f64
// CHECK: return
func.func @functions(%x: f32, %d: f64) -> (f32, f64) {
  %e = math.exp %x : f32
  %r = math.erf %e : f32
  %t = math.tanh %r : f32
  %de = math.exp %d : f64
  return %t, %de : f32, f64
}

// CHECK-LABEL: func.func @reductions
// CHECK: linalg.reduce
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// The elementwise generic keeps exact arithmetic.
// CHECK: linalg.generic
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: fastmath
// CHECK: return
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @reductions(%x: tensor<4x8xf32>, %init: tensor<4xf32>, %out: tensor<4x8xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4x8xf32>) {
  %s = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %m = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %a = arith.maximumf %in, %acc : f32
      linalg.yield %a : f32
  } -> tensor<4xf32>
  %e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%out : tensor<4x8xf32>) {
    ^bb0(%in: f32, %o: f32):
      %a = arith.addf %in, %in : f32
      linalg.yield %a : f32
  } -> tensor<4x8xf32>
  return %s, %m, %e : tensor<4xf32>, tensor<4xf32>, tensor<4x8xf32>
}
