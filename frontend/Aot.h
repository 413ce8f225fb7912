//===- Aot.h - Ahead-of-time compilation of a DSL model ---------*- C++ -*-===//
//
// The DSL's side of AOT compilation (backends/cpu/Aot.h): compile a Model
// to an object + header, or write a *model generator*, a small program that
// builds a model and compiles it when run at build time, as Halide's
// generators do (cmake: kiln_add_model(... GENERATOR gen.cpp)):
//
//   int main(int argc, char **argv) {
//     kiln::Model m("lenet");
//     kiln::Value x = m.input("x", {kiln::kBatch, 1, 28, 28});
//     m.output(kiln::examples::lenet(m, x), "logits");
//     return kiln::generatorMain(m, argc, argv);  // -o lenet.o --target=...
//   }
//
// Needs no MLIR headers.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTEND_AOT_H
#define KILN_FRONTEND_AOT_H

#include "backends/cpu/Aot.h"
#include "frontend/Model.h"

namespace kiln {

/// Compiles `model` (parameters baked in as constants) ahead of time; the
/// name defaults to the model's. Writes the files named by `options`.
AotResult compileToObject(const Model &model, const AotOptions &options);

/// main() of a model generator: parses kiln-compile's options
/// (-o FILE, --target=, --cpu=, --mattr=, --weights=embed|file, --name=,
/// --opt-level=, --graph-level=, --no-vectorize, --parallel, --quiet),
/// compiles `model` and returns the exit status (errors: one line on stderr).
int generatorMain(const Model &model, int argc, char **argv);

} // namespace kiln

#endif // KILN_FRONTEND_AOT_H
