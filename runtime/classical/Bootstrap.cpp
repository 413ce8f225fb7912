//===- Bootstrap.cpp - Bootstrap confidence intervals ---------------------===//
#include "runtime/classical/Bootstrap.h"

#include <cmath>

namespace kiln::ml {

namespace {

constexpr Index kBlock = 64; ///< resamples per generator

/// NumPy's default ("linear") percentile of sorted values, q in [0, 1].
double quantile(const std::vector<double> &sorted, double q) {
  double pos = q * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

template <typename Data, typename Stat>
BootstrapResult run(const Data &sample, Index n, const Stat &statistic,
                    const BootstrapOptions &o, const char *who,
                    const std::function<void(const std::vector<Index> &, Data &)> &gather) {
  if (o.nResamples < 2)
    fail(who, ": nResamples is ", o.nResamples, "; expected >= 2");
  if (!(o.confidence > 0 && o.confidence < 1))
    fail(who, ": confidence is ", o.confidence, "; expected in (0, 1)");
  BootstrapResult r;
  r.estimate = statistic(sample);
  if (!std::isfinite(r.estimate))
    fail(who, ": the statistic of the sample is ", r.estimate, "; expected a finite value");
  r.distribution.resize(o.nResamples);
  Index blocks = (o.nResamples + kBlock - 1) / kBlock;
  parallelFor(blocks, resolveThreads(o.threads), [&](Index bb, Index be) {
    std::vector<Index> idx(static_cast<std::size_t>(n));
    Data draw;
    for (Index blk = bb; blk < be; ++blk) {
      Rng rng = taskRng(o.seed, static_cast<uint64_t>(blk));
      std::uniform_int_distribution<Index> pick(0, n - 1);
      for (Index s = blk * kBlock; s < std::min<Index>(o.nResamples, (blk + 1) * kBlock); ++s) {
        for (auto &i : idx)
          i = pick(rng);
        gather(idx, draw);
        r.distribution[s] = statistic(draw);
      }
    }
  });
  for (Index s = 0; s < r.distribution.size(); ++s)
    if (!std::isfinite(r.distribution[s]))
      fail(who, ": the statistic of resample ", s, " is ", r.distribution[s],
           "; expected finite values");
  std::vector<double> sorted(r.distribution.data(), r.distribution.data() + r.distribution.size());
  std::sort(sorted.begin(), sorted.end());
  double alpha = 1 - o.confidence;
  double qlo = quantile(sorted, alpha / 2), qhi = quantile(sorted, 1 - alpha / 2);
  if (o.interval == BootstrapInterval::Percentile) {
    r.low = qlo;
    r.high = qhi;
  } else {
    r.low = 2 * r.estimate - qhi;
    r.high = 2 * r.estimate - qlo;
  }
  double mean = r.distribution.mean();
  r.standardError = std::sqrt((r.distribution.array() - mean).square().sum() /
                              static_cast<double>(r.distribution.size() - 1));
  return r;
}

} // namespace

BootstrapResult bootstrap(const Vector &sample, const std::function<double(const Vector &)> &statistic,
                          const BootstrapOptions &options) {
  const char *who = "kiln.ml.bootstrap";
  if (sample.size() < 2)
    fail(who, ": the sample has ", sample.size(), " value(s); expected at least 2");
  for (Index i = 0; i < sample.size(); ++i)
    if (!std::isfinite(sample[i]))
      fail(who, ": the sample has a non-finite value (", sample[i], ") at index ", i);
  return run<Vector>(sample, sample.size(), statistic, options, who,
                     [&](const std::vector<Index> &idx, Vector &out) {
                       out.resize(static_cast<Index>(idx.size()));
                       for (std::size_t k = 0; k < idx.size(); ++k)
                         out[static_cast<Index>(k)] = sample[idx[k]];
                     });
}

BootstrapResult bootstrapRows(const Matrix &sample, const std::function<double(const Matrix &)> &statistic,
                          const BootstrapOptions &options) {
  checkData("kiln.ml.bootstrapRows", sample, "sample", 2);
  return run<Matrix>(sample, sample.rows(), statistic, options, "kiln.ml.bootstrapRows",
                     [&](const std::vector<Index> &idx, Matrix &out) {
                       out.resize(static_cast<Index>(idx.size()), sample.cols());
                       for (std::size_t k = 0; k < idx.size(); ++k)
                         out.row(static_cast<Index>(k)) = sample.row(idx[k]);
                     });
}

} // namespace kiln::ml
