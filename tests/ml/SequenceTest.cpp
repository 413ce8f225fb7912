//===- SequenceTest.cpp - HMM and bootstrap --------------------------------===//
//
// HMM values are checked against a direct log-space NumPy implementation
// (golden.json "hmm"), bootstrap intervals against SciPy's.
//
//===----------------------------------------------------------------------===//
#include "MlTestData.h"
#include "runtime/classical/Bootstrap.h"
#include "runtime/classical/HMM.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
Sequence toSequence(const nlohmann::json &j) { return j.get<std::vector<int>>(); }
} // namespace

TEST(HMMTest, ForwardPosteriorsViterbiAgainstNumpy) {
  const auto &h = golden()["hmm"];
  auto hmm = DiscreteHMM::fromParameters(toVector(h["start"]), toMatrix(h["trans"]),
                                         toMatrix(h["emit"]));
  Sequence obs = toSequence(h["obs"]);
  EXPECT_NEAR(hmm.logLikelihood(obs), h["loglik"].get<double>(), 1e-9);
  Matrix post = hmm.posteriors(obs);
  EXPECT_LE((post - toMatrix(h["posteriors"])).cwiseAbs().maxCoeff(), 1e-9);
  double logProb = 0;
  Sequence path = hmm.viterbi(obs, &logProb);
  EXPECT_EQ(path, toSequence(h["viterbi_path"]));
  EXPECT_NEAR(logProb, h["viterbi_logprob"].get<double>(), 1e-9);
  // A long sequence does not underflow (scaled forward).
  Sequence longObs;
  for (int r = 0; r < 100; ++r)
    longObs.insert(longObs.end(), obs.begin(), obs.end());
  double ll = hmm.logLikelihood(longObs);
  EXPECT_TRUE(std::isfinite(ll));
  EXPECT_LT(ll, 100 * h["loglik"].get<double>() + 50);
}

