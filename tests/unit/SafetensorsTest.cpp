//===- SafetensorsTest.cpp - Tests of the safetensors reader and writer ---===//
//
// Round trips check the writer and reader against each other; a file built
// byte by byte and the F16/BF16 tables check them against the format itself;
// the malformed corpus checks that every structural problem is a kiln::Error
// with the intended message, never a crash (run these under ASan/UBSan).
//
//===----------------------------------------------------------------------===//
#include "runtime/Safetensors.h"
#include "runtime/Error.h"
#include "tests/unit/SafetensorsCorpus.h"

#include "tests/TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <unistd.h>

using namespace kiln;

namespace kiln::testing {
/// Prints a corpus case by name, not as raw bytes, in gtest messages.
void PrintTo(const BadFile &bad, std::ostream *os) { *os << bad.name; }
} // namespace kiln::testing

namespace {

using kiln::testing::errorOf;

/// `value` as 8 little-endian bytes.
std::string le64(uint64_t value) {
  std::string s;
  for (int i = 0; i < 8; ++i)
    s.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return s;
}

/// A complete image from header text and data bytes.
std::string image(const std::string &header, const std::string &data) {
  return le64(header.size()) + header + data;
}

/// A path under the test temp dir that is unique to this process.
std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "kiln-st-" + std::to_string(getpid()) + "-" +
         name;
}

/// Expects `actual` to equal `expected` in dtype, shape and every byte.
void expectSameTensor(const Tensor &actual, const Tensor &expected) {
  ASSERT_TRUE(actual.defined());
  EXPECT_EQ(actual.dtype(), expected.dtype());
  EXPECT_EQ(actual.shape(), expected.shape());
  ASSERT_EQ(actual.nbytes(), expected.nbytes());
  if (expected.nbytes()) {
    EXPECT_EQ(0, std::memcmp(actual.rawData(), expected.rawData(),
                             expected.nbytes()));
  }
}

/// A mix of every writable dtype, rank 0, and zero-size tensors.
std::map<std::string, Tensor> sampleTensors() {
  std::map<std::string, Tensor> t;
  t["f32"] = Tensor::fromVector({2, 3}, {1, -2, 3.5f, 0, -0.0f, 1e-30f});
  t["f64.scalar"] = Tensor::fromValues<double>({}, {3.141592653589793});
  t["i32"] = Tensor::fromValues<int32_t>({4}, {1, -1, INT32_MAX, INT32_MIN});
  t["i64"] = Tensor::fromValues<int64_t>({2, 1}, {INT64_MAX, INT64_MIN});
  t["u8"] = Tensor::fromValues<uint8_t>({5}, {0, 1, 127, 128, 255});
  t["bool"] = Tensor::fromValues<bool>({1, 3}, {true, false, true});
  t["empty"] = Tensor::zeros({0, 4});
  t["empty.i64"] = Tensor::zeros({3, 0}, DType::I64);
  t["a/weird name \"quoted\""] = Tensor::full({2}, 7, DType::I32);
  return t;
}

TEST(SafetensorsTest, RoundTripInMemory) {
  auto tensors = sampleTensors();
  std::map<std::string, std::string> metadata = {{"format", "pt"},
                                                 {"note", "k\xc3\xa4se"}};
  TensorFile file =
      parseSafetensors(serializeSafetensors(tensors, metadata), "<memory>");
  EXPECT_EQ(file.metadata, metadata);
  ASSERT_EQ(file.tensors.size(), tensors.size());
  for (const auto &[name, tensor] : tensors) {
    SCOPED_TRACE(name);
    ASSERT_EQ(file.tensors.count(name), 1u);
    expectSameTensor(file.tensors.at(name), tensor);
  }
}

TEST(SafetensorsTest, RoundTripThroughFile) {
  auto tensors = sampleTensors();
  std::string path = tempPath("roundtrip.safetensors");
  saveSafetensors(path, tensors, {{"k", "v"}});
  TensorFile file = loadSafetensors(path);
  std::remove(path.c_str());
  EXPECT_EQ(file.metadata.at("k"), "v");
  ASSERT_EQ(file.tensors.size(), tensors.size());
  for (const auto &[name, tensor] : tensors) {
    SCOPED_TRACE(name);
    expectSameTensor(file.tensors.at(name), tensor);
  }
}

