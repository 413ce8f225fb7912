//===- Reference.cpp - Plain-loop reference ops for e2e tests -------------===//
//
// Each op is written as the most direct loop that is still fast enough for
// test-sized models. Most data movement goes through one helper,
// stridedCopy(), which reads a strided view (broadcast = stride 0, permute =
// permuted strides, slice = offset + scaled stride) into a fresh contiguous
// tensor; the arithmetic then runs over contiguous buffers.
//
//===----------------------------------------------------------------------===//
#include "tests/e2e/Reference.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace kiln::ref {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

std::string str(const Shape &shape) { return shapeToString(shape); }

/// "[3, -1]": a list of integers that may be negative (a reshape target, a
/// permutation), which shapeToString would print as "?".
std::string list(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

/// Throws unless `x` is a defined f32 tensor.
void checkF32(const char *fn, const Tensor &x, const char *what = "input") {
  if (!x.defined())
    fail("kiln::ref::", fn, ": ", what, " is an undefined tensor");
  if (x.dtype() != DType::F32)
    fail("kiln::ref::", fn, ": ", what, " is ", x.typeString(),
         "; expected an f32 tensor");
}

/// Maps `axis` in [-rank, rank) to [0, rank), or throws.
int64_t normalizeAxis(const char *fn, int64_t axis, const Shape &shape) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= rank)
    fail("kiln::ref::", fn, ": axis ", axis, " is out of range for shape ",
         str(shape), " (expected -", rank, " <= axis < ", rank, ")");
  return axis < 0 ? axis + rank : axis;
}

/// Product of shape[begin, end).
int64_t product(const Shape &shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i)
    p *= shape[i];
  return p;
}

