//===- Aot.cpp - Ahead-of-time compilation to an object and a header ------===//
//
// The module goes through the same lowering, translation and LLVM
// optimization as the JIT (LowerModule.cpp), for a TargetMachine made from
// the requested triple and CPU instead of the host. Then:
//   - with AotWeights::File, large constant globals (the bound parameters)
//     become zero-initialized buffers filled at init from a weights file by
//     a generated kiln_<name>_load_weights;
//   - the legacy pass manager emits the object, optionally wrapped in a
//     static library;
//   - AotHeader.cpp writes the C/C++ header whose inline entry point builds
//     the memref descriptors of the destination-passing ABI.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Aot.h"
#include "backends/cpu/AotHeader.h"
#include "backends/cpu/LowerModule.h"
#include "runtime/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cctype>
#include <chrono>
#include <fstream>
#include <mutex>

namespace kiln {
namespace {

/// Constants at least this large move to the weights file (AotWeights::File).
constexpr uint64_t kMinWeightBytes = 256;

void initializeTargetsOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  });
}

bool isIdentifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

llvm::Triple targetTriple(const AotOptions &options) {
  // The host default is spelled like the targets users give, so that
  // messages and headers read the same (x86_64-unknown-linux-gnu).
  std::string text = options.target.empty()
                         ? llvm::Triple(llvm::sys::getProcessTriple()).getArchName().str() +
                               "-linux-gnu"
                         : options.target;
  llvm::Triple triple(llvm::Triple::normalize(text));
  bool known = triple.getArch() == llvm::Triple::x86_64 ||
               triple.getArch() == llvm::Triple::aarch64;
  if (!known || !triple.isOSLinux())
    fail(options.who, ": unknown target '", text, "' (expected one of: ", aotTargetsList(), ")");
  return triple;
}

std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const llvm::Triple &triple,
                                                       const AotOptions &options,
                                                       std::string &cpuOut) {
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    fail(options.who, ": target '", triple.str(), "' is not available in this LLVM: ", error);
  std::string cpu = options.cpu.empty() ? "generic" : options.cpu;
  std::string features = options.features;
  if (cpu == "native") {
    llvm::Triple host(llvm::sys::getProcessTriple());
    if (host.getArch() != triple.getArch())
      fail(options.who, ": --cpu=native means this machine's CPU (", host.getArchName().str(),
           "), which cannot run ", triple.getArchName().str(),
           " code; name a CPU of the target (e.g. ",
           triple.isAArch64() ? "neoverse-n1, cortex-a72" : "x86-64-v3", ") or generic");
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
      if (!features.empty())
        features += ",";
      features += (feature.getValue() ? "+" : "-") + feature.getKey().str();
    }
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, "", ""));
  if (cpu != "generic" && (!sti || !sti->isCPUStringValid(cpu))) {
    std::string valid = "generic, native";
    if (sti)
      for (const llvm::SubtargetSubTypeKV &kv : sti->getAllProcessorDescriptions())
        valid += std::string(", ") + kv.Key;
    fail(options.who, ": unknown CPU '", cpu, "' for target ", triple.str(),
         " (expected one of: ", valid, ")");
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      codeGenOptLevel(options.optLevel)));
  if (!tm)
    fail(options.who, ": cannot create a target machine for ", triple.str(), " / ", cpu);
  cpuOut = cpu;
  return tm;
}

/// Appends the in-memory bytes of `c` (little-endian targets only). False if
/// `c` is not a plain numeric array.
bool appendBytes(const llvm::Constant *c, const llvm::DataLayout &dl, std::string &out) {
  if (auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
    llvm::StringRef raw = data->getRawDataValues();
    out.append(raw.data(), raw.size());
    return true;
  }
  if (llvm::isa<llvm::ConstantAggregateZero>(c)) {
    out.append(dl.getTypeAllocSize(c->getType()).getFixedValue(), '\0');
    return true;
  }
  if (auto *array = llvm::dyn_cast<llvm::ConstantArray>(c)) {
    for (const llvm::Use &op : array->operands())
      if (!appendBytes(llvm::cast<llvm::Constant>(op.get()), dl, out))
        return false;
    return true;
  }
  llvm::APInt bits;
  if (auto *fp = llvm::dyn_cast<llvm::ConstantFP>(c))
    bits = fp->getValueAPF().bitcastToAPInt();
  else if (auto *i = llvm::dyn_cast<llvm::ConstantInt>(c))
    bits = i->getValue();
  else
    return false;
  uint64_t bytes = dl.getTypeAllocSize(c->getType()).getFixedValue();
  if (bits.getBitWidth() > 64 || bytes > 8)
    return false;
  uint64_t word = bits.getZExtValue();
  out.append(reinterpret_cast<const char *>(&word), bytes);
  return true;
}

