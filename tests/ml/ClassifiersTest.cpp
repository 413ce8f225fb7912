//===- ClassifiersTest.cpp - Naive Bayes, LDA, QDA, linear SVM ------------===//
#include "MlTestData.h"
#include "runtime/classical/Discriminant.h"
#include "runtime/classical/Metrics.h"
#include "runtime/classical/SVM.h"
#include "tests/TestSupport.h"

#include <cmath>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
const char *kClassSets[] = {"iris", "wine", "breast_cancer", "digits"};

void expectProbabilities(const Matrix &P) {
  EXPECT_TRUE(P.allFinite());
  EXPECT_LE((P.rowwise().sum().array() - 1.0).abs().maxCoeff(), 1e-9);
  EXPECT_GE(P.minCoeff(), 0.0);
}
} // namespace

TEST(GaussianNBTest, QualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    GaussianNB nb;
    nb.fit(d.Xtr, d.ltr);
    expectQuality(std::string("gaussian_nb/") + name, nb.score(d.Xte, d.lte));
    expectProbabilities(nb.predictProba(d.Xte));
  }
}

TEST(LDATest, QualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    LinearDiscriminantAnalysis lda;
    lda.fit(d.Xtr, d.ltr);
    expectQuality(std::string("lda/") + name, lda.score(d.Xte, d.lte));
    expectProbabilities(lda.predictProba(d.Xte));
  }
  // digits has constant pixels: the pooled covariance is singular and the
  // pseudo-inverse drops those directions.
  LinearDiscriminantAnalysis lda;
  lda.fit(dataset("digits").Xtr, dataset("digits").ltr);
  EXPECT_LT(lda.rank(), 64);
}

TEST(QDATest, QualityAgainstSklearn) {
  for (auto [name, reg] : {std::pair<const char *, double>{"iris", 0.0}, {"wine", 0.0},
                           {"breast_cancer", 0.0}, {"digits", 0.1}}) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    QuadraticDiscriminantAnalysis qda({reg});
    qda.fit(d.Xtr, d.ltr);
    expectQuality(std::string("qda/") + name, qda.score(d.Xte, d.lte));
    expectProbabilities(qda.predictProba(d.Xte));
  }
}

TEST(LinearSVMTest, QualityAgainstSklearn) {
  for (auto [name, C] : {std::pair<const char *, double>{"breast_cancer", 1.0}, {"iris", 1.0},
                         {"wine", 1.0}, {"digits", 0.1}}) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name, true);
    LinearSVMOptions o;
    o.C = C;
    o.maxIter = 20000;
    LinearSVM svm(o);
    svm.fit(d.Xtr, d.ltr);
    EXPECT_TRUE(svm.converged());
    expectQuality(std::string("linear_svm/") + name, svm.score(d.Xte, d.lte));
  }
}

TEST(LinearSVMTest, HingeLossAndKktConditions) {
  // With the plain hinge loss the margin conditions hold at the optimum:
  // points with margin > 1 have no loss; the fit separates the training set
  // of two well-separated iris classes.
  const Split &d = dataset("iris", true);
  std::vector<Index> rows;
  for (Index i = 0; i < d.Xtr.rows(); ++i)
    if (d.ltr[i] != 2)
      rows.push_back(i);
  Matrix X(static_cast<Index>(rows.size()), d.Xtr.cols());
  Labels y(X.rows());
  for (Index k = 0; k < X.rows(); ++k) {
    X.row(k) = d.Xtr.row(rows[static_cast<std::size_t>(k)]);
    y[k] = d.ltr[rows[static_cast<std::size_t>(k)]];
  }
  LinearSVMOptions o;
  o.loss = SvmLoss::Hinge;
  LinearSVM svm(o);
  svm.fit(X, y);
  EXPECT_DOUBLE_EQ(svm.score(X, y), 1.0);
  Matrix D = svm.decisionFunction(X);
  ASSERT_EQ(D.cols(), 1);
  for (Index i = 0; i < X.rows(); ++i)
    EXPECT_GT((y[i] == 1 ? 1.0 : -1.0) * D(i, 0), 0.0);
}

