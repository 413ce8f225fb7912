//===- HMM.cpp - Hidden Markov models with discrete emissions -------------===//
#include "runtime/classical/HMM.h"

#include <cmath>
#include <limits>

namespace kiln::ml {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool stochasticRows(const Matrix &m) {
  for (Index i = 0; i < m.rows(); ++i) {
    if (!(m.row(i).minCoeff() >= 0) || std::abs(m.row(i).sum() - 1.0) > 1e-8)
      return false;
  }
  return m.allFinite();
}
} // namespace

void DiscreteHMM::validate(const std::string &who) const {
  Index k = start_.size();
  if (k < 1 || trans_.rows() != k || trans_.cols() != k || emit_.rows() != k || emit_.cols() < 1)
    fail(who, ": start has ", k, " states, transitions are ", shapeOf(trans_), ", emissions ",
         shapeOf(emit_), "; expected K, KxK and KxM");
  if (!stochasticRows(start_.transpose()))
    fail(who, ": start probabilities must be >= 0 and sum to 1");
  if (!stochasticRows(trans_))
    fail(who, ": every row of the transitions (", shapeOf(trans_), ") must be >= 0 and sum to 1");
  if (!stochasticRows(emit_))
    fail(who, ": every row of the emissions (", shapeOf(emit_), ") must be >= 0 and sum to 1");
}

DiscreteHMM DiscreteHMM::fromParameters(const Vector &start, const Matrix &transitions,
                                        const Matrix &emissions, HMMOptions options) {
  DiscreteHMM m(options);
  m.start_ = start;
  m.trans_ = transitions;
  m.emit_ = emissions;
  m.validate("kiln.ml.DiscreteHMM.fromParameters");
  m.options_.nStates = static_cast<int>(start.size());
  m.options_.nSymbols = static_cast<int>(emissions.cols());
  return m;
}

void DiscreteHMM::checkSequence(const std::string &who, const Sequence &obs) const {
  checkFitted(who, start_.size() > 0);
  if (obs.empty())
    fail(who, ": the observation sequence is empty; expected at least one symbol");
  Index m = emit_.cols();
  for (std::size_t t = 0; t < obs.size(); ++t)
    if (obs[t] < 0 || obs[t] >= m)
      fail(who, ": symbol ", obs[t], " at position ", t, " is outside 0..", m - 1,
           " (the model has ", m, " symbols)");
}

DiscreteHMM::Pass DiscreteHMM::forwardBackward(const Sequence &obs, bool backward,
                                               const char *who) const {
  Index T = static_cast<Index>(obs.size()), k = start_.size();
  Pass p;
  p.alpha.resize(T, k);
  p.scale.resize(T);
  Eigen::RowVectorXd a = start_.transpose().cwiseProduct(emit_.col(obs[0]).transpose());
  for (Index t = 0;; ++t) {
    double c = a.sum();
    if (!(c > 0)) {
      p.logLik = kNegInf;
      if (backward)
        fail(who, ": the observations have probability 0 under the model (first impossible "
                  "symbol at position ", t, ")");
      return p;
    }
    p.scale[t] = c;
    p.alpha.row(t) = a / c;
    if (t + 1 == T)
      break;
    a = (p.alpha.row(t) * trans_).cwiseProduct(emit_.col(obs[static_cast<std::size_t>(t + 1)]).transpose());
  }
  p.logLik = p.scale.array().log().sum();
  if (!backward)
    return p;
  p.beta.resize(T, k);
  p.beta.row(T - 1).setOnes();
  for (Index t = T - 2; t >= 0; --t) {
    Vector next = emit_.col(obs[static_cast<std::size_t>(t + 1)]).cwiseProduct(p.beta.row(t + 1).transpose());
    p.beta.row(t) = (trans_ * next).transpose() / p.scale[t + 1];
  }
  return p;
}

double DiscreteHMM::logLikelihood(const Sequence &obs) const {
  checkSequence("kiln.ml.DiscreteHMM.logLikelihood", obs);
  return forwardBackward(obs, false, "kiln.ml.DiscreteHMM.logLikelihood").logLik;
}

Matrix DiscreteHMM::posteriors(const Sequence &obs) const {
  checkSequence("kiln.ml.DiscreteHMM.posteriors", obs);
  Pass p = forwardBackward(obs, true, "kiln.ml.DiscreteHMM.posteriors");
  Matrix g = p.alpha.cwiseProduct(p.beta);
  return g.array().colwise() / g.rowwise().sum().array();
}

