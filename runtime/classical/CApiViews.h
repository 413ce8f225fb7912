//===- CApiViews.h - Strided views of the C ABI's memref arguments -*- C++ -*-===//
//
// Internal to runtime/classical/CApi*.cpp: the expanded memref parameters of
// CApi.h wrapped as small strided views, and the error helper every C ABI
// function uses.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_CAPIVIEWS_H
#define KILN_RUNTIME_CLASSICAL_CAPIVIEWS_H

#include "runtime/classical/CApi.h"

#include <sstream>

namespace kiln::ml::capi {

template <typename T> struct View1 {
  T *p;
  int64_t n0, s0;
  T &operator()(int64_t i) const { return p[i * s0]; }
  void fill(T v) const {
    for (int64_t i = 0; i < n0; ++i)
      (*this)(i) = v;
  }
};

template <typename T> struct View2 {
  T *p;
  int64_t n0, n1, s0, s1;
  T &operator()(int64_t i, int64_t j) const { return p[i * s0 + j * s1]; }
  void fill(T v) const {
    for (int64_t i = 0; i < n0; ++i)
      for (int64_t j = 0; j < n1; ++j)
        (*this)(i, j) = v;
  }
};

template <typename T> struct View3 {
  T *p;
  int64_t n0, n1, n2, s0, s1, s2;
  T &operator()(int64_t i, int64_t j, int64_t k) const {
    return p[i * s0 + j * s1 + k * s2];
  }
};

/// "[3, 4]"
inline std::string shapeString(std::initializer_list<int64_t> dims) {
  std::ostringstream s;
  s << "[";
  const char *sep = "";
  for (int64_t d : dims) {
    s << sep << d;
    sep = ", ";
  }
  s << "]";
  return s.str();
}

/// Records "'op' op: parts..." (see setError).
template <typename... Parts> void opError(const char *op, const Parts &...parts) {
  std::ostringstream s;
  s << "'" << op << "' op (at run time): ";
  (s << ... << parts);
  setError(s.str());
}

} // namespace kiln::ml::capi

#define KILN_ML_VIEW1(n)                                                                 \
  { n + n##Off, n##N0, n##S0 }
#define KILN_ML_VIEW2(n)                                                                 \
  { n + n##Off, n##N0, n##N1, n##S0, n##S1 }
#define KILN_ML_VIEW3(n)                                                                 \
  { n + n##Off, n##N0, n##N1, n##N2, n##S0, n##S1, n##S2 }

#endif // KILN_RUNTIME_CLASSICAL_CAPIVIEWS_H
