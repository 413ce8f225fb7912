//===- Tensor.cpp - Owning, aligned n-d arrays ----------------------------===//
//
// Storage is one aligned allocation shared by copies of a Tensor; all size
// arithmetic is checked so that a hostile shape (from a weights file, say)
// becomes a kiln::Error instead of an overflowed allocation.
//
//===----------------------------------------------------------------------===//
#include "runtime/Tensor.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>
#include <type_traits>

namespace kiln {

std::size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 0;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::U8:
    return "ui8";
  case DType::Bool:
    return "i1";
  }
  return "?";
}

std::string shapeToString(const Shape &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += 'x';
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s;
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      fail("tensor shape ", shapeToString(shape),
           " has a negative or dynamic dimension; expected a static shape");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      fail("tensor shape ", shapeToString(shape),
           " has more elements than fit in 64 bits");
    n *= d;
  }
  return n;
}

Tensor::Tensor(Shape shape, DType dtype)
    : shape_(std::move(shape)), dtype_(dtype), numel_(numElements(shape_)) {
  const std::size_t esize = dtypeSize(dtype_);
  if (static_cast<uint64_t>(numel_) >
      std::numeric_limits<std::size_t>::max() / esize / 2)
    fail("tensor<", shapeToString(shape_), "x", dtypeName(dtype_),
         "> is too large to allocate");
  std::size_t bytes = static_cast<std::size_t>(numel_) * esize;
  // Round up so that aligned_alloc's size is a multiple of the alignment, and
  // never allocate zero bytes (an empty tensor still needs a valid pointer).
  std::size_t padded =
      (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (padded == 0)
    padded = kTensorAlignment;
  void *p = std::aligned_alloc(kTensorAlignment, padded);
  if (!p)
    fail("out of memory allocating tensor<", shapeToString(shape_), "x",
         dtypeName(dtype_), "> (", bytes, " bytes)");
  storage_ = std::shared_ptr<unsigned char>(static_cast<unsigned char *>(p),
                                            [](unsigned char *q) { std::free(q); });
}

Tensor Tensor::zeros(Shape shape, DType dtype) {
  Tensor t(std::move(shape), dtype);
  std::memset(t.rawData(), 0, t.nbytes());
  return t;
}

/// `value` as a T. A double that an integer type cannot represent (NaN,
/// out of range) is undefined behaviour in a plain cast, so integers
/// saturate instead and NaN becomes 0.
template <typename T> static T convertTo(double value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (std::isnan(value))
      return 0;
    // Both limits of these types are exact in double.
    if (value <= static_cast<double>(std::numeric_limits<T>::min()))
      return std::numeric_limits<T>::min();
    if (value >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
  }
  return static_cast<T>(value);
}

template <typename T> static void fillAs(void *data, int64_t n, double value) {
  T *p = static_cast<T *>(data);
  const T converted = convertTo<T>(value);
  for (int64_t i = 0; i < n; ++i)
    p[i] = converted;
}

static void storeAs(DType dtype, void *data, int64_t n, double value) {
  switch (dtype) {
  case DType::F32:
    return fillAs<float>(data, n, value);
  case DType::F64:
    return fillAs<double>(data, n, value);
  case DType::I32:
    return fillAs<int32_t>(data, n, value);
  case DType::I64:
    return fillAs<int64_t>(data, n, value);
  case DType::U8:
    return fillAs<uint8_t>(data, n, value);
  case DType::Bool:
    return fillAs<bool>(data, n, value != 0);
  }
}

Tensor Tensor::full(Shape shape, double value, DType dtype) {
  Tensor t(std::move(shape), dtype);
  storeAs(dtype, t.rawData(), t.numel(), value);
  return t;
}

Tensor Tensor::fromVector(Shape shape, const std::vector<float> &values) {
  return fromValues<float>(std::move(shape), values);
}

int64_t Tensor::dim(int64_t i) const {
  int64_t r = rank();
  if (i < -r || i >= r)
    fail("Tensor::dim: index ", i, " out of range for rank ", r);
  return shape_[i < 0 ? i + r : i];
}

Shape Tensor::strides() const {
  Shape s(shape_.size(), 1);
  for (int64_t i = rank() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape_[i + 1];
  return s;
}

Tensor Tensor::clone() const {
  if (!defined())
    return Tensor();
  Tensor t(shape_, dtype_);
  std::memcpy(t.rawData(), rawData(), nbytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (numElements(shape) != numel_)
    fail("Tensor::reshaped: cannot view ", shapeToString(shape_), " (", numel_,
         " elements) as ", shapeToString(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

double Tensor::at(int64_t i) const {
  if (i < 0 || i >= numel_)
    fail("Tensor::at: flat index ", i, " out of range for ", typeString());
  const void *p = rawData();
  switch (dtype_) {
  case DType::F32:
    return static_cast<const float *>(p)[i];
  case DType::F64:
    return static_cast<const double *>(p)[i];
  case DType::I32:
    return static_cast<const int32_t *>(p)[i];
  case DType::I64:
    return static_cast<double>(static_cast<const int64_t *>(p)[i]);
  case DType::U8:
    return static_cast<const uint8_t *>(p)[i];
  case DType::Bool:
    return static_cast<const bool *>(p)[i] ? 1.0 : 0.0;
  }
  return 0;
}

Tensor Tensor::to(DType dtype) const {
  // Like clone(): an undefined tensor has no elements to convert.
  if (!defined())
    return Tensor();
  Tensor t(shape_, dtype);
  if (dtype == dtype_) {
    std::memcpy(t.rawData(), rawData(), nbytes());
    return t;
  }
  for (int64_t i = 0; i < numel_; ++i)
    storeAs(dtype, static_cast<unsigned char *>(t.rawData()) + i * dtypeSize(dtype),
            1, at(i));
  return t;
}

std::string Tensor::typeString() const {
  std::string s = "tensor<";
  if (!shape_.empty())
    s += shapeToString(shape_) + "x";
  return s + dtypeName(dtype_) + ">";
}

void Tensor::checkDType(DType expected) const {
  if (expected != dtype_)
    fail("Tensor::data: element type is ", dtypeName(dtype_), ", accessed as ",
         dtypeName(expected));
}

void Tensor::checkCount(std::size_t count) const {
  if (static_cast<int64_t>(count) != numel_)
    fail("Tensor: ", count, " values given for shape ", shapeToString(shape_),
         " (expected ", numel_, ")");
}

static std::string indexToString(const Shape &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::string s = "[";
  for (std::size_t i = 0; i < idx.size(); ++i)
    s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

Comparison compareTensors(const Tensor &actual, const Tensor &expected,
                          double rtol, double atol) {
  Comparison c;
  // An undefined tensor has the scalar shape but no element, so without
  // this check it would "match" any scalar.
  if (actual.defined() != expected.defined()) {
    c.ok = false;
    c.message = std::string("got ") +
                (actual.defined() ? actual.typeString() : "an undefined tensor") +
                ", expected " +
                (expected.defined() ? expected.typeString()
                                    : "an undefined tensor");
    return c;
  }
  if (actual.shape() != expected.shape()) {
    c.ok = false;
    c.message = "shape mismatch: got " + shapeToString(actual.shape()) +
                ", expected " + shapeToString(expected.shape());
    return c;
  }
  double worstExcess = -1;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.at(i), e = expected.at(i);
    bool good;
    double abs = std::fabs(a - e);
    if (std::isnan(a) || std::isnan(e))
      good = std::isnan(a) && std::isnan(e);
    else if (std::isinf(a) || std::isinf(e))
      good = a == e;
    else
      good = abs <= atol + rtol * std::fabs(e);
    if (!std::isnan(abs) && !std::isinf(abs)) {
      c.maxAbsError = std::max(c.maxAbsError, abs);
      if (e != 0)
        c.maxRelError = std::max(c.maxRelError, abs / std::fabs(e));
    }
    if (!good) {
      ++c.mismatches;
      double excess = std::isnan(abs) ? std::numeric_limits<double>::infinity()
                                      : abs - rtol * std::fabs(e);
      if (excess > worstExcess || c.worstIndex < 0) {
        worstExcess = excess;
        c.worstIndex = i;
        c.worstActual = a;
        c.worstExpected = e;
      }
    }
  }
  if (c.mismatches) {
    c.ok = false;
    std::ostringstream os;
    os << c.mismatches << " of " << actual.numel()
       << " elements differ (rtol=" << rtol << ", atol=" << atol
       << "); worst at " << indexToString(actual.shape(), c.worstIndex)
       << ": got " << c.worstActual << ", expected " << c.worstExpected;
    c.message = os.str();
  }
  return c;
}

} // namespace kiln
