//===- Common.cpp - Shared pieces of Kiln's classical ML ------------------===//
#include "runtime/classical/Common.h"

#include "runtime/Safetensors.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace kiln::ml {

std::string shapeOf(const Matrix &m) {
  return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

int defaultThreadCount() {
  if (const char *env = std::getenv("KILN_NUM_THREADS")) {
    char *end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 4096)
      return static_cast<int>(v);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

int resolveThreads(int requested) { return requested > 0 ? requested : defaultThreadCount(); }

void checkData(const std::string &who, const Matrix &X, const char *name, Index minRows) {
  if (X.rows() == 0 || X.cols() == 0)
    fail(who, ": ", name, " is empty (", shapeOf(X), "); expected at least ", minRows,
         " row(s) and 1 column");
  if (X.rows() < minRows)
    fail(who, ": ", name, " has ", X.rows(), " row(s) (", shapeOf(X), "); expected at least ",
         minRows);
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < X.rows(); ++i)
      if (!std::isfinite(X(i, j)))
        fail(who, ": ", name, " (", shapeOf(X), ") has a non-finite value (", X(i, j),
             ") at row ", i, ", column ", j, "; expected finite numbers");
}

void checkTargets(const std::string &who, const Vector &y, Index rows, const char *name) {
  if (y.size() != rows)
    fail(who, ": ", name, " has ", y.size(), " values but X has ", rows,
         " rows; expected one target per row");
  for (Index i = 0; i < y.size(); ++i)
    if (!std::isfinite(y[i]))
      fail(who, ": ", name, " has a non-finite value (", y[i], ") at index ", i,
           "; expected finite numbers");
}

void checkLabels(const std::string &who, const Labels &y, Index rows, const char *name) {
  if (y.size() != rows)
    fail(who, ": ", name, " has ", y.size(), " labels but X has ", rows,
         " rows; expected one label per row");
}

void checkColumns(const std::string &who, const Matrix &X, Index cols) {
  if (X.cols() != cols)
    fail(who, ": X is ", shapeOf(X), " but the model was fitted on ", cols,
         " feature(s); expected ", cols, " columns");
}

void checkFitted(const std::string &who, bool fitted) {
  if (!fitted)
    fail(who, ": the model is not fitted (call fit or load first)");
}

void checkWeights(const std::string &who, const Vector &w, Index rows) {
  if (w.size() != rows)
    fail(who, ": sample weights have ", w.size(), " values but X has ", rows,
         " rows; expected one weight per row");
  double sum = 0;
  for (Index i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0)
      fail(who, ": sample weight ", i, " is ", w[i], "; expected a finite value >= 0");
    sum += w[i];
  }
  if (!(sum > 0))
    fail(who, ": sample weights sum to 0; expected a positive sum");
}

LabelEncoding encodeLabels(const std::string &who, const Labels &y, int minClasses) {
  if (y.size() == 0)
    fail(who, ": y is empty; expected one label per row");
  std::vector<int> sorted(y.data(), y.data() + y.size());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (static_cast<int>(sorted.size()) < minClasses) {
    if (sorted.size() == 1)
      fail(who, ": y has a single class (", sorted[0], "); expected at least ", minClasses,
           " classes");
    fail(who, ": y has ", sorted.size(), " classes; expected at least ", minClasses);
  }
  LabelEncoding enc;
  enc.classes = Eigen::Map<Labels>(sorted.data(), static_cast<Index>(sorted.size()));
  enc.index.resize(static_cast<std::size_t>(y.size()));
  for (Index i = 0; i < y.size(); ++i)
    enc.index[static_cast<std::size_t>(i)] = static_cast<int>(
        std::lower_bound(sorted.begin(), sorted.end(), y[i]) - sorted.begin());
  return enc;
}

std::vector<int> indexLabels(const Labels &classes, const Labels &y) {
  std::vector<int> out(static_cast<std::size_t>(y.size()), -1);
  const int *b = classes.data(), *e = classes.data() + classes.size();
  for (Index i = 0; i < y.size(); ++i) {
    const int *it = std::lower_bound(b, e, y[i]);
    if (it != e && *it == y[i])
      out[static_cast<std::size_t>(i)] = static_cast<int>(it - b);
  }
  return out;
}

double logSumExp(const double *v, Index n) {
  double m = -std::numeric_limits<double>::infinity();
  for (Index i = 0; i < n; ++i)
    m = std::max(m, v[i]);
  if (!std::isfinite(m))
    return m;
  double s = 0;
  for (Index i = 0; i < n; ++i)
    s += std::exp(v[i] - m);
  return m + std::log(s);
}

Tensor toTensor(const Matrix &m) {
  Tensor t({m.rows(), m.cols()}, DType::F64);
  Eigen::Map<RowMatrix>(t.data<double>(), m.rows(), m.cols()) = m;
  return t;
}

Tensor toTensor(const Vector &v) {
  Tensor t({v.size()}, DType::F64);
  Eigen::Map<Vector>(t.data<double>(), v.size()) = v;
  return t;
}

Tensor toTensor(const Labels &v) {
  Tensor t({v.size()}, DType::I64);
  int64_t *p = t.data<int64_t>();
  for (Index i = 0; i < v.size(); ++i)
    p[i] = v[i];
  return t;
}

Matrix toMatrix(const Tensor &t) {
  if (t.rank() != 2)
    fail("kiln.ml.toMatrix: expected a 2-D tensor, got ", t.typeString());
  Matrix m(t.dim(0), t.dim(1));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j)
      m(i, j) = t.at(i * m.cols() + j);
  return m;
}

