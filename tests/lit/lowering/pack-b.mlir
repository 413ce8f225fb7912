// B read from packed panels [ceil(N/64)][K][64] (kiln-cpu-vectorize-contractions
// pack-b, on by default).
// RUN: kiln-opt %s --kiln-cpu-vectorize-contractions=parallel=false --canonicalize | FileCheck %s
// RUN: kiln-opt %s '--kiln-cpu-vectorize-contractions=parallel=false pack-b=false' | FileCheck %s --check-prefix=OFF

// A constant B is packed at compile time into a new constant: 70 columns
// become two panels of 64, the second zero-padded.
// CHECK-LABEL: func.func @constant_b
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<2x3x64xf32>
// CHECK-NOT: linalg.transpose
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}, 0] [1, 1, 64] [1, 1, 1] : tensor<2x3x64xf32> to tensor<1x64xf32>
// CHECK: vector.fma
// OFF-LABEL: func.func @constant_b
// OFF-NOT: tensor<2x3x64xf32>
// OFF: return
func.func @constant_b(%a: tensor<5x3xf32>, %c: tensor<5x70xf32>) -> tensor<5x70xf32> {
  %b = arith.constant dense<1.5> : tensor<3x70xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<5x3xf32>, tensor<3x70xf32>) outs(%c : tensor<5x70xf32>) -> tensor<5x70xf32>
  return %0 : tensor<5x70xf32>
}

// A runtime B with M >= 256 rows is packed once, before the loop nest: the
// whole panels are one transpose [K][P][64] -> [P][K][64] written into the
// packed buffer, and only the last 36 columns are zero-padded to a panel.
// CHECK-LABEL: func.func @runtime_b_many_rows
// CHECK: tensor.expand_shape {{.*}} into tensor<200x1x64xf32>
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [1, 200, 64]
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 28]
// CHECK: %[[PACKED:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[1, 0, 0] [1, 200, 64]
// CHECK: scf.for
// CHECK: tensor.extract_slice %[[PACKED]]
// CHECK: vector.fma
func.func @runtime_b_many_rows(%a: tensor<300x200xf32>, %b: tensor<200x100xf32>, %c: tensor<300x100xf32>) -> tensor<300x100xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<300x200xf32>, tensor<200x100xf32>) outs(%c : tensor<300x100xf32>) -> tensor<300x100xf32>
  return %0 : tensor<300x100xf32>
}

// Few rows: packing a runtime B would cost as much as the product; B is
// read in place. Narrow constants (N < 64) are not packed either.
// CHECK-LABEL: func.func @not_packed
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor<{{[0-9]+}}x{{[0-9]+}}x64xf32>
// CHECK: return
func.func @not_packed(%a: tensor<8x200xf32>, %b: tensor<200x100xf32>, %c: tensor<8x100xf32>,
                      %c2: tensor<8x10xf32>) -> (tensor<8x100xf32>, tensor<8x10xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<8x200xf32>, tensor<200x100xf32>) outs(%c : tensor<8x100xf32>) -> tensor<8x100xf32>
  %w = arith.constant dense<0.5> : tensor<200x10xf32>
  %1 = linalg.matmul ins(%a, %w : tensor<8x200xf32>, tensor<200x10xf32>) outs(%c2 : tensor<8x10xf32>) -> tensor<8x10xf32>
  return %0, %1 : tensor<8x100xf32>, tensor<8x10xf32>
}
