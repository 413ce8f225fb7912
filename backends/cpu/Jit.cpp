//===- Jit.cpp - JIT-compiling a kiln module ------------------------------===//
//
// Lowers the module to LLVM IR optimized for the host CPU with the code it
// shares with AOT compilation (LowerModule.cpp: the CPU pipeline stage by
// stage, translation, O3) and loads it with mlir::ExecutionEngine. The compiled function has the
// destination-passing C interface of DestinationPassing.cpp; CompiledModel
// builds the memref descriptors and calls it through the packed wrapper.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Jit.h"
#include "backends/cpu/LowerModule.h"
#include "passes/Passes.h"
#include "runtime/Allocator.h"
#include "runtime/classical/CApi.h"

#include <atomic>
#include <cstdlib>
#include <thread>

extern "C" void omp_set_num_threads(int);
#include "backends/cpu/Passes.h"
#include "ir/KilnDialect.h"
#include "runtime/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <iostream>
#include <mutex>

using namespace mlir;

namespace kiln {

std::string TensorSpec::toString() const {
  std::string s = name + ": tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + dtypeName(dtype) + ">";
}

struct CompiledModel::Impl {
  std::unique_ptr<ExecutionEngine> engine;
  /// The most intermediate buffer memory one call has used.
  mutable std::atomic<int64_t> peakBytes{0};
  void (*entry)(void **) = nullptr;
  std::string name;
  std::vector<TensorSpec> inputs, outputs;
  double compileSeconds = 0;
  std::vector<StageSummary> stages;
};

CompiledModel::CompiledModel() = default;
CompiledModel::~CompiledModel() = default;
CompiledModel::CompiledModel(const CompiledModel &) = default;
CompiledModel &CompiledModel::operator=(const CompiledModel &) = default;
CompiledModel::CompiledModel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

static const CompiledModel::Impl &checked(const std::shared_ptr<const CompiledModel::Impl> &impl) {
  if (!impl)
    fail("kiln::CompiledModel: the model is empty (default-constructed)");
  return *impl;
}

const std::vector<TensorSpec> &CompiledModel::inputs() const { return checked(impl_).inputs; }
int64_t CompiledModel::peakBufferBytes() const {
  return checked(impl_).peakBytes.load(std::memory_order_relaxed);
}
const std::vector<TensorSpec> &CompiledModel::outputs() const { return checked(impl_).outputs; }
const std::string &CompiledModel::name() const { return checked(impl_).name; }
double CompiledModel::compileSeconds() const { return checked(impl_).compileSeconds; }
const std::vector<StageSummary> &CompiledModel::stageSummaries() const {
  return checked(impl_).stages;
}

namespace {

/// Storage of one ranked memref descriptor:
/// {allocated, aligned, offset, sizes[rank], strides[rank]}.
/// A memref descriptor {allocated, aligned, offset, sizes..., strides...}
/// with inline storage (no heap allocation for rank <= 6). `self` must be
/// set (bind()) once the descriptor has its final address.
struct Descriptor {
  llvm::SmallVector<int64_t, 15> words;
  void *self = nullptr;
  Descriptor(const Tensor &t) {
    const Shape &shape = t.shape();
    size_t rank = shape.size();
    words.resize(3 + 2 * rank);
    auto ptr = reinterpret_cast<int64_t>(const_cast<void *>(t.rawData()));
    words[0] = ptr;
    words[1] = ptr;
    words[2] = 0;
    int64_t stride = 1;
    for (size_t i = rank; i-- > 0;) {
      words[3 + i] = shape[i];
      words[3 + rank + i] = stride;
      stride *= shape[i];
    }
  }
  void **bind() {
    self = words.data();
    return &self;
  }
};

void initializeLLVMOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

} // namespace

CompiledModel jitModule(ModuleOp module, const JitOptions &options) {
  auto start = std::chrono::steady_clock::now();
  initializeLLVMOnce();

  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    fail("kiln::jit: cannot detect the host CPU: ",
         llvm::toString(tmBuilder.takeError()));
  llvm::CodeGenOptLevel codegenLevel = codeGenOptLevel(options.optLevel);
  tmBuilder->setCodeGenOptLevel(codegenLevel);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm)
    fail("kiln::jit: cannot create a target machine: ", llvm::toString(tm.takeError()));

