//===- AotModels.h - The example models of the AOT tests --------*- C++ -*-===//
//
// The MLP of kiln-demo, LeNet-5 and the ResNet-style net of examples/cnn,
// built deterministically (fixed seeds), so that the generator run at build
// time and the JIT in the test build the very same model.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_AOT_AOTMODELS_H
#define KILN_TESTS_AOT_AOTMODELS_H

#include "frontend/Kiln.h"

#include <string>

namespace kiln::aottest {

/// Builds "mlp" ([N,784] -> probs [N,10]), "lenet" ([N,1,28,28] -> logits
/// [N,10]), "resnet" ([N,3,32,32] -> logits [N,10]) or "resnet18"
/// ([N,3,224,224] -> logits [N,1000]; benchmarks only) into `model`.
void buildModel(const std::string &which, Model &model);

/// Seed of each model's parameters.
uint64_t seedOf(const std::string &which);

/// Deterministic input values in [-1, 1) shared by the x86 and aarch64 drivers.
inline float inputValue(int64_t i) {
  return static_cast<float>(((i * 7919) % 2003) / 1001.5 - 1.0);
}

} // namespace kiln::aottest

#endif // KILN_TESTS_AOT_AOTMODELS_H
