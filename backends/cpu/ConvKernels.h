//===- ConvKernels.h - Shared parts of the direct convolution kernels -*- C++ -*-===//
//
// kiln-cpu-vectorize-depthwise and kiln-cpu-vectorize-conv both rewrite the
// direct-convolution linalg.generic that LowerConv.cpp builds,
//
//   out[n, g, f, oh, ow] += x[n, g*Cg + c, oh*sh + i*dh, ow*sw + j*dw] * w[g, f, c, i, j]
//
// into loops over vectors of output columns. What they share lives here:
// recognizing that generic, its initial value (a bias broadcast or a fill
// becomes the accumulators' starting vector), its zero padding (done on a
// piece of the input inside the loop instead of on the whole tensor), an
// elementwise consumer applied to the accumulators before they are
// stored, and the read of one input vector (strided reads deinterleaved).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_CONVKERNELS_H
#define KILN_BACKENDS_CPU_CONVKERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace kiln::convkernel {

/// The direct-convolution generic: loops (n, g, f, oh, ow | c, i, j),
/// inputs x [N, C, Hp, Wp] (already padded) and w [G, Fg, Cg, KH, KW],
/// output [N, G, Fg, OH, OW], body out + x * w, f32, every dim static but
/// the batch, every window inside x.
struct DirectConv {
  mlir::Value x, w, init;
  int64_t sh, sw, dh, dw;
};
std::optional<DirectConv> matchDirectConv(mlir::linalg::GenericOp op);

/// Calls `rewrite` on each generic under `root` that `match` accepts. The
/// candidates are collected first and matched again one by one: a rewrite
/// replaces its fused epilogue, which may be the next convolution's input.
void rewriteEachMatch(
    mlir::Operation *root,
    llvm::function_ref<std::optional<DirectConv>(mlir::linalg::GenericOp)> match,
    llvm::function_ref<void(mlir::linalg::GenericOp, const DirectConv &)> rewrite);

/// Where the accumulator starts when the output's initial value is a
/// per-channel broadcast (the bias) or a fill, instead of a tensor to read:
/// the value at channel (g, f) is then one scalar.
struct ScalarInit {
  /// A fill's value, or the broadcast generic's input (read at `channelMap`).
  mlir::Value fill, source;
  /// Maps (n, g, f) of the 5-D output to the source's indices.
  mlir::AffineMap channelMap;
};
/// Recognizes init = [expand_shape of] a fill (a linalg.fill, or a generic
/// with no inputs yielding a value from outside) or a broadcast generic
/// whose input depends on the channel only (`fg`: channels per group).
std::optional<ScalarInit> scalarInit(mlir::Value init, int64_t fg);

/// The scalar initial value of output channel (n, g, f).
mlir::Value scalarInitValue(mlir::OpBuilder &b, mlir::Location l, const ScalarInit &si,
                            mlir::Value n, mlir::Value g, mlir::Value f);

/// An elementwise op applied to the convolution's result (through the
/// collapse_shape back to [N, F, OH, OW]): a linalg.generic with identity
/// maps on [N, F, OH, OW] operands, arith/math scalar ops in its body, its
/// output only written. Its body then runs on the accumulator vectors
/// before they are stored (a ReLU6 or a residual add costs no pass of its
/// own).
struct Epilogue {
  mlir::linalg::GenericOp op;
  mlir::tensor::CollapseShapeOp collapse;
  unsigned convInput; // which input is the convolution's result
};
std::optional<Epilogue> elementwiseConsumer(mlir::linalg::GenericOp conv,
                                            mlir::RankedTensorType out4Type);

/// The epilogue's body on vectors: its convolution input is `acc`, its
/// other inputs are read at `index` ([n, channel, row, column]) with
/// `mask`; scalars from outside the body are broadcast.
mlir::Value applyEpilogue(mlir::OpBuilder &b, mlir::Location l, Epilogue epi,
                          mlir::Value acc, mlir::ValueRange index, mlir::Value mask);

/// Where a kernel writes its result: `dest` ([N, F, OH, OW]) is the
/// epilogue's output when one is fused, a tensor.empty when the initial
/// value is a scalar per channel, or else the initial value itself
/// (collapsed to 4-D). prepareOutput sets the rewriter's insertion point
/// (at the epilogue when fused); finishOutput replaces the generic (and
/// the epilogue) with the kernel's 4-D result.
struct ConvOutput {
  std::optional<ScalarInit> init;
  std::optional<Epilogue> epilogue;
  mlir::RankedTensorType type;
  mlir::Value dest, batch;
};
ConvOutput prepareOutput(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                         const DirectConv &d);
void finishOutput(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                  const ConvOutput &out, mlir::Value result);

/// A zero tensor.pad of the spatial dims (H, W) of an [N, C, H, W] tensor
/// with static amounts: the kernels pad a piece of `source` at a time.
struct SpatialPad {
  mlir::Value source;
  int64_t low[2], high[2];
};
std::optional<SpatialPad> zeroSpatialPad(mlir::Value x);

/// The inputs of one vector of `lanes` output columns: reads `lanes *
/// stride` floats of `t` at `index` (minor dim last) and keeps every
/// stride-th. `readable` < the width masks the read (the end of a row).
mlir::Value readInputVector(mlir::OpBuilder &b, mlir::Location l, mlir::Value t,
                            mlir::ValueRange index, int64_t lanes, int64_t stride,
                            int64_t readable);

/// A constant mask of `width` lanes with the first `count` set, or a null
/// Value when count >= width (no mask needed).
mlir::Value prefixMask(mlir::OpBuilder &b, mlir::Location l, int64_t width, int64_t count);

/// The last output column ow0 at which a vector of `lanes` outputs stays
/// in the row of `ow` outputs and reads inside a padded row of width `wp`
/// for every kernel column: ow0*sw + (KW-1)*dw + lanes*sw <= wp. Negative
/// when no column is safe. Vectors starting at or before it need no masks.
int64_t lastSafeColumn(int64_t ow, int64_t wp, int64_t kw, int64_t sw, int64_t dw,
                       int64_t lanes);

} // namespace kiln::convkernel

#endif // KILN_BACKENDS_CPU_CONVKERNELS_H
