//===- Safetensors.cpp - Reading and writing .safetensors files -----------===//
//
// A safetensors file comes from outside Kiln, so the reader treats it as
// hostile: every number in the header is checked against the file before it
// is used to index or allocate anything, and every problem becomes a
// kiln::Error of the form
//
//   "<source>: tensor 'name': <what was wrong> (expected <what is valid>)"
//
// The checks follow the format's own rules (those of the reference Rust
// implementation): a JSON object header, no duplicate names, offsets that lie
// inside the byte buffer, byte spans that match shape x dtype, and tensors
// that tile the buffer exactly, with no overlaps and no holes.
//
//===----------------------------------------------------------------------===//
#include "runtime/Safetensors.h"
#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

// Safetensors data is little-endian and is copied straight into Tensor
// buffers, which only works on a little-endian host.
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "Safetensors.cpp assumes a little-endian host");
#endif

namespace kiln {
namespace {

using Json = nlohmann::json;

/// The reference implementation refuses headers above 100 MB; a larger
/// length is a corrupt or hostile file, not a real model.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

/// The key that holds string metadata instead of a tensor.
constexpr const char *kMetadataKey = "__metadata__";

/// How the bytes of a file dtype become Tensor elements.
enum class Conversion { Copy, Half, BFloat16 };

/// An element type as spelled in a safetensors header.
struct FileDTypeInfo {
  const char *name;
  std::size_t size;
  /// The Tensor dtype it loads as (F16 and BF16 widen to F32).
  DType loadsAs;
  Conversion conversion;
};

constexpr FileDTypeInfo kFileDTypes[] = {
    {"F32", 4, DType::F32, Conversion::Copy},
    {"F64", 8, DType::F64, Conversion::Copy},
    {"I32", 4, DType::I32, Conversion::Copy},
    {"I64", 8, DType::I64, Conversion::Copy},
    {"U8", 1, DType::U8, Conversion::Copy},
    {"BOOL", 1, DType::Bool, Conversion::Copy},
    {"F16", 2, DType::F32, Conversion::Half},
    {"BF16", 2, DType::F32, Conversion::BFloat16}};

/// Valid in the format but not loadable by Kiln; recognized only to say
/// "unsupported" rather than "unknown".
constexpr const char *kUnsupportedDTypes[] = {
    "I8",      "I16",     "U16", "U32", "U64",     "F8_E4M3",
    "F8_E5M2", "F8_E8M0", "F4",  "C64", "F6_E2M3", "F6_E3M2"};

const FileDTypeInfo *lookupFileDType(const std::string &name) {
  for (const FileDTypeInfo &info : kFileDTypes)
    if (name == info.name)
      return &info;
  return nullptr;
}

bool isUnsupportedDType(const std::string &name) {
  for (const char *unsupported : kUnsupportedDTypes)
    if (name == unsupported)
      return true;
  return false;
}

/// The safetensors spelling of a Tensor dtype, for the writer.
const char *fileDTypeName(DType dtype) {
  for (const FileDTypeInfo &info : kFileDTypes)
    if (info.conversion == Conversion::Copy && info.loadsAs == dtype)
      return info.name;
  fail("safetensors: no file dtype for ", dtypeName(dtype));
}

/// Escapes a name for a one-line message: quotes, backslashes and control
/// bytes become escapes, and very long names are shortened (a hostile header
/// can hold megabyte-long keys).
std::string escape(const std::string &name) {
  constexpr std::size_t kMaxShown = 80;
  std::size_t shown = std::min(name.size(), kMaxShown);
  // Do not cut a UTF-8 sequence in half.
  while (shown < name.size() && shown > 0 &&
         (static_cast<unsigned char>(name[shown]) & 0xc0) == 0x80)
    --shown;
  std::string s;
  for (std::size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '\'' || c == '"' || c == '\\') {
      s += '\\';
      s += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      s += buf;
    } else {
      s += static_cast<char>(c);
    }
  }
  if (shown < name.size())
    s += "...";
  return s;
}

/// A tensor or key name in single quotes, escaped: 'layer.0.weight'.
std::string quote(const std::string &name) { return "'" + escape(name) + "'"; }

/// A JSON string value in double quotes, escaped: "F33".
std::string dquote(const std::string &text) {
  return "\"" + escape(text) + "\"";
}

/// "a string", "an array", ...: what a JSON value is, for messages.
std::string describeType(const Json &value) {
  switch (value.type()) {
  case Json::value_t::object:
    return "an object";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::string:
    return "a string";
  case Json::value_t::boolean:
    return "a boolean";
  case Json::value_t::null:
    return "null";
  default:
    return "a number";
  }
}

/// A scalar JSON value as written (numbers only; used in messages).
std::string showNumber(const Json &value) {
  return value.is_number() ? value.dump() : describeType(value);
}

/// Reads an IEEE binary16 value.
float halfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, which is exact in float.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) {
    // Inf or NaN; keep the NaN payload bits.
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    // Normal: rebias the exponent from 15 to 127.
    bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

/// Reads a bfloat16 value: the top half of a float.
float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

/// One tensor entry after its header fields have been checked.
struct Entry {
  std::string name;
  const FileDTypeInfo *dtype = nullptr;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

/// Checks headers and data of one image; `source` prefixes every message.
class Parser {
public:
  Parser(const std::string &bytes, const std::string &source)
      : bytes_(bytes), source_(source) {}

  TensorFile parse();

private:
  template <typename... Parts> [[noreturn]] void error(Parts &&...parts) {
    fail(source_, ": ", std::forward<Parts>(parts)...);
  }
  template <typename... Parts>
  [[noreturn]] void tensorError(const std::string &name, Parts &&...parts) {
    error("tensor ", quote(name), ": ", std::forward<Parts>(parts)...);
  }

  Json parseHeader(const std::string &text);
  void readMetadata(const Json &value, TensorFile &file);
  Entry readEntry(const std::string &name, const Json &value);
  Shape readShape(const std::string &name, const Json &value);
  uint64_t readOffset(const std::string &name, const Json &value, int index);
  void checkTiling(std::vector<Entry> &entries, uint64_t bufferSize);
  Tensor loadTensor(const Entry &entry, const unsigned char *data);

  const std::string &bytes_;
  const std::string &source_;
};

Json Parser::parseHeader(const std::string &text) {
  // nlohmann keeps the last of duplicate keys silently; a parser callback
  // sees every key, so a stack of per-object key sets catches duplicates at
  // any depth. The callback only records, so the parser's own error (if
  // any) wins.
  std::vector<std::set<std::string>> objectKeys;
  std::string topKey; // the tensor whose entry is being parsed
  bool haveTopKey = false;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json &parsed) {
    if (event == Json::parse_event_t::object_start) {
      objectKeys.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!objectKeys.empty())
        objectKeys.pop_back();
    } else if (event == Json::parse_event_t::key && !objectKeys.empty()) {
      const std::string &key = parsed.get_ref<const std::string &>();
      // Keys at depth 1 are the tensor names of the top-level object.
      if (depth == 1) {
        topKey = key;
        haveTopKey = true;
      }
      if (duplicate.empty() && !objectKeys.back().insert(key).second) {
        if (depth == 1)
          duplicate = "duplicate tensor name " + quote(key) +
                      " in the header (expected unique names)";
        else
          duplicate = "duplicate key " + dquote(key) + " inside " +
                      (haveTopKey ? quote(topKey) : "the header") +
                      " (expected unique keys)";
      }
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(text, callback);
  } catch (const Json::exception &e) {
    // Mostly parse_error, but a number such as 1e999 is out_of_range.
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix and keep the
    // reason short: the "last read" part can quote a long token.
    std::string what = e.what();
    std::size_t bracket = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
      what = what.substr(bracket + 2);
    // The quoted token can hold any bytes of the file; escape all but
    // printable ASCII so the message stays one line of valid UTF-8.
    std::string reason;
    for (std::size_t i = 0; i < what.size() && i < 200; ++i) {
      unsigned char c = static_cast<unsigned char>(what[i]);
      if (c >= 0x20 && c < 0x7f) {
        reason += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", c);
        reason += buf;
      }
    }
    if (what.size() > 200)
      reason += "...";
    error("header is not valid JSON: ", reason);
  }
  if (!duplicate.empty())
    error(duplicate);
  if (!header.is_object())
    error("header is ",
          header.is_array() ? "a JSON array" : describeType(header),
          ", expected a JSON object mapping tensor names to entries");
  return header;
}

void Parser::readMetadata(const Json &value, TensorFile &file) {
  if (!value.is_object())
    error(kMetadataKey, " is ", describeType(value),
          ", expected an object mapping strings to strings");
  for (const auto &item : value.items()) {
    if (!item.value().is_string())
      error(kMetadataKey, " value for key ", quote(item.key()), " is ",
            describeType(item.value()), ", expected a string");
    file.metadata[item.key()] = item.value().get<std::string>();
  }
}

Shape Parser::readShape(const std::string &name, const Json &value) {
  if (!value.is_array())
    tensorError(name, "\"shape\" is ", describeType(value),
                ", expected an array of non-negative integers");
  Shape shape;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json &dim = value[i];
    if (dim.is_number_unsigned()) {
      uint64_t d = dim.get<uint64_t>();
      if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        tensorError(name, "shape[", i, "] is ", d, ", expected at most 2^63-1");
      shape.push_back(static_cast<int64_t>(d));
    } else if (dim.is_number_integer()) {
      // nlohmann stores non-negative integers as unsigned, so this is < 0.
      tensorError(name, "shape[", i, "] is a negative dimension ",
                  dim.get<int64_t>(), " (expected dimensions >= 0)");
    } else {
      tensorError(name, "shape[", i, "] is ", showNumber(dim),
                  ", expected a non-negative integer");
    }
  }
  // Overflow-safe product; Tensor would also refuse, but without the file
  // and tensor names.
  int64_t numel = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(numel, d, &numel))
      tensorError(name, "shape ", shapeToString(shape),
                  " has more elements than fit in int64");
  return shape;
}

