//===- LowerElementwise.cpp - Elementwise kiln ops to linalg.generic ------===//
//
// Binary ops (with broadcasting), unary ops, activations and softmax become
// linalg.generic ops whose bodies compute the scalar formula. Softmax and
// log-softmax subtract the row maximum first (numerically stable) and take
// three passes: max, sum of exponentials, normalize.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LoweringUtils.h"
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// Lowers an elementwise kiln op to one linalg.generic whose body is `body`.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using Body = Value (*)(OpBuilder &, Location, ValueRange, OpTy);
  ElementwiseLowering(MLIRContext *ctx, Body body)
      : OpConversionPattern<OpTy>(ctx), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return body(b, loc, args, op);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  Body body;
};

template <typename OpTy>
void addElementwise(RewritePatternSet &patterns,
                    typename ElementwiseLowering<OpTy>::Body body) {
  patterns.add<ElementwiseLowering<OpTy>>(patterns.getContext(), body);
}

Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return floatConstant(b, loc, like.getType(), v);
}

/// 1 / (1 + e^-x): e^-x overflows to inf for very negative x, giving 0.
Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  Value den = arith::AddFOp::create(b, loc, cst(b, loc, x, 1.0), e);
  return arith::DivFOp::create(b, loc, cst(b, loc, x, 1.0), den);
}

//===----------------------------------------------------------------------===//
// Softmax and log-softmax
//===----------------------------------------------------------------------===//

/// Reduces `input` over `axis` with `combine`, starting from `initValue`;
/// `map` transforms each element first (its second argument is the element
/// of `other`, a tensor shaped like the result, when given).
Value reduceAxis(OpBuilder &b, Location loc, Value input, int64_t axis,
                 double initValue, Value other,
                 const std::function<Value(OpBuilder &, Location, Value, Value)> &map,
                 const std::function<Value(OpBuilder &, Location, Value, Value)> &combine) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == axis)
      continue;
    shape.push_back(type.getDimSize(i));
    sizes.push_back(tensor::getMixedSize(b, loc, input, i));
    outExprs.push_back(b.getAffineDimExpr(i));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  Value init = filledTensor(b, loc, outType, sizes,
                            floatConstant(b, loc, type.getElementType(), initValue));
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
  SmallVector<Value> inputs{input};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  if (other) {
    inputs.push_back(other);
    maps.push_back(outMap);
  }
  maps.push_back(outMap);
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, inputs, ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value x = map(nb, nloc, args[0], other ? args[1] : Value());
               linalg::YieldOp::create(nb, nloc, combine(nb, nloc, x, args.back()));
             })
      .getResult(0);
}

template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis();
    auto identity = [](OpBuilder &, Location, Value v, Value) { return v; };
    // max_j x_j
    Value max = reduceAxis(
        rewriter, loc, x, axis, -INFINITY, Value(), identity,
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, v, acc);
        });
    // sum_j exp(x_j - max)
    Value sum = reduceAxis(
        rewriter, loc, x, axis, 0.0, max,
        [](OpBuilder &b, Location l, Value v, Value m) -> Value {
          return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v, m));
        },
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::AddFOp::create(b, l, v, acc);
        });
    // softmax: exp(x - max) / sum;  log_softmax: x - max - log(sum)
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        exprs.push_back(rewriter.getAffineDimExpr(i));
    AffineMap reduced = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    Value init = emptyTensor(rewriter, loc, type, tensor::getMixedSizes(rewriter, loc, x));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{x, max, sum},
            ValueRange{init}, ArrayRef<AffineMap>{id, reduced, reduced, id},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
              Value r;
              if (isLog)
                r = arith::SubFOp::create(b, l, shifted,
                                          math::LogOp::create(b, l, args[2]));
              else
                r = arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                          args[2]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "constant value is not typed");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

struct ParamLowering : OpConversionPattern<ParamOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ParamOp op, OpAdaptor,
                  ConversionPatternRewriter &) const override {
    // Not a silent match failure: an unbound parameter is a user error.
    return op.emitOpError("parameter '")
           << op.getName()
           << "' is not bound to a value; load weights for it before lowering "
              "(kiln-run --weights, --kiln-bind-parameters)";
  }
};

} // namespace

void populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  using B = OpBuilder &;
  using L = Location;
  using V = ValueRange;
  // x op y
  addElementwise<AddOp>(patterns, [](B b, L l, V a, AddOp) -> Value {
    return arith::AddFOp::create(b, l, a[0], a[1]);
  });
  addElementwise<SubOp>(patterns, [](B b, L l, V a, SubOp) -> Value {
    return arith::SubFOp::create(b, l, a[0], a[1]);
  });
  addElementwise<MulOp>(patterns, [](B b, L l, V a, MulOp) -> Value {
    return arith::MulFOp::create(b, l, a[0], a[1]);
  });
  addElementwise<DivOp>(patterns, [](B b, L l, V a, DivOp) -> Value {
    return arith::DivFOp::create(b, l, a[0], a[1]);
  });
  // torch.maximum / minimum propagate NaN, as arith.maximumf / minimumf do.
  addElementwise<MaxOp>(patterns, [](B b, L l, V a, MaxOp) -> Value {
    return arith::MaximumFOp::create(b, l, a[0], a[1]);
  });
  addElementwise<MinOp>(patterns, [](B b, L l, V a, MinOp) -> Value {
    return arith::MinimumFOp::create(b, l, a[0], a[1]);
  });
  addElementwise<PowOp>(patterns, [](B b, L l, V a, PowOp) -> Value {
    return math::PowFOp::create(b, l, a[0], a[1]);
  });
  // f(x)
  addElementwise<NegOp>(patterns, [](B b, L l, V a, NegOp) -> Value {
    return arith::NegFOp::create(b, l, a[0]);
  });
  addElementwise<AbsOp>(patterns, [](B b, L l, V a, AbsOp) -> Value {
    return math::AbsFOp::create(b, l, a[0]);
  });
  addElementwise<ExpOp>(patterns, [](B b, L l, V a, ExpOp) -> Value {
    return math::ExpOp::create(b, l, a[0]);
  });
  addElementwise<LogOp>(patterns, [](B b, L l, V a, LogOp) -> Value {
    return math::LogOp::create(b, l, a[0]);
  });
  addElementwise<SqrtOp>(patterns, [](B b, L l, V a, SqrtOp) -> Value {
    return math::SqrtOp::create(b, l, a[0]);
  });
  addElementwise<RsqrtOp>(patterns, [](B b, L l, V a, RsqrtOp) -> Value {
    return math::RsqrtOp::create(b, l, a[0]);
  });
  // relu(x) = max(x, 0); NaN stays NaN as in PyTorch.
  addElementwise<ReluOp>(patterns, [](B b, L l, V a, ReluOp) -> Value {
    return arith::MaximumFOp::create(b, l, a[0], cst(b, l, a[0], 0.0));
  });
  addElementwise<SigmoidOp>(patterns, [](B b, L l, V a, SigmoidOp) -> Value {
    return sigmoid(b, l, a[0]);
  });
  addElementwise<TanhOp>(patterns, [](B b, L l, V a, TanhOp) -> Value {
    return math::TanhOp::create(b, l, a[0]);
  });
  // silu(x) = x * sigmoid(x)
  addElementwise<SiluOp>(patterns, [](B b, L l, V a, SiluOp) -> Value {
    return arith::MulFOp::create(b, l, a[0], sigmoid(b, l, a[0]));
  });
  // leaky_relu(x) = x > 0 ? x : slope * x
  addElementwise<LeakyReluOp>(patterns, [](B b, L l, V a, LeakyReluOp op) -> Value {
    Value x = a[0];
    Value scaled = arith::MulFOp::create(
        b, l, x, cst(b, l, x, op.getNegativeSlope().convertToDouble()));
    Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                           cst(b, l, x, 0.0));
    return arith::SelectOp::create(b, l, positive, x, scaled);
  });
  // gelu(x) = 0.5 x (1 + erf(x / sqrt 2))
  //   tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  addElementwise<GeluOp>(patterns, [](B b, L l, V a, GeluOp op) -> Value {
    Value x = a[0];
    Value inner;
    if (op.getApproximate() == "tanh") {
      Value x3 = arith::MulFOp::create(b, l, x, arith::MulFOp::create(b, l, x, x));
      Value poly = arith::AddFOp::create(
          b, l, x, arith::MulFOp::create(b, l, cst(b, l, x, 0.044715), x3));
      inner = math::TanhOp::create(
          b, l,
          arith::MulFOp::create(b, l, cst(b, l, x, std::sqrt(2.0 / M_PI)), poly));
    } else {
      inner = math::ErfOp::create(
          b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, M_SQRT1_2)));
    }
    Value half = arith::MulFOp::create(b, l, cst(b, l, x, 0.5), x);
    return arith::MulFOp::create(
        b, l, half, arith::AddFOp::create(b, l, cst(b, l, x, 1.0), inner));
  });
  patterns.add<SoftmaxLowering<SoftmaxOp, false>, SoftmaxLowering<LogSoftmaxOp, true>,
               ConstantLowering, ParamLowering>(patterns.getContext());
}

} // namespace kiln