/// Returns a new contiguous tensor of shape `shape` whose element at
/// multi-index idx is src[offset + sum_d idx[d] * strides[d]] (flat index
/// into src's buffer). Walks the output with an odometer so that the source
/// offset is updated incrementally.
Tensor stridedCopy(const Tensor &src, const Shape &shape, const Shape &strides,
                   int64_t offset) {
  Tensor out(shape);
  float *o = out.data<float>();
  const float *s = src.data<float>();
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t off = offset;
  for (int64_t i = 0; i < out.numel(); ++i) {
    o[i] = s[off];
    for (int64_t d = rank - 1; d >= 0; --d) {
      ++idx[d];
      off += strides[d];
      if (idx[d] < shape[d])
        break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/// x expanded to `shape` (which must be a broadcast of x's shape):
/// right-aligned, size-1 and missing dimensions are read with stride 0.
Tensor broadcastTo(const Tensor &x, const Shape &shape) {
  const Shape inStrides = x.strides();
  Shape strides(shape.size(), 0);
  size_t lead = shape.size() - x.shape().size();
  for (size_t i = 0; i < x.shape().size(); ++i)
    strides[lead + i] = x.shape()[i] == 1 ? 0 : inStrides[i];
  return stridedCopy(x, shape, strides, 0);
}

/// broadcastShapes() with errors attributed to the op `fn`.
Shape broadcastShapesFor(const char *fn, const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Dimension i counted from the right; a missing dimension acts as 1.
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      fail("kiln::ref::", fn, ": cannot broadcast shapes ", str(a), " and ",
           str(b), " (dimension ", -static_cast<int64_t>(i) - 1, " is ", da,
           " vs ", db, "; expected equal or 1)");
    out[rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

/// Applies `f(double, double)` elementwise after broadcasting a and b.
template <typename F>
Tensor binary(const char *fn, const Tensor &a, const Tensor &b, F f) {
  checkF32(fn, a, "lhs");
  checkF32(fn, b, "rhs");
  Shape shape = broadcastShapesFor(fn, a.shape(), b.shape());
  Tensor ea = broadcastTo(a, shape), eb = broadcastTo(b, shape);
  Tensor out(shape);
  const float *pa = ea.data<float>(), *pb = eb.data<float>();
  float *po = out.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i)
    po[i] = static_cast<float>(f(double(pa[i]), double(pb[i])));
  return out;
}

/// Applies `f(double)` elementwise.
template <typename F> Tensor unary(const char *fn, const Tensor &x, F f) {
  checkF32(fn, x);
  Tensor out(x.shape());
  const float *px = x.data<float>();
  float *po = out.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i)
    po[i] = static_cast<float>(f(double(px[i])));
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

Shape broadcastShapes(const Shape &a, const Shape &b) {
  return broadcastShapesFor("broadcastShapes", a, b);
}

Tensor add(const Tensor &a, const Tensor &b) {
  return binary("add", a, b, [](double x, double y) { return x + y; });
}
Tensor sub(const Tensor &a, const Tensor &b) {
  return binary("sub", a, b, [](double x, double y) { return x - y; });
}
Tensor mul(const Tensor &a, const Tensor &b) {
  return binary("mul", a, b, [](double x, double y) { return x * y; });
}
Tensor div(const Tensor &a, const Tensor &b) {
  return binary("div", a, b, [](double x, double y) { return x / y; });
}
Tensor maximum(const Tensor &a, const Tensor &b) {
  return binary("maximum", a, b, [](double x, double y) {
    return std::isnan(x) || std::isnan(y) ? kNaN : (x > y ? x : y);
  });
}
Tensor minimum(const Tensor &a, const Tensor &b) {
  return binary("minimum", a, b, [](double x, double y) {
    return std::isnan(x) || std::isnan(y) ? kNaN : (x < y ? x : y);
  });
}
Tensor pow(const Tensor &a, const Tensor &b) {
  return binary("pow", a, b, [](double x, double y) { return std::pow(x, y); });
}

//===----------------------------------------------------------------------===//
// Unary elementwise ops
//===----------------------------------------------------------------------===//

Tensor neg(const Tensor &x) {
  return unary("neg", x, [](double v) { return -v; });
}
Tensor abs(const Tensor &x) {
  return unary("abs", x, [](double v) { return std::fabs(v); });
}
Tensor exp(const Tensor &x) {
  return unary("exp", x, [](double v) { return std::exp(v); });
}
Tensor log(const Tensor &x) {
  return unary("log", x, [](double v) { return std::log(v); });
}
Tensor sqrt(const Tensor &x) {
  return unary("sqrt", x, [](double v) { return std::sqrt(v); });
}
Tensor rsqrt(const Tensor &x) {
  return unary("rsqrt", x, [](double v) { return 1.0 / std::sqrt(v); });
}
Tensor relu(const Tensor &x) {
  // `v < 0` is false for NaN, so NaN passes through as in torch.
  return unary("relu", x, [](double v) { return v < 0 ? 0.0 : v; });
}
Tensor leakyRelu(const Tensor &x, double alpha) {
  return unary("leakyRelu", x,
               [alpha](double v) { return v > 0 ? v : alpha * v; });
}
Tensor sigmoid(const Tensor &x) {
  return unary("sigmoid", x,
               [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}
Tensor tanh(const Tensor &x) {
  return unary("tanh", x, [](double v) { return std::tanh(v); });
}
Tensor gelu(const Tensor &x, bool tanhApprox) {
  if (tanhApprox) {
    const double k = std::sqrt(2.0 / kPi);
    return unary("gelu", x, [k](double v) {
      return 0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v)));
    });
  }
  return unary("gelu", x, [](double v) {
    return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  });
}
Tensor silu(const Tensor &x) {
  return unary("silu", x, [](double v) { return v / (1.0 + std::exp(-v)); });
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// Shared body of softmax and logSoftmax. The tensor is viewed as
/// [outer, n, inner] around `axis`; each of the outer*inner lanes of n
/// elements (stride `inner`) is normalized independently.
static Tensor softmaxImpl(const char *fn, const Tensor &x, int64_t axis,
                          bool logForm) {
  checkF32(fn, x);
  // A rank-0 tensor behaves as a one-element vector (torch allows dim 0/-1).
  const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
  const size_t ax = static_cast<size_t>(normalizeAxis(fn, axis, shape));
  const int64_t outer = product(shape, 0, ax), n = shape[ax],
                inner = product(shape, ax + 1, shape.size());
  Tensor out(x.shape());
  const float *px = x.data<float>();
  float *po = out.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * n * inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < n; ++k)
        mx = std::max(mx, double(px[base + k * inner]));
      double sum = 0;
      for (int64_t k = 0; k < n; ++k)
        sum += std::exp(double(px[base + k * inner]) - mx);
      for (int64_t k = 0; k < n; ++k) {
        double shifted = double(px[base + k * inner]) - mx;
        double v = logForm ? shifted - std::log(sum) : std::exp(shifted) / sum;
        po[base + k * inner] = static_cast<float>(v);
      }
    }
  }
  return out;
}

Tensor softmax(const Tensor &x, int64_t axis) {
  return softmaxImpl("softmax", x, axis, /*logForm=*/false);
}
Tensor logSoftmax(const Tensor &x, int64_t axis) {
  return softmaxImpl("logSoftmax", x, axis, /*logForm=*/true);
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

Tensor matmul(const Tensor &a, const Tensor &b) {
  checkF32("matmul", a, "lhs");
  checkF32("matmul", b, "rhs");
  if (a.rank() < 2 || b.rank() < 2)
    fail("kiln::ref::matmul: operands must have rank >= 2, got ",
         str(a.shape()), " and ", str(b.shape()));
  const int64_t M = a.dim(-2), K = a.dim(-1), N = b.dim(-1);
  if (b.dim(-2) != K)
    fail("kiln::ref::matmul: contracting dimensions differ: lhs ",
         str(a.shape()), ", rhs ", str(b.shape()),
         " (expected lhs[-1] == rhs[-2])");
  const Shape batchA(a.shape().begin(), a.shape().end() - 2);
  const Shape batchB(b.shape().begin(), b.shape().end() - 2);
  Shape batch;
  try {
    batch = broadcastShapesFor("matmul", batchA, batchB);
  } catch (const Error &) {
    fail("kiln::ref::matmul: batch dimensions of lhs ", str(a.shape()),
         " and rhs ", str(b.shape()), " do not broadcast");
  }

  // Materialize both operands with the full batch shape, then run one plain
  // [M, K] x [K, N] product per batch entry.
  Shape shapeA = batch, shapeB = batch, shapeOut = batch;
  shapeA.insert(shapeA.end(), {M, K});
  shapeB.insert(shapeB.end(), {K, N});
  shapeOut.insert(shapeOut.end(), {M, N});
  Tensor ea = broadcastTo(a, shapeA), eb = broadcastTo(b, shapeB);
  Tensor out(shapeOut);
  const float *pa = ea.data<float>(), *pb = eb.data<float>();
  float *po = out.data<float>();
  std::vector<double> row(static_cast<size_t>(N));
  for (int64_t bi = 0, nb = numElements(batch); bi < nb; ++bi) {
    const float *A = pa + bi * M * K, *B = pb + bi * K * N;
    float *C = po + bi * M * N;
    for (int64_t m = 0; m < M; ++m) {
      // i-k-j order: row m of C accumulates A[m,k] * (row k of B).
      std::fill(row.begin(), row.end(), 0.0);
      for (int64_t k = 0; k < K; ++k) {
        const double amk = A[m * K + k];
        for (int64_t n = 0; n < N; ++n)
          row[n] += amk * double(B[k * N + n]);
      }
      for (int64_t n = 0; n < N; ++n)
        C[m * N + n] = static_cast<float>(row[n]);
    }
  }
  return out;
}

Tensor linear(const Tensor &x, const Tensor &w, const Tensor &b) {
  checkF32("linear", x, "input");
  checkF32("linear", w, "weight");
  if (x.rank() < 1 || w.rank() != 2 || x.dim(-1) != w.dim(1))
    fail("kiln::ref::linear: input ", str(x.shape()), " and weight ",
         str(w.shape()),
         " do not fit (expected input [..., in] and weight [out, in])");
  const int64_t in = w.dim(1), outF = w.dim(0);
  if (b.defined()) {
    checkF32("linear", b, "bias");
    if (b.rank() != 1 || b.dim(0) != outF)
      fail("kiln::ref::linear: bias ", str(b.shape()), " does not fit weight ",
           str(w.shape()), " (expected bias [", outF, "])");
  }
  Shape shape = x.shape();
  shape.back() = outF;
  Tensor out(shape);
  const int64_t rows = product(x.shape(), 0, x.shape().size() - 1);
  const float *px = x.data<float>(), *pw = w.data<float>();
  const float *pb = b.defined() ? b.data<float>() : nullptr;
  float *po = out.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < outF; ++o) {
      // Row r of x dotted with row o of W (both contiguous).
      double acc = 0;
      for (int64_t k = 0; k < in; ++k)
        acc += double(px[r * in + k]) * double(pw[o * in + k]);
      if (pb)
        acc += pb[o];
      po[r * outF + o] = static_cast<float>(acc);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Tensor reshape(const Tensor &x, const Shape &shape) {
  checkF32("reshape", x);
  Shape target = shape;
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0)
        fail("kiln::ref::reshape: target shape ", list(shape),
             " has more than one -1 (input ", str(x.shape()), ")");
      inferred = static_cast<int64_t>(i);
    } else if (target[i] < 0) {
      fail("kiln::ref::reshape: target shape ", list(shape),
           " has a negative dimension (input ", str(x.shape()), ")");
    } else {
      known *= target[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0)
      fail("kiln::ref::reshape: cannot infer the -1 in ", list(shape),
           " for input ", str(x.shape()), " (", x.numel(), " elements)");
    target[inferred] = x.numel() / known;
  }
  if (numElements(target) != x.numel())
    fail("kiln::ref::reshape: cannot reshape ", str(x.shape()), " (", x.numel(),
         " elements) to ", list(shape));
  return x.clone().reshaped(target);
}

Tensor permute(const Tensor &x, const std::vector<int64_t> &perm) {
  checkF32("permute", x);
  const Shape &in = x.shape();
  auto bad = [&]() {
    fail("kiln::ref::permute: ", list(perm), " is not a permutation of the ",
         in.size(), " dimensions of ", str(in));
  };
  if (perm.size() != in.size())
    bad();
  const Shape inStrides = x.strides();
  Shape shape(in.size()), strides(in.size());
  std::vector<bool> seen(in.size(), false);
  for (size_t i = 0; i < perm.size(); ++i) {
    int64_t rank = static_cast<int64_t>(in.size());
    int64_t p = perm[i] < 0 ? perm[i] + rank : perm[i];
    if (p < 0 || p >= rank || seen[p])
      bad();
    seen[p] = true;
    shape[i] = in[p];
    strides[i] = inStrides[p];
  }
  return stridedCopy(x, shape, strides, 0);
}

Tensor transpose(const Tensor &x, int64_t d0, int64_t d1) {
  checkF32("transpose", x);
  int64_t a = normalizeAxis("transpose", d0, x.shape());
  int64_t b = normalizeAxis("transpose", d1, x.shape());
  std::vector<int64_t> perm(x.shape().size());
  for (size_t i = 0; i < perm.size(); ++i)
    perm[i] = static_cast<int64_t>(i);
  std::swap(perm[a], perm[b]);
  return permute(x, perm);
}

Tensor concat(const std::vector<Tensor> &xs, int64_t axis) {
  if (xs.empty())
    fail("kiln::ref::concat: expected at least one tensor");
  for (const Tensor &t : xs)
    checkF32("concat", t);
  const Shape &first = xs[0].shape();
  if (first.empty())
    fail("kiln::ref::concat: cannot concatenate rank-0 tensors");
  const size_t ax = static_cast<size_t>(normalizeAxis("concat", axis, first));
  Shape shape = first;
  shape[ax] = 0;
  for (const Tensor &t : xs) {
    bool fits = t.shape().size() == first.size();
    for (size_t d = 0; fits && d < first.size(); ++d)
      fits = d == ax || t.shape()[d] == first[d];
    if (!fits)
      fail("kiln::ref::concat: shape ", str(t.shape()), " does not match ",
           str(first), " outside axis ", axis);
    shape[ax] += t.shape()[ax];
  }
  // Each input contributes a contiguous chunk of dim(axis) * inner elements
  // to every one of the `outer` slabs of the result.
  const int64_t outer = product(shape, 0, ax),
                inner = product(shape, ax + 1, shape.size());
  Tensor out(shape);
  float *po = out.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor &t : xs) {
      const int64_t chunk = t.shape()[ax] * inner;
      const float *pt = t.data<float>() + o * chunk;
      for (int64_t i = 0; i < chunk; ++i)
        *po++ = pt[i];
    }
  }
  return out;
}

Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step) {
  checkF32("slice", x);
  const size_t ax =
      static_cast<size_t>(normalizeAxis("slice", axis, x.shape()));
  if (step < 1)
    fail("kiln::ref::slice: step ", step, " on ", str(x.shape()),
         " must be >= 1");
  const int64_t dim = x.shape()[ax];
  auto clampIndex = [dim](int64_t i) {
    if (i < 0)
      i += dim;
    return std::min(std::max(i, int64_t(0)), dim);
  };
  start = clampIndex(start);
  end = clampIndex(end);
  const int64_t count = end > start ? (end - start + step - 1) / step : 0;
  Shape shape = x.shape(), strides = x.strides();
  shape[ax] = count;
  const int64_t offset = start * strides[ax];
  strides[ax] *= step;
  return stridedCopy(x, shape, strides, count ? offset : 0);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {

enum class ReduceKind { Sum, Mean, Max };

/// Permutes the reduced axes to the back so that each output element
/// reduces one contiguous row, then applies `kind` to every row.
Tensor reduce(const char *fn, const Tensor &x, const std::vector<int64_t> &axes,
              bool keepdim, ReduceKind kind) {
  checkF32(fn, x);
  const Shape &in = x.shape();
  // torch accepts dim 0 / -1 on a rank-0 tensor; the result is the element.
  const Shape axisShape = in.empty() ? Shape{1} : in;
  std::vector<bool> reduced(axisShape.size(), axes.empty());
  for (int64_t a : axes) {
    size_t d = static_cast<size_t>(normalizeAxis(fn, a, axisShape));
    if (reduced[d])
      fail("kiln::ref::", fn, ": axis ", a, " appears more than once for ",
           str(in));
    reduced[d] = true;
  }
  if (in.empty())
    reduced.assign(0, false);

  std::vector<int64_t> perm;
  Shape outShape;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d]) {
      perm.push_back(static_cast<int64_t>(d));
      outShape.push_back(in[d]);
    } else if (keepdim) {
      outShape.push_back(1);
    }
  }
  int64_t cols = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    if (reduced[d]) {
      perm.push_back(static_cast<int64_t>(d));
      cols *= in[d];
    }
  }
  if (kind == ReduceKind::Max && cols == 0)
    fail("kiln::ref::", fn, ": cannot take the max of an empty extent of ",
         str(in));

  Tensor p = permute(x, perm);
  Tensor out(outShape);
  const float *pp = p.data<float>();
  float *po = out.data<float>();
  for (int64_t r = 0; r < out.numel(); ++r) {
    const float *row = pp + r * cols;
    double acc = kind == ReduceKind::Max
                     ? -std::numeric_limits<double>::infinity()
                     : 0.0;
    for (int64_t c = 0; c < cols; ++c) {
      double v = row[c];
      if (kind != ReduceKind::Max)
        acc += v;
      else if (!std::isnan(acc) && (std::isnan(v) || v > acc))
        acc = v; // the first NaN sticks: NaN propagates as in torch
    }
    if (kind == ReduceKind::Mean)
      acc = cols ? acc / double(cols) : kNaN;
    po[r] = static_cast<float>(acc);
  }
  return out;
}

} // namespace

