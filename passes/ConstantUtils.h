//===- ConstantUtils.h - Reading and making constant tensors ----*- C++ -*-===//
//
// The graph passes compute on constant operands in double precision and
// write the results back in the operand's element type.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_CONSTANTUTILS_H
#define KILN_PASSES_CONSTANTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace kiln {

/// The elements (row-major) of `v` if it is a float constant of static shape.
std::optional<std::vector<double>> constantValues(mlir::Value v);

/// A kiln.constant of `type` (f32 or f64) holding `values`.
mlir::Value makeConstant(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, const std::vector<double> &values);

/// If constant `c` broadcast against a tensor of type `target` (NumPy rules,
/// right-aligned) varies only along `axis` (every other dim of `c` is 1) and
/// does not enlarge `target`, returns its `target.dim(axis)` values along
/// that axis (a scalar is repeated).
std::optional<std::vector<double>> perChannelValues(mlir::Value c,
                                                    mlir::RankedTensorType target,
                                                    int64_t axis);

} // namespace kiln

#endif // KILN_PASSES_CONSTANTUTILS_H
