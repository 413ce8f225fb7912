//===- MLGraphTest.cpp - Classical-ML ops in a compiled graph vs kiln::ml -===//
//
// Each classical-ML op, built by the DSL from a model fitted with kiln::ml
// on a packaged data set (tests/ml/data), JIT-compiled and run, must agree
// with the library (itself tested against scikit-learn golden values):
// 1e-5 relative in f32 (1e-9 in f64) for real outputs, exactly for labels
// (f64). The metrics are also checked against plain loops. Fitting ops must
// give the library's parameters. Bad shapes are errors naming the op and
// shapes; bad data met at run time makes run() throw, naming the op.
//
//===----------------------------------------------------------------------===//
#include "examples/ml/IrisCsv.h"
#include "frontend/Kiln.h"
#include "frontend/MLOps.h"
#include "runtime/classical/Distances.h"
#include "runtime/classical/Metrics.h"

#include <gtest/gtest.h>

#include <functional>

namespace {

using kiln::DType;
using kiln::Model;
using kiln::Tensor;
using kiln::Value;
namespace ml = kiln::ml;

struct Data {
  ml::Matrix X;
  ml::Labels y;
};

const Data &iris() {
  static Data d = [] {
    Data r;
    ml::examples::readCsv(KILN_ML_DATA_DIR "/iris.csv", r.X, r.y);
    return r;
  }();
  return d;
}

Tensor toTensor(const ml::Matrix &a, DType dtype) {
  Tensor t({a.rows(), a.cols()}, DType::F64);
  for (ml::Index i = 0; i < a.rows(); ++i)
    for (ml::Index j = 0; j < a.cols(); ++j)
      t.data<double>()[i * a.cols() + j] = a(i, j);
  return dtype == DType::F64 ? t : t.to(dtype);
}

/// Runs a one-input graph `build(x)` on X.
Tensor runGraph(const ml::Matrix &X, DType dtype, const std::function<Value(Model &, Value)> &build) {
  Model m("ml_graph");
  Value x = m.input("x", {kiln::kBatch, X.cols()}, dtype);
  m.output(build(m, x));
  return kiln::jit(m).run({toTensor(X, dtype)})[0];
}

void expectClose(const Tensor &actual, const ml::Matrix &expected, double rel,
                 const std::string &what) {
  Tensor a = actual.to(DType::F64);
  ASSERT_EQ(a.numel(), expected.size()) << what;
  int64_t cols = expected.cols();
  double scale = std::max(1.0, expected.cwiseAbs().maxCoeff());
  for (ml::Index i = 0; i < expected.rows(); ++i)
    for (ml::Index j = 0; j < cols; ++j) {
      double e = expected(i, j), v = a.data<double>()[i * cols + j];
      ASSERT_NEAR(v, e, rel * scale) << what << " at (" << i << ", " << j << ")";
    }
}

void expectLabels(const Tensor &actual, const ml::Labels &expected, const std::string &what) {
  ASSERT_EQ(actual.dtype(), DType::I64) << what;
  ASSERT_EQ(actual.numel(), expected.size()) << what;
  int64_t mismatches = 0;
  for (ml::Index i = 0; i < expected.size(); ++i)
    mismatches += actual.data<int64_t>()[i] != expected[i];
  EXPECT_EQ(mismatches, 0) << what;
}

class MLGraphTest : public ::testing::TestWithParam<DType> {
protected:
  double tol() const { return GetParam() == DType::F32 ? 1e-5 : 1e-9; }
};

TEST_P(MLGraphTest, PcaTransform) {
  for (bool whiten : {false, true}) {
    ml::PCAOptions o;
    o.nComponents = 3;
    o.whiten = whiten;
    ml::PCA pca(o);
    pca.fit(iris().X);
    Tensor z = runGraph(iris().X, GetParam(), [&](Model &m, Value x) { return ml::pcaTransform(x, pca); });
    expectClose(z, pca.transform(iris().X), tol(), whiten ? "whitened" : "plain");
  }
}

TEST_P(MLGraphTest, LinearPredict) {
  // Petal width from the other three features.
  ml::Matrix X = iris().X.leftCols(3);
  ml::Vector t = iris().X.col(3);
  ml::LinearRegression lr;
  lr.fit(X, t);
  Tensor p = runGraph(X, GetParam(), [&](Model &m, Value x) { return ml::linearPredict(x, lr); });
  EXPECT_EQ(p.shape(), kiln::Shape({X.rows()}));
  expectClose(p, lr.predict(X), tol(), "LinearRegression");
  ml::Ridge ridge;
  ridge.fit(X, t);
  p = runGraph(X, GetParam(), [&](Model &m, Value x) { return ml::linearPredict(x, ridge); });
  expectClose(p, ridge.predict(X), tol(), "Ridge");
}

TEST_P(MLGraphTest, PairwiseDistance) {
  ml::Matrix Y = iris().X.topRows(7);
  const std::pair<const char *, ml::Metric> metrics[] = {
      {"euclidean", ml::Metric::Euclidean}, {"sqeuclidean", ml::Metric::SqEuclidean},
      {"manhattan", ml::Metric::Manhattan}, {"chebyshev", ml::Metric::Chebyshev},
      {"cosine", ml::Metric::Cosine}};
  for (auto [name, metric] : metrics) {
    Tensor d = runGraph(iris().X, GetParam(), [&](Model &m, Value x) {
      Value y = m.constant(toTensor(Y, GetParam()));
      return kiln::pairwiseDistance(x, y, name);
    });
    // The matmul identity loses digits next to 0 (cancellation): absolute
    // error relative to the largest squared norm for the euclidean kinds.
    double t = GetParam() == DType::F32 ? 1e-4 : 1e-7;
    ml::Matrix expected = ml::pairwiseDistances(iris().X, Y, metric);
    if (metric == ml::Metric::Euclidean) {
      // sqrt amplifies that cancellation next to 0 (a row against itself):
      // compare the squares, where the error bound holds.
      Tensor d64 = d.to(DType::F64);
      for (int64_t i = 0; i < d64.numel(); ++i)
        d64.data<double>()[i] *= d64.data<double>()[i];
      expectClose(d64, expected.cwiseProduct(expected), t, name);
    } else {
      expectClose(d, expected, t, name);
    }
  }
}

TEST(MLGraph, KMeansAssignMatchesPredict) {
  ml::KMeansOptions o;
  o.nClusters = 3;
  ml::KMeans km(o);
  km.fit(iris().X);
  Tensor l = runGraph(iris().X, DType::F64, [&](Model &m, Value x) { return ml::kmeansAssign(x, km); });
  expectLabels(l, km.predict(iris().X), "kmeans_assign");
}

TEST(MLGraph, PcaThenKMeansInOneGraph) {
  ml::PCAOptions po;
  po.nComponents = 2;
  ml::PCA pca(po);
  pca.fit(iris().X);
  ml::KMeansOptions ko;
  ko.nClusters = 3;
  ml::KMeans km(ko);
  km.fit(pca.transform(iris().X));
  Tensor l = runGraph(iris().X, DType::F64,
                      [&](Model &m, Value x) { return ml::kmeansAssign(ml::pcaTransform(x, pca), km); });
  expectLabels(l, km.predict(pca.transform(iris().X)), "pca -> kmeans");
}

TEST(MLGraph, GaussianNBPredictThroughTheCApi) {
  ml::GaussianNB nb;
  nb.fit(iris().X, iris().y);
  ml::Labels expected = nb.predict(iris().X); // classes are 0, 1, 2
  Tensor l = runGraph(iris().X, DType::F64, [&](Model &m, Value x) { return ml::gaussianNBPredict(x, nb); });
  expectLabels(l, expected, "gaussian_nb_predict f64");
  // f32 parameters and inputs: at most a flip next to a decision boundary.
  l = runGraph(iris().X, DType::F32, [&](Model &m, Value x) { return ml::gaussianNBPredict(x, nb); });
  ASSERT_EQ(l.numel(), expected.size());
  int64_t mismatches = 0;
  for (ml::Index i = 0; i < expected.size(); ++i)
    mismatches += l.data<int64_t>()[i] != expected[i];
  EXPECT_LE(mismatches, 1);
}

TEST_P(MLGraphTest, QdaDecisionAndPredict) {
  ml::QDAOptions o;
  o.regParam = 0.01;
  ml::QuadraticDiscriminantAnalysis qda(o);
  qda.fit(iris().X, iris().y);
  Tensor s = runGraph(iris().X, GetParam(),
                      [&](Model &, Value x) { return ml::gdaDecision(x, qda); });
  EXPECT_EQ(s.shape(), kiln::Shape({iris().X.rows(), 3}));
  // Scores reach -1e3 far from a class: 1e-9 relative to that scale.
  expectClose(s, qda.decisionFunction(iris().X), GetParam() == DType::F32 ? 1e-4 : 1e-9,
              "gda_decision");
  Tensor l = runGraph(iris().X, GetParam(),
                      [&](Model &, Value x) { return ml::gdaPredict(x, qda); });
  if (GetParam() == DType::F64)
    expectLabels(l, qda.predict(iris().X), "gda_predict");
}

TEST_P(MLGraphTest, TreeEnsemblesMatchTheLibrary) {
  const ml::Matrix &X = iris().X;
  DType dt = GetParam();
  // f32 rounds thresholds and features apart: at most a couple of rows may
  // take the other branch; f64 must match to rounding.
  auto check = [&](const Tensor &got, const ml::Matrix &expected,
                   const std::string &what) {
    if (dt == DType::F64)
      return expectClose(got, expected, 1e-9, what);
    Tensor a = got.to(DType::F64);
    ASSERT_EQ(a.numel(), expected.size()) << what;
    int64_t off = 0;
    for (ml::Index i = 0; i < expected.rows(); ++i) {
      bool rowOff = false;
      for (ml::Index j = 0; j < expected.cols(); ++j)
        rowOff |=
            std::abs(a.data<double>()[i * expected.cols() + j] - expected(i, j)) > 1e-4;
      off += rowOff;
    }
    EXPECT_LE(off, 2) << what;
  };
  ml::TreeOptions to;
  to.maxDepth = 4;
  ml::DecisionTreeClassifier tree(to);
  tree.fit(X, iris().y);
  check(runGraph(X, dt, [&](Model &, Value x) { return ml::treePredict(x, tree); }),
        tree.predictProba(X), "DecisionTreeClassifier");

  ml::ForestOptions fo;
  fo.nEstimators = 8;
  fo.maxDepth = 5;
  fo.seed = 3;
  ml::RandomForestClassifier forest(fo);
  forest.fit(X, iris().y);
  check(runGraph(X, dt, [&](Model &, Value x) { return ml::treePredict(x, forest); }),
        forest.predictProba(X), "RandomForestClassifier");
  ml::ForestOptions eo = ml::ForestOptions::extraTrees();
  eo.nEstimators = 8;
  ml::RandomForestClassifier extra(eo);
  extra.fit(X, iris().y);
  check(runGraph(X, dt, [&](Model &, Value x) { return ml::treePredict(x, extra); }),
        extra.predictProba(X), "extra trees");

  ml::AdaBoostOptions ao;
  ao.nEstimators = 10;
  ml::AdaBoostClassifier ada(ao);
  ada.fit(X, iris().y);
  check(runGraph(X, dt, [&](Model &, Value x) { return ml::treePredict(x, ada); }),
        ada.decisionFunction(X), "AdaBoostClassifier");

  ml::GradientBoostingOptions go;
  go.nEstimators = 10;
  ml::GradientBoostingClassifier gbc(go);
  gbc.fit(X, iris().y);
  check(runGraph(X, dt, [&](Model &, Value x) { return ml::treePredict(x, gbc); }),
        gbc.decisionFunction(X), "GradientBoostingClassifier");

  // Regressors: petal width from the other three features.
  ml::Matrix X3 = X.leftCols(3);
  ml::Vector t = X.col(3);
  ml::GradientBoostingRegressor gbr(go);
  gbr.fit(X3, t);
  check(runGraph(X3, dt, [&](Model &, Value x) { return ml::treePredict(x, gbr); }),
        gbr.predict(X3), "GradientBoostingRegressor");
  ml::RandomForestRegressor rfr(fo);
  rfr.fit(X3, t);
  check(runGraph(X3, dt, [&](Model &, Value x) { return ml::treePredict(x, rfr); }),
        rfr.predict(X3), "RandomForestRegressor");
  ml::DecisionTreeRegressor dtr;
  dtr.fit(X3, t);
  check(runGraph(X3, dt, [&](Model &, Value x) { return ml::treePredict(x, dtr); }),
        dtr.predict(X3), "DecisionTreeRegressor");
}

INSTANTIATE_TEST_SUITE_P(Dtypes, MLGraphTest, ::testing::Values(DType::F32, DType::F64),
                         [](const auto &info) { return kiln::dtypeName(info.param); });

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const kiln::Error &e) {
    return e.what();
  }
  return "(no error)";
}