TEST(SafetensorsTest, EmptyFileHasNoTensors) {
  std::string bytes = serializeSafetensors({});
  TensorFile file = parseSafetensors(bytes, "<memory>");
  EXPECT_TRUE(file.tensors.empty());
  EXPECT_TRUE(file.metadata.empty());
}

TEST(SafetensorsTest, WriterLayoutFollowsTheSpec) {
  auto tensors = sampleTensors();
  std::string bytes = serializeSafetensors(tensors);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  // Padded with spaces so that the data buffer starts 8-byte aligned.
  EXPECT_EQ(n % 8, 0u);
  ASSERT_LE(8 + n, bytes.size());
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
  // Tensors are laid out contiguously in name order.
  uint64_t cursor = 0;
  for (const auto &[name, tensor] : tensors) {
    SCOPED_TRACE(name);
    const auto &entry = header.at(name);
    EXPECT_EQ(entry.at("data_offsets")[0].get<uint64_t>(), cursor);
    cursor += tensor.nbytes();
    EXPECT_EQ(entry.at("data_offsets")[1].get<uint64_t>(), cursor);
    EXPECT_EQ(entry.at("shape").get<Shape>(), tensor.shape());
  }
  EXPECT_EQ(8 + n + cursor, bytes.size());
  EXPECT_EQ(header.at("f32").at("dtype"), "F32");
  EXPECT_EQ(header.at("f64.scalar").at("dtype"), "F64");
  EXPECT_EQ(header.at("i32").at("dtype"), "I32");
  EXPECT_EQ(header.at("i64").at("dtype"), "I64");
  EXPECT_EQ(header.at("u8").at("dtype"), "U8");
  EXPECT_EQ(header.at("bool").at("dtype"), "BOOL");
  EXPECT_FALSE(header.contains("__metadata__"));
}

TEST(SafetensorsTest, WriterRejectsBadInput) {
  EXPECT_NE(errorOf([] {
              serializeSafetensors({{"w", Tensor()}});
            }).find("tensor 'w' is undefined"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              serializeSafetensors({{"__metadata__", Tensor::zeros({1})}});
            }).find("reserved for metadata"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              serializeSafetensors({{"\xff", Tensor::zeros({1})}});
            }).find("not valid UTF-8"),
            std::string::npos);
}

// Written independently of the writer: tensors out of name order in the
// buffer, an unpadded-but-spaced header, metadata, and a zero-size tensor.
TEST(SafetensorsTest, ParsesHandBuiltFile) {
  std::string header =
      R"( {"__metadata__": {"format": "pt"},)"
      R"( "b": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},)"
      R"( "a": {"shape": [2, 2], "data_offsets": [8, 16], "dtype": "BF16"},)"
      R"( "c": {"dtype": "F64", "shape": [], "data_offsets": [16, 24]},)"
      R"( "e": {"dtype": "U8", "shape": [0, 5], "data_offsets": [24, 24]},)"
      R"( "h": {"dtype": "F16", "shape": [1], "data_offsets": [24, 26]},)"
      R"( "t": {"dtype": "BOOL", "shape": [2], "data_offsets": [26, 28]}}   )";
  std::string data = std::string("\x07\x00\x00\x00" // b[0] = 7
                                 "\xfe\xff\xff\xff" // b[1] = -2
                                 "\x80\x3f"         // a[0] = 1.0
                                 "\x20\xc0"         // a[1] = -2.5
                                 "\x00\x00"         // a[2] = 0
                                 "\x80\xff"         // a[3] = -inf
                                 "\x00\x00\x00\x00\x00\x00\xf8\x3f" // c = 1.5
                                 "\x00\x3c"                         // h = 1.0
                                 "\x01\x00",                        // t
                                 28);
  TensorFile file = parseSafetensors(image(header, data), "hand.safetensors");
  EXPECT_EQ(file.metadata.at("format"), "pt");
  ASSERT_EQ(file.tensors.size(), 6u);

  const Tensor &b = file.tensors.at("b");
  EXPECT_EQ(b.dtype(), DType::I32);
  EXPECT_EQ(b.data<int32_t>()[0], 7);
  EXPECT_EQ(b.data<int32_t>()[1], -2);

  const Tensor &a = file.tensors.at("a");
  EXPECT_EQ(a.dtype(), DType::F32);
  EXPECT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(a.data<float>()[0], 1.0f);
  EXPECT_EQ(a.data<float>()[1], -2.5f);
  EXPECT_EQ(a.data<float>()[2], 0.0f);
  EXPECT_EQ(a.data<float>()[3], -std::numeric_limits<float>::infinity());

  const Tensor &c = file.tensors.at("c");
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.data<double>()[0], 1.5);

  EXPECT_EQ(file.tensors.at("e").shape(), (Shape{0, 5}));
  EXPECT_EQ(file.tensors.at("e").numel(), 0);
  EXPECT_EQ(file.tensors.at("h").data<float>()[0], 1.0f);
  EXPECT_EQ(file.tensors.at("t").at(0), 1.0);
  EXPECT_EQ(file.tensors.at("t").at(1), 0.0);
}

