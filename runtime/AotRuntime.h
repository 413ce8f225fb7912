/*===- AotRuntime.h - What ahead-of-time compiled models call -----*- C -*-===//
 *
 * The C ABI between a model object written by kiln-compile and the small
 * runtime library it links against (kiln_runtime_aot: this file's
 * functions and the buffer allocator of Allocator.h; no MLIR, no LLVM).
 * Generated headers include this file.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_AOTRUNTIME_H
#define KILN_RUNTIME_AOTRUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes of the generated kiln_<model>_run / _load_weights. */
enum {
  KILN_AOT_OK = 0,
  /** A null pointer, a negative batch size or an output aliasing an input. */
  KILN_AOT_BAD_ARGUMENT = 1,
  /** The weights file could not be opened or read. */
  KILN_AOT_WEIGHTS_UNREADABLE = 2,
  /** The weights file is not the one written for this model. */
  KILN_AOT_WEIGHTS_MISMATCH = 3,
  /** The model keeps its weights in a file and load_weights was not called. */
  KILN_AOT_WEIGHTS_NOT_LOADED = 4
};

/** A one-line description of a status code. */
const char *kiln_aot_status_string(int status);

/** One weight buffer of a model compiled with weights in a file. */
typedef struct {
  void *data;
  int64_t bytes;
} kiln_aot_weight;

/** Fills `count` buffers from a weights file written by kiln-compile
 * (--weights=file): "KILNWTS1", count, then each buffer's size and bytes at
 * 64-byte aligned offsets. Returns a KILN_AOT_* status. Called by the
 * generated kiln_<model>_load_weights. */
int kiln_aot_load_weights(const char *path, const kiln_aot_weight *weights, int64_t count);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_AOTRUNTIME_H */
