//===- LinearModelsTest.cpp - Linear, ridge, MAP, RANSAC, scaler ----------===//
#include "MlTestData.h"
#include "runtime/classical/LinearModels.h"
#include "runtime/classical/Metrics.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

TEST(LinearModelsTest, LinearRegressionQuality) {
  const Split &d = dataset("diabetes");
  LinearRegression m;
  m.fit(d.Xtr, d.ytr);
  expectQuality("linear_regression/diabetes", m.score(d.Xte, d.yte));
  // Normal equations hold at the solution: X^T (y - Xw - b) = 0.
  Vector residual = d.ytr - m.predict(d.Xtr);
  EXPECT_LE((d.Xtr.transpose() * residual).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_NEAR(residual.sum(), 0.0, 1e-7);
}

TEST(LinearModelsTest, RidgeQuality) {
  const Split &d = dataset("diabetes");
  Ridge r1({1.0, true}), r2({0.01, true});
  expectQuality("ridge/diabetes", r1.fit(d.Xtr, d.ytr).score(d.Xte, d.yte));
  expectQuality("ridge_alpha0.01/diabetes", r2.fit(d.Xtr, d.ytr).score(d.Xte, d.yte));
  // The ridge optimality condition: X^T (y - Xw - b) = alpha w.
  Vector residual = d.ytr - r1.predict(d.Xtr);
  EXPECT_LE((d.Xtr.transpose() * residual - 1.0 * r1.coef()).cwiseAbs().maxCoeff(), 1e-6);
  // alpha = 0 is least squares.
  Ridge r0({0.0, true});
  r0.fit(d.Xtr, d.ytr);
  LinearRegression lr;
  lr.fit(d.Xtr, d.ytr);
  EXPECT_LE((r0.coef() - lr.coef()).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(LinearModelsTest, BayesianMapQuality) {
  const Split &d = dataset("diabetes");
  BayesianLinearRegression m;
  m.fit(d.Xtr, d.ytr);
  expectQuality("bayesian_ridge/diabetes", m.score(d.Xte, d.yte));
  EXPECT_GT(m.alpha(), 0);
  EXPECT_GT(m.lambda(), 0);
  // The MAP weights are the ridge solution with penalty lambda / alpha.
  Ridge r({m.lambda() / m.alpha(), true});
  r.fit(d.Xtr, d.ytr);
  EXPECT_LE((r.coef() - m.coef()).cwiseAbs().maxCoeff(), 1e-6 * m.coef().cwiseAbs().maxCoeff());
  Vector sd = m.predictStd(d.Xte);
  EXPECT_TRUE((sd.array() >= 1.0 / std::sqrt(m.alpha()) - 1e-12).all());
  // Fixed hyperparameters: exactly ridge with alpha_ridge = lambda / alpha.
  BayesianLinearRegressionOptions fixed;
  fixed.optimizeHyperparameters = false;
  fixed.alphaInit = 2.0;
  fixed.lambdaInit = 6.0;
  BayesianLinearRegression mf(fixed);
  mf.fit(d.Xtr, d.ytr);
  Ridge r3({3.0, true});
  r3.fit(d.Xtr, d.ytr);
  EXPECT_LE((r3.coef() - mf.coef()).cwiseAbs().maxCoeff(), 1e-6 * r3.coef().cwiseAbs().maxCoeff());
}

TEST(LinearModelsTest, RansacQuality) {
  const Split &d = dataset("diabetes");
  const auto &t = golden()["ransac_targets"];
  Vector ytr = toVector(t["train"]), yte = toVector(t["test"]);
  double total = 0;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    RANSACOptions o;
    o.seed = seed;
    RANSAC m(o);
    m.fit(d.Xtr, ytr);
    total += m.score(d.Xte, yte);
    // Every 7th training target is an outlier: none may be an inlier.
    for (std::size_t i = 0; i < m.inlierMask().size(); i += 7)
      EXPECT_FALSE(m.inlierMask()[i]) << "outlier " << i << " kept, seed " << seed;
  }
  expectQuality("ransac/diabetes_outliers", total / 10);
  LinearRegression lr;
  expectQuality("linear_regression/diabetes_outliers", lr.fit(d.Xtr, ytr).score(d.Xte, yte));
}

TEST(LinearModelsTest, StandardScaler) {
  const Split &d = dataset("wine");
  StandardScaler s;
  Matrix Z = s.fitTransform(d.Xtr);
  EXPECT_LE(Z.colwise().mean().cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LE((Z.array().square().colwise().mean() - 1.0).abs().maxCoeff(), 1e-12);
  EXPECT_LE((s.inverseTransform(Z) - d.Xtr).cwiseAbs().maxCoeff(), 1e-9);
  Matrix constant = Matrix::Ones(4, 2);
  StandardScaler c;
  EXPECT_LE(c.fitTransform(constant).cwiseAbs().maxCoeff(), 0.0); // scale 1, no NaN
}

TEST(LinearModelsTest, SaveLoad) {
  const Split &d = dataset("diabetes");
  LinearRegression lr;
  lr.fit(d.Xtr, d.ytr);
  lr.save(tempPath("lr.safetensors"));
  EXPECT_EQ(LinearRegression::load(tempPath("lr.safetensors")).predict(d.Xte), lr.predict(d.Xte));
  Ridge r;
  r.fit(d.Xtr, d.ytr);
  r.save(tempPath("ridge.safetensors"));
  EXPECT_EQ(Ridge::load(tempPath("ridge.safetensors")).predict(d.Xte), r.predict(d.Xte));
  BayesianLinearRegression b;
  b.fit(d.Xtr, d.ytr);
  b.save(tempPath("blr.safetensors"));
  auto b2 = BayesianLinearRegression::load(tempPath("blr.safetensors"));
  EXPECT_EQ(b2.predict(d.Xte), b.predict(d.Xte));
  EXPECT_EQ(b2.predictStd(d.Xte), b.predictStd(d.Xte));
  RANSAC rs;
  rs.fit(d.Xtr, d.ytr);
  rs.save(tempPath("ransac.safetensors"));
  EXPECT_EQ(RANSAC::load(tempPath("ransac.safetensors")).predict(d.Xte), rs.predict(d.Xte));
  StandardScaler s;
  s.fit(d.Xtr);
  s.save(tempPath("scaler.safetensors"));
  EXPECT_EQ(StandardScaler::load(tempPath("scaler.safetensors")).transform(d.Xte),
            s.transform(d.Xte));
  // Loading a file of another model type is an error naming both.
  EXPECT_CONTAINS(errorOf([&] { Ridge::load(tempPath("lr.safetensors")); }),
                  "holds a LinearRegression model; expected Ridge");
}

TEST(LinearModelsTest, BadInput) {
  Matrix X = Matrix::Random(10, 3);
  Vector y = Vector::Random(10);
  LinearRegression lr;
  EXPECT_CONTAINS(errorOf([&] { lr.fit(X, Vector::Zero(9)); }),
                  "kiln.ml.LinearRegression.fit: y has 9 values but X has 10 rows");
  EXPECT_CONTAINS(errorOf([&] { lr.fit(Matrix(0, 3), Vector()); }), "X is empty (0x3)");
  Matrix bad = X;
  bad(4, 2) = std::nan("");
  EXPECT_CONTAINS(errorOf([&] { lr.fit(bad, y); }), "non-finite value (nan) at row 4, column 2");
  Vector ybad = y;
  ybad[3] = INFINITY;
  EXPECT_CONTAINS(errorOf([&] { lr.fit(X, ybad); }), "y has a non-finite value (inf) at index 3");
  EXPECT_CONTAINS(errorOf([&] { lr.predict(X); }), "not fitted");
  lr.fit(X, y);
  EXPECT_CONTAINS(errorOf([&] { lr.predict(Matrix::Ones(2, 4)); }),
                  "X is 2x4 but the model was fitted on 3 feature(s)");
  EXPECT_CONTAINS(errorOf([&] { Ridge({-1.0, true}).fit(X, y); }), "alpha is -1");
  // Singular X: a duplicated column. Least squares gives the minimum-norm
  // solution, ridge is regularized; neither produces NaN.
  Matrix S(10, 2);
  S.col(0) = X.col(0);
  S.col(1) = X.col(0);
  LinearRegression ls;
  ls.fit(S, y);
  EXPECT_TRUE(ls.coef().allFinite());
  EXPECT_NEAR(ls.coef()[0], ls.coef()[1], 1e-9);
  RANSACOptions ro;
  ro.minSamples = 11;
  EXPECT_CONTAINS(errorOf([&] { RANSAC(ro).fit(X, y); }), "minSamples is 11 but X (10x3)");
  BayesianLinearRegressionOptions bo;
  bo.optimizeHyperparameters = false;
  bo.alphaInit = 0;
  EXPECT_CONTAINS(errorOf([&] { BayesianLinearRegression(bo).fit(X, y); }), "must be > 0");
  EXPECT_CONTAINS(errorOf([&] { StandardScaler().transform(X); }), "not fitted");
}