Tensor reduceSum(const Tensor &x, const std::vector<int64_t> &axes,
                 bool keepdim) {
  return reduce("reduceSum", x, axes, keepdim, ReduceKind::Sum);
}
Tensor reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepdim) {
  return reduce("reduceMean", x, axes, keepdim, ReduceKind::Mean);
}
Tensor reduceMax(const Tensor &x, const std::vector<int64_t> &axes,
                 bool keepdim) {
  return reduce("reduceMax", x, axes, keepdim, ReduceKind::Max);
}

Tensor argmax(const Tensor &x, int64_t axis, bool keepdim) {
  checkF32("argmax", x);
  const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
  const size_t ax = static_cast<size_t>(normalizeAxis("argmax", axis, shape));
  const int64_t outer = product(shape, 0, ax), n = shape[ax],
                inner = product(shape, ax + 1, shape.size());
  if (n == 0)
    fail("kiln::ref::argmax: axis ", axis, " of ", str(x.shape()), " is empty");
  Shape outShape;
  for (size_t d = 0; d < x.shape().size(); ++d) {
    if (d != ax)
      outShape.push_back(x.shape()[d]);
    else if (keepdim)
      outShape.push_back(1);
  }
  Tensor out(outShape, DType::I64);
  const float *px = x.data<float>();
  int64_t *po = out.data<int64_t>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float *lane = px + o * n * inner + i;
      int64_t best = 0;
      // Strictly greater keeps the first of equal maxima; the first NaN
      // wins over everything and is never replaced.
      for (int64_t k = 1; k < n && !std::isnan(lane[best * inner]); ++k) {
        float v = lane[k * inner];
        if (std::isnan(v) || v > lane[best * inner])
          best = k;
      }
      po[o * inner + i] = best;
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

namespace {

/// Throws unless `x` is a defined f32 or f64 tensor.
void checkFloat(const char *fn, const Tensor &x, const char *what) {
  if (!x.defined())
    fail("kiln::ref::", fn, ": ", what, " is an undefined tensor");
  if (x.dtype() != DType::F32 && x.dtype() != DType::F64)
    fail("kiln::ref::", fn, ": ", what, " is ", x.typeString(),
         "; expected an f32 or f64 tensor");
}

/// Checks an optional operand: undefined is fine; otherwise it must be a
/// float tensor of x's dtype.
void checkOptional(const char *fn, const Tensor &x, const Tensor &t,
                   const char *what) {
  if (!t.defined())
    return;
  checkFloat(fn, t, what);
  if (t.dtype() != x.dtype())
    fail("kiln::ref::", fn, ": ", what, " is ", t.typeString(),
         " but the input is ", x.typeString());
}

/// The elements of an f32 or f64 tensor as doubles (empty if undefined).
std::vector<double> values(const Tensor &t) {
  std::vector<double> v;
  if (!t.defined())
    return v;
  v.resize(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::F64) {
    const double *p = t.data<double>();
    std::copy(p, p + t.numel(), v.begin());
  } else {
    const float *p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i)
      v[i] = p[i];
  }
  return v;
}

/// A tensor of `dtype` (F32 or F64) holding `v`, rounded once.
Tensor fromDoubles(const Shape &shape, const std::vector<double> &v,
                   DType dtype) {
  Tensor out(shape, dtype);
  if (dtype == DType::F64) {
    std::copy(v.begin(), v.end(), out.data<double>());
  } else {
    float *p = out.data<float>();
    for (size_t i = 0; i < v.size(); ++i)
      p[i] = static_cast<float>(v[i]);
  }
  return out;
}

/// Throws unless x is 4-D (NCHW).
void check4d(const char *fn, const Tensor &x, const char *what = "input") {
  checkFloat(fn, x, what);
  if (x.rank() != 4)
    fail("kiln::ref::", fn, ": ", what, " ", str(x.shape()),
         " must be 4-D [N, C, H, W]");
}

std::string hw(HW v) {
  return "(" + std::to_string(v.h) + ", " + std::to_string(v.w) + ")";
}
std::string pad4(Pad4 p) {
  return "(" + std::to_string(p.top) + ", " + std::to_string(p.left) + ", " +
         std::to_string(p.bottom) + ", " + std::to_string(p.right) + ")";
}

void checkGeometry(const char *fn, const Shape &x, HW kernel, HW stride,
                   Pad4 padding, HW dilation) {
  if (kernel.h < 1 || kernel.w < 1 || stride.h < 1 || stride.w < 1 ||
      dilation.h < 1 || dilation.w < 1 || padding.top < 0 ||
      padding.left < 0 || padding.bottom < 0 || padding.right < 0)
    fail("kiln::ref::", fn, ": bad geometry for input ", str(x), ": kernel ",
         hw(kernel), ", stride ", hw(stride), ", padding ", pad4(padding),
         ", dilation ", hw(dilation),
         " (expected kernel, stride, dilation >= 1 and padding >= 0)");
  const int64_t spanH = x[2] + padding.top + padding.bottom -
                        dilation.h * (kernel.h - 1) - 1;
  const int64_t spanW = x[3] + padding.left + padding.right -
                        dilation.w * (kernel.w - 1) - 1;
  if (spanH < 0 || spanW < 0)
    fail("kiln::ref::", fn, ": the dilated kernel ", hw(kernel), " (dilation ",
         hw(dilation), ") is larger than the padded input ", str(x),
         " (padding ", pad4(padding), ")");
}

} // namespace

Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor &b, HW stride,
              Pad4 padding, HW dilation, int64_t groups) {
  check4d("conv2d", x);
  check4d("conv2d", w, "weight");
  checkOptional("conv2d", x, w, "weight");
  checkOptional("conv2d", x, b, "bias");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t F = w.dim(0), Cg = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  if (groups < 1 || C % groups != 0 || F % groups != 0 || Cg * groups != C)
    fail("kiln::ref::conv2d: input ", str(x.shape()), ", weight ",
         str(w.shape()), " and groups ", groups,
         " do not fit (expected weight [F, C/groups, KH, KW] with groups "
         "dividing C and F)");
  if (b.defined() && (b.rank() != 1 || b.dim(0) != F))
    fail("kiln::ref::conv2d: bias ", str(b.shape()), " does not fit weight ",
         str(w.shape()), " (expected [", F, "])");
  checkGeometry("conv2d", x.shape(), HW(KH, KW), stride, padding, dilation);
  const int64_t OH = (H + padding.top + padding.bottom - dilation.h * (KH - 1) -
                      1) / stride.h + 1;
  const int64_t OW = (W + padding.left + padding.right -
                      dilation.w * (KW - 1) - 1) / stride.w + 1;
  const std::vector<double> px = values(x), pw = values(w), pb = values(b);
  std::vector<double> out(static_cast<size_t>(N * F * OH * OW));
  const int64_t Fg = F / groups;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      const int64_t g = f / Fg;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b.defined() ? pb[f] : 0.0;
          for (int64_t c = 0; c < Cg; ++c) {
            const int64_t ci = g * Cg + c;
            for (int64_t kh = 0; kh < KH; ++kh) {
              // Input row under kernel row kh; rows in the padding are 0.
              const int64_t ih = oh * stride.h - padding.top + kh * dilation.h;
              if (ih < 0 || ih >= H)
                continue;
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t iw =
                    ow * stride.w - padding.left + kw * dilation.w;
                if (iw < 0 || iw >= W)
                  continue;
                acc += px[((n * C + ci) * H + ih) * W + iw] *
                       pw[((f * Cg + c) * KH + kh) * KW + kw];
              }
            }
          }
          out[((n * F + f) * OH + oh) * OW + ow] = acc;
        }
    }
  return fromDoubles({N, F, OH, OW}, out, x.dtype());
}

