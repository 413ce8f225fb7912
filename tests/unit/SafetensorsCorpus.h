//===- SafetensorsCorpus.h - Malformed safetensors files --------*- C++ -*-===//
//
// A corpus of broken safetensors images, each built byte by byte (never with
// Kiln's writer, so a writer bug cannot hide a reader bug) together with the
// part of the error message the reader must give for it. The unit tests parse
// each image in memory; tests/tools/gen-bad-safetensors writes them to disk
// for the lit tests of the kiln-run CLI.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TESTS_UNIT_SAFETENSORSCORPUS_H
#define KILN_TESTS_UNIT_SAFETENSORSCORPUS_H

#include <string>
#include <vector>

namespace kiln::testing {

/// One malformed safetensors image.
struct BadFile {
  /// A file-name-safe identifier, e.g. "overlapping-offsets".
  std::string name;
  /// The complete file contents.
  std::string bytes;
  /// A substring of the kiln::Error message the reader must throw; distinct
  /// for every case, so that a match shows the intended check fired.
  std::string expectedError;
};

/// Builds every malformed image, in a fixed order with unique names.
std::vector<BadFile> makeMalformedSafetensorsCorpus();

} // namespace kiln::testing

#endif // KILN_TESTS_UNIT_SAFETENSORSCORPUS_H
