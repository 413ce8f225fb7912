//===- AotTestGenerator.cpp - Model generator of the AOT tests ------------===//
//
//   kiln-aot-test-generator <mlp|lenet|resnet|resnet18> -o out.o [kiln-compile flags]
//
// Builds one of the test models (AotModels.h) and compiles it ahead of time
// with kiln::generatorMain, as a user's generator run by kiln_add_model does.
//
//===----------------------------------------------------------------------===//
#include "frontend/Aot.h"
#include "tests/aot/AotModels.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <mlp|lenet|resnet|resnet18> -o FILE [options]\n", argv[0]);
    return 1;
  }
  std::string which = argv[1];
  try {
    kiln::Model model(which, kiln::aottest::seedOf(which));
    kiln::aottest::buildModel(which, model);
    // generatorMain sees argv[0] followed by the compile options.
    argv[1] = argv[0];
    return kiln::generatorMain(model, argc - 1, argv + 1);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