/// A two-input graph of i64 label vectors (or f64 targets).
Tensor runPair(const Tensor &a, const Tensor &b,
               const std::function<Value(Value, Value)> &build) {
  Model m("pair");
  Value x = m.input("a", {kiln::kBatch}, a.dtype());
  Value y = m.input("b", {kiln::kBatch}, b.dtype());
  m.output(build(x, y));
  return kiln::jit(m).run({a, b})[0];
}

Tensor labelTensor(const ml::Labels &l) {
  std::vector<int64_t> v(l.data(), l.data() + l.size());
  return Tensor::fromValues<int64_t>({l.size()}, v);
}

Tensor vectorTensor(const ml::Vector &v) {
  return Tensor::fromValues<double>({v.size()},
                                    std::vector<double>(v.data(), v.data() + v.size()));
}

double scalarOf(const Tensor &t) { return t.to(DType::F64).data<double>()[0]; }

TEST(MLGraph, ClassificationMetrics) {
  // Labels of a 3-class GaussianNB on iris against the truth.
  ml::GaussianNB nb;
  nb.fit(iris().X, iris().y);
  ml::Labels pred = nb.predict(iris().X);
  const ml::Labels &truth = iris().y;
  Tensor t = labelTensor(truth), p = labelTensor(pred);
  int64_t hits = 0; // plain-loop reference
  std::vector<int64_t> counts(9, 0);
  for (ml::Index i = 0; i < truth.size(); ++i) {
    hits += truth[i] == pred[i];
    ++counts[static_cast<size_t>(truth[i] * 3 + pred[i])];
  }
  double acc =
      scalarOf(runPair(t, p, [](Value a, Value b) { return kiln::accuracy(a, b); }));
  EXPECT_DOUBLE_EQ(acc, static_cast<double>(hits) / static_cast<double>(truth.size()));
  EXPECT_DOUBLE_EQ(acc, ml::accuracy(truth, pred));
  Tensor cm =
      runPair(t, p, [](Value a, Value b) { return kiln::confusionMatrix(a, b, 3); });
  ASSERT_EQ(cm.shape(), kiln::Shape({3, 3}));
  Eigen::MatrixXi expected = ml::confusionMatrix(truth, pred);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(cm.data<int64_t>()[i * 3 + j], counts[static_cast<size_t>(i * 3 + j)]);
      EXPECT_EQ(cm.data<int64_t>()[i * 3 + j], expected(i, j));
    }
  // No rows: accuracy 0, an all-zero matrix.
  Tensor none = Tensor::fromValues<int64_t>({0}, {});
  EXPECT_EQ(scalarOf(runPair(none, none,
                             [](Value a, Value b) { return kiln::accuracy(a, b); })),
            0);
}

