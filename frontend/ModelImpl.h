//===- ModelImpl.h - The MLIR side of kiln::Model ---------------*- C++ -*-===//
//
// Internal to the frontend: the context, module and builder behind a Model,
// and `emit`, the one place where a DSL call becomes a verified kiln op.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_MODELIMPL_H
#define KILN_FRONTEND_MODELIMPL_H

#include "frontend/Model.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

struct ModelImpl {
  explicit ModelImpl(std::string name, uint64_t seed);

  /// Builds op `opName` on `operands` with `attrs`, infers its result type
  /// and verifies it. On failure nothing is added and kiln::Error is thrown
  /// with the op's diagnostic ("'kiln.matmul' op contracting dimensions
  /// differ: ...").
  Value emit(llvm::StringRef opName, llvm::ArrayRef<Value> operands,
             llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

  /// `emit` for an op with `numResults` results.
  std::vector<Value> emitMulti(llvm::StringRef opName, llvm::ArrayRef<Value> operands,
                               llvm::ArrayRef<mlir::NamedAttribute> attrs,
                               unsigned numResults);

  /// A kiln.constant holding `value`.
  Value constantTensor(const Tensor &value);

  /// Unwraps a DSL value of this model; throws if it belongs to another.
  mlir::Value unwrap(const Value &v, llvm::StringRef opName) const;
  Value wrap(mlir::Value v) { return Value(this, v.getAsOpaquePointer()); }

  /// A copy of the module with the function terminated by its outputs.
  mlir::OwningOpRef<mlir::ModuleOp> finalizedModule() const;

  std::unique_ptr<mlir::MLIRContext> context;
  mutable mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  mlir::OpBuilder builder;
  std::string name;
  std::vector<std::pair<mlir::Value, std::string>> outputs;
  std::map<std::string, Tensor> parameters;
  Generator generator;
};

/// The model `v` belongs to; throws, naming `op`, if `v` is undefined.
ModelImpl &modelOf(const Value &v, const char *op);

} // namespace kiln

#endif // KILN_FRONTEND_MODELIMPL_H
