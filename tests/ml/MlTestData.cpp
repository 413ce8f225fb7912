//===- MlTestData.cpp - Data sets and golden values for kiln_ml tests -----===//
#include "MlTestData.h"

#include "runtime/classical/LinearModels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace kiln::ml::testing {

namespace {

std::string dataPath(const std::string &file) { return std::string(KILN_ML_DATA_DIR) + "/" + file; }

Matrix readCsv(const std::string &name) {
  std::ifstream in(dataPath(name + ".csv"));
  if (!in)
    throw std::runtime_error("cannot open " + dataPath(name + ".csv"));
  std::string line;
  std::getline(in, line); // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    std::vector<double> row;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
      row.push_back(std::stod(cell));
    rows.push_back(std::move(row));
  }
  Matrix m(static_cast<Index>(rows.size()), static_cast<Index>(rows[0].size()));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j)
      m(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  return m;
}

} // namespace

const nlohmann::json &golden() {
  static const nlohmann::json j = [] {
    std::ifstream in(dataPath("golden.json"));
    if (!in)
      throw std::runtime_error("cannot open " + dataPath("golden.json"));
    return nlohmann::json::parse(in);
  }();
  return j;
}

const Split &dataset(const std::string &name, bool standardize) {
  static std::mutex mu;
  static std::map<std::pair<std::string, bool>, Split> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto key = std::make_pair(name, standardize);
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  Matrix all = readCsv(name);
  Index d = all.cols() - 1;
  auto take = [&](const nlohmann::json &idx, Matrix &X, Vector &y) {
    X.resize(static_cast<Index>(idx.size()), d);
    y.resize(static_cast<Index>(idx.size()));
    for (Index i = 0; i < X.rows(); ++i) {
      Index r = idx[static_cast<std::size_t>(i)].get<Index>();
      X.row(i) = all.row(r).head(d);
      y[i] = all(r, d);
    }
  };
  Split s;
  const auto &split = golden()["splits"][name];
  take(split["train"], s.Xtr, s.ytr);
  take(split["test"], s.Xte, s.yte);
  s.ltr = s.ytr.unaryExpr([](double v) { return static_cast<int>(std::lround(v)); });
  s.lte = s.yte.unaryExpr([](double v) { return static_cast<int>(std::lround(v)); });
  if (standardize) {
    StandardScaler scaler;
    scaler.fit(s.Xtr);
    s.Xtr = scaler.transform(s.Xtr);
    s.Xte = scaler.transform(s.Xte);
  }
  return cache[key] = std::move(s);
}

double goldenQuality(const std::string &key) {
  const auto &q = golden()["quality"];
  if (!q.contains(key))
    throw std::runtime_error("golden.json has no quality entry '" + key + "'");
  return q[key]["value"].get<double>();
}

void expectQuality(const std::string &key, double kiln, bool higherIsBetter, double relTol) {
  double ref = goldenQuality(key);
  double slack = relTol * std::abs(ref);
  std::printf("QUALITY %-40s kiln %.6f sklearn %.6f\n", key.c_str(), kiln, ref);
  ::testing::Test::RecordProperty(key + ".kiln", std::to_string(kiln));
  ::testing::Test::RecordProperty(key + ".sklearn", std::to_string(ref));
  if (higherIsBetter)
    EXPECT_GE(kiln, ref - slack) << key << ": Kiln " << kiln << " vs scikit-learn " << ref;
  else
    EXPECT_LE(kiln, ref + slack) << key << ": Kiln " << kiln << " vs scikit-learn " << ref;
}

Matrix toMatrix(const nlohmann::json &j) {
  Matrix m(static_cast<Index>(j.size()), static_cast<Index>(j[0].size()));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index k = 0; k < m.cols(); ++k)
      m(i, k) = j[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)].get<double>();
  return m;
}

Vector toVector(const nlohmann::json &j) {
  Vector v(static_cast<Index>(j.size()));
  for (Index i = 0; i < v.size(); ++i)
    v[i] = j[static_cast<std::size_t>(i)].get<double>();
  return v;
}

Labels toLabels(const nlohmann::json &j) {
  Labels v(static_cast<Index>(j.size()));
  for (Index i = 0; i < v.size(); ++i)
    v[i] = j[static_cast<std::size_t>(i)].get<int>();
  return v;
}

std::string tempPath(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() / "kiln-ml-tests";
  std::filesystem::create_directories(dir);
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string prefix = info ? std::string(info->test_suite_name()) + "." + info->name() + "." : "";
  return (dir / (prefix + name)).string();
}

} // namespace kiln::ml::testing
