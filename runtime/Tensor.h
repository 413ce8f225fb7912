//===- Tensor.h - Owning, aligned n-d arrays ---------------------*- C++ -*-===//
//
// kiln::Tensor is the data that flows into and out of a compiled model: an
// owning, 64-byte aligned, contiguous row-major buffer with a shape and a
// dtype. Copies share the buffer (like torch.Tensor); `clone()` makes a deep
// copy. It is deliberately small: arithmetic on tensors is what compiled
// models are for.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_TENSOR_H
#define KILN_RUNTIME_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

/// Element types a Tensor can hold.
enum class DType { F32, F64, I32, I64, U8, Bool };

/// Size of one element in bytes.
std::size_t dtypeSize(DType dtype);
/// Lower-case MLIR spelling: "f32", "f64", "i32", "i64", "ui8", "i1".
const char *dtypeName(DType dtype);

/// Maps a C++ element type to its DType (float -> F32, ...).
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::F32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::F64; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::I32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::I64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::U8; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };

using Shape = std::vector<int64_t>;

/// "2x3x4" (or "scalar" for rank 0); used in every error message.
std::string shapeToString(const Shape &shape);
/// Number of elements of a static shape; throws kiln::Error on a negative
/// dimension or on overflow of int64.
int64_t numElements(const Shape &shape);

/// Alignment of every Tensor buffer, in bytes (one cache line, one zmm).
constexpr std::size_t kTensorAlignment = 64;

/// An owning, aligned, contiguous, row-major n-d array.
class Tensor {
public:
  /// An empty (rank-0, no storage) tensor; `defined()` is false.
  Tensor() = default;
  /// Allocates an uninitialized tensor of `shape` and `dtype`.
  Tensor(Shape shape, DType dtype = DType::F32);

  /// A zero-filled tensor.
  static Tensor zeros(Shape shape, DType dtype = DType::F32);
  /// A tensor filled with `value` (converted to `dtype`).
  static Tensor full(Shape shape, double value, DType dtype = DType::F32);
  /// An f32 tensor holding `values`; their count must match `shape`.
  static Tensor fromVector(Shape shape, const std::vector<float> &values);
  /// A tensor of `T` holding `values`; their count must match `shape`.
  template <typename T>
  static Tensor fromValues(Shape shape, const std::vector<T> &values) {
    Tensor t(std::move(shape), DTypeOf<T>::value);
    t.checkCount(values.size());
    T *out = t.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i)
      out[i] = values[i];
    return t;
  }

  bool defined() const { return storage_ != nullptr; }
  const Shape &shape() const { return shape_; }
  int64_t dim(int64_t i) const;
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  DType dtype() const { return dtype_; }
  int64_t numel() const { return numel_; }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel_) * dtypeSize(dtype_); }

  /// Typed access; throws kiln::Error if T does not match the dtype.
  template <typename T> T *data() {
    checkDType(DTypeOf<T>::value);
    return static_cast<T *>(rawData());
  }
  template <typename T> const T *data() const {
    checkDType(DTypeOf<T>::value);
    return static_cast<const T *>(rawData());
  }
  void *rawData() { return storage_ ? storage_.get() : nullptr; }
  const void *rawData() const { return storage_ ? storage_.get() : nullptr; }

  /// Row-major strides in elements.
  Shape strides() const;
  /// A deep copy with its own buffer.
  Tensor clone() const;
  /// The same buffer seen with another shape of equal element count.
  Tensor reshaped(Shape shape) const;
  /// Elementwise conversion to `dtype` (a new buffer).
  Tensor to(DType dtype) const;
  /// Element `i` (flat index) converted to double, for printing and tests.
  double at(int64_t flatIndex) const;

  /// "tensor<2x3xf32>"
  std::string typeString() const;

private:
  void checkDType(DType expected) const;
  void checkCount(std::size_t count) const;

  Shape shape_;
  DType dtype_ = DType::F32;
  int64_t numel_ = 0;
  std::shared_ptr<unsigned char> storage_;
};

/// Result of comparing two tensors elementwise with |a-b| <= atol + rtol*|b|.
struct Comparison {
  bool ok = true;
  int64_t mismatches = 0;
  int64_t worstIndex = -1;
  double worstActual = 0, worstExpected = 0;
  double maxAbsError = 0, maxRelError = 0;
  /// Empty when ok; otherwise "3 of 10 elements differ; worst at [1, 2]: ..."
  std::string message;
};

/// Compares `actual` to `expected` (shapes must match, NaN only matches
/// NaN). Used by kiln-run --expected and by the tests.
Comparison compareTensors(const Tensor &actual, const Tensor &expected,
                          double rtol, double atol);

} // namespace kiln

#endif // KILN_RUNTIME_TENSOR_H
