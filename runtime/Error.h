//===- Error.h - Kiln's error type ------------------------------*- C++ -*-===//
//
// Every user mistake in Kiln (a shape that does not fit an op, a malformed
// weights file, a bad flag) is reported as a kiln::Error whose message names
// what was wrong and what was expected. Kiln never asserts or crashes on bad
// input; it throws this type.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_ERROR_H
#define KILN_RUNTIME_ERROR_H

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace kiln {

/// The exception type of every Kiln API. `what()` is a one-line,
/// human-readable message such as
/// "kiln.matmul: contracting dimensions differ: lhs 2x3, rhs 4x5 (expected
/// lhs[-1] == rhs[-2])".
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

namespace detail {
inline void appendAll(std::ostringstream &) {}
template <typename T, typename... Rest>
void appendAll(std::ostringstream &os, T &&first, Rest &&...rest) {
  os << std::forward<T>(first);
  appendAll(os, std::forward<Rest>(rest)...);
}
} // namespace detail

/// Builds a message from streamable parts and throws it as a kiln::Error:
/// `fail("kiln.add: cannot broadcast ", a, " with ", b)`.
template <typename... Parts>
[[noreturn]] void fail(Parts &&...parts) {
  std::ostringstream os;
  detail::appendAll(os, std::forward<Parts>(parts)...);
  throw Error(os.str());
}

} // namespace kiln

#endif // KILN_RUNTIME_ERROR_H
