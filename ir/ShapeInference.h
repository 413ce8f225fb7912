//===- ShapeInference.h - Result types of kiln ops --------------*- C++ -*-===//
//
// Shape rules shared by several kiln ops (broadcasting, reductions). Each
// function computes the result type or emits an error at `loc` naming the op
// and the shapes, so the same message reaches `kiln-opt`'s verifier and the
// C++ DSL.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_SHAPEINFERENCE_H
#define KILN_IR_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace kiln {

/// "tensor<2x?x3xf32>", for messages.
std::string typeToString(mlir::Type type);

/// "[1, 2, 3]", for messages.
std::string listToString(llvm::ArrayRef<int64_t> values);

/// NumPy broadcast of two shapes (aligned on the right; equal or 1). A
/// dynamic dimension broadcasts with 1 or with another dynamic dimension.
/// Returns std::nullopt and sets `why` if the shapes are incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                std::string &why);

/// Result type of an elementwise binary op `opName` on `lhs` and `rhs`.
mlir::LogicalResult inferBroadcastResult(llvm::StringRef opName,
                                         std::optional<mlir::Location> loc,
                                         mlir::Value lhs, mlir::Value rhs,
                                         llvm::SmallVectorImpl<mlir::Type> &results);

/// Result type of a reduction over `axes` of `input`.
mlir::LogicalResult inferReductionResult(llvm::StringRef opName,
                                         std::optional<mlir::Location> loc,
                                         mlir::Value input,
                                         llvm::ArrayRef<int64_t> axes,
                                         bool keepdim,
                                         llvm::SmallVectorImpl<mlir::Type> &results);

/// Emits "'<opName>' op <message>" at `loc` (when given) and returns failure.
mlir::LogicalResult emitShapeError(std::optional<mlir::Location> loc,
                                   llvm::StringRef opName,
                                   const llvm::Twine &message);

} // namespace kiln

#endif // KILN_IR_SHAPEINFERENCE_H
