//===- Decomposition.cpp - PCA and FastICA --------------------------------===//
#include "runtime/classical/Decomposition.h"

#include <Eigen/Dense>

#include <cmath>

namespace kiln::ml {

namespace {

/// Xc^T Xc for Xc = X - mean, summed over row blocks on `threads` threads
/// (the blocks and the order of their sum are fixed, so the result does not
/// depend on the thread count).
Matrix scatter(const Matrix &X, const Vector &mean, int threads) {
  Index n = X.rows(), d = X.cols();
  const Index parts = std::max<Index>(1, std::min<Index>(16, n / 2048));
  Index chunk = (n + parts - 1) / parts;
  std::vector<Matrix> partial(static_cast<std::size_t>(parts));
  parallelFor(parts, threads, [&](Index pb, Index pe) {
    for (Index p = pb; p < pe; ++p) {
      Index b = p * chunk, e = std::min(n, b + chunk);
      Matrix S = Matrix::Zero(d, d);
      if (b < e) {
        Matrix Xc = X.middleRows(b, e - b).rowwise() - mean.transpose();
        S.selfadjointView<Eigen::Lower>().rankUpdate(Xc.transpose());
      }
      partial[static_cast<std::size_t>(p)] = std::move(S);
    }
  });
  Matrix S = partial[0];
  for (Index p = 1; p < parts; ++p)
    S += partial[static_cast<std::size_t>(p)];
  return S.selfadjointView<Eigen::Lower>();
}

/// Flips each row of C so that its largest-magnitude entry is positive.
void fixSigns(Matrix &C) {
  for (Index i = 0; i < C.rows(); ++i) {
    Index j;
    C.row(i).cwiseAbs().maxCoeff(&j);
    if (C(i, j) < 0)
      C.row(i) *= -1;
  }
}

} // namespace

// --- PCA ------------------------------------------------------------------

PCA &PCA::fit(const Matrix &X) {
  const std::string who = "kiln.ml.PCA.fit";
  checkData(who, X, "X", 2);
  Index n = X.rows(), d = X.cols(), maxK = std::min(n, d);
  Index k = options_.nComponents == 0 ? maxK : options_.nComponents;
  if (k < 1 || k > maxK)
    fail(who, ": nComponents is ", options_.nComponents, " for X ", shapeOf(X),
         "; expected 1..", maxK, " (min(rows, columns)), or 0 for all");
  mean_ = X.colwise().mean().transpose();
  Vector eig;  // descending
  Matrix axes; // d x maxK, columns
  if (n >= d) {
    Matrix S = scatter(X, mean_, resolveThreads(options_.threads)) / static_cast<double>(n - 1);
    Eigen::SelfAdjointEigenSolver<Matrix> es(S);
    if (es.info() != Eigen::Success)
      fail(who, ": eigen-decomposition of the ", d, "x", d, " covariance did not converge");
    eig = es.eigenvalues().reverse().cwiseMax(0.0);
    axes = es.eigenvectors().rowwise().reverse();
  } else {
    Matrix Xc = X.rowwise() - mean_.transpose();
    Eigen::BDCSVD<Matrix> svd(Xc, Eigen::ComputeThinV);
    eig = svd.singularValues().array().square() / static_cast<double>(n - 1);
    axes = svd.matrixV();
  }
  double total = eig.sum();
  components_ = axes.leftCols(k).transpose();
  fixSigns(components_);
  explainedVariance_ = eig.head(k);
  explainedVarianceRatio_ =
      total > 0 ? Vector(explainedVariance_ / total) : Vector(Vector::Zero(k));
  return *this;
}

Matrix PCA::transform(const Matrix &X) const {
  const std::string who = "kiln.ml.PCA.transform";
  checkFitted(who, components_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, components_.cols());
  Matrix Z = (X.rowwise() - mean_.transpose()) * components_.transpose();
  if (options_.whiten)
    for (Index j = 0; j < Z.cols(); ++j)
      Z.col(j) /= std::sqrt(std::max(explainedVariance_[j], 1e-300));
  return Z;
}

Matrix PCA::inverseTransform(const Matrix &Z) const {
  const std::string who = "kiln.ml.PCA.inverseTransform";
  checkFitted(who, components_.size() > 0);
  checkData(who, Z, "Z");
  if (Z.cols() != components_.rows())
    fail(who, ": Z is ", shapeOf(Z), " but the model has ", components_.rows(),
         " components; expected ", components_.rows(), " columns");
  Matrix W = Z;
  if (options_.whiten)
    for (Index j = 0; j < W.cols(); ++j)
      W.col(j) *= std::sqrt(explainedVariance_[j]);
  return (W * components_).rowwise() + mean_.transpose();
}

void PCA::save(const std::string &path) const {
  checkFitted("kiln.ml.PCA.save", components_.size() > 0);
  ModelWriter w("PCA");
  w.put("components", components_);
  w.put("mean", mean_);
  w.put("explained_variance", explainedVariance_);
  w.put("explained_variance_ratio", explainedVarianceRatio_);
  w.setting("whiten", options_.whiten ? 1.0 : 0.0);
  w.save(path);
}

PCA PCA::load(const std::string &path) {
  ModelReader r(path, "PCA");
  PCA m;
  m.components_ = r.matrix("components");
  Index k = m.components_.rows(), d = m.components_.cols();
  m.mean_ = r.vector("mean", d);
  m.explainedVariance_ = r.vector("explained_variance", k);
  m.explainedVarianceRatio_ = r.vector("explained_variance_ratio", k);
  m.options_.whiten = r.integer("whiten", 0, 1) != 0;
  m.options_.nComponents = static_cast<int>(k);
  return m;
}

// --- FastICA --------------------------------------------------------------

namespace {

/// (W W^T)^(-1/2) W
Matrix decorrelate(const Matrix &W) {
  Eigen::SelfAdjointEigenSolver<Matrix> es(W * W.transpose());
  Vector s = es.eigenvalues().cwiseMax(1e-300).cwiseSqrt().cwiseInverse();
  return es.eigenvectors() * s.asDiagonal() * es.eigenvectors().transpose() * W;
}

} // namespace

FastICA &FastICA::fit(const Matrix &X) {
  const std::string who = "kiln.ml.FastICA.fit";
  checkData(who, X, "X", 2);
  const auto &o = options_;
  Index n = X.rows(), d = X.cols();
  Index k = o.nComponents == 0 ? std::min(n, d) : o.nComponents;
  if (k < 1 || k > std::min(n, d))
    fail(who, ": nComponents is ", o.nComponents, " for X ", shapeOf(X), "; expected 1..",
         std::min(n, d), ", or 0 for all");
  if (o.maxIter < 1 || !(o.tol > 0))
    fail(who, ": maxIter (", o.maxIter, ") must be >= 1 and tol (", o.tol, ") > 0");
  // Whitening: K = D^(-1/2) E^T on the top k eigenpairs of the covariance.
  PCA pca(PCAOptions{static_cast<int>(k), false, 1});
  pca.fit(X);
  mean_ = pca.mean();
  const Vector &ev = pca.explainedVariance();
  if (ev.minCoeff() <= 1e-12 * std::max(1e-300, ev.maxCoeff()))
    fail(who, ": X (", shapeOf(X), ") has rank below nComponents = ", k,
         " (a zero-variance direction cannot be whitened); expected fewer components");
  Matrix K = ev.cwiseSqrt().cwiseInverse().asDiagonal() * pca.components(); // k x d
  Matrix Z = K * (X.rowwise() - mean_.transpose()).transpose();            // k x n, white

  Rng rng(o.seed);
  std::normal_distribution<double> normal;
  Matrix W(k, k);
  for (Index i = 0; i < k; ++i)
    for (Index j = 0; j < k; ++j)
      W(i, j) = normal(rng);
  W = decorrelate(W);
  converged_ = false;
  const double invN = 1.0 / static_cast<double>(n);
  Matrix G(k, n), WX(k, n);
  Vector gPrimeMean(k);
  for (iterations_ = 1; iterations_ <= o.maxIter; ++iterations_) {
    WX.noalias() = W * Z;
    for (Index i = 0; i < k; ++i) {
      double sum = 0;
      for (Index t = 0; t < n; ++t) {
        double u = WX(i, t), g, gp;
        switch (o.fun) {
        case IcaFunction::LogCosh:
          g = std::tanh(u);
          gp = 1 - g * g;
          break;
        case IcaFunction::Exp: {
          double e = std::exp(-0.5 * u * u);
          g = u * e;
          gp = (1 - u * u) * e;
          break;
        }
        case IcaFunction::Cube:
        default:
          g = u * u * u;
          gp = 3 * u * u;
          break;
        }
        G(i, t) = g;
        sum += gp;
      }
      gPrimeMean[i] = sum * invN;
    }
    Matrix W1 = (G * Z.transpose()) * invN - gPrimeMean.asDiagonal() * W;
    W1 = decorrelate(W1);
    double lim = ((W1 * W.transpose()).diagonal().cwiseAbs().array() - 1.0).abs().maxCoeff();
    W = W1;
    if (lim < o.tol) {
      converged_ = true;
      break;
    }
  }
  iterations_ = std::min(iterations_, o.maxIter);
  unmixing_ = W * K;
  mixing_ = unmixing_.completeOrthogonalDecomposition().pseudoInverse();
  return *this;
}

Matrix FastICA::transform(const Matrix &X) const {
  const std::string who = "kiln.ml.FastICA.transform";
  checkFitted(who, unmixing_.size() > 0);
  checkData(who, X);
  checkColumns(who, X, unmixing_.cols());
  return (X.rowwise() - mean_.transpose()) * unmixing_.transpose();
}

Matrix FastICA::inverseTransform(const Matrix &S) const {
  const std::string who = "kiln.ml.FastICA.inverseTransform";
  checkFitted(who, unmixing_.size() > 0);
  checkData(who, S, "S");
  if (S.cols() != mixing_.cols())
    fail(who, ": S is ", shapeOf(S), "; expected ", mixing_.cols(), " columns");
  return (S * mixing_.transpose()).rowwise() + mean_.transpose();
}

void FastICA::save(const std::string &path) const {
  checkFitted("kiln.ml.FastICA.save", unmixing_.size() > 0);
  ModelWriter w("FastICA");
  w.put("unmixing", unmixing_);
  w.put("mixing", mixing_);
  w.put("mean", mean_);
  w.save(path);
}

FastICA FastICA::load(const std::string &path) {
  ModelReader r(path, "FastICA");
  FastICA m;
  m.unmixing_ = r.matrix("unmixing");
  m.mixing_ = r.matrix("mixing", m.unmixing_.cols(), m.unmixing_.rows());
  m.mean_ = r.vector("mean", m.unmixing_.cols());
  m.converged_ = true;
  return m;
}

} // namespace kiln::ml