TEST(MLGraph, RegressionMetrics) {
  ml::Matrix X3 = iris().X.leftCols(3);
  ml::Vector t = iris().X.col(3);
  ml::LinearRegression lr;
  lr.fit(X3, t);
  ml::Vector p = lr.predict(X3);
  double sse = 0, sae = 0, mean = t.mean(), sst = 0; // plain-loop reference
  for (ml::Index i = 0; i < t.size(); ++i) {
    sse += (t[i] - p[i]) * (t[i] - p[i]);
    sae += std::abs(t[i] - p[i]);
    sst += (t[i] - mean) * (t[i] - mean);
  }
  auto n = static_cast<double>(t.size());
  Tensor tt = vectorTensor(t), pt = vectorTensor(p);
  double mse = scalarOf(
      runPair(tt, pt, [](Value a, Value b) { return kiln::meanSquaredError(a, b); }));
  double mae = scalarOf(
      runPair(tt, pt, [](Value a, Value b) { return kiln::meanAbsoluteError(a, b); }));
  double r2 =
      scalarOf(runPair(tt, pt, [](Value a, Value b) { return kiln::r2Score(a, b); }));
  EXPECT_NEAR(mse, sse / n, 1e-12);
  EXPECT_NEAR(mse, ml::meanSquaredError(t, p), 1e-12);
  EXPECT_NEAR(mae, sae / n, 1e-12);
  EXPECT_NEAR(mae, ml::meanAbsoluteError(t, p), 1e-12);
  EXPECT_NEAR(r2, 1 - sse / sst, 1e-12);
  EXPECT_NEAR(r2, ml::r2Score(t, p), 1e-12);
  // f32 in, f32 out.
  Tensor r2f = runPair(tt.to(DType::F32), pt.to(DType::F32),
                       [](Value a, Value b) { return kiln::r2Score(a, b); });
  EXPECT_EQ(r2f.dtype(), DType::F32);
  EXPECT_NEAR(scalarOf(r2f), r2, 1e-5);
}