uint64_t Parser::readOffset(const std::string &name, const Json &value,
                            int index) {
  const Json &offset = value[index];
  if (!offset.is_number_unsigned())
    tensorError(name, "data_offsets[", index, "] is ", showNumber(offset),
                ", expected a non-negative integer");
  return offset.get<uint64_t>();
}

Entry Parser::readEntry(const std::string &name, const Json &value) {
  if (!value.is_object())
    tensorError(name, "entry is ", describeType(value),
                ", expected an object with dtype, shape and data_offsets");
  Entry entry;
  entry.name = name;

  auto dtypeIt = value.find("dtype");
  if (dtypeIt == value.end())
    tensorError(name, "missing \"dtype\" (expected e.g. \"F32\")");
  if (!dtypeIt->is_string())
    tensorError(name, "\"dtype\" is ", describeType(*dtypeIt),
                ", expected a string such as \"F32\"");
  const std::string &dtypeName = dtypeIt->get_ref<const std::string &>();
  entry.dtype = lookupFileDType(dtypeName);
  if (!entry.dtype && isUnsupportedDType(dtypeName))
    tensorError(name, "unsupported dtype ", dtypeName,
                " (Kiln loads F32, F64, I32, I64, U8, BOOL, and F16/BF16 as "
                "F32)");
  if (!entry.dtype)
    tensorError(name, "unknown dtype ", dquote(dtypeName),
                " (expected one of F32, F64, I32, I64, U8, BOOL, F16, BF16)");

  auto shapeIt = value.find("shape");
  if (shapeIt == value.end())
    tensorError(name, "missing \"shape\" (expected an array of dimensions)");
  entry.shape = readShape(name, *shapeIt);

  auto offsetsIt = value.find("data_offsets");
  if (offsetsIt == value.end())
    tensorError(name, "missing \"data_offsets\" (expected [begin, end])");
  if (!offsetsIt->is_array() || offsetsIt->size() != 2)
    tensorError(name, "\"data_offsets\" is ",
                offsetsIt->is_array()
                    ? "an array of length " + std::to_string(offsetsIt->size())
                    : describeType(*offsetsIt),
                ", expected [begin, end]");
  entry.begin = readOffset(name, *offsetsIt, 0);
  entry.end = readOffset(name, *offsetsIt, 1);
  return entry;
}

