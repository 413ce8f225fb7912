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
