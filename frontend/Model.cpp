//===- Model.cpp - The Kiln C++ DSL: models and values --------------------===//
//
// The function is built without a terminator while the user adds ops; the
// return op is added to a copy of the module when the model is printed or
// compiled, so a model can keep growing after being printed.
//
//===----------------------------------------------------------------------===//
#include "frontend/ModelImpl.h"
#include "backends/cpu/Jit.h"
#include "passes/Passes.h"
#include "runtime/Error.h"
#include "runtime/Safetensors.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

static MLIRContext *makeContext() {
  DialectRegistry registry;
  registerJitDialects(registry);
  auto *ctx = new MLIRContext(registry);
  ctx->loadDialect<KilnDialect, func::FuncDialect>();
  return ctx;
}

static Type elementTypeOf(MLIRContext *ctx, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return Float32Type::get(ctx);
  case DType::F64:
    return Float64Type::get(ctx);
  case DType::I32:
    return IntegerType::get(ctx, 32);
  case DType::I64:
    return IntegerType::get(ctx, 64);
  default:
    fail("kiln::Model: dtype ", dtypeName(dtype),
         " is not supported for model inputs and parameters");
  }
}

ModelImpl::ModelImpl(std::string n, uint64_t seed)
    : context(makeContext()), builder(context.get()), name(std::move(n)),
      generator(seed) {
  if (name.empty())
    fail("kiln::Model: the model name must not be empty");
  module = ModuleOp::create(UnknownLoc::get(context.get()));
  builder.setInsertionPointToEnd(module->getBody());
  func = func::FuncOp::create(builder, NameLoc::get(builder.getStringAttr(name)),
                              name, builder.getFunctionType({}, {}));
  builder.setInsertionPointToStart(func.addEntryBlock());
}

ModelImpl &modelOf(const Value &v, const char *op) {
  if (!v.defined())
    fail("'", op, "' op: an operand is an undefined kiln::Value");
  return *v.model();
}

mlir::Value ModelImpl::unwrap(const Value &v, StringRef opName) const {
  if (!v.defined())
    fail(opName.str(), ": an operand is an undefined kiln::Value");
  if (v.model() != this)
    fail(opName.str(), ": an operand belongs to another kiln::Model");
  return mlir::Value::getFromOpaquePointer(v.opaque());
}

Value ModelImpl::emit(StringRef opName, ArrayRef<Value> operands,
                      ArrayRef<NamedAttribute> attrs) {
  return emitMulti(opName, operands, attrs, 1).front();
}

std::vector<Value> ModelImpl::emitMulti(StringRef opName, ArrayRef<Value> operands,
                                        ArrayRef<NamedAttribute> attrs,
                                        unsigned numResults) {
  SmallVector<mlir::Value> values;
  for (const Value &v : operands)
    values.push_back(unwrap(v, opName));

  std::string message;
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && message.empty())
      message = d.str();
    return success();
  });
  Location loc = NameLoc::get(builder.getStringAttr(opName));
  OperationState state(loc, opName);
  state.addOperands(values);
  state.addAttributes(attrs);
  // Placeholder result types, replaced by the inferred ones below.
  for (unsigned i = 0; i < numResults; ++i)
    state.addTypes(UnrankedTensorType::get(builder.getF32Type()));
  Operation *op = builder.create(state);

  auto iface = dyn_cast<InferTypeOpInterface>(op);
  SmallVector<Type, 1> inferred;
  if (!iface ||
      failed(iface.inferReturnTypes(context.get(), loc, op->getOperands(),
                                    op->getRawDictionaryAttrs(),
                                    op->getPropertiesStorage(), op->getRegions(),
                                    inferred))) {
    op->erase();
    fail(message.empty() ? opName.str() + ": cannot infer the result type"
                         : message);
  }
  for (unsigned i = 0; i < numResults; ++i)
    op->getResult(i).setType(inferred[i]);
  if (failed(mlir::verify(op))) {
    op->erase();
    fail(message.empty() ? opName.str() + ": invalid op" : message);
  }
  std::vector<Value> results;
  for (mlir::Value r : op->getResults())
    results.push_back(wrap(r));
  return results;
}

