//===- ClusteringTest.cpp - k-means, PCA, ICA -----------------------------===//
#include "MlTestData.h"
#include "runtime/classical/Decomposition.h"
#include "runtime/classical/KMeans.h"
#include "runtime/classical/Metrics.h"
#include "runtime/Safetensors.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
struct ClusterCase {
  const char *name;
  int k;
  bool scaled;
};
const ClusterCase kKMeansCases[] = {{"iris", 3, false}, {"wine", 3, true}, {"digits", 10, false}};
} // namespace

TEST(KMeansTest, QualityAgainstSklearn) {
  for (const auto &c : kKMeansCases) {
    SCOPED_TRACE(c.name);
    const Split &d = dataset(c.name, c.scaled);
    KMeansOptions o;
    o.nClusters = c.k;
    o.nInit = 10;
    KMeans km(o);
    km.fit(d.Xtr);
    expectQuality(std::string("kmeans/") + c.name, km.inertia(), /*higherIsBetter=*/false);
    expectQuality(std::string("kmeans_ari/") + c.name, adjustedRandIndex(d.ltr, km.labels()),
                  true, 0.05);
    // Inertia is the sum of squared distances to the assigned centers, and
    // predict on the training rows gives the training labels.
    EXPECT_NEAR(-km.score(d.Xtr), km.inertia(), 1e-9 * km.inertia());
    EXPECT_EQ(km.predict(d.Xtr), km.labels());
    Matrix D = km.transform(d.Xtr);
    EXPECT_NEAR(D.rowwise().minCoeff().squaredNorm(), km.inertia(), 1e-9 * km.inertia());
  }
}

TEST(KMeansTest, DeterministicAndThreadIndependent) {
  const Split &d = dataset("digits");
  KMeansOptions o;
  o.nClusters = 10;
  o.nInit = 2;
  o.seed = 5;
  o.threads = 1;
  KMeans a(o);
  a.fit(d.Xtr);
  o.threads = 3;
  KMeans b(o);
  b.fit(d.Xtr);
  EXPECT_EQ(a.labels(), b.labels());
  EXPECT_EQ(a.centers(), b.centers());
}

TEST(KMeansTest, SaveLoad) {
  const Split &d = dataset("iris");
  KMeansOptions o;
  o.nClusters = 3;
  KMeans km(o);
  km.fit(d.Xtr);
  km.save(tempPath("km.safetensors"));
  KMeans back = KMeans::load(tempPath("km.safetensors"));
  EXPECT_EQ(back.centers(), km.centers());
  EXPECT_EQ(back.predict(d.Xte), km.predict(d.Xte));
}

TEST(KMeansTest, BadInput) {
  KMeansOptions o;
  o.nClusters = 8;
  EXPECT_CONTAINS(errorOf([&] { KMeans(o).fit(Matrix::Random(5, 2)); }),
                  "kiln.ml.KMeans.fit: X has 5 rows (5x2) but nClusters is 8");
  EXPECT_CONTAINS(errorOf([&] { KMeans(o).fit(Matrix(0, 2)); }), "X is empty");
  Matrix X = Matrix::Random(20, 2);
  X(3, 1) = std::nan("");
  EXPECT_CONTAINS(errorOf([&] { KMeans(o).fit(X); }), "non-finite");
  o.nClusters = 0;
  EXPECT_CONTAINS(errorOf([&] { KMeans(o).fit(Matrix::Random(5, 2)); }), "nClusters is 0");
  EXPECT_CONTAINS(errorOf([&] { KMeans().predict(Matrix::Random(5, 2)); }), "not fitted");
  // Duplicate points: more clusters than distinct points still terminates
  // with finite centers (empty clusters are re-seeded).
  o.nClusters = 4;
  Matrix dup = Matrix::Ones(6, 2);
  dup.bottomRows(3) *= 2;
  KMeans km(o);
  km.fit(dup);
  EXPECT_TRUE(km.centers().allFinite());
  EXPECT_NEAR(km.inertia(), 0.0, 1e-12);
}