/// Parses one F16 or BF16 value (given as its 16-bit pattern) to F32.
float load16(const char *dtype, uint16_t bits) {
  std::string header = std::string(R"({"x": {"dtype": ")") + dtype +
                       R"(", "shape": [], "data_offsets": [0, 2]}})";
  std::string data = {static_cast<char>(bits & 0xff),
                      static_cast<char>(bits >> 8)};
  TensorFile file = parseSafetensors(image(header, data), "<memory>");
  return file.tensors.at("x").data<float>()[0];
}

TEST(SafetensorsTest, ConvertsF16ToF32) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(load16("F16", 0x3c00), 1.0f);
  EXPECT_EQ(load16("F16", 0xc100), -2.5f);
  EXPECT_EQ(load16("F16", 0x7bff), 65504.0f); // largest finite
  EXPECT_EQ(load16("F16", 0x3555), 0.333251953125f);
  EXPECT_EQ(load16("F16", 0x0400), std::ldexp(1.0f, -14)); // smallest normal
  EXPECT_EQ(load16("F16", 0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(load16("F16", 0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(load16("F16", 0x8001), -std::ldexp(1.0f, -24));
  EXPECT_EQ(load16("F16", 0x7c00), inf);
  EXPECT_EQ(load16("F16", 0xfc00), -inf);
  EXPECT_TRUE(std::isnan(load16("F16", 0x7e00)));
  EXPECT_TRUE(std::isnan(load16("F16", 0x7c01))); // signalling-style payload
  float negZero = load16("F16", 0x8000);
  EXPECT_EQ(negZero, 0.0f);
  EXPECT_TRUE(std::signbit(negZero));
}

TEST(SafetensorsTest, ConvertsBF16ToF32) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(load16("BF16", 0x3f80), 1.0f);
  EXPECT_EQ(load16("BF16", 0xc020), -2.5f);
  EXPECT_EQ(load16("BF16", 0x4780), 65536.0f);
  EXPECT_EQ(load16("BF16", 0x7f7f), 0x1.fep127f);            // largest finite
  EXPECT_EQ(load16("BF16", 0x0001), std::ldexp(1.0f, -133)); // subnormal
  EXPECT_EQ(load16("BF16", 0x7f80), inf);
  EXPECT_EQ(load16("BF16", 0xff80), -inf);
  EXPECT_TRUE(std::isnan(load16("BF16", 0x7fc0)));
}

TEST(SafetensorsTest, ZeroSizeTensorsTileTheBuffer) {
  // A zero-size tensor at the end of another tensor is fine...
  std::string ok =
      R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},)"
      R"( "z": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}})";
  EXPECT_EQ(parseSafetensors(image(ok, "abcd"), "f").tensors.size(), 2u);
  // ...but one whose offsets point inside another tensor is not.
  std::string inside =
      R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},)"
      R"( "z": {"dtype": "F32", "shape": [0], "data_offsets": [2, 2]}})";
  EXPECT_NE(errorOf([&] {
              parseSafetensors(image(inside, "abcd"), "f");
            }).find("overlap"),
            std::string::npos);
}