/// The offsets as written, for messages: "[0, 24]".
std::string showOffsets(const Entry &e) {
  return "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
}

void Parser::checkTiling(std::vector<Entry> &entries, uint64_t bufferSize) {
  for (const Entry &e : entries) {
    if (e.begin > e.end)
      tensorError(e.name, "data_offsets ", showOffsets(e),
                  " have begin > end (expected begin <= end)");
    if (e.end > bufferSize)
      tensorError(e.name, "data_offsets ", showOffsets(e),
                  " run past the end of the ", bufferSize, "-byte data buffer");
    // numel fits int64 (checked in readShape) and the span fits the buffer,
    // so compare in elements: no multiplication can overflow.
    const uint64_t span = e.end - e.begin;
    const std::size_t esize = e.dtype->size;
    const uint64_t numel = static_cast<uint64_t>(numElements(e.shape));
    if (span % esize != 0)
      tensorError(e.name, "data_offsets ", showOffsets(e), " span ", span,
                  " bytes, not a whole number of ", e.dtype->name,
                  " elements (", esize, " bytes each)");
    if (span / esize != numel)
      tensorError(e.name, "data_offsets ", showOffsets(e), " hold ",
                  span / esize, " ", e.dtype->name, " elements, but shape ",
                  shapeToString(e.shape), " has ", numel,
                  " (expected end - begin == ", numel, " * ", esize, ")");
  }
  // The format requires the tensors to tile the buffer: sorted by offset,
  // each begins exactly where the previous one ended.
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
    return std::make_pair(a.begin, a.end) < std::make_pair(b.begin, b.end);
  });
  uint64_t cursor = 0;
  const Entry *previous = nullptr;
  for (const Entry &e : entries) {
    if (e.begin < cursor)
      error("tensors ", quote(previous->name), " ", showOffsets(*previous),
            " and ", quote(e.name), " ", showOffsets(e),
            " overlap (expected each byte of the data buffer to belong to "
            "one tensor)");
    if (e.begin > cursor)
      error("bytes [", cursor, ", ", e.begin, ") of the ", bufferSize,
            "-byte data buffer belong to no tensor (expected the tensors to "
            "cover the buffer without holes)");
    cursor = e.end;
    if (e.end > e.begin)
      previous = &e;
  }
  if (cursor != bufferSize)
    error("bytes [", cursor, ", ", bufferSize, ") of the ", bufferSize,
          "-byte data buffer belong to no tensor (expected the tensors to "
          "cover the buffer without holes)");
}

