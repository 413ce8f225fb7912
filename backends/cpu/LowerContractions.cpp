//===- LowerContractions.cpp - kiln.matmul and kiln.linear to linalg ------===//
//
// Contractions map onto linalg's named ops, which the vectorizer knows:
//   2-D x 2-D                     -> linalg.matmul
//   [..., M, K] x [K, N]          -> collapse to [B*M, K], linalg.matmul
//   equal batch shapes            -> collapse batch dims, linalg.batch_matmul
//   broadcast batch shapes        -> materialize the broadcast, batch_matmul
//   linear(x, W, b)               -> matmul(x, W^T) accumulated onto b
// A constant weight of kiln.linear is transposed here, at compile time, so
// the kernel streams it row-major; only a non-constant weight costs a
// runtime linalg.transpose.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln {
namespace {

ReassociationIndices range(int64_t begin, int64_t end) {
  ReassociationIndices r;
  for (int64_t i = begin; i < end; ++i)
    r.push_back(i);
  return r;
}

/// [d0, ..., dn-2, dn-1] -> [d0 * ... * dn-2, dn-1]
Value collapseLeading(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return v;
  if (rank == 1)
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        v, ArrayRef<ReassociationIndices>{{0, 1}},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(0))});
  return tensor::CollapseShapeOp::create(
      b, loc, v, ArrayRef<ReassociationIndices>{range(0, rank - 1), {rank - 1}});
}

/// [b0, ..., bk, M, N] -> [b0 * ... * bk, M, N]
Value collapseBatch(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  if (rank == 3)
    return v;
  return tensor::CollapseShapeOp::create(
      b, loc, v,
      ArrayRef<ReassociationIndices>{range(0, rank - 2), {rank - 2}, {rank - 1}});
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type,
                 ArrayRef<OpFoldResult> sizes) {
  return filledTensor(b, loc, type, sizes, floatConstant(b, loc, type.getElementType(), 0.0));
}

/// Sizes of a matmul result [batch..., M, N]: batch dims from whichever
/// operand is not broadcast there, M from lhs, N from rhs.
SmallVector<OpFoldResult> matmulResultSizes(OpBuilder &b, Location loc,
                                            RankedTensorType resultType,
                                            Value lhs, Value rhs) {
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  int64_t rank = resultType.getRank(), nb = rank - 2;
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < nb; ++i) {
    if (!resultType.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(resultType.getDimSize(i)));
      continue;
    }
    int64_t jl = i - (nb - (lt.getRank() - 2)), jr = i - (nb - (rt.getRank() - 2));
    if (jl >= 0 && lt.isDynamicDim(jl))
      sizes.push_back(tensor::getMixedSize(b, loc, lhs, jl));
    else
      sizes.push_back(tensor::getMixedSize(b, loc, rhs, jr));
  }
  sizes.push_back(tensor::getMixedSize(b, loc, lhs, lt.getRank() - 2));
  sizes.push_back(tensor::getMixedSize(b, loc, rhs, rt.getRank() - 1));
  return sizes;
}

