//===- Aot.cpp - Ahead-of-time compilation of a DSL model -----------------===//
#include "frontend/Aot.h"
#include "frontend/ModelImpl.h"
#include "passes/Passes.h"
#include "runtime/Error.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

using namespace mlir;

namespace kiln {

AotResult compileToObject(const Model &model, const AotOptions &options) {
  ModelImpl &m = *model.impl();
  if (m.outputs.empty())
    fail(options.who, ": model '", m.name, "' has no outputs (call Model::output)");
  OwningOpRef<ModuleOp> module = m.finalizedModule();
  bindParameters(*module, m.parameters);
  AotOptions named = options;
  if (named.name.empty())
    named.name = m.name;
  return compileModuleToObject(*module, named);
}

namespace {

int parseInt(const std::string &flag, const std::string &value, int lo, int hi) {
  char *end = nullptr;
  long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end || v < lo || v > hi)
    fail(flag, "=", value, ": expected an integer in ", lo, "-", hi);
  return static_cast<int>(v);
}

} // namespace

int generatorMain(const Model &model, int argc, char **argv) {
  std::string program = argc > 0 ? argv[0] : "kiln-generator";
  try {
    AotOptions options;
    options.who = program;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      std::string key = arg, value;
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        key = arg.substr(0, eq);
        value = arg.substr(eq + 1);
      }
      auto needValue = [&]() -> const std::string & {
        if (eq == std::string::npos) {
          if (i + 1 >= argc)
            fail(key, ": expected a value");
          value = argv[++i];
        }
        return value;
      };
      if (key == "-o" || key == "--output")
        options.output = needValue();
      else if (key == "--target")
        options.target = needValue();
      else if (key == "--cpu")
        options.cpu = needValue();
      else if (key == "--mattr")
        options.features = needValue();
      else if (key == "--name")
        options.name = needValue();
      else if (key == "--header")
        options.headerPath = needValue();
      else if (key == "--weights-file")
        options.weightsPath = needValue();
      else if (key == "--weights") {
        const std::string &w = needValue();
        if (w == "embed")
          options.weights = AotWeights::Embed;
        else if (w == "file")
          options.weights = AotWeights::File;
        else
          fail("--weights=", w, ": expected embed or file");
      } else if (key == "--opt-level")
        options.optLevel = parseInt(key, needValue(), 0, 3);
      else if (key == "--graph-level")
        options.graph.level = parseInt(key, needValue(), 0, 3);
      else if (arg == "--no-vectorize")
        options.vectorize = false;
      else if (arg == "--parallel")
        options.parallel = true;
      else if (arg == "--quiet")
        quiet = true;
      else
        fail("unknown option '", arg,
             "' (expected -o FILE, --target=, --cpu=, --mattr=, --name=, --header=, "
             "--weights=embed|file, --weights-file=, --opt-level=, --graph-level=, "
             "--no-vectorize, --parallel, --quiet)");
    }
    AotResult r = compileToObject(model, options);
    if (!quiet)
      std::cout << program << ": " << r.name << " (" << r.triple << ", " << r.cpu << ") -> "
                << r.objectPath << " (" << r.objectBytes << " bytes) in " << r.compileSeconds
                << " s\n";
    return 0;
  } catch (const std::exception &e) {
    std::string message = e.what();
    if (message.rfind(program + ": ", 0) == 0)
      message = message.substr(program.size() + 2);
    std::fprintf(stderr, "%s: %s\n", program.c_str(), message.c_str());
    return 1;
  }
}

} // namespace kiln
