// A kiln.param that was not bound to a constant cannot be lowered; the
// error names the parameter and says how to bind it.
// RUN: not kiln-opt %s --convert-kiln-to-linalg 2>&1 | FileCheck %s
// RUN: not kiln-opt %s --kiln-cpu-pipeline 2>&1 | FileCheck %s

// CHECK: unbound-param.mlir:[[@LINE+3]]:8: error: 'kiln.param' op parameter 'fc1.weight' is not bound to a value
// CHECK-SAME: load weights for it before lowering
func.func @f(%x: tensor<?x784xf32>) -> tensor<?x256xf32> {
  %w = kiln.param "fc1.weight" : tensor<256x784xf32>
  %0 = kiln.linear %x, %w : tensor<?x784xf32>, tensor<256x784xf32> -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}
