//===- BoostingTest.cpp - AdaBoost (SAMME) and gradient boosting ----------===//
#include "MlTestData.h"
#include "runtime/classical/Boosting.h"
#include "runtime/classical/Metrics.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
const char *kClassSets[] = {"iris", "wine", "breast_cancer", "digits"};
} // namespace

TEST(AdaBoostTest, QualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    AdaBoostOptions o;
    o.nEstimators = 100;
    o.maxDepth = 2;
    AdaBoostClassifier ab(o);
    ab.fit(d.Xtr, d.ltr);
    expectQuality(std::string("adaboost/") + name, ab.score(d.Xte, d.lte));
    Matrix P = ab.predictProba(d.Xte);
    EXPECT_LE((P.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-9);
  }
}

namespace {
/// Mean test score over as many seeds as the golden value of `key` used
/// (the seed only decides ties between equally good features).
template <typename Model, typename Targets>
double meanScore(const std::string &key, const Split &d, const Targets &ytr, const Targets &yte) {
  int seeds = golden()["quality"][key]["settings"]["seeds"].get<int>();
  double total = 0;
  for (int s = 0; s < seeds; ++s) {
    GradientBoostingOptions o;
    o.seed = static_cast<uint64_t>(s);
    Model m(o);
    m.fit(d.Xtr, ytr);
    total += m.score(d.Xte, yte);
  }
  return total / seeds;
}
} // namespace

TEST(GradientBoostingTest, QualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    std::string key = std::string("gradient_boosting/") + name;
    expectQuality(key, meanScore<GradientBoostingClassifier>(key, d, d.ltr, d.lte));
    // Log loss on the training set is small: boosting fits it.
    GradientBoostingClassifier gb;
    gb.fit(d.Xtr, d.ltr);
    EXPECT_LT(logLoss(d.ltr, gb.predictProba(d.Xtr)), 0.2);
  }
  const Split &d = dataset("diabetes");
  expectQuality("gradient_boosting/diabetes",
                meanScore<GradientBoostingRegressor>("gradient_boosting/diabetes", d, d.ytr, d.yte));
}

TEST(GradientBoostingTest, ThreadsAndSubsample) {
  const Split &d = dataset("wine");
  GradientBoostingOptions o;
  o.nEstimators = 20;
  o.subsample = 0.7;
  o.threads = 1;
  GradientBoostingClassifier a(o);
  a.fit(d.Xtr, d.ltr);
  o.threads = 3;
  GradientBoostingClassifier b(o);
  b.fit(d.Xtr, d.ltr);
  EXPECT_EQ(a.predictProba(d.Xte), b.predictProba(d.Xte));
  EXPECT_GT(a.score(d.Xte, d.lte), 0.85);
}

TEST(BoostingTest, SaveLoad) {
  const Split &d = dataset("breast_cancer");
  AdaBoostClassifier ab;
  ab.fit(d.Xtr, d.ltr);
  ab.save(tempPath("ab.safetensors"));
  EXPECT_EQ(AdaBoostClassifier::load(tempPath("ab.safetensors")).predictProba(d.Xte),
            ab.predictProba(d.Xte));
  GradientBoostingOptions o;
  o.nEstimators = 10;
  GradientBoostingClassifier gb(o);
  gb.fit(d.Xtr, d.ltr);
  gb.save(tempPath("gbc.safetensors"));
  EXPECT_EQ(GradientBoostingClassifier::load(tempPath("gbc.safetensors")).predictProba(d.Xte),
            gb.predictProba(d.Xte));
  const Split &w = dataset("wine");
  GradientBoostingClassifier gm(o);
  gm.fit(w.Xtr, w.ltr);
  gm.save(tempPath("gbm.safetensors"));
  EXPECT_EQ(GradientBoostingClassifier::load(tempPath("gbm.safetensors")).predictProba(w.Xte),
            gm.predictProba(w.Xte));
  const Split &r = dataset("diabetes");
  GradientBoostingRegressor gr(o);
  gr.fit(r.Xtr, r.ytr);
  gr.save(tempPath("gbr.safetensors"));
  EXPECT_EQ(GradientBoostingRegressor::load(tempPath("gbr.safetensors")).predict(r.Xte),
            gr.predict(r.Xte));
}

TEST(BoostingTest, BadInput) {
  Matrix X = Matrix::Random(10, 2);
  Labels y(10);
  y << 0, 1, 0, 1, 0, 1, 0, 1, 0, 1;
  EXPECT_CONTAINS(errorOf([&] { AdaBoostClassifier().fit(X, Labels::Ones(10)); }),
                  "single class (1)");
  EXPECT_CONTAINS(errorOf([&] { GradientBoostingClassifier().fit(X, Labels::Ones(10)); }),
                  "single class (1)");
  GradientBoostingOptions o;
  o.learningRate = 0;
  EXPECT_CONTAINS(errorOf([&] { GradientBoostingRegressor(o).fit(X, Vector::Zero(10)); }),
                  "learningRate is 0");
  o = GradientBoostingOptions();
  o.subsample = 1.5;
  EXPECT_CONTAINS(errorOf([&] { GradientBoostingClassifier(o).fit(X, y); }), "subsample is 1.5");
  Matrix bad = X;
  bad(1, 1) = NAN;
  EXPECT_CONTAINS(errorOf([&] { GradientBoostingClassifier().fit(bad, y); }), "non-finite");
  EXPECT_CONTAINS(errorOf([&] { GradientBoostingRegressor().fit(X, Vector::Zero(3)); }),
                  "y has 3 values but X has 10 rows");
  // Identical rows with different labels: no stump beats chance.
  Matrix same = Matrix::Ones(10, 2);
  EXPECT_CONTAINS(errorOf([&] { AdaBoostClassifier().fit(same, y); }), "no better than chance");
  EXPECT_CONTAINS(errorOf([&] { AdaBoostClassifier().predict(X); }), "not fitted");
}
