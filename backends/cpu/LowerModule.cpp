//===- LowerModule.cpp - kiln module -> optimized LLVM IR -----------------===//
//
// Entry lookup, signature extraction, the MLIR pipeline stage by stage
// (printing the IR between stages on request), translation to LLVM IR and
// LLVM's optimization pipeline: everything the JIT and AOT compilation have
// in common.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/LowerModule.h"
#include "passes/Passes.h"
#include "runtime/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>

using namespace mlir;

namespace kiln {
namespace {

DType dtypeOf(Type type, const std::string &who) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isInteger(64))
    return DType::I64;
  if (type.isInteger(32))
    return DType::I32;
  if (type.isInteger(1))
    return DType::Bool;
  fail(who, ": unsupported element type ", typeToString(type),
       " (expected f32, f64, i64, i32 or i1)");
}

TensorSpec specOf(Type type, DictionaryAttr attrs, const std::string &fallback,
                  const std::string &who) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    fail(who, ": expected ranked tensor arguments and results, got ", typeToString(type));
  TensorSpec spec;
  spec.name = fallback;
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("kiln.name"))
      spec.name = name.str();
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  spec.dtype = dtypeOf(tensor.getElementType(), who);
  return spec;
}

/// Collects MLIR diagnostics so a failure becomes one kiln::Error.
struct DiagnosticCollector {
  std::string text;
  ScopedDiagnosticHandler handler;
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          if (d.getSeverity() != DiagnosticSeverity::Error)
            return success();
          if (!text.empty())
            text += "\n";
          std::string loc;
          llvm::raw_string_ostream os(loc);
          d.getLocation().print(os);
          text += loc + ": " + d.str();
          for (Diagnostic &note : d.getNotes())
            text += "\n  note: " + note.str();
          return success();
        }) {}
  std::string orNone() const { return text.empty() ? "(no diagnostic)" : text; }
};

func::FuncOp findEntry(ModuleOp module, const LowerOptions &options) {
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    if (!options.function.empty() ? func.getSymName() == options.function : !entry) {
      entry = func;
    } else if (options.function.empty()) {
      fail(options.who, ": the module has several public functions (@",
           entry.getSymName().str(), ", @", func.getSymName().str(),
           "); choose one with JitOptions::function (--function in the tools)");
    }
  }
  if (!entry)
    fail(options.function.empty()
             ? options.who + ": the module has no public function"
             : options.who + ": no public function @" + options.function + " in the module");
  return entry;
}

} // namespace

