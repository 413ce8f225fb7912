//===- Reference.h - Plain-loop reference ops for e2e tests -----*- C++ -*-===//
//
// An independent, deliberately simple implementation of every op Kiln
// compiles, written as obvious loops over kiln::Tensor. End-to-end tests run
// a model through the compiler and through these functions and compare the
// results, so this file must not share any code with the compiler: it only
// depends on runtime/Tensor.h.
//
// Semantics follow PyTorch (torch.add, torch.matmul, torch.softmax, ...).
// Inputs are f32 tensors; accumulations are done in double and results are
// returned as new f32 tensors (argmax returns i64). Every invalid argument
// throws kiln::Error with a message that names the function and the shapes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_E2E_REFERENCE_H
#define KILN_TESTS_E2E_REFERENCE_H

#include "runtime/Tensor.h"

#include <cstdint>
#include <vector>

namespace kiln::ref {

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

/// The NumPy/PyTorch broadcast of two shapes: right-aligned, each pair of
/// dimensions must be equal or one of them 1. Throws kiln::Error otherwise.
Shape broadcastShapes(const Shape &a, const Shape &b);

/// a + b, broadcasting.
Tensor add(const Tensor &a, const Tensor &b);
/// a - b, broadcasting.
Tensor sub(const Tensor &a, const Tensor &b);
/// a * b, broadcasting.
Tensor mul(const Tensor &a, const Tensor &b);
/// a / b, broadcasting (IEEE: x/0 is +-inf or NaN).
Tensor div(const Tensor &a, const Tensor &b);
/// Elementwise max, broadcasting; NaN if either operand is NaN (torch).
Tensor maximum(const Tensor &a, const Tensor &b);
/// Elementwise min, broadcasting; NaN if either operand is NaN (torch).
Tensor minimum(const Tensor &a, const Tensor &b);
/// std::pow(a, b), broadcasting.
Tensor pow(const Tensor &a, const Tensor &b);

//===----------------------------------------------------------------------===//
// Unary elementwise ops
//===----------------------------------------------------------------------===//

/// -x.
Tensor neg(const Tensor &x);
/// |x|.
Tensor abs(const Tensor &x);
/// e^x.
Tensor exp(const Tensor &x);
/// Natural logarithm.
Tensor log(const Tensor &x);
/// Square root.
Tensor sqrt(const Tensor &x);
/// 1 / sqrt(x).
Tensor rsqrt(const Tensor &x);
/// max(x, 0); NaN stays NaN.
Tensor relu(const Tensor &x);
/// x if x > 0, else alpha * x.
Tensor leakyRelu(const Tensor &x, double alpha);
/// 1 / (1 + e^-x).
Tensor sigmoid(const Tensor &x);
/// Hyperbolic tangent.
Tensor tanh(const Tensor &x);
/// GELU. Exact form 0.5*x*(1+erf(x/sqrt(2))), or with `tanhApprox` the
/// form 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))) (torch approximate="tanh").
Tensor gelu(const Tensor &x, bool tanhApprox = false);
/// x * sigmoid(x) (a.k.a. swish).
Tensor silu(const Tensor &x);

//===----------------------------------------------------------------------===//
// Normalizations along an axis
//===----------------------------------------------------------------------===//

/// exp(x - max) / sum(exp(x - max)) along `axis` (negative counts from the
/// end).
Tensor softmax(const Tensor &x, int64_t axis);
/// x - max - log(sum(exp(x - max))) along `axis` (negative counts from the
/// end).
Tensor logSoftmax(const Tensor &x, int64_t axis);

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

/// torch.matmul for operands of rank >= 2: [..., M, K] x [..., K, N] ->
/// [..., M, N], where the leading (batch) dimensions broadcast.
Tensor matmul(const Tensor &a, const Tensor &b);
/// torch.nn.functional.linear: x [..., in], w [out, in], b [out] or an
/// undefined Tensor for no bias -> x W^T + b of shape [..., out].
Tensor linear(const Tensor &x, const Tensor &w, const Tensor &b = Tensor());

//===----------------------------------------------------------------------===//
// Data movement (all return a new buffer)
//===----------------------------------------------------------------------===//

/// The same elements in row-major order with shape `shape`; at most one
/// dimension may be -1 and is then inferred.
Tensor reshape(const Tensor &x, const Shape &shape);
/// Dimension i of the result is dimension perm[i] of x; perm must be a
/// permutation of the dimensions (negative entries count from the end).
Tensor permute(const Tensor &x, const std::vector<int64_t> &perm);
/// Swaps dimensions d0 and d1 (negative counts from the end).
Tensor transpose(const Tensor &x, int64_t d0, int64_t d1);
/// Joins tensors of equal rank along `axis`; all other dimensions must
/// match.
Tensor concat(const std::vector<Tensor> &xs, int64_t axis);
/// x[..., start:end:step, ...] along `axis` with Python semantics: negative
/// start/end add the dimension size, then both are clamped to [0, dim];
/// step must be >= 1.
Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step = 1);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Sum over `axes` (negative allowed, no duplicates; empty means all axes).
/// With `keepdim` the reduced dimensions stay as size 1.
Tensor reduceSum(const Tensor &x, const std::vector<int64_t> &axes,
                 bool keepdim);
