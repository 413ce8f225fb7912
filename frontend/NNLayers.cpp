//===- NNLayers.cpp - Convolution, pooling and normalization layers -------===//
//
// Parameter names, shapes and initial values follow torch.nn, so a PyTorch
// state_dict loads unchanged (BatchNorm's num_batches_tracked aside).
//
//===----------------------------------------------------------------------===//
#include "frontend/NN.h"
#include "runtime/Error.h"

#include <cmath>

namespace kiln::nn {
namespace {

void checkPositive(const char *layer, const std::string &prefix, const char *what,
                   int64_t v) {
  if (v <= 0)
    fail("kiln::nn::", layer, "('", prefix, "'): ", what, " must be positive, got ", v);
}

/// PyTorch's default for conv weights and biases: U(-1/sqrt(fan_in), ...).
void initConv(Module &m, Value &weight, Value &bias, const Shape &shape, int64_t fanIn,
              int64_t biasSize, bool hasBias) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
  weight = m.model().parameter(m.qualify("weight"), shape, init::uniform(-bound, bound));
  if (hasBias)
    bias = m.model().parameter(m.qualify("bias"), {biasSize}, init::uniform(-bound, bound));
}

} // namespace

Conv2d::Conv2d(Model &model, const std::string &prefix, int64_t in, int64_t out,
               Size2 kernel, Size2 stride, Padding2d padding, Size2 dilation,
               int64_t groups, bool hasBias)
    : Module(model, prefix), kernel(kernel), stride(stride), padding(padding),
      dilation(dilation), groups(groups) {
  checkPositive("Conv2d", prefix, "in_channels", in);
  checkPositive("Conv2d", prefix, "out_channels", out);
  checkPositive("Conv2d", prefix, "groups", groups);
  checkPositive("Conv2d", prefix, "kernel size", std::min(kernel.h, kernel.w));
  if (in % groups || out % groups)
    fail("kiln::nn::Conv2d('", prefix, "'): groups = ", groups,
         " must divide in_channels = ", in, " and out_channels = ", out);
  initConv(*this, weight, bias, {out, in / groups, kernel.h, kernel.w},
           in / groups * kernel.h * kernel.w, out, hasBias);
}

Value Conv2d::forward(Value x) {
  return conv2d(x, weight, bias, stride, padding, dilation, groups);
}

LayerGeometry Conv2d::geometry() const {
  return {kernel.h, stride.h, padding.top, dilation.h};
}

ConvTranspose2d::ConvTranspose2d(Model &model, const std::string &prefix, int64_t in,
                                 int64_t out, Size2 kernel, Size2 stride, Size2 padding,
                                 Size2 outputPadding, int64_t groups, bool hasBias,
                                 Size2 dilation)
    : Module(model, prefix), kernel(kernel), stride(stride), padding(padding),
      outputPadding(outputPadding), groups(groups), dilation(dilation) {
  checkPositive("ConvTranspose2d", prefix, "in_channels", in);
  checkPositive("ConvTranspose2d", prefix, "out_channels", out);
  checkPositive("ConvTranspose2d", prefix, "groups", groups);
  checkPositive("ConvTranspose2d", prefix, "kernel size", std::min(kernel.h, kernel.w));
  if (in % groups || out % groups)
    fail("kiln::nn::ConvTranspose2d('", prefix, "'): groups = ", groups,
         " must divide in_channels = ", in, " and out_channels = ", out);
  // PyTorch's fan_in for this weight layout is weight.size(1) * KH * KW.
  initConv(*this, weight, bias, {in, out / groups, kernel.h, kernel.w},
           out / groups * kernel.h * kernel.w, out, hasBias);
}

Value ConvTranspose2d::forward(Value x) {
  return convTranspose2d(x, weight, bias, stride, padding, outputPadding, groups,
                         dilation);
}

BatchNorm2d::BatchNorm2d(Model &model, const std::string &prefix, int64_t features,
                         double eps, double momentum, bool affine)
    : Module(model, prefix), eps(eps), momentum(momentum) {
  checkPositive("BatchNorm2d", prefix, "num_features", features);
  if (affine) {
    weight = model.parameter(qualify("weight"), {features}, init::ones());
    bias = model.parameter(qualify("bias"), {features}, init::zeros());
  }
  runningMean = model.parameter(qualify("running_mean"), {features}, init::zeros());
  runningVar = model.parameter(qualify("running_var"), {features}, init::ones());
}

Value BatchNorm2d::forward(Value x) {
  return batchNorm(x, runningMean, runningVar, weight, bias, eps);
}