TEST(MLGraph, FitThenPredictInOneGraph) {
  const ml::Matrix &X = iris().X;
  // PCA fit -> transform -> k-means fit -> assign, all inside the graph.
  ml::PCAOptions po;
  po.nComponents = 2;
  ml::KMeansOptions ko;
  ko.nClusters = 3;
  ko.nInit = 2;
  ko.seed = 5;
  Model m("fit");
  Value x = m.input("x", {kiln::kBatch, 4}, DType::F64);
  auto [mean, components] = kiln::pcaFit(x, po);
  Value z = kiln::pcaTransform(x, mean, components);
  Value centers = kiln::kmeansFit(z, ko);
  m.output(z, "z");
  m.output(centers, "centers");
  m.output(kiln::kmeansAssign(z, centers), "labels");
  auto out = kiln::jit(m).run({toTensor(X, DType::F64)});
  // The library on the same data.
  ml::PCA pca(po);
  pca.fit(X);
  ml::Matrix zx = pca.transform(X);
  ml::KMeans km(ko);
  km.fit(zx);
  expectClose(out[0], zx, 1e-9, "pca_fit -> pca_transform");
  expectClose(out[1], km.centers(), 1e-9, "kmeans_fit centers");
  expectLabels(out[2], km.predict(zx), "kmeans_fit -> kmeans_assign");

  // Least squares and ridge fitted in the graph, predicting in the graph.
  ml::Matrix X3 = X.leftCols(3);
  ml::Vector t = X.col(3);
  for (double alpha : {0.0, 2.0}) {
    Model lm("linear_fit");
    Value xs = lm.input("x", {kiln::kBatch, 3}, DType::F64);
    Value ys = lm.input("y", {kiln::kBatch}, DType::F64);
    auto [coef, intercept] = kiln::linearFit(xs, ys, alpha);
    lm.output(kiln::linearPredict(xs, coef, intercept));
    Tensor p = kiln::jit(lm).run({toTensor(X3, DType::F64), vectorTensor(t)})[0];
    ml::Vector expected;
    if (alpha == 0) {
      ml::LinearRegression lr;
      expected = lr.fit(X3, t).predict(X3);
    } else {
      ml::RidgeOptions ro;
      ro.alpha = alpha;
      ml::Ridge ridge(ro);
      expected = ridge.fit(X3, t).predict(X3);
    }
    expectClose(p, expected, 1e-9, alpha == 0 ? "linear_fit" : "ridge linear_fit");
  }
}

