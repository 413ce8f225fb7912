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

} // namespace kiln::nn

#endif // KILN_FRONTEND_NN_H
