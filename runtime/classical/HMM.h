//===- HMM.h - Hidden Markov models with discrete emissions -----*- C++ -*-===//
//
//   auto hmm = kiln::ml::DiscreteHMM::fromParameters(start, trans, emit);
//   double ll = hmm.logLikelihood(observations);     // forward algorithm
//   auto path = hmm.viterbi(observations);           // most likely states
//   hmm.fit({seq1, seq2});                           // Baum-Welch (EM)
//
// K hidden states, M symbols: start (K), transitions (K x K, rows sum to 1),
// emissions (K x M, rows sum to 1). Forward-backward uses per-step scaling
// (Rabiner 1989), so long sequences neither underflow nor need logs in the
// inner loop; the log-likelihood is the sum of the logs of the scale
// factors. Viterbi works in log space. Baum-Welch re-estimates all three
// from the expected counts over every sequence until the total
// log-likelihood improves by less than tol; a state with no expected visits
// keeps its previous rows (no 0/0).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_CLASSICAL_HMM_H
#define KILN_RUNTIME_CLASSICAL_HMM_H

#include "runtime/classical/Common.h"

namespace kiln::ml {

using Sequence = std::vector<int>;

struct HMMOptions {
  int nStates = 2;
  int nSymbols = 2;
  int maxIter = 100;
  double tol = 1e-4; ///< on the total log-likelihood; 0 runs exactly maxIter iterations
  uint64_t seed = 0; ///< random initial parameters when fit starts unfitted
};

class DiscreteHMM {
public:
  explicit DiscreteHMM(HMMOptions options = {}) : options_(options) {}
  /// A model with given parameters (checked: shapes, non-negative, rows sum to 1).
  static DiscreteHMM fromParameters(const Vector &start, const Matrix &transitions,
                                    const Matrix &emissions, HMMOptions options = {});

  /// Baum-Welch on one or more sequences, from the current parameters (or a
  /// seeded random start when the model has none).
  DiscreteHMM &fit(const std::vector<Sequence> &sequences);
  /// log P(observations); -infinity when the model gives them probability 0.
  double logLikelihood(const Sequence &obs) const;
  /// P(state at t | all observations), T x K.
  Matrix posteriors(const Sequence &obs) const;
  /// The most likely state path; its log-probability in *logProb if given.
  Sequence viterbi(const Sequence &obs, double *logProb = nullptr) const;

  const Vector &start() const { return start_; }
  const Matrix &transitions() const { return trans_; }
  const Matrix &emissions() const { return emit_; }
  /// Total log-likelihood before each Baum-Welch update of the last fit.
  const std::vector<double> &history() const { return history_; }
  bool converged() const { return converged_; }
  void save(const std::string &path) const;
  static DiscreteHMM load(const std::string &path);

private:
  struct Pass {
    Matrix alpha, beta; ///< T x K, scaled
    Vector scale;       ///< T
    double logLik = 0;
  };
  Pass forwardBackward(const Sequence &obs, bool backward, const char *who) const;
  void checkSequence(const std::string &who, const Sequence &obs) const;
  void validate(const std::string &who) const;

  HMMOptions options_;
  Vector start_;
  Matrix trans_, emit_;
  std::vector<double> history_;
  bool converged_ = false;
};

} // namespace kiln::ml

#endif // KILN_RUNTIME_CLASSICAL_HMM_H
