//===- CApi.h - C ABI of kiln::ml for compiled code -------------*- C++ -*-===//
//
// Functions compiled graphs call (kiln ops lowered to `func.call`, see
// backends/cpu/LowerML.cpp). Each memref operand arrives expanded the way
// MLIR's LLVM lowering passes a memref to a function without a C interface:
// (allocated, aligned, offset, sizes..., strides...). Sizes come from the
// buffers; the op verifier has checked that they agree.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_CAPI_H
#define KILN_RUNTIME_CLASSICAL_CAPI_H

#include <cstdint>

extern "C" {

/// Gaussian naive Bayes: labels[i] = argmax_c log prior[c]
///   - 1/2 sum_d (log(2 pi var[c,d]) + (x[i,d] - mean[c,d])^2 / var[c,d]),
/// as kiln::ml::GaussianNB::predict, but the index of the class.
#define KILN_ML_GNB_DECL(T, SUFFIX)                                                    \
  void kiln_ml_gaussian_nb_predict_##SUFFIX(                                           \
      T *xA, T *x, int64_t xOff, int64_t n, int64_t d, int64_t xS0, int64_t xS1,       \
      T *mA, T *m, int64_t mOff, int64_t c, int64_t md, int64_t mS0, int64_t mS1,      \
      T *vA, T *v, int64_t vOff, int64_t vc, int64_t vd, int64_t vS0, int64_t vS1,     \
      T *pA, T *p, int64_t pOff, int64_t pc, int64_t pS0, int64_t *lA, int64_t *l,     \
      int64_t lOff, int64_t ln, int64_t lS0);
KILN_ML_GNB_DECL(float, f32)
KILN_ML_GNB_DECL(double, f64)
#undef KILN_ML_GNB_DECL
}

#endif // KILN_RUNTIME_CLASSICAL_CAPI_H