LoweredSignature lowerToLLVMDialect(ModuleOp module, const LowerOptions &options,
                                    std::vector<StageSummary> *stages) {
  MLIRContext *ctx = module.getContext();
  DiagnosticCollector diagnostics(ctx);

  // Find the entry function and record its signature before lowering.
  func::FuncOp entry = findEntry(module, options);
  LoweredSignature sig;
  sig.name = entry.getSymName().str();
  FunctionType type = entry.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    sig.inputs.push_back(specOf(type.getInput(i), entry.getArgAttrDict(i),
                                "input" + std::to_string(i), options.who));
  for (unsigned i = 0; i < type.getNumResults(); ++i)
    sig.outputs.push_back(specOf(type.getResult(i), entry.getResultAttrDict(i),
                                 "output" + std::to_string(i), options.who));
  // Other public functions would also get the memref ABI; keep only the entry.
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (func != entry && !func.isPrivate())
      func.setPrivate();
  if (!options.entrySymbol.empty() && options.entrySymbol != sig.name) {
    if (SymbolTable::lookupSymbolIn(module, options.entrySymbol))
      fail(options.who, ": cannot name the entry point @", options.entrySymbol,
           ": the module already has a symbol of that name");
    if (failed(SymbolTable::replaceAllSymbolUses(entry, StringAttr::get(ctx, options.entrySymbol),
                                                 module)))
      fail(options.who, ": cannot rename @", sig.name, " to @", options.entrySymbol);
    SymbolTable::setSymbolName(entry, options.entrySymbol);
  }

  std::ostream &ir = options.irStream ? *options.irStream : std::cerr;
  auto record = [&](const char *stage) {
    if (stages) {
      StageSummary summary;
      summary.stage = stage;
      module.walk([&](Operation *op) {
        if (isa<ModuleOp>(op))
          return;
        ++summary.opsByDialect[op->getName().getDialectNamespace().str()];
        ++summary.opsByName[op->getName().getStringRef().str()];
        ++summary.totalOps;
      });
      stages->push_back(std::move(summary));
    }
    if (!options.printIRAfterEachStage)
      return;
    std::string s;
    llvm::raw_string_ostream os(s);
    module.print(os);
    ir << "// ----- IR after stage '" << stage << "' -----\n" << s << "\n";
  };
  record("kiln");

  {
    PassManager pm(ctx);
    // Convolutions are left direct only for the vectorized direct kernel,
    // and only when at least half a vector wide (a user may ask for more).
    GraphOptions graph = options.graph;
    graph.directConvMinWidth =
        std::max<int64_t>(graph.directConvMinWidth, options.cpu.vectorLanes / 2);
    if (!options.cpu.vectorize)
      graph.directConvolution = false;
    buildKilnOptimizePipeline(pm, graph);
    if (failed(pm.run(module)))
      fail(options.who, ": graph optimization failed for @", sig.name, ":\n",
           diagnostics.orNone());
    record("optimized");
  }

  for (CpuStage stage : {CpuStage::Linalg, CpuStage::Vectorized,
                         CpuStage::Bufferized, CpuStage::LLVM}) {
    PassManager pm(ctx);
    if (options.printIRAfterEachPass) {
      ctx->disableMultithreading();
      pm.enableIRPrinting(
          [](Pass *, Operation *) { return false; },
          [](Pass *, Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/true);
    }
    buildCpuStage(pm, stage, options.cpu);
    if (failed(pm.run(module)))
      fail(options.who, ": lowering failed in stage '", cpuStageName(stage), "' for @",
           sig.name, ":\n", diagnostics.orNone());
    record(cpuStageName(stage));
  }
  return sig;
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm,
                                                const std::string &who) {
  DiagnosticCollector diagnostics(module.getContext());
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    fail(who, ": translation to LLVM IR failed:\n", diagnostics.orNone());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  // Buffers come from Kiln's allocator (runtime/Allocator.cpp), which
  // returns fresh memory like malloc: saying so lets LLVM see that two
  // buffers never alias, so copies between them (im2col panels, padding)
  // vectorize instead of staying scalar behind unprovable alias checks.
  for (const char *alloc : {"_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc"})
    if (llvm::Function *f = llvmModule->getFunction(alloc))
      f->addRetAttr(llvm::Attribute::NoAlias);
  return llvmModule;
}

void optimizeLLVMModule(llvm::Module &module, int optLevel, llvm::TargetMachine *tm,
                        const std::string &who) {
  auto transformer = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, tm);
  if (llvm::Error err = transformer(&module))
    fail(who, ": LLVM optimization failed: ", llvm::toString(std::move(err)));
}

llvm::CodeGenOptLevel codeGenOptLevel(int optLevel) {
  return optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
         : optLevel == 0 ? llvm::CodeGenOptLevel::None
                         : llvm::CodeGenOptLevel::Default;
}

void chooseTilesForTarget(const llvm::TargetMachine &tm, CpuPipelineOptions &cpu) {
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  auto has = [&](const char *feature) { return sti && sti->checkFeatures(feature); };
  if (tm.getTargetTriple().isAArch64()) {
    // 32 NEON registers of 4 floats: 8 rows x 2 vectors = 16 accumulators,
    // leaving room for the B vectors and the broadcast A values.
    cpu.registerTile = {8, 8};
    cpu.cacheTile = {64, 128, 256};
    cpu.vectorLanes = 4;
    cpu.convAccumulators = 16;
  } else if (has("+avx512f")) {
    // 32 zmm registers: 4 rows x 4 vectors of 16 floats (the JIT's default).
    cpu.registerTile = {4, 64};
    cpu.cacheTile = {64, 256, 256};
    cpu.vectorLanes = 16;
    cpu.convAccumulators = 16;
  } else if (has("+avx")) {
    // 16 ymm registers: 4 rows x 2 vectors of 8 floats.
    cpu.registerTile = {4, 16};
    cpu.cacheTile = {64, 128, 256};
    cpu.vectorLanes = 8;
    cpu.convAccumulators = 8;
  } else {
    // SSE: 16 xmm registers of 4 floats.
    cpu.registerTile = {4, 8};
    cpu.cacheTile = {64, 128, 256};
    cpu.vectorLanes = 4;
    cpu.convAccumulators = 8;
  }
}

} // namespace kiln
