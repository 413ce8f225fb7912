//===- Passes.td - CPU backend passes ---------------------*- tablegen -*-===//
//
// The passes that take the kiln dialect to LLVM on a CPU. They are thin: each
// calls a populate/rewrite function declared in Passes.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_PASSES_TD
#define KILN_BACKENDS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math";
  let description = [{
    Every kiln op becomes structured ops on tensors: elementwise ops and
    activations become `linalg.generic` with broadcasting indexing maps,
    contractions become `linalg.matmul` / `linalg.batch_matmul` (linear folds
    its bias into the accumulator's initial value and, for a constant weight,
    transposes the weight at compile time), reductions become `linalg.reduce`
    and shape ops become `tensor` ops. `kiln.param` must have been bound to
    constants first; an unbound parameter is an error naming it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
    "mlir::bufferization::BufferizationDialect", "mlir::memref::MemRefDialect",
    "mlir::func::FuncDialect"
  ];
}

def KilnCpuVectorizeContractions : Pass<"kiln-cpu-vectorize-contractions"> {
  let summary = "Tile and vectorize matmuls into register-blocked FMA kernels";
  let description = [{
    Tiles each `linalg.matmul` / `linalg.batch_matmul` for the cache
    (`cache-tile` M, N, K) and for registers (`register-tile` M, N, and a
    K step of 1), peels the M and N register loops (full tiles get constant
    sizes and no masks), vectorizes the register tile with masks on the
    partial tiles (zero padding, so the contraction itself needs no mask),
    and lowers the contraction to broadcast + FMA outer products. With
    `parallel`, the M x N cache tiles form an scf.forall whose M tile size
    splits M evenly (a multiple of the register tile, computed at run time
    for a dynamic M).

    With `pack-b`, the B operand of a 2-D `linalg.matmul` is read from
    panels `[ceil(N/NR)][K][NR]` (NR = the register tile's N, padded with
    zeros): each register tile then streams one contiguous panel instead of
    K rows N floats apart. A constant B is packed at compile time; a runtime
    B only when the whole M is static and at least 256 rows, once per call
    before the loop nest (its cost is then under 1% of the FLOPs).
  }];
  let options = [
    ListOption<"cacheTile", "cache-tile", "int64_t", "M, N, K cache tile">,
    ListOption<"registerTile", "register-tile", "int64_t", "M, N register tile">,
    Option<"parallel", "parallel", "bool", "true",
           "Make the M/N cache-tile loops scf.forall (run on threads later)">,
    Option<"packB", "pack-b", "bool", "true",
           "Read B from panels packed as [N/NR][K][NR]: constants packed at "
           "compile time, large runtime operands once per call">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::affine::AffineDialect", "mlir::tensor::TensorDialect",
    "mlir::linalg::LinalgDialect", "mlir::arith::ArithDialect"
  ];
}