TEST(PCATest, ExplainedVarianceAgainstSklearn) {
  for (auto [name, scaled] : {std::pair<const char *, bool>{"digits", false}, {"wine", true}}) {
    SCOPED_TRACE(name);
    const auto &ref = golden()["quality"][std::string("pca/") + name];
    const Split &d = dataset(name, scaled);
    Vector evr = toVector(ref["values"]), ev = toVector(ref["explained_variance"]);
    PCAOptions o;
    o.nComponents = static_cast<int>(evr.size());
    PCA pca(o);
    pca.fit(d.Xtr);
    EXPECT_LE(((pca.explainedVarianceRatio() - evr).array() / evr.array()).abs().maxCoeff(), 1e-6);
    EXPECT_LE(((pca.explainedVariance() - ev).array() / ev.array()).abs().maxCoeff(), 1e-6);
    std::printf("QUALITY %-40s kiln %.6f sklearn %.6f\n", (std::string("pca_evr_sum/") + name).c_str(),
                pca.explainedVarianceRatio().sum(), evr.sum());
    // Components are orthonormal; reconstruction error of the test rows
    // matches sklearn's.
    Matrix C = pca.components();
    EXPECT_LE((C * C.transpose() - Matrix::Identity(C.rows(), C.rows())).cwiseAbs().maxCoeff(), 1e-9);
    double mse = (pca.inverseTransform(pca.transform(d.Xte)) - d.Xte).array().square().mean();
    EXPECT_NEAR(mse, ref["reconstruction_mse"].get<double>(),
                1e-6 * ref["reconstruction_mse"].get<double>());
  }
}

TEST(PCATest, WhitenAndWideData) {
  const Split &d = dataset("wine", true);
  PCAOptions o;
  o.nComponents = 3;
  o.whiten = true;
  PCA pca(o);
  Matrix Z = pca.fitTransform(d.Xtr);
  Matrix cov = Z.transpose() * Z / static_cast<double>(Z.rows() - 1);
  EXPECT_LE((cov - Matrix::Identity(3, 3)).cwiseAbs().maxCoeff(), 1e-9);
  // More columns than rows takes the SVD path; it agrees with the
  // covariance path on the variances.
  Matrix wide = d.Xtr.topRows(8);
  PCA p1({0, false, 1});
  p1.fit(wide);
  EXPECT_EQ(p1.components().rows(), 8);
  Matrix Xc = wide.rowwise() - wide.colwise().mean();
  EXPECT_NEAR(p1.explainedVariance().sum(), Xc.squaredNorm() / 7.0, 1e-9);
}

TEST(PCATest, SaveLoadAndBadInput) {
  const Split &d = dataset("digits");
  PCA pca({5, false, 0});
  pca.fit(d.Xtr);
  pca.save(tempPath("pca.safetensors"));
  EXPECT_EQ(PCA::load(tempPath("pca.safetensors")).transform(d.Xte), pca.transform(d.Xte));
  EXPECT_CONTAINS(errorOf([&] { PCA({65, false, 0}).fit(d.Xtr); }),
                  "nComponents is 65 for X 1257x64; expected 1..64");
  EXPECT_CONTAINS(errorOf([&] { pca.transform(Matrix::Ones(2, 3)); }), "fitted on 64 feature(s)");
  EXPECT_CONTAINS(errorOf([&] { PCA().fit(Matrix::Ones(1, 3)); }), "expected at least 2");
}

namespace {
/// The three sources of gen_golden.py's ica_sources(): sine, square, sawtooth.
Matrix icaSources() {
  const Index n = 2000;
  Matrix S(n, 3);
  for (Index i = 0; i < n; ++i) {
    double t = 8.0 * static_cast<double>(i) / static_cast<double>(n - 1);
    double s = std::sin(3.0 * t);
    S(i, 0) = std::sin(2.0 * t);
    S(i, 1) = s > 0 ? 1.0 : (s < 0 ? -1.0 : 0.0);
    S(i, 2) = 2.0 * std::fmod(t * 0.7, 1.0) - 1.0;
  }
  return S;
}
} // namespace

