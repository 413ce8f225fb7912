//===- KilnToLinalg.cpp - The convert-kiln-to-linalg pass -----------------===//
//
// A partial dialect conversion: every kiln op is illegal and rewritten by
// the patterns of LowerElementwise.cpp, LowerContractions.cpp and
// LowerShapeOps.cpp. An op without a lowering fails the pass with its name.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "backends/cpu/Passes.h.inc"

void populateElementwiseLoweringPatterns(RewritePatternSet &patterns);
void populateContractionLoweringPatterns(RewritePatternSet &patterns);
void populateShapeLoweringPatterns(RewritePatternSet &patterns);
void populateConvLoweringPatterns(RewritePatternSet &patterns);
void populateNNDecompositionPatterns(RewritePatternSet &patterns);
void populateMLLoweringPatterns(RewritePatternSet &patterns);

void populateKilnToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwiseLoweringPatterns(patterns);
  populateContractionLoweringPatterns(patterns);
  populateShapeLoweringPatterns(patterns);
  populateConvLoweringPatterns(patterns);
  populateNNDecompositionPatterns(patterns);
  populateMLLoweringPatterns(patterns);
}

namespace {
struct ConvertKilnToLinalgPass
    : impl::ConvertKilnToLinalgBase<ConvertKilnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           bufferization::BufferizationDialect,
                           memref::MemRefDialect, func::FuncDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateKilnToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace kiln
