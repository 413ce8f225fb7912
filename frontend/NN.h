//===- NN.h - Layers of the Kiln C++ DSL ------------------------*- C++ -*-===//
//
// Layers in the manner of torch.nn: a layer owns named parameters in a
// Model (PyTorch's names and shapes, so a state_dict loads unchanged) and
// maps a Value to a Value. Layers compose with nn::Sequential.
//
//   kiln::nn::Sequential mlp(model, "net");
//   mlp.add<kiln::nn::Linear>(784, 256).add(kiln::relu)
//      .add<kiln::nn::Linear>(256, 10);        // net.0.weight, net.2.weight
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_NN_H
#define KILN_FRONTEND_NN_H

#include "frontend/Model.h"
#include "frontend/Ops.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln::nn {

/// A layer: named parameters under a prefix, and a forward function.
class Module {
public:
  Module(Model &model, std::string prefix) : model_(&model), prefix_(std::move(prefix)) {}
  virtual ~Module() = default;
  virtual Value forward(Value x) = 0;
  Value operator()(Value x) { return forward(x); }
  /// "prefix.name" (or "name" when the prefix is empty).
  std::string qualify(const std::string &name) const {
    return prefix_.empty() ? name : prefix_ + "." + name;
  }
  Model &model() const { return *model_; }
  const std::string &prefix() const { return prefix_; }

private:
  Model *model_;
  std::string prefix_;
};

/// torch.nn.Linear(in, out, bias): weight [out, in] and bias [out], both
/// initialized U(-1/sqrt(in), 1/sqrt(in)) as in PyTorch.
class Linear : public Module {
public:
  Linear(Model &model, const std::string &prefix, int64_t inFeatures,
         int64_t outFeatures, bool bias = true);
  Value forward(Value x) override;
  Value weight, bias;
  int64_t inFeatures, outFeatures;
};

/// Layers and functions applied in order; added layers are named by their
/// index ("net.0", "net.2"), as torch.nn.Sequential does.
class Sequential : public Module {
public:
  using Module::Module;
  /// Constructs a layer in place: add<Linear>(784, 256).
  template <typename Layer, typename... Args> Sequential &add(Args &&...args) {
    layers_.push_back(std::make_shared<Layer>(model(), qualify(std::to_string(count_++)),
                                              std::forward<Args>(args)...));
    return *this;
  }
  /// A parameter-free step, such as kiln::relu (still takes an index).
  Sequential &add(std::function<Value(Value)> fn);
  Value forward(Value x) override;
  size_t size() const { return layers_.size(); }

private:
  struct FunctionLayer;
  std::vector<std::shared_ptr<Module>> layers_;
  int count_ = 0;
};

/// torch.nn.Conv2d: weight [out, in/groups, KH, KW] and bias [out], both
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups * KH * KW.
class Conv2d : public Module {
public:
  Conv2d(Model &model, const std::string &prefix, int64_t inChannels,
         int64_t outChannels, Size2 kernel, Size2 stride = 1, Padding2d padding = 0,
         Size2 dilation = 1, int64_t groups = 1, bool bias = true);
  Value forward(Value x) override;
  Value weight, bias;
  Size2 kernel, stride;
  Padding2d padding;
  Size2 dilation;
  int64_t groups;
  /// Geometry along H (for receptiveField).
  LayerGeometry geometry() const;
};

/// torch.nn.ConvTranspose2d: weight [in, out/groups, KH, KW], bias [out].
class ConvTranspose2d : public Module {
public:
  ConvTranspose2d(Model &model, const std::string &prefix, int64_t inChannels,
                  int64_t outChannels, Size2 kernel, Size2 stride = 1,
                  Size2 padding = 0, Size2 outputPadding = 0, int64_t groups = 1,
                  bool bias = true, Size2 dilation = 1);
  Value forward(Value x) override;
  Value weight, bias;
  Size2 kernel, stride, padding, outputPadding;
  int64_t groups;
  Size2 dilation;
};

