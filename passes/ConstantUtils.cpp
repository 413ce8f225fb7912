//===- ConstantUtils.cpp - Reading and making constant tensors ------------===//
#include "passes/ConstantUtils.h"
#include "ir/ConstantAttrs.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {

std::optional<std::vector<double>> constantValues(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return floatElements(attr);
}

Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                   const std::vector<double> &values) {
  return ConstantOp::create(b, loc, cast<ElementsAttr>(floatDenseAttr(type, values)));
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
