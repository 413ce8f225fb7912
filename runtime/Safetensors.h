//===- Safetensors.h - Reading and writing .safetensors files ---*- C++ -*-===//
//
// The safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length N, a JSON header of N bytes mapping each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// relative to the byte buffer that follows the header) plus an optional
// "__metadata__" map of strings, then the byte buffer. Kiln checks every
// field against the file, so a truncated or hostile file is a kiln::Error
// naming the file, the tensor and what was wrong, never a crash.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SAFETENSORS_H
#define KILN_RUNTIME_SAFETENSORS_H

#include "runtime/Tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// The tensors of one safetensors file, in name order, plus its metadata.
struct TensorFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

/// Parses a safetensors image held in memory. `source` names it in errors
/// (usually the file path). Supported dtypes: F32, F64, I32, I64, U8, BOOL;
/// F16 and BF16 are converted to F32 on load. Any other dtype, and every
/// structural problem, is a kiln::Error.
TensorFile parseSafetensors(const std::string &bytes, const std::string &source);

/// Reads and parses the file at `path`.
TensorFile loadSafetensors(const std::string &path);

/// Serializes `tensors` (and string metadata) to a safetensors image.
std::string serializeSafetensors(const std::map<std::string, Tensor> &tensors,
                                 const std::map<std::string, std::string> &metadata = {});

/// Writes `tensors` to `path`; throws kiln::Error if the file cannot be written.
void saveSafetensors(const std::string &path,
                     const std::map<std::string, Tensor> &tensors,
                     const std::map<std::string, std::string> &metadata = {});

} // namespace kiln

#endif // KILN_RUNTIME_SAFETENSORS_H
