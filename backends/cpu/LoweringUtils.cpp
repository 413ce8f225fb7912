//===- LoweringUtils.cpp - Helpers for lowering kiln to linalg ------------===//
#include "backends/cpu/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

namespace kiln {

SmallVector<OpFoldResult> broadcastResultSizes(OpBuilder &b, Location loc,
                                               RankedTensorType resultType,
                                               ValueRange operands) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!resultType.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(resultType.getDimSize(i)));
      continue;
    }
    OpFoldResult size;
    for (Value operand : operands) {
      auto type = cast<RankedTensorType>(operand.getType());
      int64_t j = i - (rank - type.getRank());
      if (j >= 0 && type.isDynamicDim(j)) {
        size = tensor::DimOp::create(b, loc, operand, j).getResult();
        break;
      }
    }
    assert(size && "a dynamic result dimension needs a dynamic operand dimension");
    sizes.push_back(size);
  }
  return sizes;
}

AffineMap broadcastIndexingMap(RankedTensorType resultType,
                               RankedTensorType operandType) {
  MLIRContext *ctx = resultType.getContext();
  int64_t rank = resultType.getRank(), opRank = operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < opRank; ++j) {
    int64_t i = j + rank - opRank;
    // A static size-1 dimension against a larger one is broadcast: read
    // index 0. Equal or dynamic dimensions follow the loop.
    if (operandType.getDimSize(j) == 1 && resultType.getDimSize(i) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = emptyTensor(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, const ScalarBuilder &body) {
  SmallVector<OpFoldResult> sizes =
      broadcastResultSizes(b, loc, resultType, operands);
  Value init = emptyTensor(b, loc, resultType, sizes);
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(
        broadcastIndexingMap(resultType, cast<RankedTensorType>(operand.getType())));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, operands, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value collapseToVector(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 1)
    return value;
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, type.getElementType()), value,
        ArrayRef<ReassociationIndices>{}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         ArrayRef<ReassociationIndices>{all});
}

/// Groups the dims of `src` and `dst` into consecutive runs with equal
/// products (a dynamic dim must face a dynamic dim alone). Returns false if
/// the shapes do not decompose that way.
static bool groupDims(ArrayRef<int64_t> src, ArrayRef<int64_t> dst,
                      SmallVectorImpl<ReassociationIndices> &srcGroups,
                      SmallVectorImpl<ReassociationIndices> &dstGroups) {
  size_t i = 0, j = 0;
  while (i < src.size() && j < dst.size()) {
    ReassociationIndices sg = {static_cast<int64_t>(i)}, dg = {static_cast<int64_t>(j)};
    if (ShapedType::isDynamic(src[i]) || ShapedType::isDynamic(dst[j])) {
      if (!ShapedType::isDynamic(src[i]) || !ShapedType::isDynamic(dst[j]))
        return false;
      ++i, ++j;
    } else {
      int64_t ps = src[i++], pd = dst[j++];
      while (ps != pd) {
        if (ps < pd) {
          if (i >= src.size() || ShapedType::isDynamic(src[i]))
            return false;
          sg.push_back(static_cast<int64_t>(i));
          ps *= src[i++];
        } else {
          if (j >= dst.size() || ShapedType::isDynamic(dst[j]))
            return false;
          dg.push_back(static_cast<int64_t>(j));
          pd *= dst[j++];
        }
      }
    }
    srcGroups.push_back(sg);
    dstGroups.push_back(dg);
  }
  // Trailing size-1 dims join the last group.
  for (; i < src.size(); ++i) {
    if (src[i] != 1 || srcGroups.empty())
      return false;
    srcGroups.back().push_back(static_cast<int64_t>(i));
  }
  for (; j < dst.size(); ++j) {
    if (dst[j] != 1 || dstGroups.empty())
      return false;
    dstGroups.back().push_back(static_cast<int64_t>(j));
  }
  return !srcGroups.empty();
}

Value reshapeTensor(OpBuilder &b, Location loc, Value value,
                    RankedTensorType resultType, ArrayRef<OpFoldResult> sizes) {
  if (value.getType() == resultType)
    return value;
  auto srcType = cast<RankedTensorType>(value.getType());
  SmallVector<ReassociationIndices> srcGroups, dstGroups;
  if (srcType.getRank() > 0 && resultType.getRank() > 0 &&
      groupDims(srcType.getShape(), resultType.getShape(), srcGroups, dstGroups)) {
    // Collapse each source group to one dim, then expand to the target:
    // views that keep the dims MLIR's fusion patterns can see through.
    SmallVector<int64_t> mid;
    for (const ReassociationIndices &g : srcGroups) {
      int64_t p = 1;
      for (int64_t d : g)
        p = ShapedType::isDynamic(srcType.getDimSize(d)) ? ShapedType::kDynamic
                                                          : p * srcType.getDimSize(d);
      mid.push_back(p);
    }
    Value v = value;
    auto midType = RankedTensorType::get(mid, srcType.getElementType());
    if (midType != srcType)
      v = tensor::CollapseShapeOp::create(b, loc, midType, v, srcGroups);
    if (midType == resultType)
      return v;
    return tensor::ExpandShapeOp::create(b, loc, resultType, v, dstGroups, sizes);
  }
  Value flat = collapseToVector(b, loc, value);
  auto flatType = cast<RankedTensorType>(flat.getType());
  int64_t rank = resultType.getRank();
  if (rank == 0) {
    // tensor<1xT> -> tensor<T>: a collapse with no reassociation groups.
    Value one = flat;
    if (flatType.isDynamicDim(0))
      one = tensor::CastOp::create(
          b, loc, RankedTensorType::get({1}, flatType.getElementType()), flat);
    return tensor::CollapseShapeOp::create(b, loc, resultType, one,
                                           ArrayRef<ReassociationIndices>{});
  }
  if (rank == 1)
    return flatType == resultType
               ? flat
               : tensor::CastOp::create(b, loc, resultType, flat).getResult();
  ReassociationIndices all;
  for (int64_t i = 0; i < rank; ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all}, sizes);
}

std::optional<int64_t> affineCoefficient(AffineExpr e, unsigned dim, unsigned numDims) {
  MLIRContext *ctx = e.getContext();
  auto at = [&](int64_t one) -> std::optional<int64_t> {
    SmallVector<AffineExpr> dims;
    for (unsigned d = 0; d < numDims; ++d)
      dims.push_back(getAffineConstantExpr(d == dim ? one : 0, ctx));
    AffineExpr v = simplifyAffineExpr(e.replaceDimsAndSymbols(dims, {}), 0, 0);
    if (auto c = dyn_cast<AffineConstantExpr>(v))
      return c.getValue();
    return std::nullopt;
  };
  std::optional<int64_t> one = at(1), zero = at(0);
  if (!one || !zero)
    return std::nullopt;
  return *one - *zero;
}

std::vector<float> f32Values(DenseElementsAttr dense) {
  if (dense.isSplat())
    return std::vector<float>(static_cast<size_t>(dense.getNumElements()),
                              dense.getSplatValue<float>());
  return std::vector<float>(dense.value_begin<float>(), dense.value_end<float>());
}

} // namespace kiln
