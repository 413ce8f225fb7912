//===- KilnNNOps.cpp - Shape inference of convolution, pooling, norms ----===//
//
// Each rule checks ranks, static channel/spatial sizes, attribute arrays
// and operand shapes, and names the op, the operand types and what was
// expected when something is wrong.
//
//===----------------------------------------------------------------------===//
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;

namespace kiln {

namespace {

/// Checks that `type` is [N, C, H, W] with static C, H, W.
LogicalResult checkNCHW(std::optional<Location> loc, StringRef op, RankedTensorType type,
                        StringRef what = "input") {
  if (type.getRank() != 4)
    return emitShapeError(loc, op,
                          Twine(what) + " " + typeToString(type) +
                              " is not 4-D (expected [N, C, H, W])");
  for (int i = 1; i < 4; ++i)
    if (type.isDynamicDim(i))
      return emitShapeError(loc, op,
                            Twine(what) + " " + typeToString(type) +
                                " has a dynamic channel or spatial size (only the "
                                "batch may be dynamic)");
  return success();
}

LogicalResult checkArray(std::optional<Location> loc, StringRef op, StringRef name,
                         ArrayRef<int64_t> values, size_t size, int64_t min,
                         Type input) {
  if (values.size() != size)
    return emitShapeError(loc, op,
                          Twine(name) + " " + listToString(values) + " has " +
                              Twine(values.size()) + " values (expected " +
                              Twine(size) + ") for input " + typeToString(input));
  for (int64_t v : values)
    if (v < min)
      return emitShapeError(loc, op,
                            Twine(name) + " " + listToString(values) + " has a value below " +
                                Twine(min) + " for input " + typeToString(input));
  return success();
}

/// Output size of a sliding window along one axis; fails (returns < 1)
/// when the window does not fit.
int64_t windowOutput(int64_t in, int64_t padBefore, int64_t padAfter, int64_t kernel,
                     int64_t stride, int64_t dilation, bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = in + padBefore + padAfter;
  if (padded < span)
    return 0;
  int64_t out = ceilMode ? (padded - span + stride - 1) / stride + 1
                         : (padded - span) / stride + 1;
  // PyTorch: the last window must start inside the input or the leading padding.
  if (ceilMode && (out - 1) * stride >= in + padBefore)
    --out;
  return out;
}

/// Shared by conv2d, im2col and the pools: the spatial output size.
LogicalResult inferWindow(std::optional<Location> loc, StringRef op,
                          RankedTensorType input, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                          ArrayRef<int64_t> dilation, bool ceilMode, int64_t &oh,
                          int64_t &ow) {
  if (failed(checkArray(loc, op, "kernel", kernel, 2, 1, input)) ||
      failed(checkArray(loc, op, "stride", stride, 2, 1, input)) ||
      failed(checkArray(loc, op, "padding", padding, 4, 0, input)) ||
      failed(checkArray(loc, op, "dilation", dilation, 2, 1, input)))
    return failure();
  oh = windowOutput(input.getDimSize(2), padding[0], padding[2], kernel[0], stride[0],
                    dilation[0], ceilMode);
  ow = windowOutput(input.getDimSize(3), padding[1], padding[3], kernel[1], stride[1],
                    dilation[1], ceilMode);
  if (oh < 1 || ow < 1)
    return emitShapeError(loc, op,
                          "kernel " + listToString(kernel) + " with dilation " + listToString(dilation) +
                              " does not fit in input " + typeToString(input) +
                              " padded by " + listToString(padding) +
                              " [top, left, bottom, right]");
  return success();
}

LogicalResult checkVector(std::optional<Location> loc, StringRef op, StringRef what,
                          Value v, int64_t size, Type element, Type input) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() != 1 || t.getDimSize(0) != size || t.getElementType() != element)
    return emitShapeError(loc, op,
                          Twine(what) + " " + typeToString(t) + " is not tensor<" +
                              Twine(size) + "x" + typeToString(element) +
                              "> (one value per channel of input " + typeToString(input) +
                              ")");
  return success();
}

