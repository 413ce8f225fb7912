//===- GoldenCases.h - PyTorch golden values for the e2e tests --*- C++ -*-===//
//
// Reads tests/golden/data/*.safetensors, written by tests/golden/gen_golden.py
// from PyTorch. ops.safetensors holds single-op cases: tensors NAME.x,
// NAME.weight, ..., NAME.out and a metadata line per case,
// "OP key=value ...". This file parses those cases and computes what
// kiln::ref (tests/e2e/Reference.h) says each case should give, so that the
// reference is checked against PyTorch (ReferenceTest) and Kiln against both
// (GoldenTest). Depends only on the runtime and the reference.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_E2E_GOLDENCASES_H
#define KILN_TESTS_E2E_GOLDENCASES_H

#include "runtime/Tensor.h"
#include "tests/e2e/Reference.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::golden {

/// The directory holding the golden files (tests/golden/data).
std::string dataDir();
/// dataDir() + "/" + file.
std::string dataPath(const std::string &file);

/// One single-op case of ops.safetensors.
struct OpCase {
  std::string name;
  /// conv2d, conv_transpose2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,
  /// upsample, batch_norm, batch_norm_training, layer_norm, group_norm,
  /// instance_norm.
  std::string op;
  std::map<std::string, std::string> attrs;
  /// Suffix ("x", "weight", "out", ...) -> tensor.
  std::map<std::string, Tensor> tensors;

  /// Attribute accessors; each throws kiln::Error naming the case when the
  /// key is missing or malformed.
  const std::string &attr(const std::string &key) const;
  bool has(const std::string &key) const { return attrs.count(key) != 0; }
  int64_t integer(const std::string &key) const;
  double real(const std::string &key) const;
  bool flag(const std::string &key) const { return integer(key) != 0; }
  /// "h,w".
  ref::HW pair(const std::string &key) const;
  /// "top,left,bottom,right".
  ref::Pad4 pad(const std::string &key) const;
  /// "a,b,c" (any length).
  std::vector<int64_t> list(const std::string &key) const;
  /// The tensor NAME.suffix, or an undefined Tensor when absent.
  Tensor tensor(const std::string &suffix) const;

  /// PyTorch's outputs: {out} or, for batch_norm_training,
  /// {out, new_running_mean, new_running_var}.
  std::vector<Tensor> expected() const;
  /// The same outputs computed by kiln::ref.
  std::vector<Tensor> reference() const;
};

/// All cases of ops.safetensors, in name order. Throws kiln::Error if the
/// file is missing or malformed.
std::vector<OpCase> loadOpCases();

/// The case names (for INSTANTIATE_TEST_SUITE_P). If the file cannot be
/// read, returns {"LOAD_ERROR"} so that one test reports the error.
std::vector<std::string> opCaseNames();

/// The case called `name`; throws kiln::Error if there is none.
OpCase opCase(const std::string &name);

} // namespace kiln::golden

#endif // KILN_TESTS_E2E_GOLDENCASES_H
