//===- MlTestData.h - Data sets and golden values for kiln_ml tests -*- C++ -*-===//
//
// Reads tests/ml/data/<name>.csv (features, then the target) and the split
// and golden values of tests/ml/data/golden.json (written by gen_golden.py
// with scikit-learn 1.2).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_ML_MLTESTDATA_H
#define KILN_TESTS_ML_MLTESTDATA_H

#include "runtime/classical/Common.h"

#include <nlohmann/json.hpp>

#include <string>

namespace kiln::ml::testing {

/// A data set split as in golden.json ("train" / "test" row indices).
struct Split {
  Matrix Xtr, Xte;
  Vector ytr, yte;   ///< targets as doubles
  Labels ltr, lte;   ///< targets as class labels (classification sets)
};

/// Loads `name` ("iris", "wine", "breast_cancer", "digits", "diabetes").
/// With `standardize`, features are scaled by a StandardScaler fitted on the
/// training rows (as the golden script does when settings say scaled).
const Split &dataset(const std::string &name, bool standardize = false);

/// The whole golden.json.
const nlohmann::json &golden();

/// golden()["quality"][key]["value"].
double goldenQuality(const std::string &key);

/// Records Kiln's value next to scikit-learn's (printed as a "QUALITY" line
/// for the summary table) and expects Kiln to be at least as good within
/// `relTol` (relative to |sklearn|): higherIsBetter for accuracy, R^2,
/// log-likelihood; lower for inertia.
void expectQuality(const std::string &key, double kiln, bool higherIsBetter = true,
                   double relTol = 0.01);

Matrix toMatrix(const nlohmann::json &j);
Vector toVector(const nlohmann::json &j);
Labels toLabels(const nlohmann::json &j);

/// A scratch file path under the test's temporary directory.
std::string tempPath(const std::string &name);

} // namespace kiln::ml::testing

#endif // KILN_TESTS_ML_MLTESTDATA_H