Sequence DiscreteHMM::viterbi(const Sequence &obs, double *logProb) const {
  checkSequence("kiln.ml.DiscreteHMM.viterbi", obs);
  Index T = static_cast<Index>(obs.size()), k = start_.size();
  Matrix logA = trans_.array().log(), logB = emit_.array().log();
  Vector delta = start_.array().log() + logB.col(obs[0]).array();
  Eigen::MatrixXi back(T, k);
  Vector next(k);
  for (Index t = 1; t < T; ++t) {
    for (Index j = 0; j < k; ++j) {
      Index arg;
      next[j] = (delta + logA.col(j)).maxCoeff(&arg) + logB(j, obs[static_cast<std::size_t>(t)]);
      back(t, j) = static_cast<int>(arg);
    }
    delta = next;
  }
  Index last;
  double best = delta.maxCoeff(&last);
  Sequence path(static_cast<std::size_t>(T));
  path[static_cast<std::size_t>(T - 1)] = static_cast<int>(last);
  for (Index t = T - 1; t > 0; --t)
    path[static_cast<std::size_t>(t - 1)] = back(t, path[static_cast<std::size_t>(t)]);
  if (logProb)
    *logProb = best;
  return path;
}

DiscreteHMM &DiscreteHMM::fit(const std::vector<Sequence> &sequences) {
  const std::string who = "kiln.ml.DiscreteHMM.fit";
  const auto &o = options_;
  if (o.maxIter < 1 || !(o.tol >= 0))
    fail(who, ": maxIter (", o.maxIter, ") must be >= 1 and tol (", o.tol, ") >= 0");
  if (sequences.empty())
    fail(who, ": no sequences; expected at least one observation sequence");
  if (start_.size() == 0) {
    if (o.nStates < 1 || o.nSymbols < 1)
      fail(who, ": nStates (", o.nStates, ") and nSymbols (", o.nSymbols, ") must be >= 1");
    // Random start: uniform(0.5, 1.5) entries, rows normalized.
    Rng rng(o.seed);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    auto randomRows = [&](Index r, Index c) {
      Matrix m(r, c);
      for (Index i = 0; i < r; ++i)
        for (Index j = 0; j < c; ++j)
          m(i, j) = u(rng);
      return Matrix(m.array().colwise() / m.rowwise().sum().array());
    };
    start_ = randomRows(1, o.nStates).transpose();
    trans_ = randomRows(o.nStates, o.nStates);
    emit_ = randomRows(o.nStates, o.nSymbols);
  }
  for (const auto &s : sequences)
    checkSequence(who, s);
  Index k = start_.size(), m = emit_.cols();
  history_.clear();
  converged_ = false;
  for (int it = 0; it < o.maxIter; ++it) {
    Vector startAcc = Vector::Zero(k);
    Matrix transAcc = Matrix::Zero(k, k), emitAcc = Matrix::Zero(k, m);
    double total = 0;
    for (const auto &obs : sequences) {
      Pass p = forwardBackward(obs, true, who.c_str());
      total += p.logLik;
      Index T = static_cast<Index>(obs.size());
      Matrix gamma = p.alpha.cwiseProduct(p.beta);
      startAcc += gamma.row(0).transpose();
      for (Index t = 0; t < T; ++t)
        emitAcc.col(obs[static_cast<std::size_t>(t)]) += gamma.row(t).transpose();
      for (Index t = 0; t + 1 < T; ++t) {
        Vector next = emit_.col(obs[static_cast<std::size_t>(t + 1)]).cwiseProduct(p.beta.row(t + 1).transpose()) /
                      p.scale[t + 1];
        transAcc += (p.alpha.row(t).transpose() * next.transpose()).cwiseProduct(trans_);
      }
    }
    history_.push_back(total);
    if (it > 0 && o.tol > 0 && total - history_[history_.size() - 2] < o.tol) {
      converged_ = true;
      break;
    }
    start_ = startAcc / startAcc.sum();
    for (Index i = 0; i < k; ++i) {
      double tr = transAcc.row(i).sum(), em = emitAcc.row(i).sum();
      if (tr > 0)
        trans_.row(i) = transAcc.row(i) / tr;
      if (em > 0)
        emit_.row(i) = emitAcc.row(i) / em;
    }
  }
  return *this;
}

void DiscreteHMM::save(const std::string &path) const {
  checkFitted("kiln.ml.DiscreteHMM.save", start_.size() > 0);
  ModelWriter w("DiscreteHMM");
  w.put("start", start_);
  w.put("transitions", trans_);
  w.put("emissions", emit_);
  w.save(path);
}

DiscreteHMM DiscreteHMM::load(const std::string &path) {
  ModelReader r(path, "DiscreteHMM");
  Vector s = r.vector("start");
  Matrix t = r.matrix("transitions", s.size(), s.size());
  Matrix e = r.matrix("emissions", s.size());
  DiscreteHMM m;
  m.start_ = s;
  m.trans_ = t;
  m.emit_ = e;
  m.validate("kiln.ml.DiscreteHMM.load('" + path + "')");
  m.options_.nStates = static_cast<int>(s.size());
  m.options_.nSymbols = static_cast<int>(e.cols());
  return m;
}

} // namespace kiln::ml
