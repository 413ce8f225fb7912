//===- NN.cpp - Layers of the Kiln C++ DSL --------------------------------===//
#include "frontend/NN.h"
#include "runtime/Error.h"

#include <cmath>

namespace kiln::nn {

Linear::Linear(Model &model, const std::string &prefix, int64_t in, int64_t out,
               bool hasBias)
    : Module(model, prefix), inFeatures(in), outFeatures(out) {
  if (in <= 0 || out <= 0)
    fail("kiln::nn::Linear('", prefix, "'): features must be positive, got in=", in,
         " out=", out);
  // PyTorch: kaiming_uniform(a = sqrt(5)) on the weight, which is
  // U(-1/sqrt(in), 1/sqrt(in)); the bias uses the same bound.
  weight = model.parameter(qualify("weight"), {out, in},
                           init::kaimingUniform(std::sqrt(5.0)));
  if (hasBias) {
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    bias = model.parameter(qualify("bias"), {out}, init::uniform(-bound, bound));
  }
}

Value Linear::forward(Value x) { return linear(x, weight, bias); }

struct Sequential::FunctionLayer : Module {
  FunctionLayer(Model &m, std::string prefix, std::function<Value(Value)> fn)
      : Module(m, std::move(prefix)), fn(std::move(fn)) {}
  Value forward(Value x) override { return fn(x); }
  std::function<Value(Value)> fn;
};

Sequential &Sequential::add(std::function<Value(Value)> fn) {
  if (!fn)
    fail("kiln::nn::Sequential::add: empty function");
  layers_.push_back(std::make_shared<FunctionLayer>(
      model(), qualify(std::to_string(count_++)), std::move(fn)));
  return *this;
}

Value Sequential::forward(Value x) {
  for (auto &layer : layers_)
    x = layer->forward(x);
  return x;
}

} // namespace kiln::nn