/// Moves large constant globals to `blobs` and gives the module
/// kiln_<name>_load_weights(path) and kiln_<name>_weights_loaded().
void externalizeWeights(llvm::Module &module, const std::string &name,
                        std::vector<std::string> &blobs) {
  const llvm::DataLayout &dl = module.getDataLayout();
  llvm::LLVMContext &ctx = module.getContext();
  std::vector<std::pair<llvm::GlobalVariable *, uint64_t>> moved;
  for (llvm::GlobalVariable &g : module.globals()) {
    if (!g.isConstant() || !g.hasInitializer() || !g.hasLocalLinkage())
      continue;
    uint64_t size = dl.getTypeAllocSize(g.getValueType()).getFixedValue();
    if (size < kMinWeightBytes)
      continue;
    std::string bytes;
    if (!appendBytes(g.getInitializer(), dl, bytes) || bytes.size() != size)
      continue;
    // Written at init through the table below, so neither constant nor
    // foldable: its address escapes to kiln_aot_load_weights.
    g.setConstant(false);
    g.setInitializer(llvm::Constant::getNullValue(g.getValueType()));
    blobs.push_back(std::move(bytes));
    moved.emplace_back(&g, size);
  }

  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  // {void *data; int64_t bytes;}: kiln_aot_weight in runtime/AotRuntime.h.
  auto *entryTy = llvm::StructType::get(ctx, {ptrTy, i64});
  auto *tableTy = llvm::ArrayType::get(entryTy, moved.size());
  std::vector<llvm::Constant *> rows;
  for (auto [g, size] : moved)
    rows.push_back(llvm::ConstantStruct::get(entryTy, {g, llvm::ConstantInt::get(i64, size)}));
  auto *table = new llvm::GlobalVariable(module, tableTy, /*isConstant=*/true,
                                         llvm::GlobalValue::PrivateLinkage,
                                         llvm::ConstantArray::get(tableTy, rows),
                                         "kiln_" + name + "_weight_table");
  auto *flag = new llvm::GlobalVariable(module, i32, /*isConstant=*/false,
                                        llvm::GlobalValue::InternalLinkage,
                                        llvm::ConstantInt::get(i32, 0),
                                        "kiln_" + name + "_weights_loaded_flag");
  llvm::FunctionCallee loader = module.getOrInsertFunction(
      "kiln_aot_load_weights", llvm::FunctionType::get(i32, {ptrTy, ptrTy, i64}, false));

  auto *load = llvm::Function::Create(llvm::FunctionType::get(i32, {ptrTy}, false),
                                      llvm::GlobalValue::ExternalLinkage,
                                      "kiln_" + name + "_load_weights", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", load));
  llvm::Value *status = b.CreateCall(
      loader, {load->getArg(0), table, llvm::ConstantInt::get(i64, moved.size())});
  llvm::Value *ok = b.CreateICmpEQ(status, llvm::ConstantInt::get(i32, 0));
  llvm::Value *before = b.CreateLoad(i32, flag);
  b.CreateStore(b.CreateSelect(ok, llvm::ConstantInt::get(i32, 1), before), flag);
  b.CreateRet(status);

  auto *loaded = llvm::Function::Create(llvm::FunctionType::get(i32, {}, false),
                                        llvm::GlobalValue::ExternalLinkage,
                                        "kiln_" + name + "_weights_loaded", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", loaded));
  b.CreateRet(b.CreateLoad(i32, flag));
}

void writeFile(const std::string &path, llvm::StringRef bytes, const std::string &who) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    fail(who, ": cannot write '", path, "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    fail(who, ": error writing '", path, "'");
}

/// "KILNWTS1", count, sizes, then the blobs at 64-byte aligned offsets
/// (read by kiln_aot_load_weights).
std::string weightsFileBytes(const std::vector<std::string> &blobs) {
  std::string out = "KILNWTS1";
  auto word = [&](int64_t v) { out.append(reinterpret_cast<const char *>(&v), 8); };
  word(static_cast<int64_t>(blobs.size()));
  for (const std::string &b : blobs)
    word(static_cast<int64_t>(b.size()));
  for (const std::string &b : blobs) {
    out.append((64 - out.size() % 64) % 64, '\0');
    out += b;
  }
  return out;
}

std::string stemOf(const std::string &path, std::string &extension) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    extension.clear();
    return path;
  }
  extension = path.substr(dot);
  return path.substr(0, dot);
}

} // namespace

std::string aotTargetsList() { return "x86_64-linux-gnu, aarch64-linux-gnu"; }