  LowerOptions lower;
  lower.graph = options.graph;
  lower.cpu.vectorize = options.vectorize;
  lower.cpu.parallel = options.parallel;
  lower.cpu.packB = options.packB;
  lower.cpu.fastMath = options.fastMath;
  lower.cpu.fuse = options.graph.fuseOn();
  lower.cpu.fuseRecompute = options.graph.fuseRecomputeOn();
  // The matmul tile for the host's vector registers (4x64 with AVX-512).
  chooseTilesForTarget(**tm, lower.cpu);
  lower.function = options.function;
  lower.printIRAfterEachStage = options.printIRAfterEachStage;
  lower.printIRAfterEachPass = options.printIRAfterEachPass;
  lower.irStream = options.irStream;
  auto impl = std::make_shared<CompiledModel::Impl>();
  LoweredSignature sig = lowerToLLVMDialect(module, lower, &impl->stages);
  impl->name = sig.name;
  impl->inputs = std::move(sig.inputs);
  impl->outputs = std::move(sig.outputs);

  // Translation and optimization are shared with AOT (LowerModule.cpp).
  llvm::TargetMachine *target = tm->get();
  ExecutionEngineOptions engineOptions;
  // No exception may cross LLVM's frames: errors are carried out by hand.
  std::string translateError;
  auto builder = [&](Operation *op,
                     llvm::LLVMContext &context) -> std::unique_ptr<llvm::Module> {
    try {
      return translateToLLVMIR(cast<ModuleOp>(op), context, *target, "kiln::jit");
    } catch (const Error &e) {
      translateError = e.what();
      return nullptr;
    }
  };
  engineOptions.llvmModuleBuilder = builder;
  std::function<llvm::Error(llvm::Module *)> transformer =
      [&](llvm::Module *m) -> llvm::Error {
    try {
      optimizeLLVMModule(*m, options.optLevel, target, "kiln::jit");
    } catch (const Error &e) {
      return llvm::createStringError(e.what());
    }
    return llvm::Error::success();
  };
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codegenLevel;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine) {
    std::string why = llvm::toString(engine.takeError());
    if (!translateError.empty())
      fail(translateError);
    fail("kiln::jit: LLVM could not compile @", impl->name, ": ", why);
  }
  impl->engine = std::move(*engine);
  // The buffer functions the generated code calls, from Kiln's runtime.
  impl->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char *name, void *fn) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_memref_to_llvm_alloc", reinterpret_cast<void *>(&_mlir_memref_to_llvm_alloc));
    add("_mlir_memref_to_llvm_aligned_alloc",
        reinterpret_cast<void *>(&_mlir_memref_to_llvm_aligned_alloc));
    add("_mlir_memref_to_llvm_free", reinterpret_cast<void *>(&_mlir_memref_to_llvm_free));
    // kiln::ml's C ABI, called by lowered classical-ML ops (LowerML.cpp).
    for (const ml::capi::Symbol &s : ml::capi::symbols())
      add(s.name, s.address);
    return symbols;
  });
  auto fn = impl->engine->lookupPacked("_mlir_ciface_" + impl->name);
  if (!fn)
    fail("kiln::jit: compiled code has no entry point for @", impl->name, ": ",
         llvm::toString(fn.takeError()));
  impl->entry = *fn;
  impl->compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return CompiledModel(std::move(impl));
}

/// Resolves the batch size from the inputs and checks them against the
/// signature.
static int64_t checkInputs(const CompiledModel::Impl &impl,
                           const std::vector<Tensor> &inputs) {
  if (inputs.size() != impl.inputs.size())
    fail("kiln::CompiledModel::run(@", impl.name, "): got ", inputs.size(),
         " inputs, expected ", impl.inputs.size());
  int64_t batch = -1;
  std::string batchFrom;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &spec = impl.inputs[i];
    const Tensor &t = inputs[i];
    auto mismatch = [&](const std::string &why) {
      fail("kiln::CompiledModel::run(@", impl.name, "): input ", i, " '", spec.name,
           "' is ", t.defined() ? t.typeString() : std::string("undefined"),
           ", expected ", spec.toString(), " (", why, ")");
    };
    if (!t.defined())
      mismatch("no tensor given");
    if (t.dtype() != spec.dtype)
      mismatch("element type differs");
    if (t.rank() != static_cast<int64_t>(spec.shape.size()))
      mismatch("rank differs");
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      if (spec.shape[d] >= 0) {
        if (t.shape()[d] != spec.shape[d])
          mismatch("dimension " + std::to_string(d) + " differs");
      } else if (batch < 0) {
        batch = t.shape()[d];
        batchFrom = spec.name;
      } else if (t.shape()[d] != batch) {
        mismatch("dynamic dimension " + std::to_string(d) + " is " +
                 std::to_string(t.shape()[d]) + " but the batch size from '" +
                 batchFrom + "' is " + std::to_string(batch));
      }
    }
  }
  return batch;
}

