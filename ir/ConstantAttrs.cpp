//===- ConstantAttrs.cpp - Float constants as vectors of doubles ----------===//
#include "ir/ConstantAttrs.h"

using namespace mlir;

namespace kiln {

std::optional<std::vector<double>> floatElements(Attribute attr, RankedTensorType *type) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  auto t = dyn_cast<RankedTensorType>(dense.getType());
  if (!t || !t.hasStaticShape() || !isa<FloatType>(t.getElementType()))
    return std::nullopt;
  if (type)
    *type = t;
  std::vector<double> values;
  values.reserve(t.getNumElements());
  if (dense.isSplat()) {
    values.assign(t.getNumElements(), dense.getSplatValue<APFloat>().convertToDouble());
    return values;
  }
  // f32 and f64 straight from the attribute's storage: an APFloat per
  // element made converting ResNet-18's weights a tenth of its compile time.
  if (t.getElementType().isF32()) {
    for (float f : dense.getValues<float>())
      values.push_back(f);
    return values;
  }
  if (t.getElementType().isF64()) {
    for (double f : dense.getValues<double>())
      values.push_back(f);
    return values;
  }
  for (APFloat f : dense.getValues<APFloat>()) {
    bool lost;
    f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f.convertToDouble());
  }
  return values;
}

DenseElementsAttr floatDenseAttr(RankedTensorType type, const std::vector<double> &values) {
  if (type.getElementType().isF32()) {
    std::vector<float> f(values.begin(), values.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(f));
  }
  return DenseElementsAttr::get(type, ArrayRef<double>(values));
}

} // namespace kiln