Tensor convTranspose2d(const Tensor &x, const Tensor &w, const Tensor &b,
                       HW stride, HW padding, HW outputPadding, int64_t groups,
                       HW dilation) {
  check4d("convTranspose2d", x);
  check4d("convTranspose2d", w, "weight");
  checkOptional("convTranspose2d", x, w, "weight");
  checkOptional("convTranspose2d", x, b, "bias");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t KH = w.dim(2), KW = w.dim(3);
  if (groups < 1 || C % groups != 0 || w.dim(0) != C)
    fail("kiln::ref::convTranspose2d: input ", str(x.shape()), ", weight ",
         str(w.shape()), " and groups ", groups,
         " do not fit (expected weight [C, F/groups, KH, KW] with groups "
         "dividing C)");
  const int64_t Fg = w.dim(1), F = Fg * groups, Cg = C / groups;
  if (b.defined() && (b.rank() != 1 || b.dim(0) != F))
    fail("kiln::ref::convTranspose2d: bias ", str(b.shape()),
         " does not fit weight ", str(w.shape()), " and groups ", groups,
         " (expected [", F, "])");
  if (stride.h < 1 || stride.w < 1 || dilation.h < 1 || dilation.w < 1 ||
      padding.h < 0 || padding.w < 0 || outputPadding.h < 0 ||
      outputPadding.w < 0 ||
      (outputPadding.h >= stride.h && outputPadding.h >= dilation.h) ||
      (outputPadding.w >= stride.w && outputPadding.w >= dilation.w))
    fail("kiln::ref::convTranspose2d: bad geometry for input ",
         str(x.shape()), ": stride ", hw(stride), ", padding ", hw(padding),
         ", output padding ", hw(outputPadding), ", dilation ", hw(dilation),
         " (output padding must be smaller than stride or dilation)");
  const int64_t OH = (H - 1) * stride.h - 2 * padding.h +
                     dilation.h * (KH - 1) + outputPadding.h + 1;
  const int64_t OW = (W - 1) * stride.w - 2 * padding.w +
                     dilation.w * (KW - 1) + outputPadding.w + 1;
  if (OH < 1 || OW < 1)
    fail("kiln::ref::convTranspose2d: output size ", OH, "x", OW,
         " of input ", str(x.shape()), " and weight ", str(w.shape()),
         " is too small");
  const std::vector<double> px = values(x), pw = values(w), pb = values(b);
  std::vector<double> out(static_cast<size_t>(N * F * OH * OW), 0.0);
  // Scatter form: input pixel (ih, iw) of channel ci adds
  // x * w[ci, f, kh, kw] at output (ih*s - p + kh*d, iw*s - p + kw*d).
  for (int64_t n = 0; n < N; ++n)
    for (int64_t ci = 0; ci < C; ++ci) {
      const int64_t g = ci / Cg;
      for (int64_t ih = 0; ih < H; ++ih)
        for (int64_t iw = 0; iw < W; ++iw) {
          const double v = px[((n * C + ci) * H + ih) * W + iw];
          for (int64_t f = 0; f < Fg; ++f) {
            const int64_t fo = g * Fg + f;
            for (int64_t kh = 0; kh < KH; ++kh) {
              const int64_t oh = ih * stride.h - padding.h + kh * dilation.h;
              if (oh < 0 || oh >= OH)
                continue;
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ow =
                    iw * stride.w - padding.w + kw * dilation.w;
                if (ow < 0 || ow >= OW)
                  continue;
                out[((n * F + fo) * OH + oh) * OW + ow] +=
                    v * pw[((ci * Fg + f) * KH + kh) * KW + kw];
              }
            }
          }
        }
    }
  if (b.defined())
    for (int64_t n = 0; n < N; ++n)
      for (int64_t f = 0; f < F; ++f)
        for (int64_t i = 0; i < OH * OW; ++i)
          out[(n * F + f) * OH * OW + i] += pb[f];
  return fromDoubles({N, F, OH, OW}, out, x.dtype());
}