/// The checks conv2d and conv_transpose2d share: an NCHW input and a
/// static 4-D weight (laid out as `layout`) of the same element type.
LogicalResult checkConvOperands(std::optional<Location> loc, StringRef op,
                                RankedTensorType in, RankedTensorType w,
                                StringRef layout) {
  if (failed(checkNCHW(loc, op, in)))
    return failure();
  if (w.getRank() != 4 || !w.hasStaticShape())
    return emitShapeError(loc, op,
                          "weight " + typeToString(w) + " is not a static 4-D " + layout +
                              " tensor");
  if (w.getElementType() != in.getElementType())
    return emitShapeError(loc, op,
                          "input " + typeToString(in) + " and weight " + typeToString(w) +
                              " have different element types");
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (failed(checkConvOperands(loc, op, in, w, "[F, C/groups, KH, KW]")))
    return failure();
  int64_t groups = adaptor.getGroups();
  int64_t c = in.getDimSize(1), f = w.getDimSize(0);
  if (groups < 1 || c % groups != 0 || f % groups != 0)
    return emitShapeError(loc, op,
                          "groups = " + Twine(groups) + " must divide the input channels (" +
                              Twine(c) + ") and the output channels (" + Twine(f) +
                              ") of input " + typeToString(in) + " and weight " +
                              typeToString(w));
  if (w.getDimSize(1) != c / groups)
    return emitShapeError(loc, op,
                          "weight " + typeToString(w) + " expects " +
                              Twine(w.getDimSize(1) * groups) +
                              " input channels but input " + typeToString(in) + " has " +
                              Twine(c) + " (groups = " + Twine(groups) + ")");
  if (adaptor.getBias() &&
      failed(checkVector(loc, op, "bias", adaptor.getBias(), f, in.getElementType(), in)))
    return failure();
  int64_t oh, ow;
  SmallVector<int64_t> kernel = {w.getDimSize(2), w.getDimSize(3)};
  if (failed(inferWindow(loc, op, in, kernel, adaptor.getStride(), adaptor.getPadding(),
                         adaptor.getDilation(), false, oh, ow)))
    return failure();
  results.push_back(
      RankedTensorType::get({in.getDimSize(0), f, oh, ow}, in.getElementType()));
  return success();
}

LogicalResult ConvTranspose2dOp::inferReturnTypes(MLIRContext *,
                                                  std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (failed(checkConvOperands(loc, op, in, w, "[C, F/groups, KH, KW]")))
    return failure();
  int64_t groups = adaptor.getGroups();
  int64_t c = in.getDimSize(1);
  if (groups < 1 || c % groups != 0)
    return emitShapeError(loc, op,
                          "groups = " + Twine(groups) +
                              " must divide the input channels of " + typeToString(in));
  if (w.getDimSize(0) != c)
    return emitShapeError(loc, op,
                          "weight " + typeToString(w) + " expects " +
                              Twine(w.getDimSize(0)) + " input channels but input " +
                              typeToString(in) + " has " + Twine(c));
  int64_t f = w.getDimSize(1) * groups;
  if (adaptor.getBias() &&
      failed(checkVector(loc, op, "bias", adaptor.getBias(), f, in.getElementType(), in)))
    return failure();
  ArrayRef<int64_t> stride = adaptor.getStride(), padding = adaptor.getPadding(),
                    outPad = adaptor.getOutputPadding(), dilation = adaptor.getDilation();
  if (failed(checkArray(loc, op, "stride", stride, 2, 1, in)) ||
      failed(checkArray(loc, op, "padding", padding, 2, 0, in)) ||
      failed(checkArray(loc, op, "output_padding", outPad, 2, 0, in)) ||
      failed(checkArray(loc, op, "dilation", dilation, 2, 1, in)))
    return failure();
  int64_t out[2];
  for (int i = 0; i < 2; ++i) {
    if (outPad[i] >= stride[i] && outPad[i] >= dilation[i])
      return emitShapeError(loc, op,
                            "output_padding " + listToString(outPad) +
                                " must be smaller than the stride " + listToString(stride) +
                                " or the dilation " + listToString(dilation));
    out[i] = (in.getDimSize(2 + i) - 1) * stride[i] - 2 * padding[i] +
             dilation[i] * (w.getDimSize(2 + i) - 1) + outPad[i] + 1;
    if (out[i] < 1)
      return emitShapeError(loc, op,
                            "padding " + listToString(padding) + " leaves no output for input " +
                                typeToString(in) + " and weight " + typeToString(w));
  }
  results.push_back(
      RankedTensorType::get({in.getDimSize(0), f, out[0], out[1]}, in.getElementType()));
  return success();
}

