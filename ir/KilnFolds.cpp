//===- KilnFolds.cpp - Folding and canonicalization of kiln ops -----------===//
//
//   x + 0, x - 0, x * 1, x / 1, x ** 1   -> x   (when the result type is x's)
//   op(constants)                        -> a constant, for elementwise ops,
//                                           reshape and transpose whose result
//                                           has at most kMaxFoldElements
//   reshape(reshape(x))                  -> reshape(x);  reshape to x's type -> x
//   transpose(transpose(x))              -> one transpose; identity -> x
//   relu(relu(x))                        -> relu(x)
//
// Constants are computed in double and stored in the result's element type.
//
//===----------------------------------------------------------------------===//
#include "ir/ConstantAttrs.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace kiln {
namespace {

/// Folding a "small constant subgraph": larger results stay ops (they would
/// bloat the IR and the object file for no runtime gain).
constexpr int64_t kMaxFoldElements = 1 << 16;

bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  return dense && dense.isSplat() && isa<FloatType>(dense.getElementType()) &&
         dense.getSplatValue<APFloat>().convertToDouble() == value;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

template <typename OpTy>
OpFoldResult foldBinary(OpTy op, Attribute lhs, Attribute rhs,
                        const std::function<double(double, double)> &fn,
                        std::optional<double> rightIdentity,
                        std::optional<double> leftIdentity = std::nullopt) {
  auto result = cast<RankedTensorType>(op.getType());
  if (rightIdentity && isSplatOf(rhs, *rightIdentity) && op.getLhs().getType() == result)
    return op.getLhs();
  if (leftIdentity && isSplatOf(lhs, *leftIdentity) && op.getRhs().getType() == result)
    return op.getRhs();
  RankedTensorType lt, rt;
  auto a = floatElements(lhs, &lt);
  auto b = floatElements(rhs, &rt);
  if (!a || !b || !result.hasStaticShape() || result.getNumElements() > kMaxFoldElements)
    return {};
  int64_t rank = result.getRank();
  SmallVector<int64_t> rs = stridesOf(result.getShape());
  auto operandIndex = [&](RankedTensorType t, int64_t linear) {
    SmallVector<int64_t> ts = stridesOf(t.getShape());
    int64_t offset = rank - t.getRank(), index = 0;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      int64_t coord = (linear / rs[d + offset]) % result.getDimSize(d + offset);
      if (t.getDimSize(d) != 1)
        index += coord * ts[d];
    }
    return index;
  };
  std::vector<double> out(result.getNumElements());
  for (int64_t i = 0; i < result.getNumElements(); ++i)
    out[i] = fn((*a)[operandIndex(lt, i)], (*b)[operandIndex(rt, i)]);
  return floatDenseAttr(result, out);
}

template <typename OpTy>
OpFoldResult foldUnary(OpTy op, Attribute input, const std::function<double(double)> &fn) {
  RankedTensorType t;
  auto a = floatElements(input, &t);
  if (!a || t.getNumElements() > kMaxFoldElements)
    return {};
  std::vector<double> out(a->size());
  for (size_t i = 0; i < a->size(); ++i)
    out[i] = fn((*a)[i]);
  return floatDenseAttr(cast<RankedTensorType>(op.getType()), out);
}

} // namespace

OpFoldResult AddOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), std::plus<double>(), 0.0, 0.0);
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), std::minus<double>(), 0.0);
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), std::multiplies<double>(), 1.0, 1.0);
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), std::divides<double>(), 1.0);
}
OpFoldResult MaxOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(),
                    [](double x, double y) {
                      return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y);
                    },
                    std::nullopt);
}
OpFoldResult MinOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(),
                    [](double x, double y) {
                      return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y);
                    },
                    std::nullopt);
}
OpFoldResult PowOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), [](double x, double y) { return std::pow(x, y); },
                    1.0);
}

OpFoldResult NegOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return -x; });
}
OpFoldResult AbsOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::fabs(x); });
}
OpFoldResult ExpOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::exp(x); });
}
OpFoldResult LogOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::log(x); });
}
OpFoldResult SqrtOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::sqrt(x); });
}
OpFoldResult RsqrtOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return 1.0 / std::sqrt(x); });
}
OpFoldResult ReluOp::fold(FoldAdaptor a) {
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldUnary(*this, a.getInput(), [](double x) { return x > 0 ? x : (std::isnan(x) ? x : 0.0); });
}
OpFoldResult SigmoidOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}
OpFoldResult TanhOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::tanh(x); });
}
OpFoldResult SiluOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return x / (1.0 + std::exp(-x)); });
}
OpFoldResult LeakyReluOp::fold(FoldAdaptor a) {
  double slope = getNegativeSlope().convertToDouble();
  return foldUnary(*this, a.getInput(), [slope](double x) { return x >= 0 ? x : slope * x; });
}
OpFoldResult GeluOp::fold(FoldAdaptor a) {
  if (getApproximate() != "none")
    return {};
  return foldUnary(*this, a.getInput(),
                   [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
}
// Softmax over constants is rare enough not to fold.
OpFoldResult SoftmaxOp::fold(FoldAdaptor) { return {}; }
OpFoldResult LogSoftmaxOp::fold(FoldAdaptor) { return {}; }

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    // The inner reshape's input has the same elements in the same order.
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  auto dense = dyn_cast_or_null<DenseElementsAttr>(a.getInput());
  if (dense && getType().hasStaticShape() && getType().getNumElements() <= kMaxFoldElements)
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor a) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == static_cast<int64_t>(i);
  if (identity && getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // result[i] = inner.result[perm[i]] = x[innerPerm[perm[i]]]
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  RankedTensorType t;
  auto values = floatElements(a.getInput(), &t);
  if (!values || t.getNumElements() > kMaxFoldElements)
    return {};
  RankedTensorType result = getType();
  SmallVector<int64_t> is = stridesOf(t.getShape()), rs = stridesOf(result.getShape());
  std::vector<double> out(values->size());
  for (int64_t i = 0; i < result.getNumElements(); ++i) {
    int64_t src = 0;
    for (int64_t d = 0; d < result.getRank(); ++d)
      src += ((i / rs[d]) % result.getDimSize(d)) * is[perm[d]];
    out[i] = (*values)[src];
  }
  return floatDenseAttr(result, out);
}

} // namespace kiln