Tensor Parser::loadTensor(const Entry &entry, const unsigned char *data) {
  Tensor t(entry.shape, entry.dtype->loadsAs);
  const unsigned char *src = data + entry.begin;
  const std::size_t n = static_cast<std::size_t>(t.numel());
  if (entry.dtype->conversion != Conversion::Copy) {
    const bool isHalf = entry.dtype->conversion == Conversion::Half;
    float *out = t.data<float>();
    for (std::size_t i = 0; i < n; ++i) {
      uint16_t v = static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8));
      out[i] = isHalf ? halfToFloat(v) : bfloat16ToFloat(v);
    }
    return t;
  }
  // Any byte but 0 or 1 is not a valid C++ bool; reading it would be UB.
  if (entry.dtype->loadsAs == DType::Bool)
    for (std::size_t i = 0; i < n; ++i)
      if (src[i] > 1)
        tensorError(entry.name, "BOOL element ", i, " is ",
                    static_cast<int>(src[i]), ", expected 0 or 1");
  if (n)
    std::memcpy(t.rawData(), src, t.nbytes());
  return t;
}

TensorFile Parser::parse() {
  const uint64_t fileSize = bytes_.size();
  if (fileSize < 8)
    error("file is ", fileSize,
          " bytes, too short for the 8-byte header length (expected at least "
          "8 bytes)");
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | static_cast<unsigned char>(bytes_[i]);
  if (headerSize > kMaxHeaderBytes)
    error("header length ", headerSize, " is absurdly large (expected at most ",
          kMaxHeaderBytes, " bytes)");
  if (headerSize > fileSize - 8)
    error("header length ", headerSize, " runs past the end of the file (only ",
          fileSize - 8, " bytes follow the 8-byte length field)");

  Json header = parseHeader(bytes_.substr(8, headerSize));
  TensorFile file;
  std::vector<Entry> entries;
  for (const auto &item : header.items()) {
    if (item.key() == kMetadataKey)
      readMetadata(item.value(), file);
    else
      entries.push_back(readEntry(item.key(), item.value()));
  }
  const uint64_t bufferSize = fileSize - 8 - headerSize;
  checkTiling(entries, bufferSize);

  const unsigned char *data =
      reinterpret_cast<const unsigned char *>(bytes_.data()) + 8 + headerSize;
  for (const Entry &e : entries)
    file.tensors.emplace(e.name, loadTensor(e, data));
  return file;
}

} // namespace

