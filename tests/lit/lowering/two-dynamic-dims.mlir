// RUN: kiln-opt %s --convert-kiln-to-linalg --cse | FileCheck %s
// keepdim results take each dynamic size from its own input dimension.

// CHECK-LABEL: func.func @argmax_keepdim
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[D0:.*]] = tensor.dim %arg0, %[[C0]]
// CHECK-DAG: %[[D1:.*]] = tensor.dim %arg0, %[[C1]]
// CHECK: tensor.expand_shape {{.*}} output_shape [%[[D0]], %[[D1]], 1]
func.func @argmax_keepdim(%x: tensor<?x?x10xf32>) -> tensor<?x?x1xi64> {
  %0 = kiln.argmax %x {axis = 2 : i64, keepdim = true} : tensor<?x?x10xf32> -> tensor<?x?x1xi64>
  return %0 : tensor<?x?x1xi64>
}
