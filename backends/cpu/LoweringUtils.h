//===- LoweringUtils.h - Helpers for lowering kiln to linalg ----*- C++ -*-===//
//
// Small builders shared by the kiln -> linalg patterns: result sizes with
// dynamic dimensions taken from operands, broadcasting indexing maps,
// elementwise linalg.generic construction.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_LOWERINGUTILS_H
#define KILN_BACKENDS_CPU_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>
#include <optional>
#include <vector>

namespace kiln {

/// Builds the scalar body of an elementwise op from the scalar operands.
using ScalarBuilder =
    std::function<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Sizes of `resultType`; each dynamic dimension is read (tensor.dim) from the
/// first of `operands` that has a dynamic dimension in the same right-aligned
/// position (the broadcasting convention of the kiln dialect).
llvm::SmallVector<mlir::OpFoldResult>
broadcastResultSizes(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::RankedTensorType resultType, mlir::ValueRange operands);

/// Indexing map reading `operand` (right-aligned, size-1 dimensions
/// broadcast) inside a loop nest over `resultType`.
mlir::AffineMap broadcastIndexingMap(mlir::RankedTensorType resultType,
                                     mlir::RankedTensorType operandType);

/// An elementwise linalg.generic over `resultType` reading `operands` with
/// broadcasting; its body is `body(operands)`. Returns the result tensor.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, const ScalarBuilder &body);

/// A float constant of `type` (f32 or f64).
mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type type, double value);

/// tensor.empty of `type` with sizes `sizes`.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::Value value);

/// Collapses `value` to rank 1 (rank 0 becomes tensor<1x..>).
mlir::Value collapseToVector(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

/// Reshapes a row-major tensor to `resultType` whose dynamic sizes are
/// `sizes`, through collapse_shape/expand_shape (views, no copies).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                          mlir::RankedTensorType resultType,
                          llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// The coefficient of dim `dim` in `e`, an affine expression of `numDims`
/// dims: e at the unit vector of `dim` minus e at 0, when both fold to
/// constants (so exact for linear expressions; callers check linearity).
std::optional<int64_t> affineCoefficient(mlir::AffineExpr e, unsigned dim,
                                         unsigned numDims);

/// The f32 values of a constant, straight from the attribute's storage (a
/// splat expanded to all of its elements): compile-time weight packing
/// reads millions of them, where a round trip through doubles cost seconds.
std::vector<float> f32Values(mlir::DenseElementsAttr dense);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_LOWERINGUTILS_H
