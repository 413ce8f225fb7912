//===- NNOps.cpp - DSL functions for convolutional networks ---------------===//
//
// Convolution, pooling, resampling and normalization. PyTorch's argument
// conventions (stride defaulting to the kernel, symmetric padding pairs,
// optional affine parameters) are turned into the explicit attributes of
// the kiln ops here; the ops' shape inference checks the rest.
//
//===----------------------------------------------------------------------===//
#include "frontend/ModelImpl.h"
#include "frontend/Ops.h"
#include "runtime/Error.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

NamedAttribute pair(Builder &b, StringRef name, Size2 s) {
  return b.getNamedAttr(name, b.getDenseI64ArrayAttr({s.h, s.w}));
}

NamedAttribute pads(Builder &b, Padding2d p) {
  return b.getNamedAttr("padding",
                        b.getDenseI64ArrayAttr({p.top, p.left, p.bottom, p.right}));
}

void checkNonNegative(const char *op, Padding2d p, const Value &x) {
  if (p.top < 0 || p.left < 0 || p.bottom < 0 || p.right < 0)
    fail("'", op, "' op padding [", p.top, ", ", p.left, ", ", p.bottom, ", ", p.right,
         "] must not be negative (input ", x.typeString(), ")");
}

Value filled(ModelImpl &m, const Shape &shape, double value, DType dtype) {
  return m.constantTensor(Tensor::full(shape, value, dtype));
}

int64_t channelsOf(const Value &x, const char *op) {
  if (x.rank() < 2 || x.dim(1) < 0)
    fail("'", op, "' op input ", x.typeString(),
         " needs a static channel dimension 1 (expected [N, C, ...])");
  return x.dim(1);
}

Value orFilled(ModelImpl &m, Value v, int64_t channels, double value, DType dtype) {
  return v.defined() ? v : filled(m, {channels}, value, dtype);
}

} // namespace

Value conv2d(Value x, Value weight, Value bias, Size2 stride, Padding2d padding,
             Size2 dilation, int64_t groups) {
  const char *op = "kiln.conv2d";
  ModelImpl &m = modelOf(x, op);
  checkNonNegative(op, padding, x);
  Builder b(m.context.get());
  SmallVector<NamedAttribute> attrs = {pair(b, "stride", stride), pads(b, padding),
                                       pair(b, "dilation", dilation),
                                       b.getNamedAttr("groups", b.getI64IntegerAttr(groups))};
  if (bias.defined())
    return m.emit(op, {x, weight, bias}, attrs);
  return m.emit(op, {x, weight}, attrs);
}

Value convTranspose2d(Value x, Value weight, Value bias, Size2 stride, Size2 padding,
                      Size2 outputPadding, int64_t groups, Size2 dilation) {
  const char *op = "kiln.conv_transpose2d";
  ModelImpl &m = modelOf(x, op);
  Builder b(m.context.get());
  SmallVector<NamedAttribute> attrs = {
      pair(b, "stride", stride), pair(b, "padding", padding),
      pair(b, "output_padding", outputPadding), pair(b, "dilation", dilation),
      b.getNamedAttr("groups", b.getI64IntegerAttr(groups))};
  if (bias.defined())
    return m.emit(op, {x, weight, bias}, attrs);
  return m.emit(op, {x, weight}, attrs);
}

Value maxPool2d(Value x, Size2 kernel, Size2 stride, Padding2d padding, Size2 dilation,
                bool ceilMode) {
  const char *op = "kiln.max_pool2d";
  ModelImpl &m = modelOf(x, op);
  checkNonNegative(op, padding, x);
  if (stride.h == 0 && stride.w == 0)
    stride = kernel;
  Builder b(m.context.get());
  return m.emit(op, {x},
                {pair(b, "kernel", kernel), pair(b, "stride", stride), pads(b, padding),
                 pair(b, "dilation", dilation),
                 b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode))});
}

Value avgPool2d(Value x, Size2 kernel, Size2 stride, Padding2d padding, bool ceilMode,
                bool countIncludePad) {
  const char *op = "kiln.avg_pool2d";
  ModelImpl &m = modelOf(x, op);
  checkNonNegative(op, padding, x);
  if (stride.h == 0 && stride.w == 0)
    stride = kernel;
  Builder b(m.context.get());
  return m.emit(op, {x},
                {pair(b, "kernel", kernel), pair(b, "stride", stride), pads(b, padding),
                 b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode)),
                 b.getNamedAttr("count_include_pad", b.getBoolAttr(countIncludePad))});
}

