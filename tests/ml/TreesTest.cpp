//===- TreesTest.cpp - CART trees, random forests, extra trees ------------===//
#include "MlTestData.h"
#include "runtime/classical/Metrics.h"
#include "runtime/classical/Trees.h"
#include "tests/TestSupport.h"

#include <cmath>
#include <fstream>

using namespace kiln::ml;
using namespace kiln::ml::testing;
using kiln::testing::errorOf;

namespace {
const char *kClassSets[] = {"iris", "wine", "breast_cancer", "digits"};
} // namespace

TEST(DecisionTreeTest, ClassifierQualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    for (int depth : {0, 4}) {
      SCOPED_TRACE(std::string(name) + " depth " + std::to_string(depth));
      const Split &d = dataset(name);
      double total = 0; // mean over 50 seeds, as the golden value
      for (uint64_t seed = 0; seed < 50; ++seed) {
        TreeOptions o;
        o.maxDepth = depth;
        o.seed = seed;
        DecisionTreeClassifier tree(o);
        tree.fit(d.Xtr, d.ltr);
        total += tree.score(d.Xte, d.lte);
        if (depth == 0)
          EXPECT_DOUBLE_EQ(tree.score(d.Xtr, d.ltr), 1.0); // fully grown: pure leaves
        else
          EXPECT_LE(tree.tree().depth(), depth);
      }
      expectQuality(std::string("decision_tree_depth") + (depth ? "4" : "None") + "/" + name,
                    total / 50);
    }
  }
}

TEST(DecisionTreeTest, RegressorQualityAgainstSklearn) {
  const Split &d = dataset("diabetes");
  for (int depth : {3, 5}) {
    double total = 0;
    for (uint64_t seed = 0; seed < 50; ++seed) {
      TreeOptions o = DecisionTreeRegressor::regressionDefaults();
      o.maxDepth = depth;
      o.seed = seed;
      DecisionTreeRegressor tree(o);
      total += tree.fit(d.Xtr, d.ytr).score(d.Xte, d.yte);
    }
    expectQuality("decision_tree_depth" + std::to_string(depth) + "/diabetes", total / 50);
  }
}

TEST(DecisionTreeTest, ExactSplitsOnSmallData) {
  // One feature, threshold half-way between the classes' values.
  Matrix X(6, 1);
  X << 1, 2, 3, 10, 11, 12;
  Labels y(6);
  y << 0, 0, 0, 1, 1, 1;
  DecisionTreeClassifier tree;
  tree.fit(X, y);
  ASSERT_EQ(tree.tree().nodeCount(), 3);
  EXPECT_EQ(tree.tree().feature[0], 0);
  EXPECT_DOUBLE_EQ(tree.tree().threshold[0], 6.5);
  // Weighted samples move the leaf probabilities.
  Vector w = Vector::Ones(6);
  w[0] = 3;
  TreeOptions o;
  o.maxDepth = 0;
  DecisionTreeRegressor reg;
  Vector yr(6);
  yr << 1, 1, 1, 5, 5, 7;
  reg.fit(X, yr, w);
  Matrix probe(1, 1);
  probe << 11.5;
  EXPECT_GT(reg.predict(probe)[0], 4.9);
}

namespace {
/// Mean test score over as many seeds as the golden value of `key` used.
template <typename Model, typename Targets>
double meanScore(const std::string &key, ForestOptions o, const Matrix &Xtr, const Targets &ytr,
                 const Matrix &Xte, const Targets &yte) {
  int seeds = golden()["quality"][key]["settings"]["seeds"].get<int>();
  double total = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    o.seed = static_cast<uint64_t>(seed);
    Model m(o);
    m.fit(Xtr, ytr);
    total += m.score(Xte, yte);
  }
  return total / seeds;
}
} // namespace

TEST(RandomForestTest, QualityAgainstSklearn) {
  for (const char *name : kClassSets) {
    SCOPED_TRACE(name);
    const Split &d = dataset(name);
    std::string rf = std::string("random_forest/") + name, et = std::string("extra_trees/") + name;
    expectQuality(rf, meanScore<RandomForestClassifier>(rf, ForestOptions(), d.Xtr, d.ltr, d.Xte,
                                                        d.lte));
    expectQuality(et, meanScore<RandomForestClassifier>(et, ForestOptions::extraTrees(), d.Xtr,
                                                        d.ltr, d.Xte, d.lte));
  }
  const Split &d = dataset("diabetes");
  expectQuality("random_forest/diabetes",
                meanScore<RandomForestRegressor>("random_forest/diabetes", ForestOptions(), d.Xtr,
                                                 d.ytr, d.Xte, d.yte));
  expectQuality("extra_trees/diabetes",
                meanScore<RandomForestRegressor>("extra_trees/diabetes", ForestOptions::extraTrees(),
                                                 d.Xtr, d.ytr, d.Xte, d.yte));
}

