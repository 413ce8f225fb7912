//===- Ops.cpp - The Kiln C++ DSL: one function per op --------------------===//
//
// Each function normalizes PyTorch-style arguments (negative axes, Python
// slice bounds) and calls ModelImpl::emit, which infers and verifies the op.
// Argument errors that the IR cannot express (an axis out of range before
// normalization) are reported here with the same "'kiln.<op>' op" prefix.
//
//===----------------------------------------------------------------------===//
#include "frontend/Ops.h"
#include "frontend/ModelImpl.h"
#include "runtime/Error.h"

#include <algorithm>

using namespace mlir;

namespace kiln {
namespace {

Builder builderOf(ModelImpl &m) { return Builder(m.context.get()); }

/// Maps a possibly negative axis into [0, rank); throws naming the op.
int64_t normalizeAxis(int64_t axis, int64_t rank, const char *op, const Value &x) {
  int64_t r = std::max<int64_t>(rank, 1);
  if (axis < -r || axis >= r)
    fail("'", op, "' op axis ", axis, " is out of range for ", x.typeString(),
         " (expected ", -r, " <= axis < ", r, ")");
  return axis < 0 ? axis + r : axis;
}

Value binary(const char *op, Value a, Value b) {
  return modelOf(a, op).emit(op, {a, b});
}

Value unary(const char *op, Value x, ArrayRef<NamedAttribute> attrs = {}) {
  return modelOf(x, op).emit(op, {x}, attrs);
}

/// A rank-0 constant with `like`'s float element type, for `x op scalar`.
Value scalarLike(Value like, double value, const char *op) {
  ModelImpl &m = modelOf(like, op);
  Type element = cast<RankedTensorType>(m.unwrap(like, op).getType()).getElementType();
  if (!isa<FloatType>(element))
    fail("'", op, "' op expects a floating-point tensor to combine with a scalar, got ",
         like.typeString());
  auto type = RankedTensorType::get({}, element);
  Attribute attr = DenseElementsAttr::get(type, FloatAttr::get(element, value));
  auto constant = ConstantOp::create(m.builder, UnknownLoc::get(m.context.get()),
                               cast<ElementsAttr>(attr));
  return m.wrap(constant.getResult());
}

Value reduction(const char *op, Value x, const std::vector<int64_t> &axes,
                bool keepdim) {
  ModelImpl &m = modelOf(x, op);
  int64_t rank = x.rank();
  std::vector<int64_t> normalized;
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      normalized.push_back(i);
  for (int64_t a : axes)
    normalized.push_back(normalizeAxis(a, rank, op, x));
  std::sort(normalized.begin(), normalized.end());
  Builder b = builderOf(m);
  return m.emit(op, {x},
                {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(normalized)),
                 b.getNamedAttr("keepdim", b.getBoolAttr(keepdim))});
}

} // namespace

Value add(Value a, Value b) { return binary("kiln.add", a, b); }
Value sub(Value a, Value b) { return binary("kiln.sub", a, b); }
Value mul(Value a, Value b) { return binary("kiln.mul", a, b); }
Value div(Value a, Value b) { return binary("kiln.div", a, b); }
Value maximum(Value a, Value b) { return binary("kiln.max", a, b); }
Value minimum(Value a, Value b) { return binary("kiln.min", a, b); }
Value pow(Value a, Value b) { return binary("kiln.pow", a, b); }

Value operator+(Value a, Value b) { return add(a, b); }
Value operator-(Value a, Value b) { return sub(a, b); }
Value operator*(Value a, Value b) { return mul(a, b); }
Value operator/(Value a, Value b) { return div(a, b); }
Value operator-(Value a) { return neg(a); }
Value operator+(Value a, double b) { return add(a, scalarLike(a, b, "kiln.add")); }
Value operator-(Value a, double b) { return sub(a, scalarLike(a, b, "kiln.sub")); }
Value operator*(Value a, double b) { return mul(a, scalarLike(a, b, "kiln.mul")); }
Value operator/(Value a, double b) { return div(a, scalarLike(a, b, "kiln.div")); }
Value operator+(double a, Value b) { return add(scalarLike(b, a, "kiln.add"), b); }
Value operator-(double a, Value b) { return sub(scalarLike(b, a, "kiln.sub"), b); }
Value operator*(double a, Value b) { return mul(scalarLike(b, a, "kiln.mul"), b); }
Value operator/(double a, Value b) { return div(scalarLike(b, a, "kiln.div"), b); }

Value neg(Value x) { return unary("kiln.neg", x); }
Value abs(Value x) { return unary("kiln.abs", x); }
Value exp(Value x) { return unary("kiln.exp", x); }
Value log(Value x) { return unary("kiln.log", x); }
Value sqrt(Value x) { return unary("kiln.sqrt", x); }
Value rsqrt(Value x) { return unary("kiln.rsqrt", x); }
Value relu(Value x) { return unary("kiln.relu", x); }
Value sigmoid(Value x) { return unary("kiln.sigmoid", x); }
Value tanh(Value x) { return unary("kiln.tanh", x); }
Value silu(Value x) { return unary("kiln.silu", x); }

Value leakyRelu(Value x, double negativeSlope) {
  Builder b = builderOf(modelOf(x, "kiln.leaky_relu"));
  return unary("kiln.leaky_relu", x,
               {b.getNamedAttr("negative_slope", b.getF64FloatAttr(negativeSlope))});
}

Value gelu(Value x, const std::string &approximate) {
  Builder b = builderOf(modelOf(x, "kiln.gelu"));
  return unary("kiln.gelu", x,
               {b.getNamedAttr("approximate", b.getStringAttr(approximate))});
}