LogicalResult Im2ColOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkNCHW(loc, op, in)))
    return failure();
  int64_t oh, ow;
  if (failed(inferWindow(loc, op, in, adaptor.getKernel(), adaptor.getStride(),
                         adaptor.getPadding(), adaptor.getDilation(), false, oh, ow)))
    return failure();
  ArrayRef<int64_t> k = adaptor.getKernel();
  results.push_back(RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1) * k[0] * k[1], oh * ow}, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Max and average pooling: an NCHW input, a window that fits, and PyTorch's
/// limit of padding to half the kernel.
static LogicalResult inferPool(std::optional<Location> loc, StringRef op, Value input,
                               ArrayRef<int64_t> k, ArrayRef<int64_t> stride,
                               ArrayRef<int64_t> p, ArrayRef<int64_t> dilation,
                               bool ceilMode, SmallVectorImpl<Type> &results) {
  auto in = cast<RankedTensorType>(input.getType());
  if (failed(checkNCHW(loc, op, in)))
    return failure();
  int64_t oh, ow;
  if (failed(inferWindow(loc, op, in, k, stride, p, dilation, ceilMode, oh, ow)))
    return failure();
  if (std::max(p[0], p[2]) * 2 > k[0] || std::max(p[1], p[3]) * 2 > k[1])
    return emitShapeError(loc, op,
                          "padding " + listToString(p) + " must be at most half the kernel " +
                              listToString(k));
  results.push_back(RankedTensorType::get({in.getDimSize(0), in.getDimSize(1), oh, ow},
                                          in.getElementType()));
  return success();
}

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPool(loc, getOperationName(), adaptor.getInput(), adaptor.getKernel(),
                   adaptor.getStride(), adaptor.getPadding(), adaptor.getDilation(),
                   adaptor.getCeilMode(), results);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  SmallVector<int64_t> dilation = {1, 1};
  return inferPool(loc, getOperationName(), adaptor.getInput(), adaptor.getKernel(),
                   adaptor.getStride(), adaptor.getPadding(), dilation,
                   adaptor.getCeilMode(), results);
}

LogicalResult AdaptiveAvgPool2dOp::inferReturnTypes(MLIRContext *,
                                                    std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkNCHW(loc, op, in)) ||
      failed(checkArray(loc, op, "output_size", adaptor.getOutputSize(), 2, 1, in)))
    return failure();
  ArrayRef<int64_t> size = adaptor.getOutputSize();
  results.push_back(RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1), size[0], size[1]}, in.getElementType()));
  return success();
}

