//===- Ops.h - The Kiln C++ DSL: one function per op ------------*- C++ -*-===//
//
// Free functions that add kiln ops to the model their operands belong to.
// Semantics are PyTorch's; axes may be negative (counted from the end).
// Every function throws kiln::Error on a shape mistake, naming the op and
// the shapes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_OPS_H
#define KILN_FRONTEND_OPS_H

#include "frontend/Model.h"

#include <string>
#include <vector>

namespace kiln {

// Elementwise binary, NumPy broadcasting.
Value add(Value a, Value b);
Value sub(Value a, Value b);
Value mul(Value a, Value b);
Value div(Value a, Value b);
Value maximum(Value a, Value b);
Value minimum(Value a, Value b);
Value pow(Value a, Value b);

Value operator+(Value a, Value b);
Value operator-(Value a, Value b);
Value operator*(Value a, Value b);
Value operator/(Value a, Value b);
Value operator-(Value a);
Value operator+(Value a, double b);
Value operator-(Value a, double b);
Value operator*(Value a, double b);
Value operator/(Value a, double b);
Value operator+(double a, Value b);
Value operator-(double a, Value b);
Value operator*(double a, Value b);
Value operator/(double a, Value b);

// Elementwise unary.
Value neg(Value x);
Value abs(Value x);
Value exp(Value x);
Value log(Value x);
Value sqrt(Value x);
Value rsqrt(Value x);

// Activations.
Value relu(Value x);
Value leakyRelu(Value x, double negativeSlope = 0.01);
Value sigmoid(Value x);
Value tanh(Value x);
/// approximate: "none" (erf form) or "tanh".
Value gelu(Value x, const std::string &approximate = "none");
Value silu(Value x);
Value softmax(Value x, int64_t axis = -1);
Value logSoftmax(Value x, int64_t axis = -1);

// Contractions.
/// torch.matmul for operands of rank >= 2 (batch dims broadcast).
Value matmul(Value a, Value b);
/// x W^T + b; `bias` may be a default-constructed Value (no bias).
Value linear(Value x, Value weight, Value bias = Value());

// Shapes.
/// One entry may be -1.
Value reshape(Value x, const std::vector<int64_t> &shape);
Value permute(Value x, const std::vector<int64_t> &perm);
Value transpose(Value x, int64_t dim0, int64_t dim1);
/// All dims from `startDim` on folded into one (torch.flatten).
Value flatten(Value x, int64_t startDim = 1);
Value concat(const std::vector<Value> &values, int64_t axis);
/// x[..., start:end:step, ...] along `axis`, Python semantics (negative
/// indices count from the end; out-of-range bounds are clamped).
Value slice(Value x, int64_t axis, int64_t start, int64_t end, int64_t step = 1);

// Reductions. An empty `axes` reduces over all dimensions.
Value sum(Value x, const std::vector<int64_t> &axes = {}, bool keepdim = false);
Value mean(Value x, const std::vector<int64_t> &axes = {}, bool keepdim = false);
Value amax(Value x, const std::vector<int64_t> &axes = {}, bool keepdim = false);
/// Index (i64) of the first maximum along `axis`.
Value argmax(Value x, int64_t axis, bool keepdim = false);

// --- Convolutional networks (NCHW) ---------------------------------------

/// A pair of sizes (height, width). Converts from one int (both equal), as
/// PyTorch's `int or tuple` arguments do: `{2}`, `2` or `{2, 3}`.
struct Size2 {
  Size2(int64_t both) : h(both), w(both) {}
  Size2(int64_t h, int64_t w) : h(h), w(w) {}
  int64_t h, w;
};

/// Zero padding of the two spatial dimensions: one int (all four sides),
/// two ints {h, w} (PyTorch's symmetric padding) or four ints
/// {top, left, bottom, right} (asymmetric, ONNX's order).
struct Padding2d {
  Padding2d(int64_t all) : top(all), left(all), bottom(all), right(all) {}
  Padding2d(int64_t h, int64_t w) : top(h), left(w), bottom(h), right(w) {}
  Padding2d(int64_t top, int64_t left, int64_t bottom, int64_t right)
      : top(top), left(left), bottom(bottom), right(right) {}
  int64_t top, left, bottom, right;
};

/// torch.nn.functional.conv2d: x [N, C, H, W], weight [F, C/groups, KH, KW],
/// optional bias [F] -> [N, F, OH, OW] with
/// OH = floor((H + top + bottom - dilation.h * (KH - 1) - 1) / stride.h) + 1.
Value conv2d(Value x, Value weight, Value bias = Value(), Size2 stride = 1,
             Padding2d padding = 0, Size2 dilation = 1, int64_t groups = 1);
/// torch.nn.functional.conv_transpose2d: x [N, C, H, W], weight
/// [C, F/groups, KH, KW], optional bias [F] -> [N, F, OH, OW] with
/// OH = (H - 1) * stride.h - 2 * padding.h + dilation.h * (KH - 1) +
///      outputPadding.h + 1.
Value convTranspose2d(Value x, Value weight, Value bias = Value(), Size2 stride = 1,
                      Size2 padding = 0, Size2 outputPadding = 0, int64_t groups = 1,
                      Size2 dilation = 1);
/// torch.nn.functional.max_pool2d; `stride` defaults to the kernel size
/// (pass 0). Padding is -inf.
Value maxPool2d(Value x, Size2 kernel, Size2 stride = 0, Padding2d padding = 0,
                Size2 dilation = 1, bool ceilMode = false);
/// torch.nn.functional.avg_pool2d; `countIncludePad` divides by the full
/// kernel area even where the window overlaps the padding.
Value avgPool2d(Value x, Size2 kernel, Size2 stride = 0, Padding2d padding = 0,
                bool ceilMode = false, bool countIncludePad = true);
/// torch.nn.functional.adaptive_avg_pool2d: bins
/// [floor(i*H/OH), ceil((i+1)*H/OH)).
Value adaptiveAvgPool2d(Value x, Size2 outputSize);
/// Mean over H and W: [N, C, H, W] -> [N, C, 1, 1].
Value globalAvgPool2d(Value x);
/// torch.nn.functional.interpolate to `size` with mode "nearest" or
/// "bilinear" (`alignCorners` as in PyTorch; ignored for nearest).
Value upsample(Value x, Size2 size, const std::string &mode = "nearest",
               bool alignCorners = false);
/// interpolate(scale_factor=scale): size floor(H * scale), sampling with
/// the given scale as PyTorch does.
Value upsample(Value x, double scale, const std::string &mode = "nearest",
               bool alignCorners = false);

// --- Normalization ---------------------------------------------------------

/// Inference batch norm over dim 1 with running statistics [C]:
/// (x - mean) / sqrt(var + eps) * weight + bias. weight/bias may be empty.
Value batchNorm(Value x, Value runningMean, Value runningVar, Value weight = Value(),
                Value bias = Value(), double eps = 1e-5);
/// Training batch norm: normalizes with the batch statistics (biased
/// variance) and returns the updated running statistics
/// (1 - momentum) * running + momentum * batch (unbiased variance), as
/// torch.nn.BatchNorm2d does in train mode.
struct BatchNormTraining {
  Value output, runningMean, runningVar;
};
BatchNormTraining batchNormTraining(Value x, Value runningMean, Value runningVar,
                                    Value weight = Value(), Value bias = Value(),
                                    double momentum = 0.1, double eps = 1e-5);
/// torch.nn.functional.layer_norm over the trailing `normalizedShape`.
Value layerNorm(Value x, const std::vector<int64_t> &normalizedShape,
                Value weight = Value(), Value bias = Value(), double eps = 1e-5);
/// torch.nn.functional.group_norm: channels (dim 1) split in `numGroups`.
Value groupNorm(Value x, int64_t numGroups, Value weight = Value(), Value bias = Value(),
                double eps = 1e-5);
/// torch.nn.functional.instance_norm without running statistics.
Value instanceNorm(Value x, Value weight = Value(), Value bias = Value(),
                   double eps = 1e-5);
/// Adaptive layer norm (AdaLN, as in DiT): layer_norm(x) * (1 + scale) + shift
/// over the last dim D of x [N, ..., D]; scale and shift [N, D] come from a
/// control tensor (e.g. a Linear of a conditioning vector).
Value adaLayerNorm(Value x, Value scale, Value shift, double eps = 1e-5);
/// Adaptive instance norm (AdaIN): instance_norm(x) * scale + shift with
/// scale and shift [N, C] from a control tensor.
Value adaInstanceNorm(Value x, Value scale, Value shift, double eps = 1e-5);
/// AdaIN of Huang and Belongie: x normalized per channel, then given the
/// per-channel mean and standard deviation (biased) of `style`.
Value adain(Value x, Value style, double eps = 1e-5);
/// Dropout at inference: the identity (0 <= p < 1 is checked).
Value dropout(Value x, double p = 0.5);

// --- Receptive field ---------------------------------------------------------

/// Geometry of one conv or pool layer along one spatial axis.
struct LayerGeometry {
  int64_t kernel = 1, stride = 1, padding = 0, dilation = 1;
};
/// Receptive field of the last layer of a stack: `size` input pixels seen by
/// one output, `jump` input pixels between neighbouring outputs, `start`
/// the input coordinate of the centre of output 0's field (may be negative,
/// in the padding).
struct ReceptiveField {
  int64_t size = 1, jump = 1;
  double start = 0.5;
};
ReceptiveField receptiveField(const std::vector<LayerGeometry> &layers);

} // namespace kiln

#endif // KILN_FRONTEND_OPS_H