TEST(FastICATest, RecoversSourcesAsWellAsSklearn) {
  Matrix S = icaSources();
  Matrix A(3, 3);
  A << 1.0, 1.0, 1.0, 0.5, 2.0, 1.0, 1.5, 1.0, 2.0;
  Matrix X = S * A.transpose();
  FastICAOptions o;
  o.maxIter = 1000;
  FastICA ica(o);
  Matrix R = ica.fitTransform(X);
  EXPECT_TRUE(ica.converged());
  // Mean over sources of the best |correlation| with a recovered component.
  auto corr = [](const Vector &a, const Vector &b) {
    Vector x = a.array() - a.mean(), y = b.array() - b.mean();
    return std::abs(x.dot(y)) / std::sqrt(x.squaredNorm() * y.squaredNorm());
  };
  double total = 0;
  for (Index s = 0; s < 3; ++s) {
    double best = 0;
    for (Index r = 0; r < 3; ++r)
      best = std::max(best, corr(S.col(s), R.col(r)));
    total += best;
  }
  expectQuality("ica/three_sources", total / 3);
  // Unit-variance sources; the mixing matrix maps them back to the data.
  Matrix cov = (R.rowwise() - R.colwise().mean()).transpose() * (R.rowwise() - R.colwise().mean()) /
               static_cast<double>(R.rows() - 1);
  EXPECT_LE((cov - Matrix::Identity(3, 3)).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LE((ica.inverseTransform(R) - X).cwiseAbs().maxCoeff(), 1e-9);
  for (auto fun : {IcaFunction::Exp, IcaFunction::Cube}) {
    FastICAOptions f = o;
    f.fun = fun;
    FastICA other(f);
    other.fit(X);
    EXPECT_TRUE(other.transform(X).allFinite());
  }
  ica.save(tempPath("ica.safetensors"));
  EXPECT_EQ(FastICA::load(tempPath("ica.safetensors")).transform(X), ica.transform(X));
}

TEST(FastICATest, BadInput) {
  Matrix X = Matrix::Random(50, 3);
  X.col(2) = X.col(0); // rank 2
  EXPECT_CONTAINS(errorOf([&] { FastICA().fit(X); }), "has rank below nComponents = 3");
  FastICA two({2, IcaFunction::LogCosh, 200, 1e-4, 0});
  two.fit(X); // the documented way out: fewer components
  EXPECT_EQ(two.unmixing().rows(), 2);
  EXPECT_CONTAINS(errorOf([&] { FastICA({4, IcaFunction::LogCosh, 200, 1e-4, 0}).fit(X); }),
                  "nComponents is 4");
}

TEST(ModelFileTest, MalformedFilesAreErrors) {
  // A PCA file whose mean does not match the components.
  ModelWriter w("PCA");
  w.put("components", Matrix(Matrix::Identity(2, 3)));
  w.put("mean", Vector(Vector::Zero(4)));
  w.put("explained_variance", Vector(Vector::Ones(2)));
  w.put("explained_variance_ratio", Vector(Vector::Ones(2)));
  w.setting("whiten", 0.0);
  w.save(tempPath("pca.safetensors"));
  EXPECT_CONTAINS(errorOf([&] { PCA::load(tempPath("pca.safetensors")); }),
                  "tensor 'mean' is tensor<4xf64>; expected a 1-D tensor of size 3");
  // A k-means file with a NaN center, and one without the centers.
  ModelWriter k("KMeans");
  Matrix C = Matrix::Zero(2, 2);
  C(1, 1) = NAN;
  k.put("centers", C);
  k.setting("inertia", 1.0);
  k.save(tempPath("km.safetensors"));
  EXPECT_CONTAINS(errorOf([&] { KMeans::load(tempPath("km.safetensors")); }), "non-finite value");
  ModelWriter empty("KMeans");
  empty.setting("inertia", 1.0);
  empty.save(tempPath("km2.safetensors"));
  EXPECT_CONTAINS(errorOf([&] { KMeans::load(tempPath("km2.safetensors")); }),
                  "missing tensor 'centers'");
  // Not a model file at all.
  kiln::saveSafetensors(tempPath("plain.safetensors"), {{"x", toTensor(Vector(Vector::Ones(2)))}});
  EXPECT_CONTAINS(errorOf([&] { KMeans::load(tempPath("plain.safetensors")); }),
                  "is not a Kiln ML model file");
}
