//===- AotRuntime.cpp - What ahead-of-time compiled models call -----------===//
//
// Status strings and the weights-file loader. Plain C stdio, so that the
// runtime cross-compiles for any Linux target with nothing but a C++
// compiler.
//
//===----------------------------------------------------------------------===//
#include "runtime/AotRuntime.h"

#include <cstdio>
#include <cstring>

extern "C" const char *kiln_aot_status_string(int status) {
  switch (status) {
  case KILN_AOT_OK:
    return "ok";
  case KILN_AOT_BAD_ARGUMENT:
    return "bad argument (null pointer, negative batch size, or an output "
           "sharing its buffer with an input)";
  case KILN_AOT_WEIGHTS_UNREADABLE:
    return "the weights file cannot be opened or is truncated";
  case KILN_AOT_WEIGHTS_MISMATCH:
    return "the weights file was not written for this model (count or sizes differ)";
  case KILN_AOT_WEIGHTS_NOT_LOADED:
    return "the model's weights are in a file: call kiln_<model>_load_weights first";
  default:
    return "unknown status";
  }
}

namespace {
constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'W', 'T', 'S', '1'};
constexpr long kAlign = 64;

bool readWord(std::FILE *f, int64_t &v) { return std::fread(&v, sizeof v, 1, f) == 1; }
} // namespace

extern "C" int kiln_aot_load_weights(const char *path, const kiln_aot_weight *weights,
                                     int64_t count) {
  if (!path || (count > 0 && !weights))
    return KILN_AOT_BAD_ARGUMENT;
  std::FILE *f = std::fopen(path, "rb");
  if (!f)
    return KILN_AOT_WEIGHTS_UNREADABLE;
  int status = KILN_AOT_OK;
  char magic[8];
  int64_t n = 0;
  if (std::fread(magic, 1, 8, f) != 8 || !readWord(f, n)) {
    status = KILN_AOT_WEIGHTS_UNREADABLE;
  } else if (std::memcmp(magic, kMagic, 8) != 0 || n != count) {
    status = KILN_AOT_WEIGHTS_MISMATCH;
  } else {
    for (int64_t i = 0; i < count && status == KILN_AOT_OK; ++i) {
      int64_t bytes = 0;
      if (!readWord(f, bytes))
        status = KILN_AOT_WEIGHTS_UNREADABLE;
      else if (bytes != weights[i].bytes)
        status = KILN_AOT_WEIGHTS_MISMATCH;
    }
    // Data blocks start at 64-byte aligned offsets after the table.
    long offset = 16 + 8 * static_cast<long>(count);
    for (int64_t i = 0; i < count && status == KILN_AOT_OK; ++i) {
      offset = (offset + kAlign - 1) / kAlign * kAlign;
      if (std::fseek(f, offset, SEEK_SET) != 0 ||
          std::fread(weights[i].data, 1, static_cast<size_t>(weights[i].bytes), f) !=
              static_cast<size_t>(weights[i].bytes))
        status = KILN_AOT_WEIGHTS_UNREADABLE;
      offset += static_cast<long>(weights[i].bytes);
    }
  }
  std::fclose(f);
  return status;
}