TEST(RandomForestTest, ThreadCountDoesNotChangeTheModel) {
  const Split &d = dataset("breast_cancer");
  ForestOptions o;
  o.nEstimators = 12;
  o.seed = 3;
  o.threads = 1;
  RandomForestClassifier a(o);
  a.fit(d.Xtr, d.ltr);
  o.threads = 4;
  RandomForestClassifier b(o);
  b.fit(d.Xtr, d.ltr);
  EXPECT_EQ(a.predictProba(d.Xte), b.predictProba(d.Xte));
  o.seed = 4;
  RandomForestClassifier c(o);
  c.fit(d.Xtr, d.ltr);
  EXPECT_NE(a.predictProba(d.Xte), c.predictProba(d.Xte));
}

TEST(TreesTest, SaveLoad) {
  const Split &d = dataset("wine");
  DecisionTreeClassifier tree;
  tree.fit(d.Xtr, d.ltr);
  tree.save(tempPath("tree.safetensors"));
  EXPECT_EQ(DecisionTreeClassifier::load(tempPath("tree.safetensors")).predictProba(d.Xte),
            tree.predictProba(d.Xte));
  ForestOptions o;
  o.nEstimators = 10;
  RandomForestClassifier rf(o);
  rf.fit(d.Xtr, d.ltr);
  rf.save(tempPath("rf.safetensors"));
  EXPECT_EQ(RandomForestClassifier::load(tempPath("rf.safetensors")).predictProba(d.Xte),
            rf.predictProba(d.Xte));
  const Split &r = dataset("diabetes");
  RandomForestRegressor rr(o);
  rr.fit(r.Xtr, r.ytr);
  rr.save(tempPath("rfr.safetensors"));
  EXPECT_EQ(RandomForestRegressor::load(tempPath("rfr.safetensors")).predict(r.Xte), rr.predict(r.Xte));
  DecisionTreeRegressor dr;
  dr.fit(r.Xtr, r.ytr);
  dr.save(tempPath("dtr.safetensors"));
  EXPECT_EQ(DecisionTreeRegressor::load(tempPath("dtr.safetensors")).predict(r.Xte), dr.predict(r.Xte));
}

TEST(TreesTest, CorruptModelFileIsAnError) {
  // A child index pointing back to the root would loop forever: load rejects it.
  Matrix X(4, 1);
  X << 0, 1, 2, 3;
  Labels y(4);
  y << 0, 0, 1, 1;
  DecisionTreeClassifier tree;
  tree.fit(X, y);
  kiln::ml::ModelWriter w("DecisionTreeClassifier");
  w.put("classes", tree.classes());
  FlatTree bad = tree.tree();
  bad.left[0] = 0;
  detail::putTrees(w, {bad});
  w.setting("features", 1.0);
  w.save(tempPath("bad.safetensors"));
  EXPECT_CONTAINS(errorOf([&] { DecisionTreeClassifier::load(tempPath("bad.safetensors")); }),
                  "node 0 has children 0, 2");
}

TEST(TreesTest, BadInput) {
  Matrix X = Matrix::Random(10, 3);
  Labels y(10);
  y << 0, 1, 0, 1, 0, 1, 0, 1, 0, 1;
  EXPECT_CONTAINS(errorOf([&] { DecisionTreeClassifier().fit(X, Labels::Zero(10)); }),
                  "single class (0)");
  EXPECT_CONTAINS(errorOf([&] { RandomForestClassifier().fit(X, Labels(y.head(9))); }),
                  "y has 9 labels but X has 10 rows");
  Matrix bad = X;
  bad(2, 2) = INFINITY;
  EXPECT_CONTAINS(errorOf([&] { RandomForestRegressor().fit(bad, Vector::Zero(10)); }),
                  "non-finite value (inf) at row 2, column 2");
  TreeOptions o;
  o.maxFeatures = 4;
  EXPECT_CONTAINS(errorOf([&] { DecisionTreeClassifier(o).fit(X, y); }),
                  "maxFeatures is 4 for 3 feature(s)");
  o.maxFeatures = kAllFeatures;
  o.minSamplesLeaf = 0;
  EXPECT_CONTAINS(errorOf([&] { DecisionTreeClassifier(o).fit(X, y); }), "minSamplesLeaf is 0");
  o = TreeOptions();
  o.criterion = Criterion::SquaredError;
  EXPECT_CONTAINS(errorOf([&] { DecisionTreeClassifier(o).fit(X, y); }), "is for regression");
  ForestOptions f;
  f.nEstimators = 0;
  EXPECT_CONTAINS(errorOf([&] { RandomForestClassifier(f).fit(X, y); }), "nEstimators is 0");
  DecisionTreeClassifier t;
  t.fit(X, y);
  EXPECT_CONTAINS(errorOf([&] { t.predict(Matrix::Ones(2, 2)); }), "fitted on 3 feature(s)");
  EXPECT_CONTAINS(errorOf([&] { t.fit(X, y, Vector::Constant(10, -1.0)); }),
                  "sample weight 0 is -1");
  // Constant features: no split is possible, the tree is one leaf.
  DecisionTreeClassifier flat;
  flat.fit(Matrix::Ones(10, 3), y);
  EXPECT_EQ(flat.tree().nodeCount(), 1);
}
