//===- MixtureTest.cpp - Gaussian mixtures by EM ---------------------------===//
#include "MlTestData.h"
#include "runtime/classical/GaussianMixture.h"
#include "runtime/classical/Metrics.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

TEST(GaussianMixtureTest, LogLikelihoodAgainstSklearn) {
  for (auto [name, scaled] : {std::pair<const char *, bool>{"iris", false}, {"wine", true}}) {
    for (auto [type, tag] : {std::pair<CovarianceType, const char *>{CovarianceType::Full, "full"},
                             {CovarianceType::Diagonal, "diag"}}) {
      SCOPED_TRACE(std::string(name) + " " + tag);
      const Split &d = dataset(name, scaled);
      GaussianMixtureOptions o;
      o.nComponents = 3;
      o.covarianceType = type;
      o.nInit = 10;
      GaussianMixture gmm(o);
      gmm.fit(d.Xtr);
      expectQuality(std::string("gmm_") + tag + "/" + name, gmm.score(d.Xtr));
      EXPECT_NEAR(gmm.lowerBound(), gmm.score(d.Xtr), 1e-9);
      EXPECT_NEAR(gmm.weights().sum(), 1.0, 1e-9);
      Matrix P = gmm.predictProba(d.Xte);
      EXPECT_LE((P.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-9);
    }
  }
}

TEST(GaussianMixtureTest, HardAssignmentAndThreads) {
  const Split &d = dataset("iris");
  GaussianMixtureOptions o;
  o.nComponents = 3;
  o.assignment = Assignment::Hard;
  o.nInit = 5;
  o.threads = 1;
  GaussianMixture hard(o);
  hard.fit(d.Xtr);
  EXPECT_TRUE(std::isfinite(hard.score(d.Xtr)));
  // Classification EM still separates the species about as well as k-means.
  EXPECT_GT(adjustedRandIndex(d.ltr, hard.predict(d.Xtr)), 0.6);
  o.threads = 3;
  GaussianMixture hard3(o);
  hard3.fit(d.Xtr);
  EXPECT_EQ(hard.means(), hard3.means());
  // Soft EM never has a lower likelihood than hard EM from the same inits.
  o.assignment = Assignment::Soft;
  GaussianMixture soft(o);
  soft.fit(d.Xtr);
  EXPECT_GE(soft.score(d.Xtr), hard.score(d.Xtr) - 1e-9);
  EXPECT_LT(soft.bic(d.Xtr), GaussianMixture(GaussianMixtureOptions{}).fit(d.Xtr).bic(d.Xtr));
}

TEST(GaussianMixtureTest, SaveLoad) {
  const Split &d = dataset("wine", true);
  for (auto type : {CovarianceType::Full, CovarianceType::Diagonal}) {
    GaussianMixtureOptions o;
    o.nComponents = 2;
    o.covarianceType = type;
    GaussianMixture gmm(o);
    gmm.fit(d.Xtr);
    gmm.save(tempPath("gmm.safetensors"));
    GaussianMixture back = GaussianMixture::load(tempPath("gmm.safetensors"));
    EXPECT_LE((back.scoreSamples(d.Xte) - gmm.scoreSamples(d.Xte)).cwiseAbs().maxCoeff(), 1e-12);
  }
}

TEST(GaussianMixtureTest, BadInputAndRegularization) {
  GaussianMixtureOptions o;
  o.nComponents = 4;
  EXPECT_CONTAINS(errorOf([&] { GaussianMixture(o).fit(Matrix::Random(3, 2)); }),
                  "X has 3 rows (3x2) but nComponents is 4");
  Matrix X = Matrix::Random(30, 2);
  X(5, 0) = NAN;
  EXPECT_CONTAINS(errorOf([&] { GaussianMixture(o).fit(X); }), "non-finite value (nan)");
  // Points on a line: the covariance is singular without regCovar ...
  Matrix line(40, 2);
  for (Index i = 0; i < 40; ++i)
    line.row(i) << i % 10, 2.0 * (i % 10);
  o.nComponents = 2;
  o.regCovar = 0;
  EXPECT_CONTAINS(errorOf([&] { GaussianMixture(o).fit(line); }), "not positive definite");
  // ... and regCovar (the default 1e-6) keeps it positive definite.
  o.regCovar = 1e-6;
  GaussianMixture ok(o);
  ok.fit(line);
  EXPECT_TRUE(std::isfinite(ok.score(line)));
  EXPECT_CONTAINS(errorOf([&] { GaussianMixture().predict(line); }), "not fitted");
  EXPECT_CONTAINS(errorOf([&] { ok.predict(Matrix::Ones(2, 3)); }), "fitted on 2 feature(s)");
}
