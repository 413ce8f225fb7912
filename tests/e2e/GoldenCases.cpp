//===- GoldenCases.cpp - PyTorch golden values for the e2e tests ----------===//
#include "tests/e2e/GoldenCases.h"

#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include <cstdlib>
#include <sstream>

#ifndef KILN_GOLDEN_DIR
#error "KILN_GOLDEN_DIR must name tests/golden/data"
#endif

namespace kiln::golden {

std::string dataDir() {
  if (const char *env = std::getenv("KILN_GOLDEN_DIR"))
    return env;
  return KILN_GOLDEN_DIR;
}

std::string dataPath(const std::string &file) { return dataDir() + "/" + file; }

const std::string &OpCase::attr(const std::string &key) const {
  auto it = attrs.find(key);
  if (it == attrs.end())
    fail("golden case ", name, " (", op, ") has no attribute '", key, "'");
  return it->second;
}

std::vector<int64_t> OpCase::list(const std::string &key) const {
  std::vector<int64_t> out;
  std::stringstream ss(attr(key));
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stoll(item, &used));
      if (used != item.size())
        throw std::invalid_argument(item);
    } catch (const std::exception &) {
      fail("golden case ", name, ": attribute ", key, "=", attr(key),
           " is not a list of integers");
    }
  }
  return out;
}

int64_t OpCase::integer(const std::string &key) const {
  std::vector<int64_t> v = list(key);
  if (v.size() != 1)
    fail("golden case ", name, ": attribute ", key, "=", attr(key),
         " is not one integer");
  return v[0];
}

double OpCase::real(const std::string &key) const {
  try {
    return std::stod(attr(key));
  } catch (const std::exception &) {
    fail("golden case ", name, ": attribute ", key, "=", attr(key),
         " is not a number");
  }
}

ref::HW OpCase::pair(const std::string &key) const {
  std::vector<int64_t> v = list(key);
  if (v.size() != 2)
    fail("golden case ", name, ": attribute ", key, "=", attr(key),
         " is not h,w");
  return {v[0], v[1]};
}

ref::Pad4 OpCase::pad(const std::string &key) const {
  std::vector<int64_t> v = list(key);
  if (v.size() != 4)
    fail("golden case ", name, ": attribute ", key, "=", attr(key),
         " is not top,left,bottom,right");
  return {v[0], v[1], v[2], v[3]};
}

Tensor OpCase::tensor(const std::string &suffix) const {
  auto it = tensors.find(suffix);
  return it == tensors.end() ? Tensor() : it->second;
}

std::vector<Tensor> OpCase::expected() const {
  if (op == "batch_norm_training")
    return {tensor("out"), tensor("new_running_mean"),
            tensor("new_running_var")};
  return {tensor("out")};
}

std::vector<Tensor> OpCase::reference() const {
  const Tensor x = tensor("x"), w = tensor("weight"), b = tensor("bias");
  if (op == "conv2d")
    return {ref::conv2d(x, w, b, pair("stride"), pad("padding"),
                        pair("dilation"), integer("groups"))};
  if (op == "conv_transpose2d")
    return {ref::convTranspose2d(x, w, b, pair("stride"), pair("padding"),
                                 pair("output_padding"), integer("groups"),
                                 pair("dilation"))};
  if (op == "max_pool2d")
    return {ref::maxPool2d(x, pair("kernel"), pair("stride"), pad("padding"),
                           pair("dilation"), flag("ceil_mode"))};
  if (op == "avg_pool2d")
    return {ref::avgPool2d(x, pair("kernel"), pair("stride"), pad("padding"),
                           flag("ceil_mode"), flag("count_include_pad"))};
  if (op == "adaptive_avg_pool2d")
    return {ref::adaptiveAvgPool2d(x, pair("size"))};
  if (op == "upsample") {
    const Tensor out = tensor("out");
    const ref::HW size(out.dim(2), out.dim(3));
    const double scale = has("scale") ? real("scale") : 0.0;
    if (attr("mode") == "nearest")
      return {ref::upsampleNearest(x, size, scale, scale)};
    return {ref::upsampleBilinear(x, size, flag("align_corners"), scale, scale)};
  }
  if (op == "batch_norm")
    return {ref::batchNorm(x, tensor("running_mean"), tensor("running_var"), w,
                           b, real("eps"))};
  if (op == "batch_norm_training") {
    ref::BatchNormTrainingResult r =
        ref::batchNormTraining(x, tensor("running_mean"), tensor("running_var"),
                               w, b, real("momentum"), real("eps"));
    return {r.output, r.runningMean, r.runningVar};
  }
  if (op == "layer_norm")
    return {ref::layerNorm(x, list("normalized_shape"), w, b)};
  if (op == "group_norm")
    return {ref::groupNorm(x, integer("groups"), w, b)};
  if (op == "instance_norm")
    return {ref::instanceNorm(x, w, b)};
  fail("golden case ", name, ": unknown op '", op, "'");
}

std::vector<OpCase> loadOpCases() {
  TensorFile file = loadSafetensors(dataPath("ops.safetensors"));
  std::vector<OpCase> cases;
  for (const auto &[name, line] : file.metadata) {
    OpCase c;
    c.name = name;
    std::stringstream ss(line);
    ss >> c.op;
    std::string kv;
    while (ss >> kv) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos)
        fail("golden case ", name, ": malformed attribute '", kv, "' in '",
             line, "'");
      c.attrs[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    const std::string prefix = name + ".";
    for (const auto &[tname, t] : file.tensors)
      if (tname.compare(0, prefix.size(), prefix) == 0)
        c.tensors[tname.substr(prefix.size())] = t;
    if (!c.tensor("x").defined() || !c.tensor("out").defined())
      fail("golden case ", name, " lacks ", prefix, "x or ", prefix, "out");
    cases.push_back(std::move(c));
  }
  if (cases.empty())
    fail("golden file ", dataPath("ops.safetensors"), " holds no cases");
  return cases;
}

std::vector<std::string> opCaseNames() {
  std::vector<std::string> names;
  try {
    for (const OpCase &c : loadOpCases())
      names.push_back(c.name);
  } catch (const Error &) {
    names = {"LOAD_ERROR"};
  }
  return names;
}

OpCase opCase(const std::string &name) {
  for (OpCase &c : loadOpCases())
    if (c.name == name)
      return c;
  fail("no golden case named ", name, " in ", dataPath("ops.safetensors"));
}

} // namespace kiln::golden