TEST(SafetensorsTest, MessagesStayOnOneLine) {
  // Control characters in a hostile name are escaped, not printed.
  std::string header = "{\"a\\nb\": 1}";
  std::string msg =
      errorOf([&] { parseSafetensors(image(header, ""), "evil.safetensors"); });
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_NE(msg.find("tensor 'a\\x0ab'"), std::string::npos) << msg;
  // Very long names are shortened.
  std::string longName(100000, 'n');
  msg = errorOf(
      [&] { parseSafetensors(image("{\"" + longName + "\": 1}", ""), "f"); });
  EXPECT_LT(msg.size(), 300u) << msg;
  // A number too large for a double is a JSON error, not an escaped
  // nlohmann exception.
  msg = errorOf([] {
    parseSafetensors(
        image(
            R"({"w": {"dtype": "U8", "shape": [1e999], "data_offsets": [0, 0]}})",
            ""),
        "f");
  });
  EXPECT_NE(msg.find("header is not valid JSON: number overflow"),
            std::string::npos)
      << msg;
}

TEST(SafetensorsTest, DeeplyNestedHeaderIsAnErrorNotACrash) {
  const int depth = 100000;
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_NE(errorOf([&] {
              parseSafetensors(image(arrays, ""), "f");
            }).find("header is a JSON array"),
            std::string::npos);
  std::string objects;
  for (int i = 0; i < depth; ++i)
    objects += "{\"a\":";
  objects += "1" + std::string(depth, '}');
  EXPECT_NE(errorOf([&] {
              parseSafetensors(image(objects, ""), "f");
            }).find("tensor 'a': missing \"dtype\""),
            std::string::npos);
}

TEST(SafetensorsTest, MissingFileNamesThePath) {
  std::string path = tempPath("does-not-exist/model.safetensors");
  std::string msg = errorOf([&] { loadSafetensors(path); });
  EXPECT_EQ(msg.rfind(path + ": cannot open for reading", 0), 0u) << msg;
  EXPECT_NE(msg.find(std::strerror(ENOENT)), std::string::npos) << msg;
}

TEST(SafetensorsTest, DirectoryIsAReadError) {
  std::string path = ::testing::TempDir();
  std::string msg = errorOf([&] { loadSafetensors(path); });
  EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
}

TEST(SafetensorsTest, UnwritablePathNamesThePath) {
  std::string path = tempPath("no-such-dir/out.safetensors");
  std::string msg = errorOf([&] {
    saveSafetensors(path, {{"w", Tensor::zeros({1})}});
  });
  EXPECT_EQ(msg.rfind(path + ": cannot open for writing", 0), 0u) << msg;
}

// --- The malformed corpus. ---

TEST(SafetensorsCorpusTest, NamesAndExpectedErrorsAreUnique) {
  std::set<std::string> names, expected;
  for (const auto &bad : kiln::testing::makeMalformedSafetensorsCorpus()) {
    EXPECT_TRUE(names.insert(bad.name).second) << bad.name;
    EXPECT_TRUE(expected.insert(bad.expectedError).second) << bad.name;
  }
  EXPECT_GE(names.size(), 17u);
}

class MalformedSafetensors
    : public ::testing::TestWithParam<kiln::testing::BadFile> {};

TEST_P(MalformedSafetensors, IsRejectedWithTheIntendedMessage) {
  const kiln::testing::BadFile &bad = GetParam();
  const std::string source = bad.name + ".safetensors";
  std::string msg = errorOf([&] { parseSafetensors(bad.bytes, source); });
  EXPECT_NE(msg.find(bad.expectedError), std::string::npos)
      << "message: " << msg << "\nexpected to contain: " << bad.expectedError;
  // Every message starts with the source and is one line.
  EXPECT_EQ(msg.rfind(source + ": ", 0), 0u) << msg;
  // ...of printable ASCII, even when the file holds other bytes.
  for (char c : msg)
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << msg;
}

TEST_P(MalformedSafetensors, IsRejectedWhenLoadedFromAFile) {
  const kiln::testing::BadFile &bad = GetParam();
  std::string path = tempPath(bad.name + ".safetensors");
  {
    std::FILE *f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(bad.bytes.data(), 1, bad.bytes.size(), f);
    std::fclose(f);
  }
  std::string msg = errorOf([&] { loadSafetensors(path); });
  std::remove(path.c_str());
  EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(bad.expectedError), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, MalformedSafetensors,
    ::testing::ValuesIn(kiln::testing::makeMalformedSafetensorsCorpus()),
    [](const ::testing::TestParamInfo<kiln::testing::BadFile> &info) {
      std::string id = info.param.name;
      for (char &c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)))
          c = '_';
      return id;
    });

} // namespace
