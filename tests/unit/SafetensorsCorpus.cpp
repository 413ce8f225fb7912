//===- SafetensorsCorpus.cpp - Malformed safetensors files ----------------===//
//
// Each case is written out by hand: the 8-byte length, the JSON text and the
// data bytes. Most cases are a small valid file with exactly one thing
// broken, so that the expected message can only come from the check meant
// to catch that one thing.
//
//===----------------------------------------------------------------------===//
#include "tests/unit/SafetensorsCorpus.h"

#include <cstdint>
#include <string>

namespace kiln::testing {
namespace {

/// `value` as 8 little-endian bytes: the header-length field.
std::string le64(uint64_t value) {
  std::string s;
  for (int i = 0; i < 8; ++i)
    s.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return s;
}

/// A complete image: length field, header text, data buffer.
std::string image(const std::string &header, const std::string &data) {
  return le64(header.size()) + header + data;
}

/// `count` little-endian F32 ones (00 00 80 3f), i.e. `4 * count` bytes.
std::string f32Ones(int count) {
  std::string s;
  for (int i = 0; i < count; ++i)
    s += std::string("\x00\x00\x80\x3f", 4);
  return s;
}

/// A header with one tensor entry named 'w'.
std::string oneTensor(const std::string &entry) {
  return "{\"w\": " + entry + "}";
}

} // namespace

std::vector<BadFile> makeMalformedSafetensorsCorpus() {
  std::vector<BadFile> corpus;
  auto add = [&](std::string name, std::string bytes, std::string expected) {
    corpus.push_back({std::move(name), std::move(bytes), std::move(expected)});
  };

  // A valid one-tensor file that several cases cut or misdescribe.
  const std::string validHeader =
      oneTensor(R"({"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})");
  const std::string validFile = image(validHeader, f32Ones(2));
  const std::string validHeaderSize = std::to_string(validHeader.size());

  // --- The length field. ---
  add("empty-file", "", "file is 0 bytes, too short");
  add("truncated-length", std::string("\x10\x00\x00\x00\x00", 5),
      "file is 5 bytes, too short for the 8-byte header length");
  add("truncated-header", validFile.substr(0, 8 + 20),
      "header length " + validHeaderSize +
          " runs past the end of the file (only 20 bytes follow");
  add("header-length-past-end",
      le64(validHeader.size() + 1000) + validHeader + f32Ones(2),
      "header length " + std::to_string(validHeader.size() + 1000) +
          " runs past the end of the file");
  add("header-length-huge", le64(UINT64_MAX) + "{}",
      "header length 18446744073709551615 is absurdly large");

  // --- The JSON text. ---
  add("not-json", image("this is not json", ""),
      "header is not valid JSON: parse error");
  add("invalid-utf8-name", image("{\"\xff\": {}}", ""), "ill-formed UTF-8");
  add("header-is-array", image("[1, 2, 3]", ""),
      "header is a JSON array, expected a JSON object");
  add("duplicate-names",
      image(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
            R"( "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
            f32Ones(2)),
      "duplicate tensor name 'w'");
  add("duplicate-key-in-entry",
      image(oneTensor(R"({"dtype": "F32", "dtype": "F64", "shape": [1], )"
                      R"("data_offsets": [0, 8]})"),
            f32Ones(2)),
      "duplicate key \"dtype\" inside 'w'");

