//===- ConstantAttrs.h - Float constants as vectors of doubles --*- C++ -*-===//
//
// Folders and graph passes compute on constant tensors in double precision
// and write the result back in the tensor's element type (f32 or f64).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_CONSTANTATTRS_H
#define KILN_IR_CONSTANTATTRS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace kiln {

/// The elements (row-major) of `attr` if it is a dense float tensor of static
/// shape (splats expanded); its type goes to `type` when given.
std::optional<std::vector<double>> floatElements(mlir::Attribute attr,
                                                 mlir::RankedTensorType *type = nullptr);

/// A dense attribute of `type` (f32 or f64 elements) holding `values`.
mlir::DenseElementsAttr floatDenseAttr(mlir::RankedTensorType type,
                                       const std::vector<double> &values);

} // namespace kiln

#endif // KILN_IR_CONSTANTATTRS_H
