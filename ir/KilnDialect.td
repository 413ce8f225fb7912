//===- KilnDialect.td - The kiln dialect ------------------*- tablegen -*-===//
//
// The kiln dialect is Kiln's graph-level IR: one op per model operation
// (kiln.matmul, kiln.softmax, ...) on ranked tensors with value semantics.
// The C++ DSL builds it directly; graph passes rewrite it; the CPU backend
// lowers it to linalg.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Graph-level ops of machine-learning models";
  let description = [{
    Ops of the kiln dialect work on ranked tensors with value semantics and
    follow PyTorch's definitions. Shapes are static except, optionally, a
    dynamic leading batch dimension (`tensor<?x784xf32>`). Every op infers its
    result type from its operands and attributes; a mismatch is reported with
    the shapes involved. Elementwise binary ops broadcast with NumPy's rules.

    Parameters of a model appear as `kiln.param` ops carrying the parameter's
    name (`"fc1.weight"`); a compiler front end binds them to constants
    (`kiln.constant`) from a weights file before lowering.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

#endif // KILN_DIALECT_TD