/// Broadcasts `v` ([..., R, C]) to batch shape `batch` (a copy).
Value broadcastBatch(OpBuilder &b, Location loc, Value v,
                     RankedTensorType resultType, ArrayRef<OpFoldResult> batchSizes) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(resultType.getShape().drop_back(2));
  shape.push_back(type.getDimSize(type.getRank() - 2));
  shape.push_back(type.getDimSize(type.getRank() - 1));
  auto target = RankedTensorType::get(shape, type.getElementType());
  if (target == type)
    return v;
  SmallVector<OpFoldResult> sizes(batchSizes);
  sizes.push_back(tensor::getMixedSize(b, loc, v, type.getRank() - 2));
  sizes.push_back(tensor::getMixedSize(b, loc, v, type.getRank() - 1));
  Value init = emptyTensor(b, loc, target, sizes);
  SmallVector<utils::IteratorType> iterators(target.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{target}, ValueRange{v}, ValueRange{init},
             ArrayRef<AffineMap>{broadcastIndexingMap(target, type),
                                 b.getMultiDimIdentityMap(target.getRank())},
             iterators,
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> sizes =
        matmulResultSizes(rewriter, loc, resultType, lhs, rhs);
    Type elementType = resultType.getElementType();

    if (rt.getRank() == 2) {
      // [..., M, K] x [K, N]: one GEMM with all lhs rows.
      Value a = collapseLeading(rewriter, loc, lhs);
      auto at = cast<RankedTensorType>(a.getType());
      auto outType = RankedTensorType::get({at.getDimSize(0), rt.getDimSize(1)}, elementType);
      SmallVector<OpFoldResult> outSizes{tensor::getMixedSize(rewriter, loc, a, 0),
                                         sizes.back()};
      Value init = zeroFilled(rewriter, loc, outType, outSizes);
      Value mm = linalg::MatmulOp::create(rewriter, loc, ValueRange{a, rhs},
                                          ValueRange{init})
                     .getResult(0);
      rewriter.replaceOp(op, reshapeTensor(rewriter, loc, mm, resultType, sizes));
      return success();
    }

    if (lt.getRank() == 2) {
      // [M, K] x [..., K, N] (the unfolded convolution): a batch_matmul whose
      // lhs indexing map ignores the batch, so the weight is not copied.
      Value bm = collapseBatch(rewriter, loc, rhs);
      auto bt = cast<RankedTensorType>(bm.getType());
      auto outType = RankedTensorType::get(
          {bt.getDimSize(0), lt.getDimSize(0), rt.getDimSize(rt.getRank() - 1)},
          elementType);
      SmallVector<OpFoldResult> outSizes{tensor::getMixedSize(rewriter, loc, bm, 0),
                                         sizes[sizes.size() - 2], sizes.back()};
      Value init = zeroFilled(rewriter, loc, outType, outSizes);
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr bd, m, n, k;
      bindDims(ctx, bd, m, n, k);
      auto maps = rewriter.getAffineMapArrayAttr(
          {AffineMap::get(4, 0, {m, k}, ctx), AffineMap::get(4, 0, {bd, k, n}, ctx),
           AffineMap::get(4, 0, {bd, m, n}, ctx)});
      Value mm = linalg::BatchMatmulOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{lhs, bm}, ValueRange{init},
                     {rewriter.getNamedAttr("indexing_maps", maps)})
                     .getResult(0);
      rewriter.replaceOp(op, reshapeTensor(rewriter, loc, mm, resultType, sizes));
      return success();
    }

    // Batched: bring both operands to the result's batch shape, then fold
    // all batch dimensions into one.
    ArrayRef<OpFoldResult> batchSizes = ArrayRef<OpFoldResult>(sizes).drop_back(2);
    Value a = collapseBatch(rewriter, loc,
                            broadcastBatch(rewriter, loc, lhs, resultType, batchSizes));
    Value bm = collapseBatch(rewriter, loc,
                             broadcastBatch(rewriter, loc, rhs, resultType, batchSizes));
    auto at = cast<RankedTensorType>(a.getType());
    auto outType = RankedTensorType::get(
        {at.getDimSize(0), lt.getDimSize(lt.getRank() - 2), rt.getDimSize(rt.getRank() - 1)},
        elementType);
    SmallVector<OpFoldResult> outSizes{tensor::getMixedSize(rewriter, loc, a, 0),
                                       sizes[sizes.size() - 2], sizes.back()};
    Value init = zeroFilled(rewriter, loc, outType, outSizes);
    Value mm = linalg::BatchMatmulOp::create(rewriter, loc, ValueRange{a, bm},
                                             ValueRange{init})
                   .getResult(0);
    Value result = mm;
    if (outType != resultType)
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, mm,
          ArrayRef<ReassociationIndices>{range(0, resultType.getRank() - 2),
                                         {resultType.getRank() - 2},
                                         {resultType.getRank() - 1}},
          sizes);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The transpose of a constant 2-D weight, computed now.
template <typename T>
DenseElementsAttr transposeConstant(DenseElementsAttr w) {
  auto type = cast<RankedTensorType>(w.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  std::vector<T> out(rows * cols);
  auto values = w.getValues<T>();
  auto it = values.begin();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c, ++it)
      out[c * rows + r] = *it;
  return DenseElementsAttr::get(
      RankedTensorType::get({cols, rows}, type.getElementType()), ArrayRef<T>(out));
}

struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), w = adaptor.getWeight(), bias = adaptor.getBias();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    Type elementType = resultType.getElementType();
    int64_t in = wt.getDimSize(1), out = wt.getDimSize(0);

    // W^T [in, out]: folded now when W is a constant.
    Value wT;
    DenseElementsAttr dense;
    if (matchPattern(w, m_Constant(&dense))) {
      DenseElementsAttr t = elementType.isF32() ? transposeConstant<float>(dense)
                                                : transposeConstant<double>(dense);
      wT = arith::ConstantOp::create(rewriter, loc, t);
    } else {
      auto tType = RankedTensorType::get({in, out}, elementType);
      Value init = emptyTensor(rewriter, loc, tType,
                               {rewriter.getIndexAttr(in), rewriter.getIndexAttr(out)});
      wT = linalg::TransposeOp::create(rewriter, loc, w, init,
                                       ArrayRef<int64_t>{1, 0})
               .getResult()[0];
    }

    Value x2 = collapseLeading(rewriter, loc, x);
    auto x2t = cast<RankedTensorType>(x2.getType());
    auto outType = RankedTensorType::get({x2t.getDimSize(0), out}, elementType);
    SmallVector<OpFoldResult> outSizes{tensor::getMixedSize(rewriter, loc, x2, 0),
                                       rewriter.getIndexAttr(out)};
    // The accumulator starts as the broadcast bias: x W^T + b in one GEMM.
    Value init;
    if (bias) {
      Value empty = emptyTensor(rewriter, loc, outType, outSizes);
      init = linalg::BroadcastOp::create(rewriter, loc, bias, empty,
                                         ArrayRef<int64_t>{0})
                 .getResult()[0];
    } else {
      init = zeroFilled(rewriter, loc, outType, outSizes);
    }
    Value mm = linalg::MatmulOp::create(rewriter, loc, ValueRange{x2, wT},
                                        ValueRange{init})
                   .getResult(0);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    if (sizes.empty())
      sizes.push_back(rewriter.getIndexAttr(out));
    else
      sizes.back() = rewriter.getIndexAttr(out);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, mm, resultType, sizes));
    return success();
  }
};

} // namespace

void populateContractionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, LinearLowering>(patterns.getContext());
}

} // namespace kiln