int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t stride,
                       int64_t padBefore, int64_t padAfter, int64_t dilation,
                       bool ceilMode) {
  const int64_t span = in + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0 || stride < 1)
    fail("kiln::ref::poolOutputSize: window ", kernel, " (dilation ",
         dilation, ", stride ", stride, ") does not fit input ", in,
         " padded by ", padBefore, " + ", padAfter);
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBefore)
    --out;
  return out;
}

Tensor maxPool2d(const Tensor &x, HW kernel, HW stride, Pad4 padding,
                 HW dilation, bool ceilMode) {
  check4d("maxPool2d", x);
  if (stride.h == 0 && stride.w == 0)
    stride = kernel;
  checkGeometry("maxPool2d", x.shape(), kernel, stride, padding, dilation);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = poolOutputSize(H, kernel.h, stride.h, padding.top,
                                    padding.bottom, dilation.h, ceilMode);
  const int64_t OW = poolOutputSize(W, kernel.w, stride.w, padding.left,
                                    padding.right, dilation.w, ceilMode);
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C * OH * OW));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        // Padding is -inf: positions outside the input never win.
        double best = -std::numeric_limits<double>::infinity();
        for (int64_t kh = 0; kh < kernel.h; ++kh) {
          const int64_t ih = oh * stride.h - padding.top + kh * dilation.h;
          if (ih < 0 || ih >= H)
            continue;
          for (int64_t kw = 0; kw < kernel.w; ++kw) {
            const int64_t iw = ow * stride.w - padding.left + kw * dilation.w;
            if (iw < 0 || iw >= W)
              continue;
            const double v = px[(nc * H + ih) * W + iw];
            if (!std::isnan(best) && (std::isnan(v) || v > best))
              best = v;
          }
        }
        out[(nc * OH + oh) * OW + ow] = best;
      }
  return fromDoubles({N, C, OH, OW}, out, x.dtype());
}

