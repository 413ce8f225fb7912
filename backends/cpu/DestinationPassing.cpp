//===- DestinationPassing.cpp - A memref ABI for public functions ---------===//
//
// A compiled model is called as `f(in0, ..., inN, out0, ..., outM)` on
// caller-owned buffers: the inputs are read-only and must not alias the
// outputs, which the function fills. This pass gives every public func.func
// that signature before bufferization:
//
//   func @f(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
//   ->
//   func @f(%x: memref<?x4xf32>, %y: memref<?x2xf32>) {
//     %t = bufferization.to_tensor %x restrict ...
//     ...
//     bufferization.materialize_in_destination %r in restrict writable %y
//   }
//
// One-shot bufferization then writes the last op producing %r straight into
// %y where it can (no copy, no allocation for the result).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCPUDESTINATIONPASSING
#include "backends/cpu/Passes.h.inc"

namespace {

MemRefType memrefFor(RankedTensorType type) {
  return MemRefType::get(type.getShape(), type.getElementType());
}

LogicalResult convertFunction(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
    if (!isa<RankedTensorType>(t))
      return func.emitError("kiln-cpu-destination-passing: expected only ranked "
                            "tensor arguments and results, got ")
             << t;
  Block &entry = func.front();
  Location loc = func.getLoc();
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&entry);

  // Inputs: memref arguments seen as tensors.
  for (BlockArgument arg : entry.getArguments()) {
    auto tensorType = cast<RankedTensorType>(arg.getType());
    arg.setType(memrefFor(tensorType));
    auto asTensor = bufferization::ToTensorOp::create(b, loc, tensorType, arg);
    asTensor.setRestrict(true);
    arg.replaceAllUsesExcept(asTensor, asTensor);
  }
  // Outputs: trailing memref arguments.
  SmallVector<Value> outs;
  for (Type result : type.getResults())
    outs.push_back(entry.addArgument(memrefFor(cast<RankedTensorType>(result)), loc));

  SmallVector<func::ReturnOp> returns(func.getOps<func::ReturnOp>());
  for (func::ReturnOp ret : returns) {
    b.setInsertionPoint(ret);
    for (auto [value, out] : llvm::zip(ret.getOperands(), outs))
      bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), Type(), value, out, /*restrict=*/true, /*writable=*/true);
    func::ReturnOp::create(b, ret.getLoc());
    ret.erase();
  }

  // Argument attributes: inputs keep theirs, outputs take the results'.
  SmallVector<DictionaryAttr> argAttrs;
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    argAttrs.push_back(func.getArgAttrDict(i));
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    argAttrs.push_back(func.getResultAttrDict(i));
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(), {}));
  for (auto [i, attrs] : llvm::enumerate(argAttrs))
    func.setArgAttrs(i, attrs ? attrs : DictionaryAttr::get(func.getContext()));
  func.removeResAttrsAttr();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), UnitAttr::get(func.getContext()));
  return success();
}

struct DestinationPassingPass
    : impl::KilnCpuDestinationPassingBase<DestinationPassingPass> {
  void runOnOperation() override {
    // Only entry points get the memref ABI; a call to one would be left with
    // the old signature.
    bool calledPublic = false;
    getOperation().walk([&](func::CallOp call) {
      auto callee = getOperation().lookupSymbol<func::FuncOp>(call.getCallee());
      if (callee && callee.isPublic() && !callee.isExternal()) {
        call.emitError("kiln-cpu-destination-passing: @")
            << call.getCallee() << " is public (an entry point) and is also called; "
            << "make it private or call a private copy";
        calledPublic = true;
      }
    });
    if (calledPublic)
      return signalPassFailure();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      if (failed(convertFunction(func)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace kiln