/// Mean over `axes`; same conventions as reduceSum (mean of nothing is NaN).
Tensor reduceMean(const Tensor &x, const std::vector<int64_t> &axes,
                  bool keepdim);
/// Max over `axes`; same conventions as reduceSum. NaN propagates; reducing
/// an empty extent throws.
Tensor reduceMax(const Tensor &x, const std::vector<int64_t> &axes,
                 bool keepdim);
/// Index (i64) of the first maximum along `axis`, as torch.argmax: ties pick
/// the lowest index and NaN counts as the maximum.
Tensor argmax(const Tensor &x, int64_t axis, bool keepdim);

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//
// These accept f32 or f64 tensors (all operands of one call of the same
// dtype), accumulate in double and return the input's dtype.
//===----------------------------------------------------------------------===//

/// A (height, width) pair; one int means both.
struct HW {
  HW(int64_t both) : h(both), w(both) {}
  HW(int64_t h, int64_t w) : h(h), w(w) {}
  int64_t h, w;
};

/// Padding of the two spatial dimensions: one int (all four sides), two ints
/// {h, w} (symmetric) or four ints {top, left, bottom, right}.
struct Pad4 {
  Pad4(int64_t all) : top(all), left(all), bottom(all), right(all) {}
  Pad4(int64_t h, int64_t w) : top(h), left(w), bottom(h), right(w) {}
  Pad4(int64_t top, int64_t left, int64_t bottom, int64_t right)
      : top(top), left(left), bottom(bottom), right(right) {}
  int64_t top, left, bottom, right;
};

/// torch.nn.functional.conv2d with zero padding {top, left, bottom, right}:
/// x [N, C, H, W], w [F, C/groups, KH, KW], optional b [F] ->
/// [N, F, OH, OW], OH = floor((H + top + bottom - dh*(KH-1) - 1) / sh) + 1.
Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor &b = Tensor(),
              HW stride = 1, Pad4 padding = 0, HW dilation = 1,
              int64_t groups = 1);

/// torch.nn.functional.conv_transpose2d: x [N, C, H, W], w [C, F/groups,
/// KH, KW], optional b [F] -> [N, F, OH, OW] with
/// OH = (H-1)*sh - 2*ph + dh*(KH-1) + oph + 1 (the gradient of conv2d).
Tensor convTranspose2d(const Tensor &x, const Tensor &w,
                       const Tensor &b = Tensor(), HW stride = 1,
                       HW padding = 0, HW outputPadding = 0,
                       int64_t groups = 1, HW dilation = 1);

/// Output length of a pooling window along one axis, PyTorch's rule:
/// floor (or ceil with `ceilMode`) of (in + before + after - d*(k-1) - 1) / s,
/// plus one; with ceilMode the last window must start inside the input or
/// the leading padding ((out-1)*s < in + before), else it is dropped.
int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t stride,
                       int64_t padBefore, int64_t padAfter, int64_t dilation,
                       bool ceilMode);

/// torch.nn.functional.max_pool2d with -inf padding {t, l, b, r};
/// stride 0 means the kernel size. NaN propagates.
Tensor maxPool2d(const Tensor &x, HW kernel, HW stride = 0, Pad4 padding = 0,
                 HW dilation = 1, bool ceilMode = false);