Tensor avgPool2d(const Tensor &x, HW kernel, HW stride, Pad4 padding,
                 bool ceilMode, bool countIncludePad) {
  check4d("avgPool2d", x);
  if (stride.h == 0 && stride.w == 0)
    stride = kernel;
  checkGeometry("avgPool2d", x.shape(), kernel, stride, padding, HW(1));
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = poolOutputSize(H, kernel.h, stride.h, padding.top,
                                    padding.bottom, 1, ceilMode);
  const int64_t OW = poolOutputSize(W, kernel.w, stride.w, padding.left,
                                    padding.right, 1, ceilMode);
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C * OH * OW));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        // The window in padded coordinates, clipped to the padded input
        // (a ceil_mode window may hang over its end) ...
        int64_t h0 = oh * stride.h - padding.top, w0 = ow * stride.w - padding.left;
        int64_t h1 = std::min(h0 + kernel.h, H + padding.bottom);
        int64_t w1 = std::min(w0 + kernel.w, W + padding.right);
        const int64_t padded = (h1 - h0) * (w1 - w0);
        // ... and to the input itself.
        h0 = std::max<int64_t>(h0, 0);
        w0 = std::max<int64_t>(w0, 0);
        h1 = std::min(h1, H);
        w1 = std::min(w1, W);
        double sum = 0;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw)
            sum += px[(nc * H + ih) * W + iw];
        const int64_t inside = std::max<int64_t>(h1 - h0, 0) *
                               std::max<int64_t>(w1 - w0, 0);
        const int64_t divisor = countIncludePad ? padded : inside;
        out[(nc * OH + oh) * OW + ow] = divisor > 0 ? sum / double(divisor) : 0.0;
      }
  return fromDoubles({N, C, OH, OW}, out, x.dtype());
}

Tensor adaptiveAvgPool2d(const Tensor &x, HW outputSize) {
  check4d("adaptiveAvgPool2d", x);
  if (outputSize.h < 1 || outputSize.w < 1)
    fail("kiln::ref::adaptiveAvgPool2d: output size ", hw(outputSize),
         " for input ", str(x.shape()), " must be positive");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = outputSize.h, OW = outputSize.w;
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C * OH * OW));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        // [floor(i*H/OH), ceil((i+1)*H/OH)) in integer arithmetic.
        const int64_t h0 = oh * H / OH, h1 = ((oh + 1) * H + OH - 1) / OH;
        const int64_t w0 = ow * W / OW, w1 = ((ow + 1) * W + OW - 1) / OW;
        double sum = 0;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw)
            sum += px[(nc * H + ih) * W + iw];
        out[(nc * OH + oh) * OW + ow] = sum / double((h1 - h0) * (w1 - w0));
      }
  return fromDoubles({N, C, OH, OW}, out, x.dtype());
}

Tensor globalAvgPool2d(const Tensor &x) {
  check4d("globalAvgPool2d", x);
  const int64_t N = x.dim(0), C = x.dim(1), HWn = x.dim(2) * x.dim(3);
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C));
  for (int64_t nc = 0; nc < N * C; ++nc) {
    double sum = 0;
    for (int64_t i = 0; i < HWn; ++i)
      sum += px[nc * HWn + i];
    out[nc] = sum / double(HWn);
  }
  return fromDoubles({N, C, 1, 1}, out, x.dtype());
}

