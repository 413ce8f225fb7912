//===- Nets.cpp - Example convolutional networks in the Kiln DSL ----------===//
#include "examples/cnn/Nets.h"

namespace kiln::examples {

BasicBlock::BasicBlock(Model &model, const std::string &prefix, int64_t in, int64_t out,
                       int64_t stride)
    : Module(model, prefix),
      conv1(model, qualify("conv1"), in, out, 3, stride, 1, 1, 1, /*bias=*/false),
      conv2(model, qualify("conv2"), out, out, 3, 1, 1, 1, 1, /*bias=*/false),
      bn1(model, qualify("bn1"), out), bn2(model, qualify("bn2"), out) {
  if (stride != 1 || in != out) {
    downConv = std::make_unique<nn::Conv2d>(model, qualify("downsample.0"), in, out, 1,
                                            stride, 0, 1, 1, /*bias=*/false);
    downBn = std::make_unique<nn::BatchNorm2d>(model, qualify("downsample.1"), out);
  }
}

Value BasicBlock::forward(Value x) {
  Value y = relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  Value shortcut = downConv ? (*downBn)((*downConv)(x)) : x;
  return relu(y + shortcut);
}

Value lenet(Model &model, Value x) {
  nn::Sequential net(model, "");
  net.add<nn::Conv2d>(1, 6, 5, 1, 2)
      .add(relu)
      .add<nn::MaxPool2d>(2)
      .add<nn::Conv2d>(6, 16, 5)
      .add(relu)
      .add<nn::MaxPool2d>(2)
      .add<nn::Flatten>()
      .add<nn::Linear>(16 * 5 * 5, 120)
      .add(relu)
      .add<nn::Linear>(120, 84)
      .add(relu)
      .add<nn::Linear>(84, 10);
  return net(x);
}

Value resnet(Model &model, Value x, int blocksPerStage) {
  nn::Conv2d stem(model, "conv1", 3, 16, 3, 1, 1, 1, 1, /*bias=*/false);
  nn::BatchNorm2d bn(model, "bn1", 16);
  Value y = relu(bn(stem(x)));
  int64_t width = 16;
  for (int stage = 0; stage < 3; ++stage) {
    int64_t out = 16 << stage;
    for (int b = 0; b < blocksPerStage; ++b) {
      BasicBlock block(model, "layer" + std::to_string(stage + 1) + "." + std::to_string(b),
                       width, out, (stage > 0 && b == 0) ? 2 : 1);
      y = block(y);
      width = out;
    }
  }
  y = flatten(globalAvgPool2d(y), 1);
  nn::Linear fc(model, "fc", width, 10);
  return fc(y);
}

Value resnet18(Model &model, Value x) {
  nn::Conv2d stem(model, "conv1", 3, 64, 7, 2, 3, 1, 1, /*bias=*/false);
  nn::BatchNorm2d bn(model, "bn1", 64);
  Value y = maxPool2d(relu(bn(stem(x))), 3, 2, 1);
  int64_t width = 64;
  for (int stage = 0; stage < 4; ++stage) {
    int64_t out = 64 << stage;
    for (int b = 0; b < 2; ++b) {
      BasicBlock block(model, "layer" + std::to_string(stage + 1) + "." + std::to_string(b),
                       width, out, (stage > 0 && b == 0) ? 2 : 1);
      y = block(y);
      width = out;
    }
  }
  y = flatten(globalAvgPool2d(y), 1);
  nn::Linear fc(model, "fc", 512, 1000);
  return fc(y);
}

void randomizeBatchNorms(Model &model, uint64_t seed) {
  Generator gen(seed);
  auto endsWith = [](const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const auto &[name, t] : model.parameters()) {
    bool var = endsWith(name, "running_var"), mean = endsWith(name, "running_mean");
    bool bnWeight = false, bnBias = false;
    std::string stem = name.substr(0, name.rfind('.') + 1);
    if (model.parameters().count(stem + "running_var")) {
      bnWeight = endsWith(name, ".weight");
      bnBias = endsWith(name, ".bias");
    }
    if (!(var || mean || bnWeight || bnBias))
      continue;
    Tensor v(t.shape(), t.dtype());
    for (int64_t i = 0; i < v.numel(); ++i) {
      double u = gen.uniform();
      v.data<float>()[i] = float(var ? 0.5 + u : bnWeight ? 0.5 + u : (u - 0.5) * 0.4);
    }
    model.setParameter(name, v);
  }
}

} // namespace kiln::examples
