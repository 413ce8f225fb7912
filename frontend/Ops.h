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

} // namespace kiln

#endif // KILN_FRONTEND_OPS_H