/// torch.nn.functional.avg_pool2d with zero padding {t, l, b, r}; stride 0
/// means the kernel size. The divisor is, as in PyTorch, the window clipped
/// to the padded input (countIncludePad) or to the input (otherwise).
Tensor avgPool2d(const Tensor &x, HW kernel, HW stride = 0, Pad4 padding = 0,
                 bool ceilMode = false, bool countIncludePad = true);

/// torch.nn.functional.adaptive_avg_pool2d: output cell i averages input
/// rows [floor(i*H/OH), ceil((i+1)*H/OH)) (same for columns).
Tensor adaptiveAvgPool2d(const Tensor &x, HW outputSize);

/// Mean over H and W: [N, C, H, W] -> [N, C, 1, 1].
Tensor globalAvgPool2d(const Tensor &x);

/// F.interpolate(mode="nearest") to `size`: source index
/// min(floor(dst * s), in - 1) with s = in/out, or s = 1/scale when a
/// scale (> 0) is given, computed in f32 exactly as PyTorch does.
Tensor upsampleNearest(const Tensor &x, HW size, double scaleH = 0,
                       double scaleW = 0);

/// F.interpolate(mode="bilinear") to `size`. Source coordinate:
/// alignCorners: dst * (in-1)/(out-1) (0 if out == 1); otherwise
/// max(0, (dst + 0.5) * s - 0.5) with s = in/out or 1/scale when given.
Tensor upsampleBilinear(const Tensor &x, HW size, bool alignCorners,
                        double scaleH = 0, double scaleW = 0);

//===----------------------------------------------------------------------===//
// Normalization layers (channels at dim 1; f32 or f64)
//===----------------------------------------------------------------------===//

/// Inference batch norm: (x - mean[c]) / sqrt(var[c] + eps) * w[c] + b[c]
/// for x [N, C, ...]; w and b may be undefined (1 and 0).
Tensor batchNorm(const Tensor &x, const Tensor &runningMean,
                 const Tensor &runningVar, const Tensor &w = Tensor(),
                 const Tensor &b = Tensor(), double eps = 1e-5);

struct BatchNormTrainingResult {
  Tensor output, runningMean, runningVar;
};
/// Training batch norm (torch.nn.BatchNorm2d.train()): normalizes with the
/// batch mean and biased variance over all dims but 1, and returns the
/// running statistics (1-m)*running + m*batch, with the unbiased variance.
BatchNormTrainingResult batchNormTraining(const Tensor &x,
                                          const Tensor &runningMean,
                                          const Tensor &runningVar,
                                          const Tensor &w = Tensor(),
                                          const Tensor &b = Tensor(),
                                          double momentum = 0.1,
                                          double eps = 1e-5);

/// torch.nn.functional.layer_norm over the trailing `normalizedShape`
/// (biased variance); w and b have that shape or are undefined.
Tensor layerNorm(const Tensor &x, const Shape &normalizedShape,
                 const Tensor &w = Tensor(), const Tensor &b = Tensor(),
                 double eps = 1e-5);

/// torch.nn.functional.group_norm: x [N, C, ...], C split in `groups`
/// consecutive groups, each normalized over its channels and all spatial
/// positions; w and b are [C] or undefined.
Tensor groupNorm(const Tensor &x, int64_t groups, const Tensor &w = Tensor(),
                 const Tensor &b = Tensor(), double eps = 1e-5);

/// torch.nn.functional.instance_norm (no running statistics): each (n, c)
/// normalized over its spatial positions; w and b are [C] or undefined.
Tensor instanceNorm(const Tensor &x, const Tensor &w = Tensor(),
                    const Tensor &b = Tensor(), double eps = 1e-5);

//===----------------------------------------------------------------------===//
// Deterministic inputs
//===----------------------------------------------------------------------===//

/// An f32 tensor of values uniformly distributed in [lo, hi), produced by a
/// self-contained splitmix64 generator seeded with `seed`, so that the same
/// arguments give the same tensor on every platform.
Tensor randomUniform(Shape shape, float lo, float hi, uint64_t seed);

} // namespace kiln::ref

#endif // KILN_TESTS_E2E_REFERENCE_H
