//===- SVM.h - Linear support vector machines -------------------*- C++ -*-===//
//
//   kiln::ml::LinearSVM svm({.C = 1.0});
//   svm.fit(Xtrain, labels);           // 2 classes: one machine; K > 2: one-vs-rest
//   Labels predicted = svm.predict(Xtest);
//
// Minimizes 0.5 ||w||^2 + C sum loss(y_i (w.x_i + b)) with the hinge loss
// max(0, 1 - m) or the squared hinge max(0, 1 - m)^2 (the default, as
// scikit-learn's LinearSVC), by dual coordinate descent (Hsieh et al., ICML
// 2008): one dual variable at a time, in a random order each epoch, until the
// spread of projected gradients is below tol. The intercept is learned as the
// weight of a constant feature of value interceptScaling (so it is
// regularized too, as in liblinear). Multi-class: one binary machine per
// class against the rest, trained in parallel on `threads` threads; predict
// takes the class with the largest decision value.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_SVM_H
#define KILN_RUNTIME_CLASSICAL_SVM_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

enum class SvmLoss { Hinge, SquaredHinge };

struct LinearSVMOptions {
  double C = 1.0;
  SvmLoss loss = SvmLoss::SquaredHinge;
  double tol = 1e-4;
  int maxIter = 1000; ///< epochs over the data
  bool fitIntercept = true;
  double interceptScaling = 1.0;
  uint64_t seed = 0;
  int threads = 0;
};

class LinearSVM {
public:
  explicit LinearSVM(LinearSVMOptions options = {}) : options_(options) {}
  LinearSVM &fit(const Matrix &X, const Labels &y);
  /// n x 1 for two classes (positive = the larger label), else n x classes.
  Matrix decisionFunction(const Matrix &X) const;
  Labels predict(const Matrix &X) const;
  double score(const Matrix &X, const Labels &y) const;
  const Labels &classes() const { return classes_; }
  /// machines x features (1 row for two classes)
  const Matrix &coef() const { return coef_; }
  const Vector &intercept() const { return intercept_; }
  /// Largest number of epochs any machine needed.
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  void save(const std::string &path) const;
  static LinearSVM load(const std::string &path);

private:
  LinearSVMOptions options_;
  Labels classes_;
  Matrix coef_;
  Vector intercept_;
  int iterations_ = 0;
  bool converged_ = false;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_SVM_H