OwningOpRef<ModuleOp> ModelImpl::finalizedModule() const {
  // The mapping records where each value of the original went in the copy.
  IRMapping mapping;
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module.get()->clone(mapping)));
  auto f = *copy->getOps<func::FuncOp>().begin();
  OpBuilder b(copy->getContext());
  b.setInsertionPointToEnd(&f.front());
  SmallVector<mlir::Value> results;
  SmallVector<Type> types;
  for (const auto &[v, n] : outputs) {
    results.push_back(mapping.lookup(v));
    types.push_back(v.getType());
  }
  func::ReturnOp::create(b, f.getLoc(), results);
  f.setType(b.getFunctionType(f.getArgumentTypes(), types));
  for (auto [i, out] : llvm::enumerate(outputs))
    f.setResultAttr(i, "kiln.name", b.getStringAttr(out.second));
  return copy;
}

//===----------------------------------------------------------------------===//
// Value
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(const Value &v) {
  if (!v.defined())
    fail("kiln::Value: the value is undefined");
  return cast<RankedTensorType>(mlir::Value::getFromOpaquePointer(v.opaque()).getType());
}

Shape Value::shape() const {
  Shape s;
  for (int64_t d : typeOf(*this).getShape())
    s.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

int64_t Value::rank() const { return typeOf(*this).getRank(); }

int64_t Value::dim(int64_t i) const {
  int64_t r = rank();
  if (i < -r || i >= r)
    fail("kiln::Value::dim: dimension ", i, " out of range for ", typeString());
  int64_t d = typeOf(*this).getDimSize(i < 0 ? i + r : i);
  return ShapedType::isDynamic(d) ? -1 : d;
}

DType Value::dtype() const {
  Type e = typeOf(*this).getElementType();
  if (e.isF32())
    return DType::F32;
  if (e.isF64())
    return DType::F64;
  if (e.isInteger(32))
    return DType::I32;
  return DType::I64;
}

std::string Value::typeString() const { return typeToString(typeOf(*this)); }

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

Model::Model(std::string name, uint64_t seed)
    : impl_(std::make_unique<ModelImpl>(std::move(name), seed)) {}
Model::~Model() = default;
Model::Model(Model &&) noexcept = default;
Model &Model::operator=(Model &&) noexcept = default;

static RankedTensorType tensorType(MLIRContext *ctx, const Shape &shape, DType dtype,
                                   const std::string &what) {
  SmallVector<int64_t> dims;
  for (int64_t d : shape) {
    if (d < -1)
      fail(what, ": dimension ", d, " in shape ", shapeToString(shape),
           " is negative (use kiln::kBatch, i.e. -1, for the batch dimension)");
    dims.push_back(d == -1 ? ShapedType::kDynamic : d);
  }
  return RankedTensorType::get(dims, elementTypeOf(ctx, dtype));
}

Value Model::input(const std::string &name, const Shape &shape, DType dtype) {
  ModelImpl &m = *impl_;
  int dynamic = 0;
  for (int64_t d : shape)
    dynamic += d == -1;
  if (dynamic > 1)
    fail("kiln::Model::input('", name, "'): shape ", shapeToString(shape),
         " has more than one dynamic dimension (expected at most the batch)");
  auto type = tensorType(m.context.get(), shape, dtype, "kiln::Model::input('" + name + "')");
  Block &entry = m.func.front();
  BlockArgument arg = entry.addArgument(type, NameLoc::get(m.builder.getStringAttr(name)));
  m.func.setType(m.builder.getFunctionType(entry.getArgumentTypes(), {}));
  m.func.setArgAttr(arg.getArgNumber(), "kiln.name", m.builder.getStringAttr(name));
  return m.wrap(arg);
}

Value Model::parameter(const std::string &name, const Shape &shape,
                       const init::Initializer &initializer) {
  ModelImpl &m = *impl_;
  if (name.empty())
    fail("kiln::Model::parameter: the parameter name must not be empty");
  if (m.parameters.count(name))
    fail("kiln::Model::parameter: a parameter named '", name, "' already exists");
  for (int64_t d : shape)
    if (d < 0)
      fail("kiln::Model::parameter('", name, "'): shape ", shapeToString(shape),
           " must be static");
  auto type = tensorType(m.context.get(), shape, DType::F32,
                         "kiln::Model::parameter('" + name + "')");
  Tensor value = init::make(initializer, shape, m.generator);
  auto op = ParamOp::create(m.builder, NameLoc::get(m.builder.getStringAttr(name)),
                            type, m.builder.getStringAttr(name));
  m.parameters.emplace(name, value);
  return m.wrap(op.getResult());
}

Value ModelImpl::constantTensor(const Tensor &value) {
  if (!value.defined())
    fail("kiln::Model::constant: the tensor is undefined");
  auto type = tensorType(context.get(), value.shape(), value.dtype(),
                         "kiln::Model::constant");
  auto op = ConstantOp::create(builder, UnknownLoc::get(context.get()),
                               tensorToAttr(value, type));
  return wrap(op.getResult());
}

Value Model::constant(const Tensor &value) { return impl_->constantTensor(value); }

Value Model::scalar(double value) { return constant(Tensor::full({}, value)); }

void Model::output(Value value, const std::string &name) {
  ModelImpl &m = *impl_;
  mlir::Value v = m.unwrap(value, "kiln::Model::output");
  std::string n = name.empty() ? "output" + std::to_string(m.outputs.size()) : name;
  for (const auto &out : m.outputs)
    if (out.second == n)
      fail("kiln::Model::output: an output named '", n, "' already exists");
  m.outputs.emplace_back(v, n);
}

std::string Model::str() const {
  auto module = impl_->finalizedModule();
  std::string s;
  llvm::raw_string_ostream os(s);
  module->print(os);
  return s;
}

const std::string &Model::name() const { return impl_->name; }

std::map<std::string, int> Model::opCounts() const {
  std::map<std::string, int> counts;
  impl_->func.walk([&](Operation *op) {
    if (op != impl_->func.getOperation())
      ++counts[op->getName().getStringRef().str()];
  });
  return counts;
}

const std::map<std::string, Tensor> &Model::parameters() const {
  return impl_->parameters;
}

void Model::setParameter(const std::string &name, const Tensor &value) {
  auto it = impl_->parameters.find(name);
  if (it == impl_->parameters.end())
    fail("kiln::Model::setParameter: no parameter named '", name, "'");
  if (!value.defined() || value.shape() != it->second.shape() ||
      value.dtype() != it->second.dtype())
    fail("kiln::Model::setParameter('", name, "'): expected ",
         it->second.typeString(), ", got ",
         value.defined() ? value.typeString() : std::string("an undefined tensor"));
  it->second = value.clone();
}

void Model::save(const std::string &path) const {
  saveSafetensors(path, impl_->parameters, {{"format", "kiln"}});
}

void Model::load(const std::string &path, bool strict) {
  TensorFile file = loadSafetensors(path);
  for (const auto &[name, t] : impl_->parameters) {
    auto it = file.tensors.find(name);
    if (it == file.tensors.end())
      fail(path, ": parameter '", name, "' (", t.typeString(),
           ") is missing from the file");
    if (it->second.shape() != t.shape())
      fail(path, ": parameter '", name, "' expects ", t.typeString(),
           ", the file holds ", it->second.typeString());
  }
  if (strict)
    for (const auto &[name, t] : file.tensors)
      if (!impl_->parameters.count(name))
        fail(path, ": tensor '", name, "' is not a parameter of model '",
             impl_->name, "' (load with strict = false to ignore it)");
  for (auto &[name, t] : impl_->parameters)
    t = file.tensors.at(name).to(t.dtype());
}

Generator &Model::generator() { return impl_->generator; }

CompiledModel jit(const Model &model, const JitOptions &options) {
  ModelImpl &m = *model.impl();
  if (m.outputs.empty())
    fail("kiln::jit: model '", m.name, "' has no outputs (call Model::output)");
  OwningOpRef<ModuleOp> module = m.finalizedModule();
  bindParameters(*module, m.parameters);
  return jitModule(*module, options);
}

} // namespace kiln