TensorFile parseSafetensors(const std::string &bytes,
                            const std::string &source) {
  return Parser(bytes, source).parse();
}

TensorFile loadSafetensors(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    fail(path, ": cannot open for reading: ", std::strerror(errno));
  // Read in chunks rather than trusting a size from fseek/ftell, so pipes
  // and files that change under us still read correctly.
  std::string bytes;
  char chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
    bytes.append(chunk, got);
  const bool failed = std::ferror(f);
  const int readErrno = errno;
  std::fclose(f);
  if (failed)
    fail(path, ": cannot read: ", std::strerror(readErrno));
  return parseSafetensors(bytes, path);
}

std::string
serializeSafetensors(const std::map<std::string, Tensor> &tensors,
                     const std::map<std::string, std::string> &metadata) {
  Json header = Json::object();
  uint64_t offset = 0;
  for (const auto &[name, tensor] : tensors) {
    if (name == kMetadataKey)
      fail("serializeSafetensors: tensor name ", quote(name),
           " is reserved for metadata (expected another name)");
    if (!tensor.defined())
      fail("serializeSafetensors: tensor ", quote(name),
           " is undefined (expected a tensor with storage)");
    const uint64_t size = tensor.nbytes();
    header[name] = {{"dtype", fileDTypeName(tensor.dtype())},
                    {"shape", tensor.shape()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  if (!metadata.empty())
    header[kMetadataKey] = metadata;

  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error &) {
    // dump() refuses strings that are not UTF-8.
    fail("serializeSafetensors: a tensor name or metadata string is not "
         "valid UTF-8 (expected UTF-8 text)");
  }
  // Pad so that the byte buffer starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + text.size() + offset);
  const uint64_t headerSize = text.size();
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((headerSize >> (8 * i)) & 0xff));
  out += text;
  for (const auto &entry : tensors)
    out.append(static_cast<const char *>(entry.second.rawData()),
               entry.second.nbytes());
  return out;
}

void saveSafetensors(const std::string &path,
                     const std::map<std::string, Tensor> &tensors,
                     const std::map<std::string, std::string> &metadata) {
  const std::string bytes = serializeSafetensors(tensors, metadata);
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    fail(path, ": cannot open for writing: ", std::strerror(errno));
  const bool wrote =
      std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int writeErrno = errno;
  // fclose flushes, so it can be the call that reports a full disk.
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed)
    fail(path, ": cannot write: ", std::strerror(!wrote ? writeErrno : errno));
}

} // namespace kiln
