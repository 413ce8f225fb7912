//===- Passes.td - Graph-level passes on the kiln dialect -*- tablegen -*-===//
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnBindParameters : Pass<"kiln-bind-parameters", "mlir::ModuleOp"> {
  let summary = "Replace kiln.param ops with constants from a weights file";
  let description = [{
    Reads a safetensors file and replaces every `kiln.param "name"` with a
    `kiln.constant` holding the tensor of that name. A missing name, or a
    tensor whose shape or dtype differs from the parameter's type, is an
    error naming the parameter, the expected type and what the file holds.

    ```
    kiln-opt --kiln-bind-parameters=weights=mlp.safetensors model.mlir
    ```
  }];
  let options = [
    Option<"weights", "weights", "std::string", "\"\"",
           "Path of the safetensors file holding the parameters">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnFoldBatchNorm : Pass<"kiln-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold inference batch norm and per-channel affine ops into the producing conv/linear";
  let description = [{
    Rewrites, when every operand involved is a constant and the producer has
    no other use:

    - `batch_norm(conv2d(x, W, b))` -> `conv2d(x, W * s, b * s + t)` with
      `s = gamma / sqrt(var + eps)` and `t = beta - mean * s` per output
      channel; likewise `batch_norm(linear(x, W, b))` (BatchNorm1d);
    - `mul(conv2d/linear/matmul(...), c)` with `c` constant per output
      channel (or a scalar) -> the weights scaled by `c`;
    - `add(conv2d/linear(...), c)` with `c` per output channel -> the bias
      plus `c`.

    Chains (`conv -> bn -> mul -> add`) fold step by step. What it leaves
    alone, and why, is reported through `notifyMatchFailure`
    (`-debug-only=dialect-conversion`-style debugging with
    `--mlir-print-ir-after-all`).

    ```
    kiln-opt --kiln-fold-batch-norm model.mlir
    ```
  }];
  let options = [
    Option<"report", "report", "bool", "false",
           "Emit a remark on each function with the counts (this LLVM build's -mlir-pass-statistics is a no-op)">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
  let statistics = [
    Statistic<"numFolded", "folded-ops", "Number of ops folded into weights">
  ];
}

def KilnUnfoldConvolution : Pass<"kiln-unfold-convolution", "mlir::func::FuncOp"> {
  let summary = "Rewrite conv2d as im2col + matmul (+ bias)";
  let description = [{
    `conv2d(x, W, b)` becomes `matmul(W', im2col(x)) + b` reshaped back to
    NCHW, for every stride, padding, dilation and group setting. A 1x1
    convolution without padding becomes a plain matmul on the reshaped
    (strided-sliced if stride > 1) input, with no patch buffer. When the
    patch matrix of one image would exceed `max-patch-bytes`, the output
    rows are split into bands, each with its own im2col + matmul, so that a
    large image never materializes the full `KH*KW`-times copy.
    Depthwise convolutions (one input channel per group) are left direct
    unless `depthwise` is set: as matmuls they have one row each.
    With `direct`, one-group KxK convolutions of stride 1 whose outputs are
    at least `direct-min-width` wide are left direct too, for a backend's
    direct kernel (kiln-cpu-vectorize-conv), which reads the input in place
    instead of copying it KxK times into a patch matrix (docs/performance.md
    has the measurements behind this rule).
  }];
  let options = [
    Option<"maxPatchBytes", "max-patch-bytes", "int64_t", "16 << 20",
           "Largest patch matrix (bytes per image) before the rows are banded">,
    Option<"depthwise", "depthwise", "bool", "false",
           "Unfold depthwise convolutions too">,
    Option<"direct", "direct", "bool", "false",
           "Leave one-group KxK stride-1 convolutions direct (for a direct kernel)">,
    Option<"directMinWidth", "direct-min-width", "int64_t", "8",
           "... when their output is at least this many columns wide">,
    Option<"report", "report", "bool", "false",
           "Emit a remark on each function with the counts (this LLVM build's -mlir-pass-statistics is a no-op)">
  ];
  let dependentDialects = ["kiln::KilnDialect"];
  let statistics = [
    Statistic<"numUnfolded", "unfolded-convolutions", "Convolutions rewritten as im2col + matmul">,
    Statistic<"numPointwise", "pointwise-convolutions", "1x1 convolutions rewritten as a plain matmul">,
    Statistic<"numBands", "row-bands", "Row bands created for large images">,
    Statistic<"numDirect", "direct-convolutions", "Convolutions left direct for the backend's kernel">
  ];
}

def KilnFuse : Pass<"kiln-fuse", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise chains and matmul epilogues (on linalg)";
  let description = [{
    Runs on linalg-on-tensors (after `--convert-kiln-to-linalg`), where loop
    nests exist to be merged:

    - producer/consumer chains of elementwise `linalg.generic` ops (with
      broadcasting) become one generic, i.e. one loop nest; reshapes between
      them are moved out of the way (collapsing the consumer) first;
    - an elementwise epilogue (bias add, activation, residual add) of a
      `linalg.matmul` / `linalg.batch_matmul` is tiled together with it: the
      contraction computes one cache tile, the epilogue consumes that tile
      while it is hot, and no full-size intermediate tensor exists.

    `-mlir-pass-statistics` reports what was fused (with an LLVM built with
    statistics enabled; Debian's is not, so `report=true` emits the same
    counts as a remark).
  }];
  let options = [
    Option<"epilogues", "epilogues", "bool", "true",
           "Tile elementwise epilogues together with their matmul">,
    Option<"report", "report", "bool", "false",
           "Emit a remark on each function with the counts (this LLVM build's -mlir-pass-statistics is a no-op)">,
    Option<"parallel", "parallel", "bool", "true",
           "Make the fused tile loop an scf.forall (run on threads later)">,
    Option<"recompute", "recompute", "bool", "false",
           "Fuse elementwise producers with several users too (recomputing them)">,
    ListOption<"tileSizes", "tile-sizes", "int64_t",
               "M,N tile of the fused matmul + epilogue (default 64,256)">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numElementwiseFused", "elementwise-fused", "Elementwise producers fused into their consumer">,
    Statistic<"numEpiloguesFused", "epilogues-fused", "Matmul epilogues tiled with their matmul">
  ];
}

#endif // KILN_PASSES_TD