LayerNorm::LayerNorm(Model &model, const std::string &prefix,
                     std::vector<int64_t> shape, double eps, bool affine)
    : Module(model, prefix), normalizedShape(std::move(shape)), eps(eps) {
  if (normalizedShape.empty())
    fail("kiln::nn::LayerNorm('", prefix, "'): normalized_shape is empty");
  for (int64_t d : normalizedShape)
    checkPositive("LayerNorm", prefix, "normalized_shape entries", d);
  if (affine) {
    Shape s(normalizedShape.begin(), normalizedShape.end());
    weight = model.parameter(qualify("weight"), s, init::ones());
    bias = model.parameter(qualify("bias"), s, init::zeros());
  }
}

Value LayerNorm::forward(Value x) { return layerNorm(x, normalizedShape, weight, bias, eps); }

GroupNorm::GroupNorm(Model &model, const std::string &prefix, int64_t groups,
                     int64_t channels, double eps, bool affine)
    : Module(model, prefix), numGroups(groups), eps(eps) {
  checkPositive("GroupNorm", prefix, "num_groups", groups);
  checkPositive("GroupNorm", prefix, "num_channels", channels);
  if (channels % groups)
    fail("kiln::nn::GroupNorm('", prefix, "'): num_groups = ", groups,
         " must divide num_channels = ", channels);
  if (affine) {
    weight = model.parameter(qualify("weight"), {channels}, init::ones());
    bias = model.parameter(qualify("bias"), {channels}, init::zeros());
  }
}

Value GroupNorm::forward(Value x) { return groupNorm(x, numGroups, weight, bias, eps); }

InstanceNorm2d::InstanceNorm2d(Model &model, const std::string &prefix, int64_t features,
                               double eps, bool affine)
    : Module(model, prefix), eps(eps) {
  checkPositive("InstanceNorm2d", prefix, "num_features", features);
  if (affine) {
    weight = model.parameter(qualify("weight"), {features}, init::ones());
    bias = model.parameter(qualify("bias"), {features}, init::zeros());
  }
}

Value InstanceNorm2d::forward(Value x) { return instanceNorm(x, weight, bias, eps); }

MaxPool2d::MaxPool2d(Model &model, const std::string &prefix, Size2 kernel, Size2 stride,
                     Padding2d padding, Size2 dilation, bool ceilMode)
    : Module(model, prefix), kernel(kernel),
      stride(stride.h == 0 && stride.w == 0 ? kernel : stride), padding(padding),
      dilation(dilation), ceilMode(ceilMode) {}

Value MaxPool2d::forward(Value x) {
  return maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
}

LayerGeometry MaxPool2d::geometry() const {
  return {kernel.h, stride.h, padding.top, dilation.h};
}

AvgPool2d::AvgPool2d(Model &model, const std::string &prefix, Size2 kernel, Size2 stride,
                     Padding2d padding, bool ceilMode, bool countIncludePad)
    : Module(model, prefix), kernel(kernel),
      stride(stride.h == 0 && stride.w == 0 ? kernel : stride), padding(padding),
      ceilMode(ceilMode), countIncludePad(countIncludePad) {}

Value AvgPool2d::forward(Value x) {
  return avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
}

LayerGeometry AvgPool2d::geometry() const { return {kernel.h, stride.h, padding.top, 1}; }

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Model &model, const std::string &prefix,
                                     Size2 outputSize)
    : Module(model, prefix), outputSize(outputSize) {}

Value AdaptiveAvgPool2d::forward(Value x) { return adaptiveAvgPool2d(x, outputSize); }

Flatten::Flatten(Model &model, const std::string &prefix, int64_t startDim)
    : Module(model, prefix), startDim(startDim) {}

Value Flatten::forward(Value x) { return flatten(x, startDim); }

Dropout::Dropout(Model &model, const std::string &prefix, double p)
    : Module(model, prefix), p(p) {
  if (!(p >= 0 && p < 1))
    fail("kiln::nn::Dropout('", prefix, "'): p = ", p, " must be in [0, 1)");
}

Value Dropout::forward(Value x) { return dropout(x, p); }

Upsample::Upsample(Model &model, const std::string &prefix, double scaleFactor,
                   std::string mode, bool alignCorners)
    : Module(model, prefix), scaleFactor(scaleFactor), mode(std::move(mode)),
      alignCorners(alignCorners) {}

Value Upsample::forward(Value x) { return upsample(x, scaleFactor, mode, alignCorners); }

} // namespace kiln::nn