Vector toVector(const Tensor &t) {
  if (t.rank() != 1)
    fail("kiln.ml.toVector: expected a 1-D tensor, got ", t.typeString());
  Vector v(t.dim(0));
  for (Index i = 0; i < v.size(); ++i)
    v[i] = t.at(i);
  return v;
}

Labels toLabels(const Tensor &t) {
  if (t.rank() != 1 || (t.dtype() != DType::I64 && t.dtype() != DType::I32))
    fail("kiln.ml.toLabels: expected a 1-D i32 or i64 tensor, got ", t.typeString());
  Labels v(t.dim(0));
  for (Index i = 0; i < v.size(); ++i) {
    double x = t.at(i);
    if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max())
      fail("kiln.ml.toLabels: label ", i, " (", x, ") does not fit in int");
    v[i] = static_cast<int>(x);
  }
  return v;
}

ModelWriter::ModelWriter(std::string modelType) {
  metadata_["kiln.ml.model"] = std::move(modelType);
  metadata_["kiln.ml.format"] = "1";
}
void ModelWriter::put(const std::string &name, const Matrix &m) { tensors_[name] = toTensor(m); }
void ModelWriter::put(const std::string &name, const Vector &v) { tensors_[name] = toTensor(v); }
void ModelWriter::put(const std::string &name, const Labels &v) { tensors_[name] = toTensor(v); }
void ModelWriter::put(const std::string &name, Tensor t) { tensors_[name] = std::move(t); }
void ModelWriter::setting(const std::string &key, const std::string &value) {
  metadata_[key] = value;
}
void ModelWriter::setting(const std::string &key, double value) {
  std::ostringstream os;
  os.precision(17);
  os << value;
  metadata_[key] = os.str();
}
void ModelWriter::save(const std::string &path) const {
  saveSafetensors(path, tensors_, metadata_);
}

ModelReader::ModelReader(const std::string &path, const std::string &modelType) : path_(path) {
  TensorFile f = loadSafetensors(path);
  tensors_ = std::move(f.tensors);
  metadata_ = std::move(f.metadata);
  auto it = metadata_.find("kiln.ml.model");
  if (it == metadata_.end())
    fail("kiln.ml.", modelType, ".load: '", path,
         "' is not a Kiln ML model file (no kiln.ml.model metadata)");
  if (it->second != modelType)
    fail("kiln.ml.", modelType, ".load: '", path, "' holds a ", it->second,
         " model; expected ", modelType);
}

void ModelReader::bad(const std::string &what) const {
  fail("kiln.ml: model file '", path_, "': ", what);
}

bool ModelReader::has(const std::string &name) const { return tensors_.count(name) != 0; }

const Tensor &ModelReader::tensor(const std::string &name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end())
    bad("missing tensor '" + name + "'");
  return it->second;
}

static void checkFiniteTensor(const ModelReader &r, const std::string &name, const Tensor &t,
                              const std::string &path) {
  (void)r;
  if (t.dtype() == DType::F64 || t.dtype() == DType::F32)
    for (int64_t i = 0; i < t.numel(); ++i)
      if (!std::isfinite(t.at(i)))
        fail("kiln.ml: model file '", path, "': tensor '", name, "' has a non-finite value");
}

Matrix ModelReader::matrix(const std::string &name, Index rows, Index cols) const {
  const Tensor &t = tensor(name);
  if (t.rank() != 2 || (rows >= 0 && t.dim(0) != rows) || (cols >= 0 && t.dim(1) != cols))
    bad("tensor '" + name + "' is " + t.typeString() + "; expected a 2-D tensor of shape " +
        (rows >= 0 ? std::to_string(rows) : std::string("?")) + "x" +
        (cols >= 0 ? std::to_string(cols) : std::string("?")));
  checkFiniteTensor(*this, name, t, path_);
  return toMatrix(t);
}

Vector ModelReader::vector(const std::string &name, Index size) const {
  const Tensor &t = tensor(name);
  if (t.rank() != 1 || (size >= 0 && t.dim(0) != size))
    bad("tensor '" + name + "' is " + t.typeString() + "; expected a 1-D tensor of size " +
        (size >= 0 ? std::to_string(size) : std::string("?")));
  checkFiniteTensor(*this, name, t, path_);
  return toVector(t);
}

Labels ModelReader::labels(const std::string &name, Index size) const {
  const Tensor &t = tensor(name);
  if (t.rank() != 1 || (size >= 0 && t.dim(0) != size) ||
      (t.dtype() != DType::I64 && t.dtype() != DType::I32))
    bad("tensor '" + name + "' is " + t.typeString() + "; expected a 1-D integer tensor of size " +
        (size >= 0 ? std::to_string(size) : std::string("?")));
  return toLabels(t);
}

std::string ModelReader::setting(const std::string &key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end())
    bad("missing setting '" + key + "'");
  return it->second;
}

double ModelReader::number(const std::string &key) const {
  std::string s = setting(key);
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0')
    bad("setting '" + key + "' is '" + s + "'; expected a number");
  return v;
}

long long ModelReader::integer(const std::string &key, long long lo, long long hi) const {
  double v = number(key);
  if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || v != std::floor(v))
    bad("setting '" + key + "' is " + setting(key) + "; expected an integer in [" +
        std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<long long>(v);
}

} // namespace kiln::ml