LogicalResult UpsampleOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkNCHW(loc, op, in)) ||
      failed(checkArray(loc, op, "size", adaptor.getSize(), 2, 1, in)))
    return failure();
  StringRef mode = adaptor.getMode();
  if (mode != "nearest" && mode != "bilinear")
    return emitShapeError(loc, op,
                          "mode \"" + mode + "\" is not \"nearest\" or \"bilinear\"");
  ArrayRef<int64_t> size = adaptor.getSize();
  if (auto scale = adaptor.getScaleFactor()) {
    if (scale->size() != 2 || (*scale)[0] <= 0 || (*scale)[1] <= 0)
      return emitShapeError(loc, op, "scale_factor must be two positive numbers");
    for (int i = 0; i < 2; ++i) {
      auto expected = static_cast<int64_t>(std::floor(in.getDimSize(2 + i) * (*scale)[i]));
      if (size[i] != expected)
        return emitShapeError(loc, op,
                              "size " + listToString(size) + " does not match scale_factor " +
                                  std::to_string((*scale)[0]) + ", " + std::to_string((*scale)[1]) +
                                  " for input " + typeToString(in) +
                                  " (expected floor(in * scale) = " + Twine(expected) +
                                  ")");
    }
  }
  results.push_back(RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1), size[0], size[1]}, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

static LogicalResult checkChannelVectors(std::optional<Location> loc, StringRef op,
                                         RankedTensorType in, ValueRange vectors,
                                         ArrayRef<StringRef> names) {
  if (in.getRank() < 2 || in.isDynamicDim(1))
    return emitShapeError(loc, op,
                          "input " + typeToString(in) +
                              " needs a static channel dimension 1 (expected [N, C, ...])");
  for (auto [v, name] : llvm::zip(vectors, names))
    if (failed(checkVector(loc, op, name, v, in.getDimSize(1), in.getElementType(), in)))
      return failure();
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkChannelVectors(
          loc, getOperationName(), in,
          {adaptor.getScale(), adaptor.getShift(), adaptor.getMean(), adaptor.getVariance()},
          {"scale", "shift", "mean", "variance"})))
    return failure();
  results.push_back(in);
  return success();
}

LogicalResult BatchNormTrainingOp::inferReturnTypes(MLIRContext *,
                                                    std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkChannelVectors(loc, getOperationName(), in,
                                 {adaptor.getScale(), adaptor.getShift(),
                                  adaptor.getRunningMean(), adaptor.getRunningVar()},
                                 {"scale", "shift", "running_mean", "running_var"})))
    return failure();
  results.push_back(in);
  results.push_back(adaptor.getRunningMean().getType());
  results.push_back(adaptor.getRunningVar().getType());
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto k = static_cast<int64_t>(adaptor.getNormalizedRank());
  if (k < 1 || k > in.getRank())
    return emitShapeError(loc, op,
                          "normalized_rank " + Twine(k) + " is out of range for input " +
                              typeToString(in));
  ArrayRef<int64_t> trailing = in.getShape().take_back(k);
  if (llvm::any_of(trailing, ShapedType::isDynamic))
    return emitShapeError(loc, op,
                          "the normalized dims of input " + typeToString(in) +
                              " must be static");
  auto expected = RankedTensorType::get(trailing, in.getElementType());
  for (auto [v, name] : llvm::zip(ValueRange{adaptor.getScale(), adaptor.getShift()},
                                  ArrayRef<StringRef>{"scale", "shift"}))
    if (v.getType() != expected)
      return emitShapeError(loc, op,
                            Twine(name) + " " + typeToString(v.getType()) +
                                " does not match the normalized shape " +
                                typeToString(expected) + " of input " +
                                typeToString(in));
  results.push_back(in);
  return success();
}

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  StringRef op = getOperationName();
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkChannelVectors(loc, op, in, {adaptor.getScale(), adaptor.getShift()},
                                 {"scale", "shift"})))
    return failure();
  auto groups = static_cast<int64_t>(adaptor.getNumGroups());
  if (groups < 1 || in.getDimSize(1) % groups != 0)
    return emitShapeError(loc, op,
                          "num_groups = " + Twine(groups) +
                              " does not divide the channels of input " +
                              typeToString(in));
  for (int64_t i = 2; i < in.getRank(); ++i)
    if (in.isDynamicDim(i))
      return emitShapeError(loc, op,
                            "input " + typeToString(in) +
                                " has a dynamic dim after the channels");
  results.push_back(in);
  return success();
}

} // namespace kiln
