//===- ConstantUtils.cpp - Reading and making constant tensors ------------===//
#include "passes/ConstantUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {

std::optional<std::vector<double>> constantValues(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() || !isa<FloatType>(type.getElementType()))
    return std::nullopt;
  std::vector<double> values;
  values.reserve(type.getNumElements());
  if (attr.isSplat()) {
    values.assign(type.getNumElements(), attr.getSplatValue<APFloat>().convertToDouble());
    return values;
  }
  for (const APFloat &f : attr.getValues<APFloat>()) {
    APFloat d = f;
    bool lost;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(d.convertToDouble());
  }
  return values;
}

DenseElementsAttr makeDenseAttr(RankedTensorType type, const std::vector<double> &values) {
  if (type.getElementType().isF32()) {
    std::vector<float> f(values.begin(), values.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(f));
  }
  return DenseElementsAttr::get(type, ArrayRef<double>(values));
}

Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   const std::vector<double> &values) {
  return ConstantOp::create(b, loc, cast<ElementsAttr>(makeDenseAttr(type, values)));
}

std::optional<std::vector<double>> perChannelValues(Value c, RankedTensorType target,
                                                    int64_t axis) {
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!type || type.getRank() > target.getRank() || target.isDynamicDim(axis))
    return std::nullopt;
  std::optional<std::vector<double>> values = constantValues(c);
  if (!values)
    return std::nullopt;
  int64_t offset = target.getRank() - type.getRank();
  int64_t channels = target.getDimSize(axis);
  bool varies = false;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t d = type.getDimSize(i);
    if (i + offset == axis) {
      if (d != 1 && d != channels)
        return std::nullopt;
      varies = d == channels && channels != 1;
    } else if (d != 1) {
      return std::nullopt;
    }
  }
  std::vector<double> out(channels);
  for (int64_t k = 0; k < channels; ++k)
    out[k] = varies ? (*values)[k] : values->front();
  return out;
}

} // namespace kiln