static Value softmaxLike(const char *op, Value x, int64_t axis) {
  ModelImpl &m = modelOf(x, op);
  Builder b = builderOf(m);
  int64_t a = normalizeAxis(axis, x.rank(), op, x);
  return m.emit(op, {x}, {b.getNamedAttr("axis", b.getI64IntegerAttr(a))});
}

Value softmax(Value x, int64_t axis) { return softmaxLike("kiln.softmax", x, axis); }
Value logSoftmax(Value x, int64_t axis) {
  return softmaxLike("kiln.log_softmax", x, axis);
}

Value matmul(Value a, Value b) { return binary("kiln.matmul", a, b); }

Value linear(Value x, Value weight, Value bias) {
  ModelImpl &m = modelOf(x, "kiln.linear");
  if (bias.defined())
    return m.emit("kiln.linear", {x, weight, bias});
  return m.emit("kiln.linear", {x, weight});
}

Value reshape(Value x, const std::vector<int64_t> &shape) {
  ModelImpl &m = modelOf(x, "kiln.reshape");
  Builder b = builderOf(m);
  return m.emit("kiln.reshape", {x},
                {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

Value permute(Value x, const std::vector<int64_t> &perm) {
  ModelImpl &m = modelOf(x, "kiln.transpose");
  Builder b = builderOf(m);
  std::vector<int64_t> normalized;
  for (int64_t p : perm)
    normalized.push_back(normalizeAxis(p, x.rank(), "kiln.transpose", x));
  return m.emit("kiln.transpose", {x},
                {b.getNamedAttr("permutation", b.getDenseI64ArrayAttr(normalized))});
}

Value transpose(Value x, int64_t dim0, int64_t dim1) {
  int64_t rank = x.rank();
  int64_t d0 = normalizeAxis(dim0, rank, "kiln.transpose", x);
  int64_t d1 = normalizeAxis(dim1, rank, "kiln.transpose", x);
  std::vector<int64_t> perm(rank);
  for (int64_t i = 0; i < rank; ++i)
    perm[i] = i;
  std::swap(perm[d0], perm[d1]);
  return permute(x, perm);
}

Value flatten(Value x, int64_t startDim) {
  int64_t rank = x.rank();
  int64_t start = normalizeAxis(startDim, rank, "kiln.reshape", x);
  Shape shape = x.shape();
  std::vector<int64_t> out(shape.begin(), shape.begin() + start);
  int64_t folded = 1;
  bool dynamic = false;
  for (int64_t i = start; i < rank; ++i) {
    if (shape[i] < 0)
      dynamic = true;
    else
      folded *= shape[i];
  }
  // The batch dimension (at most one) stays the reshape's single -1.
  out.push_back(dynamic ? -1 : folded);
  return reshape(x, out);
}

Value concat(const std::vector<Value> &values, int64_t axis) {
  if (values.empty())
    fail("'kiln.concat' op expects at least one input");
  ModelImpl &m = modelOf(values.front(), "kiln.concat");
  Builder b = builderOf(m);
  int64_t a = normalizeAxis(axis, values.front().rank(), "kiln.concat", values.front());
  return m.emit("kiln.concat", values, {b.getNamedAttr("axis", b.getI64IntegerAttr(a))});
}

Value slice(Value x, int64_t axis, int64_t start, int64_t end, int64_t step) {
  ModelImpl &m = modelOf(x, "kiln.slice");
  int64_t a = normalizeAxis(axis, x.rank(), "kiln.slice", x);
  if (step < 1)
    fail("'kiln.slice' op step ", step, " for axis ", axis, " of ", x.typeString(),
         " must be >= 1");
  int64_t dim = x.dim(a);
  if (dim < 0)
    fail("'kiln.slice' op axis ", a, " of ", x.typeString(),
         " is dynamic (expected a static axis to slice)");
  // Python semantics: negative bounds count from the end, then clamp.
  auto clampIndex = [dim](int64_t i) {
    if (i < 0)
      i += dim;
    return std::clamp<int64_t>(i, 0, dim);
  };
  int64_t s = clampIndex(start), e = std::max(clampIndex(end), clampIndex(start));
  Builder b = builderOf(m);
  return m.emit("kiln.slice", {x},
                {b.getNamedAttr("axis", b.getI64IntegerAttr(a)),
                 b.getNamedAttr("start", b.getI64IntegerAttr(s)),
                 b.getNamedAttr("end", b.getI64IntegerAttr(e)),
                 b.getNamedAttr("step", b.getI64IntegerAttr(step))});
}

Value sum(Value x, const std::vector<int64_t> &axes, bool keepdim) {
  return reduction("kiln.reduce_sum", x, axes, keepdim);
}
Value mean(Value x, const std::vector<int64_t> &axes, bool keepdim) {
  return reduction("kiln.reduce_mean", x, axes, keepdim);
}
Value amax(Value x, const std::vector<int64_t> &axes, bool keepdim) {
  return reduction("kiln.reduce_max", x, axes, keepdim);
}

Value argmax(Value x, int64_t axis, bool keepdim) {
  ModelImpl &m = modelOf(x, "kiln.argmax");
  Builder b = builderOf(m);
  int64_t a = normalizeAxis(axis, x.rank(), "kiln.argmax", x);
  return m.emit("kiln.argmax", {x},
                {b.getNamedAttr("axis", b.getI64IntegerAttr(a)),
                 b.getNamedAttr("keepdim", b.getBoolAttr(keepdim))});
}

} // namespace kiln