TEST(MLGraph, FitOpsInF32) {
  // The f32 entry points of the C ABI: the library fitted on the f32-rounded
  // data in f64, so only the output rounding differs.
  ml::Matrix X = iris().X.cast<float>().cast<double>();
  ml::PCAOptions po;
  po.nComponents = 2;
  ml::KMeansOptions ko;
  ko.nClusters = 3;
  ko.nInit = 1;
  Model m("fit32");
  Value x = m.input("x", {kiln::kBatch, 4}, DType::F32);
  auto [mean, components] = kiln::pcaFit(x, po);
  m.output(kiln::pcaTransform(x, mean, components), "z");
  m.output(kiln::kmeansFit(x, ko), "centers");
  Value y = kiln::reshape(kiln::slice(x, 1, 3, 4), {-1});
  auto [coef, intercept] = kiln::linearFit(x, y, 1.0);
  m.output(kiln::linearPredict(x, coef, intercept), "ridge");
  auto out = kiln::jit(m).run({toTensor(X, DType::F32)});
  ml::PCA pca(po);
  expectClose(out[0], pca.fit(X).transform(X), 1e-4, "pca_fit f32");
  ml::KMeans km(ko);
  expectClose(out[1], km.fit(X).centers(), 1e-4, "kmeans_fit f32");
  ml::RidgeOptions ro;
  ro.alpha = 1.0;
  ml::Ridge ridge(ro);
  ml::Vector t = X.col(3);
  expectClose(out[2], ridge.fit(X, t).predict(X), 1e-4, "linear_fit f32");
}