namespace {

void checkUpsample(const char *fn, const Tensor &x, HW size) {
  check4d(fn, x);
  if (size.h < 1 || size.w < 1)
    fail("kiln::ref::", fn, ": output size ", hw(size), " for input ",
         str(x.shape()), " must be positive");
}

/// PyTorch's nearest source index, in f32 as ATen computes it
/// (compute_scales_value + floorf).
int64_t nearestIndex(int64_t dst, int64_t in, int64_t out, double scale) {
  const float s = scale > 0 ? static_cast<float>(1.0 / scale)
                            : static_cast<float>(in) / static_cast<float>(out);
  const int64_t src =
      static_cast<int64_t>(std::floor(static_cast<float>(dst) * s));
  return std::min(src, in - 1);
}

/// PyTorch's linear source coordinate (area_pixel_compute_source_index).
double linearSource(int64_t dst, int64_t in, int64_t out, bool alignCorners,
                    double scale) {
  if (alignCorners)
    return out > 1 ? double(dst) * double(in - 1) / double(out - 1) : 0.0;
  const double s = scale > 0 ? 1.0 / scale : double(in) / double(out);
  const double src = (double(dst) + 0.5) * s - 0.5;
  return src < 0 ? 0.0 : src;
}

} // namespace

Tensor upsampleNearest(const Tensor &x, HW size, double scaleH,
                       double scaleW) {
  checkUpsample("upsampleNearest", x, size);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C * size.h * size.w));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < size.h; ++oh) {
      const int64_t ih = nearestIndex(oh, H, size.h, scaleH);
      for (int64_t ow = 0; ow < size.w; ++ow) {
        const int64_t iw = nearestIndex(ow, W, size.w, scaleW);
        out[(nc * size.h + oh) * size.w + ow] = px[(nc * H + ih) * W + iw];
      }
    }
  return fromDoubles({N, C, size.h, size.w}, out, x.dtype());
}

Tensor upsampleBilinear(const Tensor &x, HW size, bool alignCorners,
                        double scaleH, double scaleW) {
  checkUpsample("upsampleBilinear", x, size);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const std::vector<double> px = values(x);
  std::vector<double> out(static_cast<size_t>(N * C * size.h * size.w));
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oh = 0; oh < size.h; ++oh) {
      const double sh = linearSource(oh, H, size.h, alignCorners, scaleH);
      const int64_t h0 = std::min(static_cast<int64_t>(sh), H - 1);
      const int64_t h1 = std::min(h0 + 1, H - 1);
      const double lh = sh - double(h0);
      for (int64_t ow = 0; ow < size.w; ++ow) {
        const double sw = linearSource(ow, W, size.w, alignCorners, scaleW);
        const int64_t w0 = std::min(static_cast<int64_t>(sw), W - 1);
        const int64_t w1 = std::min(w0 + 1, W - 1);
        const double lw = sw - double(w0);
        const double *plane = px.data() + nc * H * W;
        out[(nc * size.h + oh) * size.w + ow] =
            (1 - lh) * ((1 - lw) * plane[h0 * W + w0] + lw * plane[h0 * W + w1]) +
            lh * ((1 - lw) * plane[h1 * W + w0] + lw * plane[h1 * W + w1]);
      }
    }
  return fromDoubles({N, C, size.h, size.w}, out, x.dtype());
}

//===----------------------------------------------------------------------===//
// Normalization layers
//===----------------------------------------------------------------------===//

namespace {

/// Checks x [N, C, ...] (rank >= 2) and a per-channel operand `t` ([C] or
/// undefined when `optional`).
void checkPerChannel(const char *fn, const Tensor &x, const Tensor &t,
                     const char *what, bool optional) {
  if (!t.defined() && optional)
    return;
  checkFloat(fn, t, what);
  checkOptional(fn, x, t, what);
  if (t.rank() != 1 || t.dim(0) != x.dim(1))
    fail("kiln::ref::", fn, ": ", what, " ", str(t.shape()),
         " does not fit input ", str(x.shape()), " (expected [", x.dim(1),
         "])");
}

void checkChannels(const char *fn, const Tensor &x) {
  checkFloat(fn, x, "input");
  if (x.rank() < 2)
    fail("kiln::ref::", fn, ": input ", str(x.shape()),
         " must have rank >= 2 [N, C, ...]");
}

/// Mean and biased variance of v[i] for i in `indices`, in two passes.
std::pair<double, double> meanVar(const std::vector<double> &v,
                                  const std::vector<int64_t> &indices) {
  double sum = 0;
  for (int64_t i : indices)
    sum += v[i];
  const double mean = sum / double(indices.size());
  double sq = 0;
  for (int64_t i : indices)
    sq += (v[i] - mean) * (v[i] - mean);
  return {mean, sq / double(indices.size())};
}

} // namespace

Tensor batchNorm(const Tensor &x, const Tensor &runningMean,
                 const Tensor &runningVar, const Tensor &w, const Tensor &b,
                 double eps) {
  checkChannels("batchNorm", x);
  checkPerChannel("batchNorm", x, runningMean, "running mean", false);
  checkPerChannel("batchNorm", x, runningVar, "running var", false);
  checkPerChannel("batchNorm", x, w, "weight", true);
  checkPerChannel("batchNorm", x, b, "bias", true);
  const int64_t N = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  const std::vector<double> px = values(x), m = values(runningMean),
                            v = values(runningVar), pw = values(w),
                            pb = values(b);
  std::vector<double> out(px.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < S; ++i) {
        const int64_t k = (n * C + c) * S + i;
        double y = (px[k] - m[c]) / std::sqrt(v[c] + eps);
        out[k] = y * (w.defined() ? pw[c] : 1.0) + (b.defined() ? pb[c] : 0.0);
      }
  return fromDoubles(x.shape(), out, x.dtype());
}