AotResult compileModuleToObject(mlir::ModuleOp module, const AotOptions &options) {
  auto start = std::chrono::steady_clock::now();
  initializeTargetsOnce();
  if (options.output.empty())
    fail(options.who, ": no output file (expected -o <model>.o or <model>.a)");
  if (options.optLevel < 0 || options.optLevel > 3)
    fail(options.who, ": optimization level ", options.optLevel, " (expected 0-3)");
  if (!options.name.empty() && !isIdentifier(options.name))
    fail(options.who, ": model name '", options.name,
         "' is not a C identifier (expected letters, digits and '_')");

  AotResult result;
  llvm::Triple triple = targetTriple(options);
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(triple, options, result.cpu);
  result.triple = triple.str();
  if (options.parallel && !triple.isX86())
    fail(options.who, ": --parallel needs LLVM's OpenMP runtime (libomp), which Kiln only "
               "supports on x86-64; compile ", triple.str(), " code without it");

  // The model's name is the function's unless given; it must be known before
  // lowering, since the entry symbol is derived from it.
  LowerOptions lower;
  lower.graph = options.graph;
  lower.cpu.vectorize = options.vectorize;
  lower.cpu.parallel = options.parallel;
  lower.cpu.fuse = options.graph.fuseOn();
  lower.cpu.fuseRecompute = options.graph.fuseRecomputeOn();
  chooseTilesForTarget(*tm, lower.cpu);
  lower.function = options.function;
  lower.printIRAfterEachStage = options.printIRAfterEachStage;
  lower.who = options.who;
  std::string name = options.name;
  if (name.empty()) {
    // The entry's name, as lowerToLLVMDialect will choose it (it reports
    // a missing or ambiguous entry).
    for (auto func : module.getOps<mlir::func::FuncOp>())
      if (!func.isPrivate() && !func.isExternal() &&
          (options.function.empty() || func.getSymName() == options.function)) {
        name = func.getSymName().str();
        break;
      }
    if (!name.empty() && !isIdentifier(name))
      fail(options.who, ": function name '", name, "' is not a C identifier; give --name");
  }
  lower.entrySymbol = name.empty() ? "" : "kiln_model_" + name;
  LoweredSignature sig = lowerToLLVMDialect(module, lower);
  result.name = name.empty() ? sig.name : name;
  result.inputs = sig.inputs;
  result.outputs = sig.outputs;

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(module, context, *tm, options.who);
  std::vector<std::string> blobs;
  if (options.weights == AotWeights::File)
    externalizeWeights(*llvmModule, result.name, blobs);
  optimizeLLVMModule(*llvmModule, options.optLevel, tm.get(), options.who);

  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile))
      fail(options.who, ": LLVM cannot emit an object file for ", triple.str());
    pm.run(*llvmModule);
  }

  std::string extension;
  std::string stem = stemOf(options.output, extension);
  result.objectPath = options.output;
  if (extension == ".a") {
    std::string memberName = result.name + ".o";
    llvm::NewArchiveMember member(
        llvm::MemoryBufferRef(llvm::StringRef(object.data(), object.size()), memberName));
    std::string archive;
    llvm::raw_string_ostream os(archive);
    if (llvm::Error err = llvm::writeArchiveToStream(
            os, {std::move(member)}, llvm::SymtabWritingMode::NormalSymtab,
            llvm::object::Archive::K_GNU, /*Deterministic=*/true, /*Thin=*/false))
      fail(options.who, ": cannot write the static library '", options.output,
           "': ", llvm::toString(std::move(err)));
    os.flush();
    writeFile(options.output, archive, options.who);
    result.objectBytes = static_cast<int64_t>(archive.size());
  } else {
    writeFile(options.output, llvm::StringRef(object.data(), object.size()), options.who);
    result.objectBytes = static_cast<int64_t>(object.size());
  }

  if (options.weights == AotWeights::File) {
    result.weightsPath = options.weightsPath.empty() ? stem + ".weights" : options.weightsPath;
    std::string bytes = weightsFileBytes(blobs);
    writeFile(result.weightsPath, bytes, options.who);
    result.weightBytes = static_cast<int64_t>(bytes.size());
  }
  result.headerPath = options.headerPath.empty() ? stem + ".h" : options.headerPath;
  AotHeaderInfo info;
  info.name = result.name;
  info.entrySymbol = "_mlir_ciface_kiln_model_" + result.name;
  info.triple = result.triple;
  info.cpu = result.cpu;
  info.weightsInFile = options.weights == AotWeights::File;
  info.inputs = result.inputs;
  info.outputs = result.outputs;
  writeFile(result.headerPath, generateAotHeader(info), options.who);
  result.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

} // namespace kiln
