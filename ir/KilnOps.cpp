//===- KilnOps.cpp - Verifiers and shape inference of kiln ops ------------===//
//
// Shape inference for the ops whose rule is their own (matmul, linear,
// reshape, ...). Each rule rejects bad operands with a message that names the
// op and the operand types and says what was expected.
//
//===----------------------------------------------------------------------===//
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln {

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  results.push_back(cast<TypedAttr>(adaptor.getValue()).getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

template <typename OpTy> static LogicalResult verifySoftmaxAxis(OpTy op) {
  int64_t rank = op.getInput().getType().getRank();
  auto axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0 || axis >= rank)
    return op.emitOpError("axis ")
           << axis << " is out of range for " << typeToString(op.getInput().getType())
           << " (expected 0 <= axis < " << rank << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifySoftmaxAxis(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxAxis(*this); }

//===----------------------------------------------------------------------===//
// MatmulOp / LinearOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto lt = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rt = cast<RankedTensorType>(adaptor.getRhs().getType());
  StringRef name = getOperationName();
  if (lt.getRank() < 2 || rt.getRank() < 2)
    return emitShapeError(loc, name,
                          "expected operands of rank 2 or more, got " +
                              typeToString(lt) + " and " + typeToString(rt));
  if (lt.getElementType() != rt.getElementType())
    return emitShapeError(loc, name,
                          "operands have different element types: " +
                              typeToString(lt) + " and " + typeToString(rt));
  int64_t k1 = lt.getShape().back(), k2 = rt.getShape()[rt.getRank() - 2];
  if (ShapedType::isDynamic(k1) || ShapedType::isDynamic(k2))
    return emitShapeError(loc, name,
                          "contracting dimension must be static: " +
                              typeToString(lt) + " x " + typeToString(rt));
  if (k1 != k2)
    return emitShapeError(loc, name,
                          "contracting dimensions differ: " + typeToString(lt) +
                              " x " + typeToString(rt) + " (expected lhs[-1] == " +
                              "rhs[-2], got " + Twine(k1) + " vs " + Twine(k2) + ")");
  std::string why;
  auto batch = broadcastShapes(lt.getShape().drop_back(2),
                               rt.getShape().drop_back(2), why);
  if (!batch)
    return emitShapeError(loc, name,
                          "batch dimensions of " + typeToString(lt) + " and " +
                              typeToString(rt) + " do not broadcast: " + why);
  SmallVector<int64_t> shape = *batch;
  shape.push_back(lt.getShape()[lt.getRank() - 2]);
  shape.push_back(rt.getShape().back());
  results.push_back(RankedTensorType::get(shape, lt.getElementType()));
  return success();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto xt = cast<RankedTensorType>(adaptor.getInput().getType());
  auto wt = cast<RankedTensorType>(adaptor.getWeight().getType());
  StringRef name = getOperationName();
  if (xt.getRank() < 1)
    return emitShapeError(loc, name, "expected an input of rank 1 or more, got " +
                                         typeToString(xt));
  if (wt.getRank() != 2 || !wt.hasStaticShape())
    return emitShapeError(loc, name,
                          "expected a static 2-D weight [out, in], got " +
                              typeToString(wt));
  if (xt.getElementType() != wt.getElementType())
    return emitShapeError(loc, name,
                          "input and weight element types differ: " +
                              typeToString(xt) + " and " + typeToString(wt));
  int64_t in = xt.getShape().back();
  if (in != wt.getDimSize(1))
    return emitShapeError(loc, name,
                          "input features " + typeToString(xt) +
                              " do not match weight " + typeToString(wt) +
                              " (expected input[-1] == weight[1], got " +
                              Twine(in) + " vs " + Twine(wt.getDimSize(1)) + ")");
  int64_t out = wt.getDimSize(0);
  if (Value bias = adaptor.getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || bt.getDimSize(0) != out ||
        bt.getElementType() != wt.getElementType())
      return emitShapeError(loc, name,
                            "bias " + typeToString(bt) + " does not match weight " +
                                typeToString(wt) + " (expected tensor<" +
                                Twine(out) + "x" + typeToString(wt.getElementType()) +
                                ">)");
  }
  SmallVector<int64_t> shape(xt.getShape());
  shape.back() = out;
  results.push_back(RankedTensorType::get(shape, xt.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp / TransposeOp / ConcatOp / SliceOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> shape = adaptor.getShape();
  StringRef name = getOperationName();
  auto fail = [&](const Twine &why) {
    return emitShapeError(loc, name,
                          "cannot reshape " + typeToString(type) + " to " +
                              listToString(shape) + ": " + why);
  };
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1) {
      if (inferred >= 0)
        return fail("more than one -1 (expected at most one)");
      inferred = i;
    } else if (d < 0) {
      return fail("negative size " + Twine(d) + " (expected -1 or >= 0)");
    } else if (llvm::MulOverflow(known, d, known)) {
      return fail("the sizes overflow 64 bits");
    }
  }
  int64_t dynamicDims = type.getNumDynamicDims();
  int64_t staticCount = 1;
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      staticCount *= d;
  SmallVector<int64_t> out(shape);
  if (dynamicDims > 1)
    return fail("the input has more than one dynamic dimension");
  if (dynamicDims == 1) {
    // ? * staticCount elements: the -1 must absorb exactly the batch size.
    if (inferred < 0 || known != staticCount)
      return fail("the input has a dynamic batch dimension, so the shape must "
                  "contain one -1 and its other sizes must multiply to " +
                  Twine(staticCount));
    out[inferred] = ShapedType::kDynamic;
  } else if (inferred >= 0) {
    if (known == 0)
      return fail("-1 is ambiguous when the other sizes multiply to 0");
    if (staticCount % known != 0)
      return fail("element count " + Twine(staticCount) +
                  " is not divisible by " + Twine(known));
    out[inferred] = staticCount / known;
  } else if (known != staticCount) {
    return fail("element counts differ (" + Twine(staticCount) + " vs " +
                Twine(known) + ")");
  }
  results.push_back(RankedTensorType::get(out, type.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  int64_t rank = type.getRank();
  SmallVector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen[p]) {
      valid = false;
      break;
    }
    seen[p] = true;
  }
  if (!valid)
    return emitShapeError(loc, getOperationName(),
                          "permutation " + listToString(perm) +
                              " is not a permutation of the " + Twine(rank) +
                              " dimensions of " + typeToString(type));
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  auto inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitShapeError(loc, name, "expected at least one input");
  auto first = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = first.getRank(), axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return emitShapeError(loc, name,
                          "axis " + Twine(axis) + " is out of range for " +
                              typeToString(first) + " (expected 0 <= axis < " +
                              Twine(rank) + ")");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (auto [i, v] : llvm::enumerate(inputs)) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return emitShapeError(loc, name,
                            "input " + Twine(i) + " " + typeToString(t) +
                                " does not match input 0 " + typeToString(first) +
                                " (expected the same rank and element type)");
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      if (t.getDimSize(d) != first.getDimSize(d))
        return emitShapeError(loc, name,
                              "input " + Twine(i) + " " + typeToString(t) +
                                  " differs from input 0 " + typeToString(first) +
                                  " in dimension " + Twine(d) +
                                  " (only the concatenation axis " + Twine(axis) +
                                  " may differ)");
    }
    if (t.isDynamicDim(axis))
      return emitShapeError(loc, name,
                            "concatenation axis " + Twine(axis) + " of input " +
                                Twine(i) + " " + typeToString(t) +
                                " is dynamic (expected static)");
    shape[axis] += t.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  StringRef name = getOperationName();
  int64_t axis = adaptor.getAxis(), start = adaptor.getStart(),
          end = adaptor.getEnd(), step = adaptor.getStep();
  if (axis < 0 || axis >= type.getRank())
    return emitShapeError(loc, name,
                          "axis " + Twine(axis) + " is out of range for " +
                              typeToString(type));
  if (type.isDynamicDim(axis))
    return emitShapeError(loc, name,
                          "axis " + Twine(axis) + " of " + typeToString(type) +
                              " is dynamic (expected a static axis to slice)");
  int64_t dim = type.getDimSize(axis);
  if (step < 1 || start < 0 || end < start || end > dim)
    return emitShapeError(loc, name,
                          "slice " + Twine(start) + ":" + Twine(end) + ":" +
                              Twine(step) + " of axis " + Twine(axis) + " of " +
                              typeToString(type) + " is not normalized " +
                              "(expected 0 <= start <= end <= " + Twine(dim) +
                              " and step >= 1)");
  SmallVector<int64_t> shape(type.getShape());
  // Written to avoid overflow for a huge step.
  shape[axis] = end == start ? 0 : (end - start - 1) / step + 1;
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ArgmaxOp
//===----------------------------------------------------------------------===//

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  int64_t axis = adaptor.getAxis();
  SmallVector<Type, 1> reduced;
  if (failed(inferReductionResult(getOperationName(), loc, adaptor.getInput(),
                                  {axis}, adaptor.getKeepdim(), reduced)))
    return failure();
  results.push_back(RankedTensorType::get(
      cast<RankedTensorType>(reduced.front()).getShape(), IntegerType::get(ctx, 64)));
  return success();
}

} // namespace kiln

#define GET_OP_CLASSES
#include "ir/KilnOps.cpp.inc"
