//===- MLGraphTest.cpp - Classical-ML ops in a compiled graph vs kiln::ml -===//
//
// Each classical-ML op, built by the DSL from a model fitted with kiln::ml
// on a packaged data set (tests/ml/data), JIT-compiled and run, must agree
// with the library: 1e-5 relative in f32 (1e-9 in f64) for real outputs,
// exactly for labels (f64). Bad shapes are errors naming the op and shapes.
//
//===----------------------------------------------------------------------===//
#include "examples/ml/IrisCsv.h"
#include "frontend/Kiln.h"
#include "frontend/MLOps.h"
#include "runtime/classical/Distances.h"

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
