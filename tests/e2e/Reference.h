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
// Deterministic inputs
//===----------------------------------------------------------------------===//

/// An f32 tensor of values uniformly distributed in [lo, hi), produced by a
/// self-contained splitmix64 generator seeded with `seed`, so that the same
/// arguments give the same tensor on every platform.
Tensor randomUniform(Shape shape, float lo, float hi, uint64_t seed);

} // namespace kiln::ref

#endif // KILN_TESTS_E2E_REFERENCE_H
