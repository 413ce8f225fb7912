//===- TestSupport.h - Helpers shared by Kiln's gtest suites ----*- C++ -*-===//
#ifndef KILN_TESTS_TESTSUPPORT_H
#define KILN_TESTS_TESTSUPPORT_H

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <exception>
#include <string>

namespace kiln::testing {

/// Runs `body`, which must throw a kiln::Error, and returns its message
/// (recording a test failure, and returning "", when it does not).
template <typename Body> std::string errorOf(Body &&body) {
  try {
    body();
  } catch (const kiln::Error &e) {
    return e.what();
  } catch (const std::exception &e) {
    ADD_FAILURE() << "expected a kiln::Error, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected a kiln::Error, nothing was thrown";
  return "";
}

} // namespace kiln::testing

/// Expects `haystack` (a string) to contain `needle`, printing both if not.
#define EXPECT_CONTAINS(haystack, needle)                                                  \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                        \
      << "message: " << (haystack) << "\nexpected to contain: " << (needle)

#endif // KILN_TESTS_TESTSUPPORT_H
