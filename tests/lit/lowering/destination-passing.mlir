// Public functions get a memref, destination-passing signature with a C
// interface; private functions are untouched.
// RUN: kiln-opt %s --kiln-cpu-destination-passing -split-input-file -verify-diagnostics | FileCheck %s

// Inputs become memrefs read through restrict to_tensor ops; results become
// trailing memref arguments written with materialize_in_destination; the
// argument and result attributes follow.
// CHECK-LABEL: func.func @model
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x4xf32> {kiln.name = "x"},
// CHECK-SAME: %[[Y:[a-z0-9]+]]: memref<4xf32>,
// CHECK-SAME: %[[OUT0:[a-z0-9]+]]: memref<?x4xf32> {kiln.name = "out"},
// CHECK-SAME: %[[OUT1:[a-z0-9]+]]: memref<4xf32>)
// CHECK-NOT: ->
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-DAG: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<?x4xf32> to tensor<?x4xf32>
// CHECK-DAG: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK: %[[R:.*]] = call @helper(%[[XT]]) : (tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT0]] : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
// CHECK: bufferization.materialize_in_destination %[[YT]] in restrict writable %[[OUT1]] : (tensor<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: return{{$}}
func.func @model(%x: tensor<?x4xf32> {kiln.name = "x"}, %y: tensor<4xf32>)
    -> (tensor<?x4xf32> {kiln.name = "out"}, tensor<4xf32>) {
  %0 = call @helper(%x) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %y : tensor<?x4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func private @helper
// CHECK-SAME: (%[[A:.*]]: tensor<?x4xf32>) -> tensor<?x4xf32> {
// CHECK-NOT: bufferization.
// CHECK-NOT: llvm.emit_c_interface
// CHECK: return %[[A]] : tensor<?x4xf32>
func.func private @helper(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

// CHECK: func.func private @external(tensor<2xf32>) -> tensor<2xf32>{{$}}
func.func private @external(tensor<2xf32>) -> tensor<2xf32>

// Every return of a function with several blocks writes the outputs.
// CHECK-LABEL: func.func @branches
// CHECK-SAME: (%[[C:[a-z0-9]+]]: memref<i1>, %[[V:[a-z0-9]+]]: memref<3xf64>, %[[O:[a-z0-9]+]]: memref<3xf64> {kiln.name = "r"})
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: cf.cond_br
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[O]]
// CHECK-NEXT: return{{$}}
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[O]]
// CHECK-NEXT: return{{$}}
func.func @branches(%c: tensor<i1>, %v: tensor<3xf64>) -> (tensor<3xf64> {kiln.name = "r"}) {
  %b = tensor.extract %c[] : tensor<i1>
  cf.cond_br %b, ^bb1, ^bb2
^bb1:
  return %v : tensor<3xf64>
^bb2:
  %n = arith.negf %v : tensor<3xf64>
  return %n : tensor<3xf64>
}

// -----

// Only tensors have a memref counterpart.
// expected-error @+1 {{kiln-cpu-destination-passing: expected only ranked tensor arguments and results, got 'f32'}}
func.func @scalar_argument(%x: f32) -> tensor<4xf32> {
  %0 = tensor.splat %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @callee(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
func.func @caller(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{@callee is public (an entry point) and is also called}}
  %0 = call @callee(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A result built in a tensor.empty through ops that write their destination
// (a fill, then a generic) is built in the output buffer itself; a result
// that is a reshape writes the matching view of the output (collapse_shape
// of an expand_shape result, made at the function's entry).
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<2x6xf32>, %[[O:[a-z0-9]+]]: memref<2x2x3xf32>)
// CHECK: %[[VIEW:.*]] = memref.collapse_shape %[[O]] {{\[}}[0], [1, 2]] : memref<2x2x3xf32> into memref<2x6xf32>
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[VIEW]] restrict writable
// CHECK-NOT: tensor.empty
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[T]] : tensor<2x6xf32>)
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%[[F]] : tensor<2x6xf32>)
// CHECK: bufferization.materialize_in_destination %[[G]] in writable %[[VIEW]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @in_place(%x: tensor<2x6xf32>) -> tensor<2x2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x6xf32>) -> tensor<2x6xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x6xf32>) outs(%f : tensor<2x6xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.addf %in, %o : f32
      linalg.yield %s : f32
  } -> tensor<2x6xf32>
  %r = tensor.expand_shape %g [[0], [1, 2]] output_shape [2, 2, 3] : tensor<2x6xf32> into tensor<2x2x3xf32>
  return %r : tensor<2x2x3xf32>
}

// -----

// A value that something else also reads is not built in the output
// buffer: the fill is read by both generics.
// CHECK-LABEL: func.func @shared
// CHECK: tensor.empty
// CHECK-NOT: bufferization.to_tensor %{{.*}} restrict writable
#id1 = affine_map<(d0) -> (d0)>
func.func @shared(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.addf %in, %o : f32
      linalg.yield %s : f32
  } -> tensor<4xf32>
  %b = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) {
    ^bb0(%in: f32, %o: f32):
      %s = arith.mulf %in, %o : f32
      linalg.yield %s : f32
  } -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
