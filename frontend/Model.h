//===- Model.h - The Kiln C++ DSL: models and values ------------*- C++ -*-===//
//
// A kiln::Model is a function under construction: inputs, parameters and ops
// are added with plain C++ calls, each of which builds a kiln-dialect op on
// the spot and infers its shape, so a shape mistake throws kiln::Error at the
// call that made it, naming the op and the shapes.
//
//   kiln::Model m("mlp");
//   kiln::Value x = m.input("x", {kiln::kBatch, 784});
//   kiln::nn::Linear fc1(m, "fc1", 784, 256), fc2(m, "fc2", 256, 10);
//   m.output(kiln::softmax(fc2(kiln::relu(fc1(x))), -1), "probs");
//   kiln::CompiledModel net = kiln::jit(m);
//   std::vector<kiln::Tensor> y = net.run({input});
//
// kiln::Value is a symbolic handle to a value in the model's graph;
// kiln::Tensor (runtime/Tensor.h) is data. This header needs no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_MODEL_H
#define KILN_FRONTEND_MODEL_H

#include "backends/cpu/CompiledModel.h"
#include "frontend/Init.h"
#include "runtime/Tensor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

/// A dynamic dimension in Model::input: the batch size, chosen per call.
constexpr int64_t kBatch = -1;

class Model;
struct ModelImpl;

/// A symbolic tensor in a Model's graph (the result of an input, a parameter
/// or an op). Cheap to copy; valid while its Model lives.
class Value {
public:
  Value() = default;
  /// Shape; dynamic dimensions are -1.
  Shape shape() const;
  int64_t rank() const;
  /// Size of dimension `i` (negative counts from the end); -1 if dynamic.
  int64_t dim(int64_t i) const;
  DType dtype() const;
  /// "tensor<?x784xf32>"
  std::string typeString() const;
  bool defined() const { return impl_ != nullptr; }
  ModelImpl *model() const { return impl_; }
  void *opaque() const { return value_; }

  Value(ModelImpl *impl, void *value) : impl_(impl), value_(value) {}

private:
  ModelImpl *impl_ = nullptr;
  void *value_ = nullptr;
};

/// A model: one function in the kiln dialect plus its named parameters.
class Model {
public:
  /// `name` becomes the compiled function's name; `seed` seeds the
  /// generator used by parameter initializers.
  explicit Model(std::string name = "forward", uint64_t seed = 0);
  ~Model();
  Model(Model &&) noexcept;
  Model &operator=(Model &&) noexcept;
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  /// Adds an input; -1 (kiln::kBatch) marks the dynamic batch dimension.
  Value input(const std::string &name, const Shape &shape, DType dtype = DType::F32);
  /// Adds a named parameter initialized by `init` (PyTorch naming:
  /// "fc1.weight"). Names must be unique.
  Value parameter(const std::string &name, const Shape &shape,
                  const init::Initializer &init = init::zeros());
  /// A constant tensor baked into the model.
  Value constant(const Tensor &value);
  /// A rank-0 f32 constant (broadcasts against anything).
  Value scalar(double value);
  /// Marks `value` as the next output.
  void output(Value value, const std::string &name = "");

  /// The model's kiln-dialect IR (with parameters as kiln.param ops).
  std::string str() const;
  const std::string &name() const;
  /// Number of ops of each kind, e.g. {"kiln.linear": 3, ...}.
  std::map<std::string, int> opCounts() const;

  /// Named parameters (name -> tensor), as in a PyTorch state_dict.
  const std::map<std::string, Tensor> &parameters() const;
  /// Replaces a parameter's value; the shape and dtype must match.
  void setParameter(const std::string &name, const Tensor &value);
  /// Writes the parameters to a safetensors file.
  void save(const std::string &path) const;
  /// Reads parameters from a safetensors file (e.g. exported from PyTorch).
  /// Every parameter must be present with its shape; with `strict`, a
  /// tensor in the file that is not a parameter is an error too.
  void load(const std::string &path, bool strict = true);

  Generator &generator();
  ModelImpl *impl() const { return impl_.get(); }

private:
  std::unique_ptr<ModelImpl> impl_;
};

/// Compiles `model` (parameters baked in as constants) for this CPU.
CompiledModel jit(const Model &model, const JitOptions &options = {});

} // namespace kiln

#endif // KILN_FRONTEND_MODEL_H
