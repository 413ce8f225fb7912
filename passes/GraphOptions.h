//===- GraphOptions.h - Which graph optimizations run -----------*- C++ -*-===//
//
// MLIR-free, so that CompiledModel.h (and applications) can include it.
//
//   level 0  nothing: ops lower as written (the reference for the others)
//   level 1  canonicalization (x*1, x+0, transpose/reshape chains, constant
//            folding of small subgraphs), CSE, DCE
//   level 2  + batch-norm / affine folding, convolution unfolding (but
//            stride-1 KxK convolutions stay direct for the CPU backend's
//            kernel), and fusion of elementwise chains and matmul
//            epilogues (the default)
//   level 3  + fusion that recomputes cheap elementwise producers with
//            several users instead of materializing them
//
// Each pass can be forced on or off regardless of the level.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_GRAPHOPTIONS_H
#define KILN_PASSES_GRAPHOPTIONS_H

#include <cstdint>
#include <optional>

namespace kiln {

struct GraphOptions {
  int level = 2;
  std::optional<bool> canonicalize, foldBatchNorm, unfoldConvolution, directConvolution,
      fuse;
  /// Largest im2col patch matrix per image before rows are banded.
  int64_t maxPatchBytes = 16 << 20;
  /// One-group KxK convolutions of stride 1 with outputs at least
  /// `directConvMinWidth` wide are not unfolded: the CPU backend's direct
  /// kernel computes them. The CPU backend raises the width to at least
  /// half its vector lanes (8 with AVX-512) and turns this off when it does
  /// not vectorize.
  int64_t directConvMinWidth = 8;

  bool canonicalizeOn() const { return canonicalize.value_or(level >= 1); }
  bool foldBatchNormOn() const { return foldBatchNorm.value_or(level >= 2); }
  bool unfoldConvolutionOn() const { return unfoldConvolution.value_or(level >= 2); }
  bool directConvolutionOn() const { return directConvolution.value_or(level >= 2); }
  bool fuseOn() const { return fuse.value_or(level >= 2); }
  bool fuseRecomputeOn() const { return fuseOn() && level >= 3; }
};

} // namespace kiln

#endif // KILN_PASSES_GRAPHOPTIONS_H
