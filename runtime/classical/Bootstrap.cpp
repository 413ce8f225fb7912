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

/// Standard normal distribution function.
double normalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// Its inverse (scipy.special.ndtri): Acklam's rational approximation
/// (relative error 1.2e-9) refined by one Halley step to full precision.
double normalQuantile(double p) {
  if (p <= 0)
    return -INFINITY;
  if (p >= 1)
    return INFINITY;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = normalCdf(x) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
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
  } else if (o.interval == BootstrapInterval::BCa) {
    // Bias correction: the share of resamples below the estimate.
    double below = 0;
    for (double t : sorted)
      below += t < r.estimate ? 1.0 : t == r.estimate ? 0.5 : 0.0;
    double z0 = normalQuantile(below / static_cast<double>(sorted.size()));
    if (!std::isfinite(z0))
      fail(who, ": the BCa interval is undefined: all ", sorted.size(),
           " resample statistics lie on one side of the estimate ", r.estimate,
           "; use the percentile interval");
    // Acceleration: the skewness of the jackknife statistics.
    std::vector<double> jack(static_cast<std::size_t>(n));
    {
      std::vector<Index> idx;
      Data draw;
      for (Index i = 0; i < n; ++i) {
        idx.clear();
        for (Index j = 0; j < n; ++j)
          if (j != i)
            idx.push_back(j);
        gather(idx, draw);
        jack[static_cast<std::size_t>(i)] = statistic(draw);
      }
    }
    double jackMean = 0;
    for (double t : jack)
      jackMean += t / static_cast<double>(n);
    double num = 0, den = 0;
    for (double t : jack) {
      double u = jackMean - t;
      num += u * u * u;
      den += u * u;
    }
    double a = num / (6 * std::pow(den, 1.5));
    if (!std::isfinite(a))
      fail(who, ": the BCa interval is undefined: the ", n,
           " jackknife statistics are all equal (or not finite); use the percentile "
           "interval");
    auto level = [&](double z) { return normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z))); };
    double zlo = normalQuantile(alpha / 2);
    r.low = quantile(sorted, level(zlo));
    r.high = quantile(sorted, level(-zlo));
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
