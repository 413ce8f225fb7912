//===- CompiledModel.h - A model compiled to native code --------*- C++ -*-===//
//
// The product of compilation: a native function over caller-owned buffers,
// plus the signature needed to call it safely. This header needs no MLIR or
// LLVM; it is what an application using Kiln includes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_COMPILEDMODEL_H
#define KILN_BACKENDS_CPU_COMPILEDMODEL_H

#include "passes/GraphOptions.h"
#include "runtime/Tensor.h"

#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

/// Name, shape and element type of one input or output. A dimension of -1 is
/// dynamic: the batch size, the same for every dynamic dimension of a call.
struct TensorSpec {
  std::string name;
  Shape shape;
  DType dtype = DType::F32;
  /// "x: tensor<?x784xf32>"
  std::string toString() const;
};

/// How many ops of each dialect the module held after one pipeline stage.
struct StageSummary {
  std::string stage;
  std::map<std::string, int> opsByDialect;
  /// Count of each op ("kiln.conv2d", "linalg.generic", ...).
  std::map<std::string, int> opsByName;
  int totalOps = 0;
};

/// Options of kiln::jit.
struct JitOptions {
  /// Graph optimizations (level 0-3, default 2; each pass switchable).
  GraphOptions graph;
  /// LLVM optimization level (0-3).
  int optLevel = 3;
  /// Run independent tile loops on threads (OpenMP). The number of threads
  /// is chosen per call: see kiln::setNumThreads.
  bool parallel = true;
  /// Tile and vectorize matmuls (off: plain loops, for bisecting).
  bool vectorize = true;
  /// Read matmul B operands from packed panels: constant weights packed at
  /// compile time, large runtime operands once per call (docs/performance.md).
  bool packB = true;
  /// f32 exp/log/tanh/erf/... as vectorizable polynomials (a few ulp from
  /// libm) and reductions summed in vector lanes (kiln-cpu-fast-math). Off:
  /// libm calls and sequential sums.
  bool fastMath = true;
  /// Print the IR after each stage (kiln, linalg, vectorized, bufferized,
  /// llvm) to `irStream` (std::cerr when null).
  bool printIRAfterEachStage = false;
  /// Print the IR after every single pass (very verbose).
  bool printIRAfterEachPass = false;
  std::ostream *irStream = nullptr;
  /// Name of the function to compile (the module's only public one if empty).
  std::string function;
};

/// Threads a call of a compiled model may use: `n` > 0, or 0 for the
/// default, which is $KILN_NUM_THREADS if set, else the number of cores.
/// Calls running at the same time share these threads: each uses
/// max(1, threads / calls in flight), so callers that already run several
/// threads do not oversubscribe the machine.
void setNumThreads(int n);
int numThreads();

/// A JIT-compiled model. Copies share the compiled code. `run` is safe to
/// call from several threads at once: the code keeps no state between calls.
class CompiledModel {
public:
  CompiledModel();
  ~CompiledModel();
  CompiledModel(const CompiledModel &);
  CompiledModel &operator=(const CompiledModel &);

  /// Runs the model. Inputs must match `inputs()` in count, dtype and shape
  /// (dynamic dimensions all equal the batch size); a mismatch throws
  /// kiln::Error naming the input. Returns freshly allocated outputs.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs) const;

  /// The most memory (bytes) the intermediate buffers of one call have
  /// taken so far (0 before the first call). Buffers come from a per-thread
  /// cache (runtime/Allocator.h), so calls after the first with the same
  /// shapes allocate nothing.
  int64_t peakBufferBytes() const;

  /// Runs into caller-provided outputs (no allocation by Kiln for results).
  void runInto(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs) const;

  const std::vector<TensorSpec> &inputs() const;
  const std::vector<TensorSpec> &outputs() const;
  /// Name of the compiled function.
  const std::string &name() const;
  /// Wall-clock seconds spent compiling (MLIR pipeline + LLVM).
  double compileSeconds() const;
  /// Op counts after each stage (kiln, linalg, vectorized, bufferized, llvm).
  const std::vector<StageSummary> &stageSummaries() const;

  struct Impl;
  explicit CompiledModel(std::shared_ptr<const Impl> impl);

private:
  std::shared_ptr<const Impl> impl_;
};

} // namespace kiln

#endif // KILN_BACKENDS_CPU_COMPILEDMODEL_H