TEST(MLGraph, BadDataAtRunTimeNamesTheOp) {
  // Fewer rows than clusters: N is dynamic, so the check is at run time.
  Model m("kfit");
  Value x = m.input("x", {kiln::kBatch, 2}, DType::F64);
  ml::KMeansOptions ko;
  ko.nClusters = 3;
  m.output(kiln::kmeansFit(x, ko));
  kiln::CompiledModel net = kiln::jit(m);
  std::string e = errorOf([&] { net.run({Tensor::zeros({2, 2}, DType::F64)}); });
  EXPECT_NE(e.find("kiln.kmeans_fit"), std::string::npos) << e;
  EXPECT_NE(e.find("n_clusters = 3 exceeds the 2 rows of input [2, 2]"),
            std::string::npos)
      << e;
  // The model stays usable.
  Tensor ok = net.run({toTensor(iris().X.leftCols(2), DType::F64)})[0];
  EXPECT_EQ(ok.shape(), kiln::Shape({3, 2}));

  // A label out of range for the confusion matrix.
  Tensor t = Tensor::fromValues<int64_t>({3}, {0, 1, 2});
  Tensor p = Tensor::fromValues<int64_t>({3}, {0, 5, 2});
  e = errorOf([&] {
    runPair(t, p, [](Value a, Value b) { return kiln::confusionMatrix(a, b, 3); });
  });
  EXPECT_NE(e.find("kiln.confusion_matrix"), std::string::npos) << e;
  EXPECT_NE(e.find("row 1 has labels (1, 5)"), std::string::npos) << e;

  // A child index that points backwards (would loop forever).
  Model tm("trees");
  Value xt = tm.input("x", {kiln::kBatch, 2}, DType::F64);
  auto ints = [&](std::vector<int64_t> v) {
    return tm.constant(Tensor::fromValues<int64_t>({1, 3}, v));
  };
  Value thr = tm.constant(Tensor::zeros({1, 3}, DType::F64));
  Value val = tm.constant(Tensor::zeros({1, 3, 1}, DType::F64));
  tm.output(kiln::treeEnsemblePredict(xt, ints({0, -1, -1}), thr, ints({1, 0, 0}),
                                      ints({0, 0, 0}), val));
  e = errorOf([&] { kiln::jit(tm).run({Tensor::zeros({4, 2}, DType::F64)}); });
  EXPECT_NE(e.find("kiln.tree_ensemble_predict"), std::string::npos) << e;
  EXPECT_NE(e.find("tree 0 node 0 has child 0"), std::string::npos) << e;
}