Value adaptiveAvgPool2d(Value x, Size2 outputSize) {
  const char *op = "kiln.adaptive_avg_pool2d";
  ModelImpl &m = modelOf(x, op);
  Builder b(m.context.get());
  return m.emit(op, {x}, {pair(b, "output_size", outputSize)});
}

Value globalAvgPool2d(Value x) { return adaptiveAvgPool2d(x, Size2(1, 1)); }

Value upsample(Value x, Size2 size, const std::string &mode, bool alignCorners) {
  const char *op = "kiln.upsample";
  ModelImpl &m = modelOf(x, op);
  Builder b(m.context.get());
  return m.emit(op, {x},
                {pair(b, "size", size), b.getNamedAttr("mode", b.getStringAttr(mode)),
                 b.getNamedAttr("align_corners", b.getBoolAttr(alignCorners))});
}

Value upsample(Value x, double scale, const std::string &mode, bool alignCorners) {
  const char *op = "kiln.upsample";
  ModelImpl &m = modelOf(x, op);
  if (!(scale > 0) || !std::isfinite(scale))
    fail("'", op, "' op scale factor ", scale, " must be a positive number");
  if (x.rank() != 4 || x.dim(2) < 0 || x.dim(3) < 0)
    fail("'", op, "' op input ", x.typeString(),
         " is not 4-D with static H and W (expected [N, C, H, W])");
  int64_t h = static_cast<int64_t>(std::floor(x.dim(2) * scale));
  int64_t w = static_cast<int64_t>(std::floor(x.dim(3) * scale));
  Builder b(m.context.get());
  return m.emit(op, {x},
                {pair(b, "size", Size2(h, w)), b.getNamedAttr("mode", b.getStringAttr(mode)),
                 b.getNamedAttr("align_corners", b.getBoolAttr(alignCorners)),
                 b.getNamedAttr("scale_factor", b.getDenseF64ArrayAttr({scale, scale}))});
}

Value batchNorm(Value x, Value runningMean, Value runningVar, Value weight, Value bias,
                double eps) {
  const char *op = "kiln.batch_norm";
  ModelImpl &m = modelOf(x, op);
  int64_t c = channelsOf(x, op);
  Builder b(m.context.get());
  return m.emit(op,
                {x, orFilled(m, weight, c, 1.0, x.dtype()),
                 orFilled(m, bias, c, 0.0, x.dtype()), runningMean, runningVar},
                {b.getNamedAttr("epsilon", b.getF64FloatAttr(eps))});
}

BatchNormTraining batchNormTraining(Value x, Value runningMean, Value runningVar,
                                    Value weight, Value bias, double momentum,
                                    double eps) {
  const char *op = "kiln.batch_norm_training";
  ModelImpl &m = modelOf(x, op);
  int64_t c = channelsOf(x, op);
  if (!(momentum >= 0 && momentum <= 1))
    fail("'", op, "' op momentum ", momentum, " must be in [0, 1]");
  Builder b(m.context.get());
  std::vector<Value> r =
      m.emitMulti(op,
                  {x, orFilled(m, weight, c, 1.0, x.dtype()),
                   orFilled(m, bias, c, 0.0, x.dtype()), runningMean, runningVar},
                  {b.getNamedAttr("epsilon", b.getF64FloatAttr(eps)),
                   b.getNamedAttr("momentum", b.getF64FloatAttr(momentum))},
                  3);
  return {r[0], r[1], r[2]};
}

Value layerNorm(Value x, const std::vector<int64_t> &normalizedShape, Value weight,
                Value bias, double eps) {
  const char *op = "kiln.layer_norm";
  ModelImpl &m = modelOf(x, op);
  auto k = static_cast<int64_t>(normalizedShape.size());
  Shape shape = x.shape();
  bool matches = k >= 1 && k <= x.rank();
  for (int64_t i = 0; matches && i < k; ++i)
    matches = normalizedShape[i] > 0 && shape[x.rank() - k + i] == normalizedShape[i];
  if (!matches) {
    std::string s = "[";
    for (size_t i = 0; i < normalizedShape.size(); ++i)
      s += (i ? ", " : "") + std::to_string(normalizedShape[i]);
    fail("'", op, "' op normalized shape ", s, "] is not the trailing shape of input ",
         x.typeString());
  }
  Shape ns(normalizedShape.begin(), normalizedShape.end());
  Value w = weight.defined() ? weight : filled(m, ns, 1.0, x.dtype());
  Value bb = bias.defined() ? bias : filled(m, ns, 0.0, x.dtype());
  Builder b(m.context.get());
  return m.emit(op, {x, w, bb},
                {b.getNamedAttr("normalized_rank", b.getI64IntegerAttr(k)),
                 b.getNamedAttr("epsilon", b.getF64FloatAttr(eps))});
}

