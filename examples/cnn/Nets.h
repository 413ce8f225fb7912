//===- Nets.h - Example convolutional networks in the Kiln DSL --*- C++ -*-===//
//
// LeNet-5 (1x28x28 -> 10) and a ResNet-style stack of basic blocks
// (3x32x32 -> 10), with PyTorch's parameter names. Used by kiln-demo,
// kiln-bench and the end-to-end tests.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_EXAMPLES_CNN_NETS_H
#define KILN_EXAMPLES_CNN_NETS_H

#include "frontend/Kiln.h"

#include <memory>

namespace kiln::examples {

/// torchvision's BasicBlock: conv3x3-BN-ReLU-conv3x3-BN plus the shortcut
/// (identity, or 1x1 conv + BN when the stride or width changes), ReLU.
class BasicBlock : public nn::Module {
public:
  BasicBlock(Model &model, const std::string &prefix, int64_t in, int64_t out,
             int64_t stride);
  Value forward(Value x) override;

private:
  nn::Conv2d conv1, conv2;
  nn::BatchNorm2d bn1, bn2;
  std::unique_ptr<nn::Conv2d> downConv;
  std::unique_ptr<nn::BatchNorm2d> downBn;
};

/// LeNet-5 with ReLU and max pooling: [N, 1, 28, 28] -> logits [N, 10].
Value lenet(Model &model, Value x);

/// A ResNet-style network for [N, 3, 32, 32]: stem conv3x3(3->16)+BN+ReLU,
/// `blocksPerStage` basic blocks at widths 16, 32, 64 (stride 2 between
/// stages), global average pooling, linear -> 10 logits.
Value resnet(Model &model, Value x, int blocksPerStage = 1);

/// torchvision's resnet18 for [N, 3, 224, 224] -> 1000 logits (11.7 M
/// parameters, 1.8 G multiply-adds = 3.6 GFLOP per image), with its
/// parameter names.
Value resnet18(Model &model, Value x);

/// Gives every batch norm of `model` non-trivial statistics and affine
/// parameters (deterministic in `seed`), as a trained network has; with
/// PyTorch's defaults (mean 0, var 1, weight 1, bias 0) folding would be a
/// near no-op and would test little.
void randomizeBatchNorms(Model &model, uint64_t seed);

} // namespace kiln::examples

#endif // KILN_EXAMPLES_CNN_NETS_H