TEST(HMMTest, BaumWelchAgainstNumpy) {
  const auto &h = golden()["hmm"];
  const auto &init = h["bw_init"];
  HMMOptions o;
  o.maxIter = h["bw_iterations"].get<int>();
  o.tol = 0; // exactly maxIter updates, like the reference
  auto hmm = DiscreteHMM::fromParameters(toVector(init["start"]), toMatrix(init["trans"]),
                                         toMatrix(init["emit"]), o);
  hmm.fit({toSequence(h["obs"])});
  Vector ref = toVector(h["bw_logliks"]);
  ASSERT_EQ(hmm.history().size(), static_cast<std::size_t>(ref.size()));
  for (Index i = 0; i < ref.size(); ++i) {
    EXPECT_NEAR(hmm.history()[static_cast<std::size_t>(i)], ref[i], 1e-8);
    if (i > 0) // EM never decreases the likelihood
      EXPECT_GE(hmm.history()[static_cast<std::size_t>(i)], hmm.history()[static_cast<std::size_t>(i - 1)] - 1e-9);
  }
  EXPECT_LE((hmm.start() - toVector(h["bw_start"])).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LE((hmm.transitions() - toMatrix(h["bw_trans"])).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LE((hmm.emissions() - toMatrix(h["bw_emit"])).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(HMMTest, FitFromRandomStartAndSaveLoad) {
  const auto &h = golden()["hmm"];
  Sequence obs = toSequence(h["obs"]);
  HMMOptions o;
  o.nStates = 3;
  o.nSymbols = 4;
  o.seed = 2;
  o.maxIter = 2000;
  DiscreteHMM hmm(o);
  hmm.fit({obs, Sequence(obs.begin(), obs.begin() + 50)});
  EXPECT_TRUE(hmm.converged());
  auto truth = DiscreteHMM::fromParameters(toVector(h["start"]), toMatrix(h["trans"]),
                                           toMatrix(h["emit"]));
  // Maximum likelihood fits the sample at least as well as the true model.
  EXPECT_GT(hmm.logLikelihood(obs), truth.logLikelihood(obs) - 1.0);
  hmm.save(tempPath("hmm.safetensors"));
  DiscreteHMM back = DiscreteHMM::load(tempPath("hmm.safetensors"));
  EXPECT_EQ(back.logLikelihood(obs), hmm.logLikelihood(obs));
}

TEST(HMMTest, BadInput) {
  Vector start(2);
  start << 0.5, 0.5;
  Matrix trans(2, 2), emit(2, 2);
  trans << 0.9, 0.1, 0.2, 0.8;
  emit << 1.0, 0.0, 0.5, 0.5;
  Matrix badTrans = trans;
  badTrans(0, 0) = 0.5;
  EXPECT_CONTAINS(errorOf([&] { DiscreteHMM::fromParameters(start, badTrans, emit); }),
                  "every row of the transitions (2x2) must be >= 0 and sum to 1");
  EXPECT_CONTAINS(errorOf([&] { DiscreteHMM::fromParameters(start, Matrix::Identity(3, 3), emit); }),
                  "expected K, KxK and KxM");
  auto hmm = DiscreteHMM::fromParameters(start, trans, emit);
  EXPECT_CONTAINS(errorOf([&] { hmm.logLikelihood({0, 2}); }), "symbol 2 at position 1 is outside 0..1");
  EXPECT_CONTAINS(errorOf([&] { hmm.viterbi({}); }), "sequence is empty");
  EXPECT_CONTAINS(errorOf([&] { DiscreteHMM().logLikelihood({0}); }), "not fitted");
  // Symbol 1 is impossible from state 0, and state 1 is unreachable if we
  // force start in 0 with no transitions out: probability 0.
  Vector s0(2);
  s0 << 1.0, 0.0;
  auto stuck = DiscreteHMM::fromParameters(s0, Matrix::Identity(2, 2), emit);
  EXPECT_EQ(stuck.logLikelihood({0, 1}), -std::numeric_limits<double>::infinity());
  EXPECT_CONTAINS(errorOf([&] { stuck.posteriors({0, 1}); }), "probability 0 under the model");
  EXPECT_CONTAINS(errorOf([&] { DiscreteHMM().fit({}); }), "no sequences");
}

TEST(BootstrapTest, PercentileIntervalAgainstScipy) {
  const auto &b = golden()["bootstrap"];
  Vector x = toVector(b["x"]);
  auto mean = [](const Vector &v) { return v.mean(); };
  BootstrapResult r = bootstrap(x, mean);
  double width = b["mean_high"].get<double>() - b["mean_low"].get<double>();
  // Different random draws: agreement within Monte Carlo error (3% of the width).
  EXPECT_NEAR(r.low, b["mean_low"].get<double>(), 0.03 * width);
  EXPECT_NEAR(r.high, b["mean_high"].get<double>(), 0.03 * width);
  EXPECT_NEAR(r.standardError, b["mean_se"].get<double>(), 0.03 * b["mean_se"].get<double>());
  EXPECT_DOUBLE_EQ(r.estimate, x.mean());
  // The standard error of the mean is about sd / sqrt(n).
  double sd = std::sqrt((x.array() - x.mean()).square().sum() / static_cast<double>(x.size()));
  EXPECT_NEAR(r.standardError, sd / std::sqrt(static_cast<double>(x.size())), 0.05 * r.standardError);
  BootstrapOptions o;
  o.confidence = 0.9;
  auto median = [](const Vector &v) {
    std::vector<double> s(v.data(), v.data() + v.size());
    std::sort(s.begin(), s.end());
    std::size_t m = s.size() / 2;
    return s.size() % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
  };
  BootstrapResult med = bootstrap(x, median, o);
  double w90 = b["median90_high"].get<double>() - b["median90_low"].get<double>();
  EXPECT_NEAR(med.low, b["median90_low"].get<double>(), 0.05 * w90);
  EXPECT_NEAR(med.high, b["median90_high"].get<double>(), 0.05 * w90);
}

TEST(BootstrapTest, BasicIntervalRowsAndThreads) {
  const auto &b = golden()["bootstrap"];
  Vector x = toVector(b["x"]);
  BootstrapOptions o;
  o.nResamples = 2000;
  o.threads = 1;
  auto mean = [](const Vector &v) { return v.mean(); };
  BootstrapResult a = bootstrap(x, mean, o);
  o.threads = 4;
  BootstrapResult c = bootstrap(x, mean, o);
  EXPECT_EQ(a.distribution, c.distribution);
  o.interval = BootstrapInterval::Basic;
  BootstrapResult basic = bootstrap(x, mean, o);
  EXPECT_NEAR(basic.low, 2 * a.estimate - a.high, 1e-12);
  EXPECT_NEAR(basic.high, 2 * a.estimate - a.low, 1e-12);
  // Paired rows: a correlation's interval lies inside [-1, 1] and covers it.
  Matrix P(x.size(), 2);
  P.col(0) = x;
  P.col(1) = x.array().square();
  auto corr = [](const Matrix &m) {
    Vector a = m.col(0).array() - m.col(0).mean(), b = m.col(1).array() - m.col(1).mean();
    return a.dot(b) / std::sqrt(a.squaredNorm() * b.squaredNorm());
  };
  BootstrapResult rc = bootstrapRows(P, corr);
  EXPECT_LE(rc.low, rc.estimate);
  EXPECT_GE(rc.high, rc.estimate);
  EXPECT_LE(rc.high, 1.0);
}

/// Phi^-1 by bisection on erfc: a reference independent of the library's
/// rational approximation.
double referenceNormalQuantile(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

TEST(BootstrapTest, BCaIntervalAgainstScipyAndAPlainLoop) {
  const auto &b = golden()["bootstrap"];
  Vector x = toVector(b["x"]);
  auto stdev = [](const Vector &v) {
    return std::sqrt((v.array() - v.mean()).square().sum() /
                     static_cast<double>(v.size()));
  };
  BootstrapOptions o;
  o.interval = BootstrapInterval::BCa;
  BootstrapResult r = bootstrap(x, stdev, o);
  // Different random draws: within Monte Carlo error (3% of the width) of
  // SciPy's BCa interval, which the percentile interval is not (~10-15%).
  double width = b["std_bca_high"].get<double>() - b["std_bca_low"].get<double>();
  EXPECT_NEAR(r.low, b["std_bca_low"].get<double>(), 0.03 * width);
  EXPECT_NEAR(r.high, b["std_bca_high"].get<double>(), 0.03 * width);
  o.interval = BootstrapInterval::Percentile;
  BootstrapResult pct = bootstrap(x, stdev, o);
  EXPECT_EQ(pct.distribution, r.distribution);
  EXPECT_GT(std::abs(pct.high - b["std_bca_high"].get<double>()), 0.06 * width);

  // The same interval from the same resamples by the textbook formulas.
  std::vector<double> sorted(r.distribution.data(),
                             r.distribution.data() + r.distribution.size());
  std::sort(sorted.begin(), sorted.end());
  double below = 0;
  for (double t : sorted)
    below += t < r.estimate ? 1.0 : (t == r.estimate ? 0.5 : 0.0);
  double z0 = referenceNormalQuantile(below / static_cast<double>(sorted.size()));
  Index n = x.size();
  std::vector<double> jack;
  for (Index i = 0; i < n; ++i) {
    Vector rest(n - 1);
    for (Index j = 0, k = 0; j < n; ++j)
      if (j != i)
        rest[k++] = x[j];
    jack.push_back(stdev(rest));
  }
  double jm = 0;
  for (double t : jack)
    jm += t / static_cast<double>(n);
  double s2 = 0, s3 = 0;
  for (double t : jack) {
    s2 += (jm - t) * (jm - t);
    s3 += (jm - t) * (jm - t) * (jm - t);
  }
  double a = s3 / (6 * std::pow(s2, 1.5));
  auto at = [&](double z) {
    double q = 0.5 * std::erfc(-(z0 + (z0 + z) / (1 - a * (z0 + z))) / std::sqrt(2.0));
    double pos = q * static_cast<double>(sorted.size() - 1);
    auto lo = static_cast<std::size_t>(std::floor(pos));
    return sorted[lo] + (pos - static_cast<double>(lo)) *
                            (sorted[std::min(lo + 1, sorted.size() - 1)] - sorted[lo]);
  };
  double z = referenceNormalQuantile(0.025);
  EXPECT_NEAR(r.low, at(z), 1e-12);
  EXPECT_NEAR(r.high, at(-z), 1e-12);

  // The mean: BCa close to SciPy's too; paired rows go through the same code.
  o.interval = BootstrapInterval::BCa;
  auto mean = [](const Vector &v) { return v.mean(); };
  BootstrapResult m = bootstrap(x, mean, o);
  double mw = b["mean_bca_high"].get<double>() - b["mean_bca_low"].get<double>();
  EXPECT_NEAR(m.low, b["mean_bca_low"].get<double>(), 0.03 * mw);
  EXPECT_NEAR(m.high, b["mean_bca_high"].get<double>(), 0.03 * mw);
  Matrix rows = x;
  BootstrapResult mr = bootstrapRows(
      rows, [](const Matrix &v) { return v.col(0).mean(); }, o);
  EXPECT_NEAR(mr.low, m.low, 1e-12);
  EXPECT_NEAR(mr.high, m.high, 1e-12);
}

TEST(BootstrapTest, BadInput) {
  auto mean = [](const Vector &v) { return v.mean(); };
  EXPECT_CONTAINS(errorOf([&] { bootstrap(Vector::Ones(1), mean); }), "expected at least 2");
  Vector nan = Vector::Ones(4);
  nan[2] = NAN;
  EXPECT_CONTAINS(errorOf([&] { bootstrap(nan, mean); }), "non-finite value (nan) at index 2");
  BootstrapOptions o;
  o.confidence = 1.0;
  EXPECT_CONTAINS(errorOf([&] { bootstrap(Vector::Ones(4), mean, o); }), "confidence is 1");
  // BCa is undefined for a constant statistic (no resample below or above).
  o.confidence = 0.95;
  o.interval = BootstrapInterval::BCa;
  o.nResamples = 50;
  EXPECT_CONTAINS(errorOf([&] {
                    bootstrap(
                        Vector::LinSpaced(5, 0, 1), [](const Vector &) { return 1.0; },
                        o);
                  }),
                  "BCa interval is undefined");
  auto bad = [](const Vector &v) { return std::log(v[0] - 1.0); };
  EXPECT_CONTAINS(errorOf([&] { bootstrap(Vector::Ones(4), bad); }), "statistic of the sample is -inf");
}
