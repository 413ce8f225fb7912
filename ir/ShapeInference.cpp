//===- ShapeInference.cpp - Result types of kiln ops ----------------------===//
//
// Broadcasting and reduction shape rules. Dynamic dimensions stand for the
// model's batch size: two dynamic dimensions are assumed equal, and a dynamic
// dimension never silently broadcasts against a static size other than 1.
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string listToString(llvm::ArrayRef<int64_t> values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::string typeToString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

LogicalResult emitShapeError(std::optional<Location> loc, StringRef opName,
                             const Twine &message) {
  if (loc)
    emitError(*loc) << "'" << opName << "' op " << message;
  return failure();
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b,
                                                    std::string &why) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align on the right: missing leading dimensions count as 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else {
      auto str = [](int64_t d) {
        return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
      };
      why = "dimension " + std::to_string(i) + " of the broadcast shape: " +
            str(da) + " vs " + str(db) +
            " (expected equal sizes or one of them 1)";
      return std::nullopt;
    }
  }
  return out;
}

LogicalResult inferBroadcastResult(StringRef opName, std::optional<Location> loc,
                                   Value lhs, Value rhs,
                                   SmallVectorImpl<Type> &results) {
  auto lt = dyn_cast<RankedTensorType>(lhs.getType());
  auto rt = dyn_cast<RankedTensorType>(rhs.getType());
  if (!lt || !rt)
    return emitShapeError(loc, opName, "expected ranked tensor operands");
  if (lt.getElementType() != rt.getElementType())
    return emitShapeError(loc, opName,
                          "operands have different element types: " +
                              typeToString(lt) + " and " + typeToString(rt));
  std::string why;
  auto shape = broadcastShapes(lt.getShape(), rt.getShape(), why);
  if (!shape)
    return emitShapeError(loc, opName,
                          "cannot broadcast " + typeToString(lt) + " with " +
                              typeToString(rt) + ": " + why);
  results.push_back(RankedTensorType::get(*shape, lt.getElementType()));
  return success();
}

LogicalResult inferReductionResult(StringRef opName, std::optional<Location> loc,
                                   Value input, ArrayRef<int64_t> axes,
                                   bool keepdim, SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<bool> reduced(rank, false);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank)
      return emitShapeError(loc, opName,
                            "axis " + Twine(axis) + " is out of range for " +
                                typeToString(type) + " (expected 0 <= axis < " +
                                Twine(rank) + ")");
    if (reduced[axis])
      return emitShapeError(loc, opName,
                            "axis " + Twine(axis) + " is listed twice");
    reduced[axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(type.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

} // namespace kiln
