//===- Passes.td - Graph-level passes on the kiln dialect -*- tablegen -*-===//
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnBindParameters : Pass<"kiln-bind-parameters", "mlir::ModuleOp"> {
  let summary = "Replace kiln.param ops with constants from a weights file";
  let description = [{
    Reads a safetensors file and replaces every `kiln.param "name"` with a
    `kiln.constant` holding the tensor of that name. A missing name, or a
    tensor whose shape or dtype differs from the parameter's type, is an
    error naming the parameter, the expected type and what the file holds.

    ```
    kiln-opt --kiln-bind-parameters=weights=mlp.safetensors model.mlir
    ```
  }];
  let options = [
    Option<"weights", "weights", "std::string", "\"\"",
           "Path of the safetensors file holding the parameters">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

#endif // KILN_PASSES_TD