TEST(ClassifiersTest, SaveLoad) {
  const Split &d = dataset("wine", true);
  GaussianNB nb;
  nb.fit(d.Xtr, d.ltr);
  nb.save(tempPath("nb.safetensors"));
  EXPECT_EQ(GaussianNB::load(tempPath("nb.safetensors")).predictProba(d.Xte), nb.predictProba(d.Xte));
  LinearDiscriminantAnalysis lda;
  lda.fit(d.Xtr, d.ltr);
  lda.save(tempPath("lda.safetensors"));
  EXPECT_EQ(LinearDiscriminantAnalysis::load(tempPath("lda.safetensors")).predictProba(d.Xte),
            lda.predictProba(d.Xte));
  QuadraticDiscriminantAnalysis qda({0.05});
  qda.fit(d.Xtr, d.ltr);
  qda.save(tempPath("qda.safetensors"));
  EXPECT_LE((QuadraticDiscriminantAnalysis::load(tempPath("qda.safetensors")).predictProba(d.Xte) -
             qda.predictProba(d.Xte)).cwiseAbs().maxCoeff(), 1e-12);
  LinearSVM svm;
  svm.fit(d.Xtr, d.ltr);
  svm.save(tempPath("svm.safetensors"));
  EXPECT_EQ(LinearSVM::load(tempPath("svm.safetensors")).decisionFunction(d.Xte),
            svm.decisionFunction(d.Xte));
}

TEST(ClassifiersTest, BadInput) {
  Matrix X = Matrix::Random(12, 3);
  Labels one = Labels::Constant(12, 4);
  EXPECT_CONTAINS(errorOf([&] { GaussianNB().fit(X, one); }),
                  "kiln.ml.GaussianNB.fit: y has a single class (4); expected at least 2 classes");
  EXPECT_CONTAINS(errorOf([&] { LinearSVM().fit(X, one); }), "single class");
  EXPECT_CONTAINS(errorOf([&] { LinearDiscriminantAnalysis().fit(X, one); }), "single class");
  Labels y(12);
  y << 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1;
  EXPECT_CONTAINS(errorOf([&] { GaussianNB().fit(X, Labels(y.head(11))); }),
                  "y has 11 labels but X has 12 rows");
  Matrix bad = X;
  bad(0, 0) = NAN;
  EXPECT_CONTAINS(errorOf([&] { QuadraticDiscriminantAnalysis().fit(bad, y); }), "non-finite");
  // Singular class covariance: a duplicated feature.
  Matrix S(12, 3);
  S.leftCols(2) = X.leftCols(2);
  S.col(2) = X.col(0);
  EXPECT_CONTAINS(errorOf([&] { QuadraticDiscriminantAnalysis().fit(S, y); }),
                  "is singular (rank 2 of 3");
  EXPECT_CONTAINS(errorOf([&] { QuadraticDiscriminantAnalysis().fit(S, y); }), "set regParam > 0");
  QuadraticDiscriminantAnalysis reg({0.1}); // the documented regularization works
  reg.fit(S, y);
  EXPECT_TRUE(reg.predictProba(S).allFinite());
  // LDA handles the same singular covariance with its pseudo-inverse.
  LinearDiscriminantAnalysis lda;
  lda.fit(S, y);
  EXPECT_EQ(lda.rank(), 2);
  EXPECT_TRUE(lda.predictProba(S).allFinite());
  // A constant feature within a class is fine for naive Bayes (var smoothing).
  Matrix C = X;
  C.col(1).setConstant(3.0);
  GaussianNB nb;
  nb.fit(C, y);
  EXPECT_TRUE(nb.predictProba(C).allFinite());
  EXPECT_CONTAINS(errorOf([&] { GaussianNB({0.0}).fit(C, y); }), "zero variance within a class");
  LinearSVMOptions o;
  o.C = -1;
  EXPECT_CONTAINS(errorOf([&] { LinearSVM(o).fit(X, y); }), "C is -1");
  EXPECT_CONTAINS(errorOf([&] { LinearSVM().predict(X); }), "not fitted");
  Labels tiny(2);
  tiny << 0, 1;
  EXPECT_CONTAINS(errorOf([&] { QuadraticDiscriminantAnalysis().fit(X.topRows(2), tiny); }),
                  "has 1 sample(s); expected at least 2 per class");
  EXPECT_CONTAINS(errorOf([&] { GaussianNB::load(tempPath("missing.safetensors")); }), "missing");
}