Value groupNorm(Value x, int64_t numGroups, Value weight, Value bias, double eps) {
  const char *op = "kiln.group_norm";
  ModelImpl &m = modelOf(x, op);
  int64_t c = channelsOf(x, op);
  Builder b(m.context.get());
  return m.emit(op,
                {x, orFilled(m, weight, c, 1.0, x.dtype()),
                 orFilled(m, bias, c, 0.0, x.dtype())},
                {b.getNamedAttr("num_groups", b.getI64IntegerAttr(numGroups)),
                 b.getNamedAttr("epsilon", b.getF64FloatAttr(eps))});
}

Value instanceNorm(Value x, Value weight, Value bias, double eps) {
  return groupNorm(x, channelsOf(x, "kiln.group_norm"), weight, bias, eps);
}

Value adaLayerNorm(Value x, Value scale, Value shift, double eps) {
  int64_t d = x.dim(-1);
  if (x.rank() < 2 || d < 0)
    fail("adaLayerNorm: input ", x.typeString(), " must be [N, ..., D] with static D");
  Value n = layerNorm(x, {d}, Value(), Value(), eps);
  // [N, D] -> [N, 1, ..., 1, D] to broadcast over the middle dims.
  std::vector<int64_t> shape(static_cast<size_t>(x.rank()), 1);
  shape.front() = -1;
  shape.back() = d;
  for (const Value *v : {&scale, &shift})
    if (v->rank() != 2 || v->dim(1) != d)
      fail("adaLayerNorm: scale and shift must be [N, ", d, "] for input ",
           x.typeString(), ", got ", v->typeString());
  Value s = reshape(scale, shape), t = reshape(shift, shape);
  return n * (s + 1.0) + t;
}

Value adaInstanceNorm(Value x, Value scale, Value shift, double eps) {
  int64_t c = channelsOf(x, "kiln.group_norm");
  for (const Value *v : {&scale, &shift})
    if (v->rank() != 2 || v->dim(1) != c)
      fail("adaInstanceNorm: scale and shift must be [N, ", c, "] for input ",
           x.typeString(), ", got ", v->typeString());
  std::vector<int64_t> shape(static_cast<size_t>(x.rank()), 1);
  shape[0] = -1;
  shape[1] = c;
  return instanceNorm(x, Value(), Value(), eps) * reshape(scale, shape) +
         reshape(shift, shape);
}

Value adain(Value x, Value style, double eps) {
  channelsOf(x, "kiln.group_norm");
  if (style.rank() != x.rank() || style.dim(1) != x.dim(1))
    fail("adain: style ", style.typeString(), " must have the rank and channels of input ",
         x.typeString());
  std::vector<int64_t> spatial;
  for (int64_t i = 2; i < style.rank(); ++i)
    spatial.push_back(i);
  Value mu = mean(style, spatial, true);
  Value centered = style - mu;
  Value sigma = sqrt(mean(centered * centered, spatial, true) + eps);
  return instanceNorm(x, Value(), Value(), eps) * sigma + mu;
}

Value dropout(Value x, double p) {
  if (!(p >= 0 && p < 1))
    fail("dropout: p = ", p, " must be in [0, 1)");
  modelOf(x, "dropout");
  return x;
}

ReceptiveField receptiveField(const std::vector<LayerGeometry> &layers) {
  ReceptiveField rf;
  for (const LayerGeometry &l : layers) {
    if (l.kernel < 1 || l.stride < 1 || l.dilation < 1 || l.padding < 0)
      fail("receptiveField: layer with kernel ", l.kernel, ", stride ", l.stride,
           ", padding ", l.padding, ", dilation ", l.dilation,
           " (expected kernel, stride, dilation >= 1 and padding >= 0)");
    int64_t span = l.dilation * (l.kernel - 1) + 1;
    rf.start += ((span - 1) / 2.0 - l.padding) * rf.jump;
    rf.size += (span - 1) * rf.jump;
    rf.jump *= l.stride;
  }
  return rf;
}

} // namespace kiln
