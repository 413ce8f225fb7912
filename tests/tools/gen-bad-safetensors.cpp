//===- gen-bad-safetensors.cpp - Write the malformed safetensors corpus ---===//
//
// Usage: gen-bad-safetensors OUTDIR
//
// Writes every case of the malformed corpus (tests/unit/SafetensorsCorpus.h)
// to OUTDIR/<name>.safetensors, and OUTDIR/expected.txt with one line per
// case, "<name>.safetensors<TAB><expected error substring>", so that a lit
// test can run the kiln-run CLI over each file and check its message. The
// corpus lives in code rather than in checked-in binaries so that each case
// stays readable and next to the message it must produce.
//
//===----------------------------------------------------------------------===//
#include "tests/unit/SafetensorsCorpus.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

/// Writes `bytes` to `path`; prints why and returns false on failure.
bool writeFile(const std::string &path, const std::string &bytes) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr,
                 "gen-bad-safetensors: %s: cannot open for writing: %s\n",
                 path.c_str(), std::strerror(errno));
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  // fclose flushes, so it can be the call that fails.
  ok = std::fclose(f) == 0 && ok;
  if (!ok)
    std::fprintf(stderr, "gen-bad-safetensors: %s: cannot write: %s\n",
                 path.c_str(), std::strerror(errno));
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gen-bad-safetensors OUTDIR\n");
    return 2;
  }
  const std::string outDir = argv[1];
  std::string expected;
  for (const auto &bad : kiln::testing::makeMalformedSafetensorsCorpus()) {
    const std::string fileName = bad.name + ".safetensors";
    if (!writeFile(outDir + "/" + fileName, bad.bytes))
      return 1;
    expected += fileName + "\t" + bad.expectedError + "\n";
  }
  return writeFile(outDir + "/expected.txt", expected) ? 0 : 1;
}
