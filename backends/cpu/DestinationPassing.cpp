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
// %y where it can (no copy, no allocation for the result). A result that is
// a reshape (expand_shape / collapse_shape) of a tensor %s materializes %s
// into the matching reshape of %y instead, so the producer of %s writes %y.
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

/// The tensor.empty that `v` is built in, following each op's destination
/// (DPS init, scf.for init, scf.forall shared output) back from `v`, when
/// every value on the way has a single use: nothing else can then observe
/// the buffer, so writing the result's final buffer from the start is safe.
Value emptyBuiltInto(Value v) {
  for (int steps = 0; steps < 64; ++steps) {
    if (!v.hasOneUse())
      return Value();
    Operation *def = v.getDefiningOp();
    if (!def)
      return Value();
    if (isa<tensor::EmptyOp>(def))
      return v;
    auto result = cast<OpResult>(v);
    if (auto forall = dyn_cast<scf::ForallOp>(def))
      v = forall.getOutputs()[result.getResultNumber()];
    else if (auto loop = dyn_cast<scf::ForOp>(def))
      v = loop.getInitArgs()[result.getResultNumber()];
    else if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
      v = dps.getTiedOpOperand(result)->get();
    else
      return Value();
  }
  return Value();
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
    for (auto [value, out] : llvm::zip(ret.getOperands(), outs)) {
      // A result that is a reshape of another tensor: that tensor is
      // written into the same view of the output buffer, so the op that
      // makes it can write the caller's buffer in place.
      // A view whose sizes are all static is made at the function's entry,
      // so that a tensor.empty early in the body can be replaced by it.
      Value source = value, dest = out;
      bool atEntry = true;
      while (true) {
        OpBuilder::InsertionGuard guard(b);
        if (atEntry)
          b.setInsertionPointAfterValue(dest);
        if (auto expand = source.getDefiningOp<tensor::ExpandShapeOp>()) {
          dest = memref::CollapseShapeOp::create(b, ret.getLoc(), dest,
                                                 expand.getReassociationIndices());
          source = expand.getSrc();
        } else if (auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>()) {
          RankedTensorType srcType = collapse.getSrcType();
          if (!srcType.hasStaticShape()) {
            atEntry = false;
            b.setInsertionPoint(ret);
          }
          dest = memref::ExpandShapeOp::create(
              b, ret.getLoc(), memrefFor(srcType), dest, collapse.getReassociationIndices(),
              tensor::getMixedSizes(b, ret.getLoc(), collapse.getSrc()));
          source = collapse.getSrc();
        } else {
          break;
        }
      }
      // The tensor.empty that the result is built in, through ops that
      // write their destination operand, becomes the output buffer: the
      // result is then computed in place, without a copy at the end. As in
      // MLIR's empty-tensor elimination, `restrict` moves from the
      // materialization to the new to_tensor (one restrict use per buffer).
      bool restrict = true;
      if (Value empty = emptyBuiltInto(source);
          atEntry && empty && empty.getType() == source.getType()) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointAfterValue(dest);
        auto view = bufferization::ToTensorOp::create(b, ret.getLoc(), empty.getType(), dest,
                                                      /*restrict=*/true, /*writable=*/true);
        Operation *emptyOp = empty.getDefiningOp();
        empty.replaceAllUsesWith(view.getResult());
        if (source == empty)
          source = view.getResult();
        emptyOp->erase();
        restrict = false;
      }
      bufferization::MaterializeInDestinationOp::create(b, ret.getLoc(), Type(), source, dest,
                                                        restrict, /*writable=*/true);
    }
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
