//===- AotHeader.h - The C/C++ header of an AOT-compiled model --*- C++ -*-===//
//
// Writes the header that kiln-compile puts beside a model's object: a C
// entry point `int kiln_<name>_run(inputs..., [int64_t batch,] outputs...)`
// over plain pointers (the memref descriptors of the destination-passing
// ABI are built inline), constants naming the inputs, outputs and shapes,
// and a C++ wrapper `kiln_aot::<name>`. See docs/aot.md for an example.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_AOTHEADER_H
#define KILN_BACKENDS_CPU_AOTHEADER_H

#include "backends/cpu/CompiledModel.h"

#include <string>
#include <vector>

namespace kiln {

/// What the header describes.
struct AotHeaderInfo {
  /// Model name (a C identifier).
  std::string name;
  /// The object's C-interface symbol (_mlir_ciface_kiln_model_<name>).
  std::string entrySymbol;
  std::string triple, cpu;
  bool weightsInFile = false;
  std::vector<TensorSpec> inputs, outputs;
};

/// The header's text.
std::string generateAotHeader(const AotHeaderInfo &info);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_AOTHEADER_H
