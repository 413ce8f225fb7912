//===- BindParameters.cpp - kiln.param -> kiln.constant -------------------===//
//
// Binding parameters to constants is what lets later passes treat weights as
// compile-time data (transpose or pack them once, fold normalizations into
// them). The pass form reads a safetensors file; the C++ form takes tensors.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNBINDPARAMETERS
#include "passes/Passes.h.inc"

static std::string describe(RankedTensorType type) { return typeToString(type); }

DenseElementsAttr tensorToAttr(const Tensor &tensor, RankedTensorType type) {
  auto data = static_cast<const char *>(tensor.rawData());
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(data, tensor.nbytes()));
}

static bool dtypeMatches(DType dtype, Type element) {
  switch (dtype) {
  case DType::F32:
    return element.isF32();
  case DType::F64:
    return element.isF64();
  case DType::I32:
    return element.isInteger(32);
  case DType::I64:
    return element.isInteger(64);
  default:
    return false;
  }
}

std::map<std::string, RankedTensorType> listParameters(ModuleOp module) {
  std::map<std::string, RankedTensorType> params;
  module.walk([&](ParamOp op) {
    params[op.getName().str()] = cast<RankedTensorType>(op.getType());
  });
  return params;
}

void bindParameters(ModuleOp module, const std::map<std::string, Tensor> &weights) {
  SmallVector<ParamOp> params;
  module.walk([&](ParamOp op) { params.push_back(op); });
  // Check everything before changing anything.
  for (ParamOp op : params) {
    std::string name = op.getName().str();
    auto type = cast<RankedTensorType>(op.getType());
    auto it = weights.find(name);
    if (it == weights.end())
      fail("parameter '", name, "' (", describe(type),
           ") has no tensor in the weights (", weights.size(), " tensors given)");
    const Tensor &t = it->second;
    Shape shape(type.getShape().begin(), type.getShape().end());
    if (t.shape() != shape || !dtypeMatches(t.dtype(), type.getElementType()))
      fail("parameter '", name, "' expects ", describe(type),
           ", but the weights hold ", t.typeString());
  }
  for (ParamOp op : params) {
    auto type = cast<RankedTensorType>(op.getType());
    OpBuilder b(op);
    auto c = ConstantOp::create(b, op.getLoc(),
                                tensorToAttr(weights.at(op.getName().str()), type));
    op.getResult().replaceAllUsesWith(c.getResult());
    op.erase();
  }
}

namespace {
struct BindParametersPass : impl::KilnBindParametersBase<BindParametersPass> {
  using Base::Base;
  void runOnOperation() override {
    if (weights.empty()) {
      getOperation().emitError("kiln-bind-parameters: no weights file given "
                               "(use weights=PATH)");
      return signalPassFailure();
    }
    try {
      bindParameters(getOperation(), loadSafetensors(weights).tensors);
    } catch (const Error &e) {
      getOperation().emitError(e.what());
      signalPassFailure();
    }
  }
};
} // namespace
} // namespace kiln