def KilnCpuVectorizeDepthwise : Pass<"kiln-cpu-vectorize-depthwise"> {
  let summary = "Vectorize depthwise convolutions along the output width";
  let description = [{
    Rewrites each depthwise convolution (the direct-convolution
    `linalg.generic` of conv2d with one input channel per group, f32) into
    a loop nest over (batch, group, channel multiplier) planes (an
    `scf.forall` with `parallel`), output rows, and vectors of `lanes`
    output columns. Each vector is the sum of KH x KW FMAs of a broadcast
    weight with a contiguous input vector (stride 1) or an input vector of
    stride x lanes deinterleaved by a shuffle (stride > 1); partial vectors
    at the end of a row use masks. A bias broadcast or zero fill as the
    initial value becomes the accumulator's initial vector, so the output
    is written once. An elementwise linalg.generic consuming the result
    (identity maps, arith/math body) is applied to the accumulators before
    they are stored and replaced by the loop nest.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes of one vector register of the target">,
    Option<"parallel", "parallel", "bool", "true",
           "Make the plane loop an scf.forall (run on threads later)">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::affine::AffineDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def KilnCpuVectorizeConv : Pass<"kiln-cpu-vectorize-conv"> {
  let summary = "Direct convolution kernel for one-group convolutions left direct";
  let description = [{
    Rewrites each one-group convolution left direct (the direct-convolution
    `linalg.generic` of conv2d, f32; kiln-unfold-convolution leaves the
    stride-1 KxK ones direct at O2) into a register-blocked loop nest:

      forall (n, band of output rows, group of channel blocks)  (threads)
        band = rows of x the band reads, zero-padded (stays in cache)
        for each block of MR output channels
          for each tile of R rows x V vectors of `lanes` output columns
            acc[MR][R*V] = bias / 0 / out
            for c: for kh, kw:
              R*V input vectors (contiguous; stride > 1 deinterleaved)
              MR broadcast weights, MR*R*V FMAs
            out = acc  (after a fused elementwise consumer, if any)

    It reads the input in place (no im2col copy), so each input vector
    loaded feeds MR FMAs and each broadcast weight R*V. MR, R and V are
    chosen per layer by a cost model (at most `accumulators` accumulator
    registers; remainders of rows and columns get smaller tiles, partial
    vectors masks). An elementwise consumer is fused as in
    kiln-cpu-vectorize-depthwise.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes of one vector register of the target">,
    Option<"accumulators", "accumulators", "int64_t", "16",
           "Vector registers the register tile may use as accumulators">,
    Option<"parallel", "parallel", "bool", "true",
           "Make the band loop an scf.forall (run on threads later)">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::affine::AffineDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect"
  ];
}

def KilnCpuDestinationPassing : Pass<"kiln-cpu-destination-passing", "mlir::ModuleOp"> {
  let summary = "Give public functions a memref, destination-passing ABI";
  let description = [{
    Rewrites each public `func.func` on tensors into one on memrefs whose
    results become trailing output arguments written in place:
    `(tensor<?x4xf32>) -> tensor<?x2xf32>` becomes
    `(memref<?x4xf32>, memref<?x2xf32>) -> ()`. The caller allocates the
    outputs, so a call allocates nothing for them, and the function gets a
    C interface (`llvm.emit_c_interface`).
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def KilnCpuCopiesToLoops : Pass<"kiln-cpu-copies-to-loops"> {
  let summary = "Turn copies into vectorized loops";
  let description = [{
    MLIR lowers a `memref.copy` between non-contiguous buffers to a call to
    `memrefCopy` from MLIR's C runner utilities. Kiln's generated code must
    not depend on that library (JIT or AOT), so every copy becomes a
    `linalg.copy`.

    Copies on f32 memrefs (`linalg.copy`, and copy generics such as the
    im2col panels and padding, whose innermost loop walks the input with a
    constant stride) then become loops over the outer dims around masked
    vector loads and stores of `lanes` elements along the innermost one
    (stride s > 1: s x lanes loaded, every s-th kept by a shuffle). LLVM
    would vectorize those loops only where it can prove the two buffers
    apart, which it cannot inside OpenMP-outlined bodies. Other copies are
    left to `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16",
           "f32 lanes of one vector register of the target (0: no vectorization)">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::vector::VectorDialect",
                           "mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def KilnCpuParallelize : Pass<"kiln-cpu-parallelize", "mlir::func::FuncOp"> {
  let summary = "Run the outer parallel loop of large linalg ops on threads";
  let description = [{
    Matmuls (and the epilogues fused into them) already run their cache
    tiles as `scf.forall`. Every other linalg op on tensors that is not
    inside a loop, has projected-permutation indexing maps and at least
    `min-elements` iterations (with a dynamic size, the batch: at least
    1024 per row of it) is tiled along its outermost parallel loop of more
    than one iteration into an `scf.forall`: chunks of ceil(size / 16) for
    a static size (at most 16 chunks, which OpenMP spreads over the
    threads of the call), single iterations for a dynamic one. Reductions
    keep their reduction loops inside a chunk, so results do not depend on
    the thread count.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "32768",
           "Smallest iteration space worth splitting across threads">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnCpuFastMath : Pass<"kiln-cpu-fast-math"> {
  let summary = "Vectorizable transcendental functions and reductions";
  let description = [{
    Two rewrites that let LLVM's loop vectorizer handle elementwise and
    reduction loops (GELU, softmax, layer norm, ...):

    - f32 `math.exp`, `log`, `tanh`, `erf`, ... become MLIR's polynomial
      approximations (plain arithmetic, a few ulp from libm) instead of
      scalar libm calls that no loop vectorizer can widen;
    - the float `addf` / `mulf` / `maximumf` / `minimumf` that accumulate in a
      reduction `linalg.generic` get the `reassoc` fast-math flag, so the
      reduction may be computed in vector lanes (a different but fixed
      summation order; results stay deterministic for a given build).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::vector::VectorDialect",
                           "mlir::math::MathDialect"];
}

#endif // KILN_BACKENDS_CPU_PASSES_TD
