//===- GaussianMixture.cpp - Gaussian mixtures by EM ----------------------===//
#include "runtime/classical/GaussianMixture.h"

#include "runtime/classical/KMeans.h"

#include <Eigen/Dense>

#include <cmath>

namespace kiln::ml {

namespace {

const double kLog2Pi = std::log(2.0 * M_PI);
constexpr Index kBlock = 1024;

/// Row-block partial sums combined in a fixed order (thread-count
/// independent): fn(b, e, acc) adds rows [b, e) into acc.
template <typename Fn>
std::vector<Matrix> blockSums(Index n, int threads, Index rows, Index cols, Fn &&fn) {
  Index parts = std::max<Index>(1, std::min<Index>(16, n / 4096));
  Index chunk = (n + parts - 1) / parts;
  std::vector<Matrix> acc(static_cast<std::size_t>(parts), Matrix::Zero(rows, cols));
  parallelFor(parts, threads, [&](Index pb, Index pe) {
    for (Index p = pb; p < pe; ++p) {
      Index b = p * chunk, e = std::min(n, b + chunk);
      if (b < e)
        fn(b, e, acc[static_cast<std::size_t>(p)]);
    }
  });
  return acc;
}

} // namespace

void GaussianMixture::checkInput(const std::string &who, const Matrix &X) const {
  checkFitted(who, means_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, means_.cols());
}

void GaussianMixture::factorize(const char *who) {
  Index k = means_.rows(), d = means_.cols();
  precisionFactors_.assign(static_cast<std::size_t>(k), Matrix());
  logDets_.resize(k);
  for (Index c = 0; c < k; ++c) {
    const Matrix &S = covs_[static_cast<std::size_t>(c)];
    if (options_.covarianceType == CovarianceType::Full) {
      Eigen::LLT<Matrix> llt(S);
      if (llt.info() != Eigen::Success || !(llt.matrixL().toDenseMatrix().diagonal().minCoeff() > 0))
        fail(who, ": the covariance of component ", c,
             " is not positive definite (a component collapsed onto too few points); expected "
             "a larger regCovar (now ", options_.regCovar, ") or fewer components");
      Matrix L = llt.matrixL();
      precisionFactors_[static_cast<std::size_t>(c)] =
          L.triangularView<Eigen::Lower>().solve(Matrix::Identity(d, d));
      logDets_[c] = 2 * L.diagonal().array().log().sum();
    } else {
      if (!(S.minCoeff() > 0))
        fail(who, ": a variance of component ", c, " is ", S.minCoeff(),
             "; expected a larger regCovar (now ", options_.regCovar, ")");
      precisionFactors_[static_cast<std::size_t>(c)] = S.cwiseSqrt().cwiseInverse();
      logDets_[c] = S.array().log().sum();
    }
  }
}

Matrix GaussianMixture::weightedLogProb(const Matrix &X, int threads) const {
  Index n = X.rows(), k = means_.rows(), d = means_.cols();
  Matrix out(n, k);
  Index blocks = (n + kBlock - 1) / kBlock;
  const bool full = options_.covarianceType == CovarianceType::Full;
  if (!full) {
    // sum_j (x_j - mu_j)^2 / var_j = x^2 . p - 2 x . (mu p) + mu^2 . p, with
    // p = 1 / var: two GEMMs for all components at once.
    Matrix P(k, d), MP(k, d);
    Vector constant(k);
    for (Index c = 0; c < k; ++c) {
      P.row(c) = precisionFactors_[static_cast<std::size_t>(c)].col(0).array().square().transpose();
      MP.row(c) = means_.row(c).cwiseProduct(P.row(c));
      constant[c] = std::log(weights_[c]) -
                    0.5 * (static_cast<double>(d) * kLog2Pi + logDets_[c] + means_.row(c).dot(MP.row(c)));
    }
    parallelFor(blocks, threads, [&](Index bb, Index be) {
      for (Index blk = bb; blk < be; ++blk) {
        Index b = blk * kBlock, len = std::min(n, b + kBlock) - b;
        auto Xb = X.middleRows(b, len);
        auto Ob = out.middleRows(b, len);
        Ob.noalias() = Xb.array().square().matrix() * P.transpose();
        Ob.noalias() -= 2.0 * Xb * MP.transpose();
        Ob = (-0.5 * Ob).rowwise() + constant.transpose();
      }
    });
    return out;
  }
  parallelFor(blocks, threads, [&](Index bb, Index be) {
    Matrix Z;
    for (Index blk = bb; blk < be; ++blk) {
      Index b = blk * kBlock, len = std::min(n, b + kBlock) - b;
      auto Xb = X.middleRows(b, len);
      for (Index c = 0; c < k; ++c) {
        const Matrix &P = precisionFactors_[static_cast<std::size_t>(c)];
        Z.noalias() = (Xb.rowwise() - means_.row(c)) * P.transpose();
        double constant = std::log(weights_[c]) - 0.5 * (static_cast<double>(d) * kLog2Pi + logDets_[c]);
        out.block(b, c, len, 1) = (-0.5 * Z.rowwise().squaredNorm()).array() + constant;
      }
    }
  });
  return out;
}

GaussianMixture &GaussianMixture::fit(const Matrix &X) {
  const std::string who = "kiln.ml.GaussianMixture.fit";
  const auto &o = options_;
  checkData(who, X);
  if (o.nComponents < 1)
    fail(who, ": nComponents is ", o.nComponents, "; expected >= 1");
  if (o.nComponents > X.rows())
    fail(who, ": X has ", X.rows(), " rows (", shapeOf(X), ") but nComponents is ", o.nComponents,
         "; expected nComponents <= rows");
  if (!(o.regCovar >= 0) || o.maxIter < 1 || o.nInit < 1 || !(o.tol >= 0))
    fail(who, ": expected regCovar >= 0, maxIter >= 1, nInit >= 1, tol >= 0 (got ", o.regCovar,
         ", ", o.maxIter, ", ", o.nInit, ", ", o.tol, ")");
  Index n = X.rows(), d = X.cols(), k = o.nComponents;
  int threads = resolveThreads(o.threads);
  const bool full = o.covarianceType == CovarianceType::Full;
  const double eps10 = 10 * std::numeric_limits<double>::epsilon();

  // M-step from responsibilities R (n x k).
  auto mStep = [&](const Matrix &R) {
    Vector nk = R.colwise().sum().transpose().array() + eps10;
    weights_ = nk / static_cast<double>(n);
    auto meanParts = blockSums(n, threads, k, d, [&](Index b, Index e, Matrix &acc) {
      acc.noalias() += R.middleRows(b, e - b).transpose() * X.middleRows(b, e - b);
    });
    Matrix sums = meanParts[0];
    for (std::size_t p = 1; p < meanParts.size(); ++p)
      sums += meanParts[p];
    means_ = sums.array().colwise() / nk.array();
    covs_.assign(static_cast<std::size_t>(k), Matrix());
    if (!full) {
      // var = E_r[x^2] - mean^2 (one GEMM for all components), floored at 0
      // against rounding, plus regCovar.
      auto sqParts = blockSums(n, threads, k, d, [&](Index b, Index e, Matrix &acc) {
        acc.noalias() += R.middleRows(b, e - b).transpose() * X.middleRows(b, e - b).array().square().matrix();
      });
      Matrix avgX2 = sqParts[0];
      for (std::size_t p = 1; p < sqParts.size(); ++p)
        avgX2 += sqParts[p];
      avgX2.array().colwise() /= nk.array();
      for (Index c = 0; c < k; ++c)
        covs_[static_cast<std::size_t>(c)] =
            ((avgX2.row(c) - means_.row(c).cwiseAbs2()).cwiseMax(0.0).array() + o.regCovar)
                .transpose()
                .matrix();
      factorize(who.c_str());
      return;
    }
    for (Index c = 0; c < k; ++c) {
      auto parts = blockSums(n, threads, d, d, [&](Index b, Index e, Matrix &acc) {
        Matrix D = X.middleRows(b, e - b).rowwise() - means_.row(c);
        auto r = R.col(c).segment(b, e - b);
        acc.noalias() += (D.array().colwise() * r.array()).matrix().transpose() * D;
      });
      Matrix S = parts[0];
      for (std::size_t p = 1; p < parts.size(); ++p)
        S += parts[p];
      S /= nk[c];
      S.diagonal().array() += o.regCovar;
      covs_[static_cast<std::size_t>(c)] = std::move(S);
    }
    factorize(who.c_str());
  };

  // E-step: responsibilities and the mean log-likelihood.
  auto eStep = [&](Matrix &R) {
    R = weightedLogProb(X, threads);
    double total = 0;
    for (Index i = 0; i < n; ++i) {
      Eigen::RowVectorXd row = R.row(i);
      double norm = logSumExp(row.data(), k);
      total += norm;
      if (o.assignment == Assignment::Soft) {
        R.row(i) = (row.array() - norm).exp();
      } else {
        Index j;
        row.maxCoeff(&j);
        R.row(i).setZero();
        R(i, j) = 1;
      }
    }
    return total / static_cast<double>(n);
  };

  Rng rng(o.seed);
  double best = -std::numeric_limits<double>::infinity();
  Vector bestW;
  Matrix bestMeans;
  std::vector<Matrix> bestCovs;
  bool bestConverged = false;
  int bestIter = 0;
  for (int init = 0; init < o.nInit; ++init) {
    KMeansOptions ko;
    ko.nClusters = static_cast<int>(k);
    ko.nInit = 1;
    ko.seed = rng();
    ko.threads = threads;
    KMeans km(ko);
    km.fit(X);
    Matrix R = Matrix::Zero(n, k);
    for (Index i = 0; i < n; ++i)
      R(i, km.labels()[i]) = 1;
    mStep(R);
    double ll = -std::numeric_limits<double>::infinity();
    bool converged = false;
    int it = 0;
    for (it = 1; it <= o.maxIter; ++it) {
      double prev = ll;
      ll = eStep(R);
      mStep(R);
      if (std::abs(ll - prev) < o.tol) {
        converged = true;
        break;
      }
    }
    // The likelihood of the final parameters.
    Matrix Rf;
    ll = eStep(Rf);
    if (!std::isfinite(ll))
      fail(who, ": the log-likelihood became ", ll, " on X ", shapeOf(X),
           "; expected a larger regCovar (now ", o.regCovar, ")");
    if (ll > best || init == 0) {
      best = ll;
      bestW = weights_;
      bestMeans = means_;
      bestCovs = covs_;
      bestConverged = converged;
      bestIter = std::min(it, o.maxIter);
    }
  }
  weights_ = bestW;
  means_ = bestMeans;
  covs_ = bestCovs;
  factorize(who.c_str());
  converged_ = bestConverged;
  iterations_ = bestIter;
  lowerBound_ = best;
  return *this;
}

Vector GaussianMixture::scoreSamples(const Matrix &X) const {
  checkInput("kiln.ml.GaussianMixture.scoreSamples", X);
  Matrix L = weightedLogProb(X, resolveThreads(options_.threads));
  Vector out(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    Eigen::RowVectorXd row = L.row(i);
    out[i] = logSumExp(row.data(), row.size());
  }
  return out;
}

double GaussianMixture::score(const Matrix &X) const { return scoreSamples(X).mean(); }

Matrix GaussianMixture::predictProba(const Matrix &X) const {
  checkInput("kiln.ml.GaussianMixture.predictProba", X);
  Matrix L = weightedLogProb(X, resolveThreads(options_.threads));
  for (Index i = 0; i < X.rows(); ++i) {
    Eigen::RowVectorXd row = L.row(i);
    L.row(i) = (row.array() - logSumExp(row.data(), row.size())).exp();
  }
  return L;
}

Labels GaussianMixture::predict(const Matrix &X) const {
  checkInput("kiln.ml.GaussianMixture.predict", X);
  Matrix L = weightedLogProb(X, resolveThreads(options_.threads));
  Labels out(X.rows());
  for (Index i = 0; i < X.rows(); ++i) {
    Index j;
    L.row(i).maxCoeff(&j);
    out[i] = static_cast<int>(j);
  }
  return out;
}

Index GaussianMixture::parameterCount() const {
  Index k = means_.rows(), d = means_.cols();
  Index cov = options_.covarianceType == CovarianceType::Full ? k * d * (d + 1) / 2 : k * d;
  return cov + k * d + k - 1;
}

double GaussianMixture::bic(const Matrix &X) const {
  return -2 * score(X) * static_cast<double>(X.rows()) +
         static_cast<double>(parameterCount()) * std::log(static_cast<double>(X.rows()));
}

double GaussianMixture::aic(const Matrix &X) const {
  return -2 * score(X) * static_cast<double>(X.rows()) + 2 * static_cast<double>(parameterCount());
}

void GaussianMixture::save(const std::string &path) const {
  checkFitted("kiln.ml.GaussianMixture.save", means_.size() > 0);
  ModelWriter w("GaussianMixture");
  w.put("weights", weights_);
  w.put("means", means_);
  for (std::size_t c = 0; c < covs_.size(); ++c)
    w.put("covariance." + std::to_string(c), covs_[c]);
  w.setting("covariance_type",
            options_.covarianceType == CovarianceType::Full ? std::string("full") : "diag");
  w.setting("reg_covar", options_.regCovar);
  w.save(path);
}

GaussianMixture GaussianMixture::load(const std::string &path) {
  ModelReader r(path, "GaussianMixture");
  GaussianMixture m;
  m.weights_ = r.vector("weights");
  Index k = m.weights_.size();
  m.means_ = r.matrix("means", k);
  Index d = m.means_.cols();
  std::string type = r.setting("covariance_type");
  if (type != "full" && type != "diag")
    fail("kiln.ml.GaussianMixture.load: '", path, "' has covariance_type '", type,
         "'; expected 'full' or 'diag'");
  m.options_.covarianceType = type == "full" ? CovarianceType::Full : CovarianceType::Diagonal;
  m.options_.nComponents = static_cast<int>(k);
  for (Index c = 0; c < k; ++c)
    m.covs_.push_back(r.matrix("covariance." + std::to_string(c), d, type == "full" ? d : 1));
  if (!(m.weights_.minCoeff() > 0))
    fail("kiln.ml.GaussianMixture.load: '", path, "' has a non-positive weight");
  m.factorize("kiln.ml.GaussianMixture.load");
  m.converged_ = true;
  return m;
}

} // namespace kiln::ml