namespace {
std::atomic<int> configuredThreads{0};
std::atomic<int> callsInFlight{0};

struct InFlight {
  int calls;
  InFlight() : calls(callsInFlight.fetch_add(1) + 1) {}
  ~InFlight() { callsInFlight.fetch_sub(1); }
};

int defaultThreads() {
  if (const char *env = std::getenv("KILN_NUM_THREADS")) {
    char *end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && n > 0)
      return static_cast<int>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}
} // namespace

void setNumThreads(int n) {
  if (n < 0)
    fail("kiln::setNumThreads: ", n, " threads (expected >= 0; 0 = default)");
  configuredThreads = n;
}

int numThreads() {
  static const int fallback = defaultThreads();
  int n = configuredThreads.load();
  return n > 0 ? n : fallback;
}

static Shape outputShape(const TensorSpec &spec, int64_t batch) {
  Shape shape = spec.shape;
  for (int64_t &d : shape)
    if (d < 0)
      d = batch < 0 ? 0 : batch;
  return shape;
}

void CompiledModel::runInto(const std::vector<Tensor> &inputs,
                            std::vector<Tensor> &outputs) const {
  const Impl &impl = checked(impl_);
  int64_t batch = checkInputs(impl, inputs);
  if (outputs.size() != impl.outputs.size())
    fail("kiln::CompiledModel::runInto(@", impl.name, "): got ", outputs.size(),
         " output tensors, expected ", impl.outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    Shape expected = outputShape(impl.outputs[i], batch);
    if (!outputs[i].defined() || outputs[i].shape() != expected ||
        outputs[i].dtype() != impl.outputs[i].dtype)
      fail("kiln::CompiledModel::runInto(@", impl.name, "): output ", i, " '",
           impl.outputs[i].name, "' is ",
           outputs[i].defined() ? outputs[i].typeString() : std::string("undefined"),
           ", expected tensor<", shapeToString(expected), "x",
           dtypeName(impl.outputs[i].dtype), ">");
    for (const Tensor &in : inputs)
      if (in.rawData() == outputs[i].rawData())
        fail("kiln::CompiledModel::runInto(@", impl.name, "): output ", i,
             " shares its buffer with an input (expected distinct buffers)");
  }
  // Inline storage: a call allocates nothing on the heap for up to 8 tensors.
  llvm::SmallVector<Descriptor, 8> descriptors;
  for (const Tensor &t : inputs)
    descriptors.emplace_back(t);
  for (const Tensor &t : outputs)
    descriptors.emplace_back(t);
  llvm::SmallVector<void *, 8> args;
  for (Descriptor &d : descriptors)
    args.push_back(d.bind());
  int64_t liveBefore = bufferStats().liveBytes;
  resetBufferPeak();
  {
    // Share the threads among the calls in flight (OpenMP's count is a
    // per-calling-thread setting).
    InFlight guard;
    omp_set_num_threads(std::max(1, numThreads() / guard.calls));
    impl.entry(args.data());
  }
  // A kiln::ml C ABI call that met bad data (runtime/classical/CApi.h).
  if (std::string error = ml::capi::takeError(); !error.empty())
    fail("kiln::CompiledModel::run(@", impl.name, "): ", error);
  int64_t used = bufferStats().peakBytes - liveBefore;
  int64_t seen = impl.peakBytes.load(std::memory_order_relaxed);
  while (used > seen && !impl.peakBytes.compare_exchange_weak(seen, used))
    ;
}

std::vector<Tensor> CompiledModel::run(const std::vector<Tensor> &inputs) const {
  const Impl &impl = checked(impl_);
  int64_t batch = checkInputs(impl, inputs);
  std::vector<Tensor> outputs;
  for (const TensorSpec &spec : impl.outputs)
    outputs.emplace_back(outputShape(spec, batch), spec.dtype);
  runInto(inputs, outputs);
  return outputs;
}

} // namespace kiln