/// torch.nn.BatchNorm2d in eval mode: weight (1), bias (0), running_mean
/// (0), running_var (1), all [C]. (PyTorch's num_batches_tracked counter is
/// not a parameter here; load state_dicts without strict or drop it.)
class BatchNorm2d : public Module {
public:
  BatchNorm2d(Model &model, const std::string &prefix, int64_t numFeatures,
              double eps = 1e-5, double momentum = 0.1, bool affine = true);
  Value forward(Value x) override;
  Value weight, bias, runningMean, runningVar;
  double eps, momentum;
};

/// torch.nn.LayerNorm over the trailing `normalizedShape`: weight (1) and
/// bias (0) of that shape.
class LayerNorm : public Module {
public:
  LayerNorm(Model &model, const std::string &prefix,
            std::vector<int64_t> normalizedShape, double eps = 1e-5,
            bool elementwiseAffine = true);
  Value forward(Value x) override;
  Value weight, bias;
  std::vector<int64_t> normalizedShape;
  double eps;
};

/// torch.nn.GroupNorm: weight (1) and bias (0) [C].
class GroupNorm : public Module {
public:
  GroupNorm(Model &model, const std::string &prefix, int64_t numGroups,
            int64_t numChannels, double eps = 1e-5, bool affine = true);
  Value forward(Value x) override;
  Value weight, bias;
  int64_t numGroups;
  double eps;
};

/// torch.nn.InstanceNorm2d (default affine=false, no running statistics).
class InstanceNorm2d : public Module {
public:
  InstanceNorm2d(Model &model, const std::string &prefix, int64_t numFeatures,
                 double eps = 1e-5, bool affine = false);
  Value forward(Value x) override;
  Value weight, bias;
  double eps;
};

/// torch.nn.MaxPool2d (stride defaults to the kernel).
class MaxPool2d : public Module {
public:
  MaxPool2d(Model &model, const std::string &prefix, Size2 kernel, Size2 stride = 0,
            Padding2d padding = 0, Size2 dilation = 1, bool ceilMode = false);
  Value forward(Value x) override;
  Size2 kernel, stride;
  Padding2d padding;
  Size2 dilation;
  bool ceilMode;
  LayerGeometry geometry() const;
};

/// torch.nn.AvgPool2d.
class AvgPool2d : public Module {
public:
  AvgPool2d(Model &model, const std::string &prefix, Size2 kernel, Size2 stride = 0,
            Padding2d padding = 0, bool ceilMode = false, bool countIncludePad = true);
  Value forward(Value x) override;
  Size2 kernel, stride;
  Padding2d padding;
  bool ceilMode, countIncludePad;
  LayerGeometry geometry() const;
};

/// torch.nn.AdaptiveAvgPool2d.
class AdaptiveAvgPool2d : public Module {
public:
  AdaptiveAvgPool2d(Model &model, const std::string &prefix, Size2 outputSize);
  Value forward(Value x) override;
  Size2 outputSize;
};

/// torch.nn.Flatten (start_dim 1).
class Flatten : public Module {
public:
  Flatten(Model &model, const std::string &prefix, int64_t startDim = 1);
  Value forward(Value x) override;
  int64_t startDim;
};

/// torch.nn.Dropout: the identity at inference.
class Dropout : public Module {
public:
  Dropout(Model &model, const std::string &prefix, double p = 0.5);
  Value forward(Value x) override;
  double p;
};

/// torch.nn.Upsample to a fixed size or by a scale factor.
class Upsample : public Module {
public:
  Upsample(Model &model, const std::string &prefix, double scaleFactor,
           std::string mode = "nearest", bool alignCorners = false);
  Value forward(Value x) override;
  double scaleFactor;
  std::string mode;
  bool alignCorners;
};

} // namespace kiln::nn

#endif // KILN_FRONTEND_NN_H