TEST(MLGraph, BadShapesOfTheNewOps) {
  Model m("bad2");
  Value x = m.input("x", {kiln::kBatch, 4}, DType::F64);
  auto ints = [&](kiln::Shape s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return m.constant(
        Tensor::fromValues<int64_t>(s, std::vector<int64_t>(static_cast<size_t>(n), -1)));
  };
  Value thr = m.constant(Tensor::zeros({2, 5}, DType::F64));
  Value val = m.constant(Tensor::zeros({2, 5, 3}, DType::F64));
  std::string e = errorOf([&] {
    kiln::treeEnsemblePredict(x, ints({2, 5}), thr, ints({2, 4}), ints({2, 5}), val);
  });
  EXPECT_NE(e.find("kiln.tree_ensemble_predict"), std::string::npos) << e;
  EXPECT_NE(e.find("left tensor<2x4xi64> does not match tensor<2x5xi64>"),
            std::string::npos)
      << e;
  Value val2 = m.constant(Tensor::zeros({3, 5, 3}, DType::F64));
  e = errorOf([&] {
    kiln::treeEnsemblePredict(x, ints({2, 5}), thr, ints({2, 5}), ints({2, 5}), val2);
  });
  EXPECT_NE(e.find("values tensor<3x5x3xf64> is not [2, 5, K]"), std::string::npos) << e;

  Value means = m.constant(Tensor::zeros({3, 4}, DType::F64));
  Value w = m.constant(Tensor::zeros({3, 4, 3}, DType::F64));
  Value off = m.constant(Tensor::zeros({3}, DType::F64));
  e = errorOf([&] { kiln::gdaPredict(x, means, w, off); });
  EXPECT_NE(e.find("kiln.gda_predict"), std::string::npos) << e;
  EXPECT_NE(e.find("whiteners tensor<3x4x3xf64>"), std::string::npos) << e;

  Value fixed = m.input("fixed", {5, 4}, DType::F64);
  ml::KMeansOptions ko;
  ko.nClusters = 6;
  e = errorOf([&] { kiln::kmeansFit(fixed, ko); });
  EXPECT_NE(e.find("kiln.kmeans_fit"), std::string::npos) << e;
  EXPECT_NE(e.find("n_clusters = 6 exceeds the 5 rows of input tensor<5x4xf64>"),
            std::string::npos)
      << e;
  ml::PCAOptions po;
  po.nComponents = 5;
  e = errorOf([&] { kiln::pcaFit(x, po); });
  EXPECT_NE(e.find("n_components = 5 exceeds the 4 features of input tensor<?x4xf64>"),
            std::string::npos)
      << e;
  Value y3 = m.input("y3", {3}, DType::F64);
  e = errorOf([&] { kiln::linearFit(fixed, y3); });
  EXPECT_NE(e.find("kiln.linear_fit"), std::string::npos) << e;
  EXPECT_NE(e.find("target tensor<3xf64>"), std::string::npos) << e;

  Value l1 = m.input("l1", {kiln::kBatch}, DType::I64);
  Value l2 = m.input("l2", {4}, DType::I64);
  e = errorOf([&] { kiln::accuracy(l1, l2); });
  EXPECT_NE(e.find("kiln.accuracy"), std::string::npos) << e;
  EXPECT_NE(e.find("y_pred tensor<4xi64> does not match y_true tensor<?xi64>"),
            std::string::npos)
      << e;
}

TEST(MLGraph, BadShapesNameTheOpAndShapes) {
  Model m("bad");
  Value x = m.input("x", {kiln::kBatch, 4});
  Value mean3 = m.constant(Tensor::zeros({3}));
  Value comp = m.constant(Tensor::zeros({2, 4}));
  std::string e = errorOf([&] { kiln::pcaTransform(x, mean3, comp); });
  EXPECT_NE(e.find("kiln.pca_transform"), std::string::npos) << e;
  EXPECT_NE(e.find("tensor<3xf32>"), std::string::npos) << e;
  EXPECT_NE(e.find("tensor<?x4xf32>"), std::string::npos) << e;

  Value centers = m.constant(Tensor::zeros({3, 5}));
  e = errorOf([&] { kiln::kmeansAssign(x, centers); });
  EXPECT_NE(e.find("kiln.kmeans_assign"), std::string::npos) << e;
  EXPECT_NE(e.find("tensor<3x5xf32>"), std::string::npos) << e;

  Value y = m.constant(Tensor::zeros({3, 4}));
  e = errorOf([&] { kiln::pairwiseDistance(x, y, "hamming"); });
  EXPECT_NE(e.find("kiln.pairwise_distance"), std::string::npos) << e;
  EXPECT_NE(e.find("hamming"), std::string::npos) << e;

  Value coef = m.constant(Tensor::zeros({4}));
  Value b2 = m.constant(Tensor::zeros({2}));
  e = errorOf([&] { kiln::linearPredict(x, coef, b2); });
  EXPECT_NE(e.find("kiln.linear_predict"), std::string::npos) << e;
  EXPECT_NE(e.find("intercept tensor<2xf32>"), std::string::npos) << e;

  Value flat = m.input("flat", {kiln::kBatch});
  e = errorOf([&] { kiln::kmeansAssign(flat, centers); });
  EXPECT_NE(e.find("is not 2-D"), std::string::npos) << e;
}

} // namespace