BatchNormTrainingResult batchNormTraining(const Tensor &x,
                                          const Tensor &runningMean,
                                          const Tensor &runningVar,
                                          const Tensor &w, const Tensor &b,
                                          double momentum, double eps) {
  checkChannels("batchNormTraining", x);
  checkPerChannel("batchNormTraining", x, runningMean, "running mean", false);
  checkPerChannel("batchNormTraining", x, runningVar, "running var", false);
  checkPerChannel("batchNormTraining", x, w, "weight", true);
  checkPerChannel("batchNormTraining", x, b, "bias", true);
  const int64_t N = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  if (N * S < 2)
    fail("kiln::ref::batchNormTraining: input ", str(x.shape()),
         " has fewer than 2 values per channel");
  const std::vector<double> px = values(x), rm = values(runningMean),
                            rv = values(runningVar), pw = values(w),
                            pb = values(b);
  std::vector<double> out(px.size()), newMean(C), newVar(C);
  for (int64_t c = 0; c < C; ++c) {
    std::vector<int64_t> idx;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < S; ++i)
        idx.push_back((n * C + c) * S + i);
    auto [mean, var] = meanVar(px, idx);
    const double count = double(idx.size());
    for (int64_t k : idx)
      out[k] = (px[k] - mean) / std::sqrt(var + eps) *
                   (w.defined() ? pw[c] : 1.0) +
               (b.defined() ? pb[c] : 0.0);
    newMean[c] = (1 - momentum) * rm[c] + momentum * mean;
    newVar[c] = (1 - momentum) * rv[c] + momentum * var * count / (count - 1);
  }
  return {fromDoubles(x.shape(), out, x.dtype()),
          fromDoubles({C}, newMean, x.dtype()),
          fromDoubles({C}, newVar, x.dtype())};
}

Tensor layerNorm(const Tensor &x, const Shape &normalizedShape,
                 const Tensor &w, const Tensor &b, double eps) {
  checkFloat("layerNorm", x, "input");
  const size_t k = normalizedShape.size();
  bool fits = k >= 1 && k <= x.shape().size();
  for (size_t i = 0; fits && i < k; ++i)
    fits = x.shape()[x.shape().size() - k + i] == normalizedShape[i];
  if (!fits)
    fail("kiln::ref::layerNorm: normalized shape ", list(normalizedShape),
         " is not a non-empty suffix of input ", str(x.shape()));
  for (const Tensor *t : {&w, &b}) {
    checkOptional("layerNorm", x, *t, t == &w ? "weight" : "bias");
    if (t->defined() && t->shape() != normalizedShape)
      fail("kiln::ref::layerNorm: ", t == &w ? "weight " : "bias ",
           str(t->shape()), " does not match normalized shape ",
           list(normalizedShape));
  }
  const int64_t D = numElements(normalizedShape);
  const int64_t rows = D ? x.numel() / D : 0;
  const std::vector<double> px = values(x), pw = values(w), pb = values(b);
  std::vector<double> out(px.size());
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> idx(D);
    for (int64_t i = 0; i < D; ++i)
      idx[i] = r * D + i;
    auto [mean, var] = meanVar(px, idx);
    for (int64_t i = 0; i < D; ++i)
      out[r * D + i] = (px[r * D + i] - mean) / std::sqrt(var + eps) *
                           (w.defined() ? pw[i] : 1.0) +
                       (b.defined() ? pb[i] : 0.0);
  }
  return fromDoubles(x.shape(), out, x.dtype());
}

Tensor groupNorm(const Tensor &x, int64_t groups, const Tensor &w,
                 const Tensor &b, double eps) {
  checkChannels("groupNorm", x);
  if (groups < 1 || x.dim(1) % groups != 0)
    fail("kiln::ref::groupNorm: ", groups, " groups do not divide the ",
         x.dim(1), " channels of ", str(x.shape()));
  checkPerChannel("groupNorm", x, w, "weight", true);
  checkPerChannel("groupNorm", x, b, "bias", true);
  const int64_t N = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  const int64_t Cg = C / groups;
  const std::vector<double> px = values(x), pw = values(w), pb = values(b);
  std::vector<double> out(px.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t g = 0; g < groups; ++g) {
      // Channels g*Cg .. g*Cg+Cg-1 of sample n are contiguous.
      std::vector<int64_t> idx;
      for (int64_t i = 0; i < Cg * S; ++i)
        idx.push_back((n * C + g * Cg) * S + i);
      auto [mean, var] = meanVar(px, idx);
      for (int64_t k : idx) {
        const int64_t c = (k / S) % C;
        out[k] = (px[k] - mean) / std::sqrt(var + eps) *
                     (w.defined() ? pw[c] : 1.0) +
                 (b.defined() ? pb[c] : 0.0);
      }
    }
  return fromDoubles(x.shape(), out, x.dtype());
}

Tensor instanceNorm(const Tensor &x, const Tensor &w, const Tensor &b,
                    double eps) {
  checkChannels("instanceNorm", x);
  checkPerChannel("instanceNorm", x, w, "weight", true);
  checkPerChannel("instanceNorm", x, b, "bias", true);
  const int64_t N = x.dim(0), C = x.dim(1), S = x.numel() / std::max<int64_t>(N * C, 1);
  const std::vector<double> px = values(x), pw = values(w), pb = values(b);
  std::vector<double> out(px.size());
  for (int64_t nc = 0; nc < N * C; ++nc) {
    std::vector<int64_t> idx(S);
    for (int64_t i = 0; i < S; ++i)
      idx[i] = nc * S + i;
    auto [mean, var] = meanVar(px, idx);
    const int64_t c = nc % C;
    for (int64_t k : idx)
      out[k] = (px[k] - mean) / std::sqrt(var + eps) *
                   (w.defined() ? pw[c] : 1.0) +
               (b.defined() ? pb[c] : 0.0);
  }
  return fromDoubles(x.shape(), out, x.dtype());
}

//===----------------------------------------------------------------------===//
// Deterministic inputs
//===----------------------------------------------------------------------===//

Tensor randomUniform(Shape shape, float lo, float hi, uint64_t seed) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
    fail("kiln::ref::randomUniform: bad range [", lo, ", ", hi, ") for ",
         str(shape), " (expected finite lo <= hi)");
  Tensor out(std::move(shape));
  float *po = out.data<float>();
  uint64_t state = seed;
  for (int64_t i = 0; i < out.numel(); ++i) {
    // splitmix64 (Steele, Lea, Flood 2014).
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    // Top 24 bits -> u in [0, 1) with exactly float's precision.
    double u = double(z >> 40) * (1.0 / 16777216.0);
    float v = static_cast<float>(double(lo) + (double(hi) - double(lo)) * u);
    // Rounding to float may land on hi; keep the interval half-open.
    if (v >= hi && lo < hi)
      v = std::nextafter(hi, lo);
    po[i] = v;
  }
  return out;
}

} // namespace kiln::ref
