//===- Bootstrap.h - Bootstrap confidence intervals -------------*- C++ -*-===//
//
//   auto ci = kiln::ml::bootstrap(sample, [](const Vector &v) { return v.mean(); },
//                                 {.nResamples = 9999, .confidence = 0.95});
//   // ci.low, ci.high, ci.standardError
//
// Efron's nonparametric bootstrap: the statistic is recomputed on
// nResamples samples drawn with replacement (rows of a matrix for paired or
// multivariate data). Percentile interval: the alpha/2 and 1 - alpha/2
// quantiles of the bootstrap distribution (linear interpolation, as
// NumPy's percentile); basic interval: 2 * estimate minus those, reversed;
// BCa (bias-corrected and accelerated, Efron 1987, as scipy.stats.bootstrap):
// the percentile interval at the adjusted levels
//   Phi(z0 + (z0 + z) / (1 - a (z0 + z))),  z = Phi^-1(alpha/2), Phi^-1(1 - alpha/2)
// with the bias correction z0 = Phi^-1(share of resample statistics below the
// estimate, ties counting half) and the acceleration a from the jackknife
// (n leave-one-out statistics): a = sum U^3 / (6 (sum U^2)^1.5),
// U_i = mean_j theta_(j) - theta_(i). BCa is undefined (an error) when all
// resample statistics lie on one side of the estimate or all jackknife
// statistics are equal.
// Resamples are split in fixed blocks with their own generators and run on
// `threads` threads, so the result does not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_BOOTSTRAP_H
#define KILN_RUNTIME_CLASSICAL_BOOTSTRAP_H

#include "runtime/classical/Common.h"

#include <functional>

namespace kiln::ml {

enum class BootstrapInterval { Percentile, Basic, BCa };

struct BootstrapOptions {
  int nResamples = 9999;
  double confidence = 0.95;
  BootstrapInterval interval = BootstrapInterval::Percentile;
  uint64_t seed = 0;
  int threads = 0;
};

struct BootstrapResult {
  double estimate = 0;      ///< the statistic on the original sample
  double low = 0, high = 0; ///< the confidence interval
  double standardError = 0; ///< std of the bootstrap distribution (ddof 1)
  Vector distribution;      ///< the statistic on each resample
};

/// One-dimensional data; `statistic` must be safe to call from several threads.
BootstrapResult bootstrap(const Vector &sample, const std::function<double(const Vector &)> &statistic,
                          const BootstrapOptions &options = {});
/// Rows of `sample` are resampled together (paired or multivariate data).
BootstrapResult bootstrapRows(const Matrix &sample, const std::function<double(const Matrix &)> &statistic,
                          const BootstrapOptions &options = {});

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_BOOTSTRAP_H
