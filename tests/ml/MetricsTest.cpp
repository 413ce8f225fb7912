//===- MetricsTest.cpp - Metrics and distances vs scikit-learn / SciPy -----===//
//
// Inputs and expected outputs come from golden.json (sklearn.metrics 1.2 and
// scipy.spatial.distance.cdist); doubles must agree to 1e-9.
//
//===----------------------------------------------------------------------===//
#include "MlTestData.h"
#include "runtime/classical/Distances.h"
#include "runtime/classical/Metrics.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
constexpr double kTol = 1e-9;
const nlohmann::json &metricsGolden() { return golden()["metrics"]; }
double g(const nlohmann::json &j, const char *key) { return j[key].get<double>(); }
} // namespace

TEST(MetricsTest, MulticlassAgainstSklearn) {
  const auto &m = metricsGolden()["multiclass"];
  Labels yt = toLabels(m["y_true"]), yp = toLabels(m["y_pred"]);
  EXPECT_NEAR(accuracy(yt, yp), g(m, "accuracy"), kTol);
  EXPECT_NEAR(balancedAccuracy(yt, yp), g(m, "balanced_accuracy"), kTol);
  struct Case {
    Average avg;
    const char *name;
  } cases[] = {{Average::Macro, "macro"}, {Average::Micro, "micro"}, {Average::Weighted, "weighted"}};
  for (const auto &c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_NEAR(precision(yt, yp, c.avg), g(m, (std::string("precision_") + c.name).c_str()), kTol);
    EXPECT_NEAR(recall(yt, yp, c.avg), g(m, (std::string("recall_") + c.name).c_str()), kTol);
    EXPECT_NEAR(f1Score(yt, yp, c.avg), g(m, (std::string("f1_") + c.name).c_str()), kTol);
  }
  Eigen::MatrixXi cm = confusionMatrix(yt, yp);
  const auto &ref = m["confusion"];
  ASSERT_EQ(cm.rows(), static_cast<Index>(ref.size()));
  for (Index i = 0; i < cm.rows(); ++i)
    for (Index j = 0; j < cm.cols(); ++j)
      EXPECT_EQ(cm(i, j), ref[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<int>());
  EXPECT_NEAR(logLoss(yt, toMatrix(m["proba"])), g(m, "log_loss"), kTol);
}

TEST(MetricsTest, BinaryAgainstSklearn) {
  const auto &b = metricsGolden()["binary"];
  Labels yt = toLabels(b["y_true"]), yp = toLabels(b["y_pred"]);
  EXPECT_NEAR(rocAuc(yt, toVector(b["score"])), g(b, "roc_auc"), kTol);
  EXPECT_NEAR(binaryLogLoss(yt, toVector(b["prob"])), g(b, "log_loss"), kTol);
  EXPECT_NEAR(precision(yt, yp), g(b, "precision"), kTol);
  EXPECT_NEAR(recall(yt, yp), g(b, "recall"), kTol);
  EXPECT_NEAR(f1Score(yt, yp), g(b, "f1"), kTol);
  EXPECT_NEAR(accuracy(yt, yp), g(b, "accuracy"), kTol);
}

TEST(MetricsTest, RegressionAgainstSklearn) {
  const auto &r = metricsGolden()["regression"];
  Vector yt = toVector(r["y_true"]), yp = toVector(r["y_pred"]);
  EXPECT_NEAR(r2Score(yt, yp), g(r, "r2"), kTol);
  EXPECT_NEAR(meanSquaredError(yt, yp), g(r, "mse"), kTol);
  EXPECT_NEAR(meanAbsoluteError(yt, yp), g(r, "mae"), kTol);
  EXPECT_NEAR(explainedVariance(yt, yp), g(r, "explained_variance"), kTol);
}

TEST(MetricsTest, ClusteringAgainstSklearn) {
  const auto &c = metricsGolden()["clustering"];
  Matrix X = toMatrix(c["X"]);
  Labels l = toLabels(c["labels"]), lt = toLabels(c["labels_true"]);
  EXPECT_NEAR(silhouetteScore(X, l), g(c, "silhouette"), kTol);
  EXPECT_NEAR(silhouetteScore(X, l, 1), g(c, "silhouette"), kTol);
  EXPECT_NEAR(adjustedRandIndex(lt, l), g(c, "ari"), kTol);
  EXPECT_NEAR(adjustedRandIndex(lt, lt), 1.0, kTol);
}

TEST(MetricsTest, EdgeCases) {
  Labels a(4), b(4);
  a << 0, 0, 1, 1;
  b << 1, 1, 0, 0;
  EXPECT_DOUBLE_EQ(adjustedRandIndex(a, b), 1.0); // same partition, renamed
  EXPECT_DOUBLE_EQ(accuracy(a, b), 0.0);
  Vector c = Vector::Constant(3, 2.0);
  EXPECT_DOUBLE_EQ(r2Score(c, c), 1.0);
  Labels pos(3), none(3);
  pos << 1, 1, 0;
  none << 0, 0, 0;
  EXPECT_DOUBLE_EQ(precision(pos, none), 0.0); // nothing predicted positive
}

TEST(MetricsTest, BadInput) {
  Labels a(3), b(2);
  a << 0, 1, 1;
  b << 0, 1;
  EXPECT_CONTAINS(errorOf([&] { accuracy(a, b); }), "yTrue has 3 values but yPred has 2");
  EXPECT_CONTAINS(errorOf([&] { accuracy(Labels(), Labels()); }), "yTrue is empty");
  Vector nan = Vector::Zero(3);
  nan[1] = std::nan("");
  EXPECT_CONTAINS(errorOf([&] { r2Score(Vector::Zero(3), nan); }), "non-finite");
  EXPECT_CONTAINS(errorOf([&] { rocAuc(Labels::Zero(3), Vector::Zero(3)); }), "single class");
  Labels multi(3);
  multi << 0, 1, 2;
  EXPECT_CONTAINS(errorOf([&] { precision(multi, multi); }), "Average::Binary");
  EXPECT_CONTAINS(errorOf([&] { logLoss(a, Matrix::Constant(3, 3, 0.3)); }),
                  "proba is 3x3 but yTrue has 2 distinct labels");
  EXPECT_CONTAINS(errorOf([&] { silhouetteScore(Matrix::Zero(3, 2), multi); }),
                  "3 clusters for 3 samples");
}

TEST(DistancesTest, PairwiseAgainstScipy) {
  const auto &d = golden()["distances"];
  Matrix X = toMatrix(d["X"]), Y = toMatrix(d["Y"]);
  DistanceOptions opts;
  opts.VI = toMatrix(d["VI"]);
  struct Case {
    Metric metric;
    double p;
    const char *key;
  } cases[] = {{Metric::Euclidean, 2, "euclidean"},   {Metric::SqEuclidean, 2, "sqeuclidean"},
               {Metric::Manhattan, 2, "manhattan"},   {Metric::Cosine, 2, "cosine"},
               {Metric::Chebyshev, 2, "chebyshev"},   {Metric::Minkowski, 3, "minkowski3"},
               {Metric::Minkowski, 1.5, "minkowski1.5"}, {Metric::Mahalanobis, 2, "mahalanobis"}};
  for (const auto &c : cases) {
    SCOPED_TRACE(c.key);
    opts.p = c.p;
    Matrix D = pairwiseDistances(X, Y, c.metric, opts);
    Matrix ref = toMatrix(d[c.key]);
    ASSERT_EQ(D.rows(), ref.rows());
    ASSERT_EQ(D.cols(), ref.cols());
    EXPECT_LE((D - ref).cwiseAbs().maxCoeff(), kTol);
  }
  // The vector forms agree with the pairwise ones.
  Vector a = X.row(2).transpose(), b = Y.row(5).transpose();
  EXPECT_NEAR(euclidean(a, b), toMatrix(d["euclidean"])(2, 5), kTol);
  EXPECT_NEAR(sqEuclidean(a, b), toMatrix(d["sqeuclidean"])(2, 5), kTol);
  EXPECT_NEAR(manhattan(a, b), toMatrix(d["manhattan"])(2, 5), kTol);
  EXPECT_NEAR(cosineDistance(a, b), toMatrix(d["cosine"])(2, 5), kTol);
  EXPECT_NEAR(chebyshev(a, b), toMatrix(d["chebyshev"])(2, 5), kTol);
  EXPECT_NEAR(minkowski(a, b, 3), toMatrix(d["minkowski3"])(2, 5), kTol);
  EXPECT_NEAR(mahalanobis(a, b, opts.VI), toMatrix(d["mahalanobis"])(2, 5), kTol);
  // Self-distances are zero on the diagonal.
  Matrix S = pairwiseDistances(X, Metric::Euclidean);
  EXPECT_LE(S.diagonal().cwiseAbs().maxCoeff(), 0.0);
}

TEST(DistancesTest, BadInput) {
  Vector a = Vector::Ones(3), b = Vector::Ones(2);
  EXPECT_CONTAINS(errorOf([&] { euclidean(a, b); }), "sizes 3 and 2");
  EXPECT_CONTAINS(errorOf([&] { minkowski(a, a, 0.5); }), "p >= 1");
  EXPECT_CONTAINS(errorOf([&] { cosineDistance(a, Vector::Zero(3)); }), "zero vector");
  EXPECT_CONTAINS(errorOf([&] { mahalanobis(a, a, Matrix::Identity(2, 2)); }),
                  "VI is 2x2 for vectors of size 3");
  EXPECT_CONTAINS(errorOf([&] {
                    pairwiseDistances(Matrix::Ones(2, 3), Matrix::Ones(2, 4), Metric::Euclidean);
                  }),
                  "X is 2x3 and Y is 2x4");
  Matrix inf = Matrix::Ones(2, 2);
  inf(1, 0) = INFINITY;
  EXPECT_CONTAINS(errorOf([&] { pairwiseDistances(inf, Metric::Manhattan); }),
                  "non-finite value (inf) at row 1, column 0");
  EXPECT_CONTAINS(errorOf([&] { pairwiseDistances(Matrix(0, 3), Metric::Manhattan); }),
                  "X is empty (0x3)");
}