  // --- Entry fields. ---
  add("entry-not-object", image(oneTensor(R"("F32")"), ""),
      "tensor 'w': entry is a string, expected an object");
  add("missing-data-offsets",
      image(oneTensor(R"({"dtype": "F32", "shape": [2]})"), f32Ones(2)),
      "tensor 'w': missing \"data_offsets\"");
  add("dtype-not-string",
      image(oneTensor(R"({"dtype": 32, "shape": [2], "data_offsets": [0, 8]})"),
            f32Ones(2)),
      "tensor 'w': \"dtype\" is a number, expected a string");
  add("unknown-dtype",
      image(oneTensor(
                R"({"dtype": "F33", "shape": [2], "data_offsets": [0, 8]})"),
            f32Ones(2)),
      "tensor 'w': unknown dtype \"F33\"");
  add("unsupported-dtype",
      image(
          oneTensor(R"({"dtype": "I8", "shape": [8], "data_offsets": [0, 8]})"),
          f32Ones(2)),
      "tensor 'w': unsupported dtype I8");
  add("negative-dim",
      image(
          oneTensor(
              R"({"dtype": "F32", "shape": [2, -3], "data_offsets": [0, 8]})"),
          f32Ones(2)),
      "tensor 'w': shape[1] is a negative dimension -3");
  add("non-integer-dim",
      image(oneTensor(
                R"({"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]})"),
            f32Ones(2)),
      "tensor 'w': shape[0] is 2.5, expected a non-negative integer");
  add("dim-beyond-int64",
      image(oneTensor(R"({"dtype": "U8", "shape": [18446744073709551615], )"
                      R"("data_offsets": [0, 0]})"),
            ""),
      "shape[0] is 18446744073709551615, expected at most 2^63-1");
  // 2^32 * 2^32 = 2^64: each dim is fine, the product is not.
  add("dims-overflow",
      image(oneTensor(R"({"dtype": "U8", "shape": [4294967296, 4294967296], )"
                      R"("data_offsets": [0, 0]})"),
            ""),
      "shape 4294967296x4294967296 has more elements than fit in int64");
  add("data-offsets-not-pair",
      image(oneTensor(R"({"dtype": "F32", "shape": [2], "data_offsets": [0]})"),
            f32Ones(2)),
      "\"data_offsets\" is an array of length 1, expected [begin, end]");
  add("negative-offset",
      image(oneTensor(
                R"({"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]})"),
            ""),
      "data_offsets[0] is -4, expected a non-negative integer");

  // --- Offsets against the byte buffer. ---
  add("begin-greater-than-end",
      image(oneTensor(
                R"({"dtype": "F32", "shape": [1], "data_offsets": [8, 4]})"),
            f32Ones(2)),
      "data_offsets [8, 4] have begin > end");
  add("offsets-out-of-bounds",
      image(oneTensor(
                R"({"dtype": "F32", "shape": [4], "data_offsets": [0, 16]})"),
            f32Ones(2)),
      "data_offsets [0, 16] run past the end of the 8-byte data buffer");
  add("offsets-near-uint64-max",
      image(oneTensor(R"({"dtype": "U8", "shape": [7], "data_offsets": )"
                      R"([18446744073709551608, 18446744073709551615]})"),
            f32Ones(2)),
      "[18446744073709551608, 18446744073709551615] run past the end");
  add("truncated-data", validFile.substr(0, validFile.size() - 4),
      "data_offsets [0, 8] run past the end of the 4-byte data buffer");
  add("wrong-dtype-size",
      image(oneTensor(
                R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 10]})"),
            f32Ones(2) + "\x01\x02"),
      "span 10 bytes, not a whole number of F32 elements");
  add("shape-size-mismatch",
      image(
          oneTensor(
              R"({"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]})"),
          f32Ones(4)),
      "hold 4 F32 elements, but shape 2x3 has 6");
  // Nothing is allocated for this one: the span check fails first.
  add("huge-dim-no-data",
      image(oneTensor(R"({"dtype": "U8", "shape": [9223372036854775807], )"
                      R"("data_offsets": [0, 0]})"),
            ""),
      "hold 0 U8 elements, but shape 9223372036854775807 has");
  add("overlapping-offsets",
      image(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},)"
            R"( "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
            f32Ones(6)),
      "tensors 'a' [0, 16] and 'b' [8, 24] overlap");
  add("hole-in-buffer",
      image(
          R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
          R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}})",
          f32Ones(6)),
      "bytes [8, 16) of the 24-byte data buffer belong to no tensor");
  add("trailing-bytes", image(validHeader, f32Ones(3)),
      "bytes [8, 12) of the 12-byte data buffer belong to no tensor");

  // --- Data and metadata. ---
  add("bool-bad-byte",
      image(oneTensor(
                R"({"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]})"),
            std::string("\x00\x01\x02", 3)),
      "BOOL element 2 is 2, expected 0 or 1");
  add("bad-metadata", image(R"({"__metadata__": {"format": 1}})", ""),
      "__metadata__ value for key 'format' is a number, expected a string");
  add("metadata-not-object", image(R"({"__metadata__": ["pt"]})", ""),
      "__metadata__ is an array, expected an object");
  return corpus;
}

} // namespace kiln::testing
