//===- AotModels.cpp - The example models of the AOT tests ----------------===//
#include "tests/aot/AotModels.h"
#include "examples/cnn/Nets.h"

namespace kiln::aottest {

uint64_t seedOf(const std::string &which) {
  return which == "mlp" ? 2026 : which == "lenet" ? 7 : which == "resnet" ? 11 : 18;
}

void buildModel(const std::string &which, Model &model) {
  if (which == "mlp") {
    Value x = model.input("x", {kBatch, 784});
    nn::Linear fc1(model, "fc1", 784, 256), fc2(model, "fc2", 256, 128),
        fc3(model, "fc3", 128, 10);
    model.output(softmax(fc3(relu(fc2(relu(fc1(x))))), -1), "probs");
  } else if (which == "lenet") {
    Value x = model.input("x", {kBatch, 1, 28, 28});
    model.output(examples::lenet(model, x), "logits");
  } else if (which == "resnet") {
    Value x = model.input("x", {kBatch, 3, 32, 32});
    model.output(examples::resnet(model, x), "logits");
    examples::randomizeBatchNorms(model, 5);
  } else if (which == "resnet18") {
    // Not in the tests (11.7 M parameters); for benchmarks/aot_sizes.sh.
    Value x = model.input("x", {kBatch, 3, 224, 224});
    model.output(examples::resnet18(model, x), "logits");
    examples::randomizeBatchNorms(model, 5);
  } else {
    fail("unknown test model '", which, "' (expected mlp, lenet, resnet or resnet18)");
  }
}

} // namespace kiln::aottest
