#!/usr/bin/python3
"""Writes the data sets and golden values of Kiln's classical-ML tests.

Run with Debian's scikit-learn 1.2 (python3-sklearn):

    /usr/bin/python3 tests/ml/gen_golden.py

It writes, into tests/ml/data/:
  <name>.csv     iris, wine, breast_cancer, digits, diabetes: the features,
                 then the target in the last column, with a header line;
  golden.json    the train/test split of each data set (row indices), the
                 quality scikit-learn reaches with each algorithm on that
                 split, and inputs + outputs of metrics and distances
                 (scikit-learn / SciPy), HMM reference values (NumPy).

The C++ tests (tests/ml/*.cpp) read only these files, so CI needs no Python.
Every random choice here is seeded: running the script twice gives the same
files.
"""
import csv
import json
import os
import sys

import numpy as np
import scipy
import scipy.spatial.distance as ssd
import scipy.stats
import sklearn
from sklearn import datasets, metrics
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, FastICA
from sklearn.discriminant_analysis import (LinearDiscriminantAnalysis,
                                           QuadraticDiscriminantAnalysis)
from sklearn.ensemble import (AdaBoostClassifier, ExtraTreesClassifier,
                              ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.linear_model import (BayesianRidge, LinearRegression,
                                  RANSACRegressor, Ridge)
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
    "diabetes": datasets.load_diabetes,
}
CLASSIFICATION = ["iris", "wine", "breast_cancer", "digits"]


def fmt(v):
    """Shortest text that reads back as the same double (integers as such)."""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def write_csv(name, X, y):
    with open(os.path.join(DATA, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["x%d" % j for j in range(X.shape[1])] + ["target"])
        for row, t in zip(X, y):
            w.writerow([fmt(v) for v in row] + [fmt(t)])


def main():
    print("scikit-learn", sklearn.__version__, "numpy", np.__version__,
          "scipy", scipy.__version__, file=sys.stderr)
    os.makedirs(DATA, exist_ok=True)
    golden = {"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__,
                           "scipy": scipy.__version__},
              "splits": {}, "quality": {}}
    data = {}
    for name, load in LOADERS.items():
        X, y = load(return_X_y=True)
        if name == "diabetes":
            # scikit-learn's trees compare features as float32; storing
            # values that float32 holds exactly keeps tree thresholds the
            # same in both libraries (the other sets have few digits).
            X = X.astype(np.float32).astype(np.float64)
        write_csv(name, X, y)
        # Re-read what was written, so the golden values are computed on
        # exactly the doubles the C++ tests see.
        arr = np.loadtxt(os.path.join(DATA, name + ".csv"), delimiter=",", skiprows=1)
        X, y = arr[:, :-1], arr[:, -1]
        idx = np.arange(len(y))
        tr, te = train_test_split(idx, test_size=0.3, random_state=0,
                                  stratify=y if name in CLASSIFICATION else None)
        tr, te = np.sort(tr), np.sort(te)
        golden["splits"][name] = {"train": tr.tolist(), "test": te.tolist()}
        if name in CLASSIFICATION:
            y = y.astype(int)
        data[name] = (X[tr], y[tr], X[te], y[te])

    q = golden["quality"]

    def scaled(name):
        Xtr, ytr, Xte, yte = data[name]
        s = StandardScaler().fit(Xtr)
        return s.transform(Xtr), ytr, s.transform(Xte), yte

    def record(key, metric, value, **settings):
        q[key] = {"metric": metric, "value": float(value), "settings": settings}
        print("%-40s %-12s %.6f" % (key, metric, value), file=sys.stderr)

    # --- Linear models (diabetes) ---------------------------------------
    Xtr, ytr, Xte, yte = data["diabetes"]
    record("linear_regression/diabetes", "r2",
           LinearRegression().fit(Xtr, ytr).score(Xte, yte))
    record("ridge/diabetes", "r2", Ridge(alpha=1.0).fit(Xtr, ytr).score(Xte, yte), alpha=1.0)
    record("ridge_alpha0.01/diabetes", "r2",
           Ridge(alpha=0.01).fit(Xtr, ytr).score(Xte, yte), alpha=0.01)
    record("bayesian_ridge/diabetes", "r2", BayesianRidge().fit(Xtr, ytr).score(Xte, yte))
    # RANSAC: targets are a linear function of the diabetes features (the
    # least-squares fit on all rows) plus N(0, 10^2) noise; every 7th
    # training target (by position) is an outlier shifted by 300..400. The
    # targets are stored, so the C++ test uses the same ones.
    X_all = np.r_[Xtr, Xte]
    lr_all = LinearRegression().fit(X_all, np.r_[ytr, yte])
    rng = np.random.RandomState(5)
    ys_tr = lr_all.predict(Xtr) + rng.randn(len(ytr)) * 10.0
    ys_te = lr_all.predict(Xte) + rng.randn(len(yte)) * 10.0
    ys_tr[::7] += 300.0 + 100.0 * rng.rand(len(ys_tr[::7]))
    golden["ransac_targets"] = {"train": ys_tr.tolist(), "test": ys_te.tolist()}
    r2s = [RANSACRegressor(random_state=s).fit(Xtr, ys_tr).score(Xte, ys_te)
           for s in range(10)]
    record("ransac/diabetes_outliers", "r2", np.mean(r2s), note="mean over random_state 0..9")
    record("linear_regression/diabetes_outliers", "r2",
           LinearRegression().fit(Xtr, ys_tr).score(Xte, ys_te))

    # --- Linear SVM ---------------------------------------------------------
    for name, C in [("breast_cancer", 1.0), ("iris", 1.0), ("wine", 1.0), ("digits", 0.1)]:
        Xtr, ytr, Xte, yte = scaled(name)
        m = LinearSVC(C=C, random_state=0, max_iter=20000).fit(Xtr, ytr)
        record("linear_svm/" + name, "accuracy", m.score(Xte, yte), C=C, scaled=True)

    # --- Discriminant analysis and naive Bayes ---------------------------
    for name in ["iris", "wine", "breast_cancer", "digits"]:
        Xtr, ytr, Xte, yte = data[name]
        record("lda/" + name, "accuracy",
               LinearDiscriminantAnalysis().fit(Xtr, ytr).score(Xte, yte))
        record("gaussian_nb/" + name, "accuracy", GaussianNB().fit(Xtr, ytr).score(Xte, yte))
    for name, reg in [("iris", 0.0), ("wine", 0.0), ("breast_cancer", 0.0), ("digits", 0.1)]:
        Xtr, ytr, Xte, yte = data[name]
        record("qda/" + name, "accuracy",
               QuadraticDiscriminantAnalysis(reg_param=reg).fit(Xtr, ytr).score(Xte, yte),
               reg_param=reg)

    # --- Clustering, mixtures, decomposition -----------------------------
    for name, k, scale in [("iris", 3, False), ("wine", 3, True), ("digits", 10, False)]:
        Xtr, ytr, _, _ = scaled(name) if scale else data[name]
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Xtr)
        record("kmeans/" + name, "inertia", km.inertia_, k=k, n_init=10, scaled=scale)
        record("kmeans_ari/" + name, "ari", metrics.adjusted_rand_score(ytr, km.labels_))
    for name, k, scale in [("iris", 3, False), ("wine", 3, True)]:
        Xtr, ytr, Xte, yte = scaled(name) if scale else data[name]
        for cov in ["full", "diag"]:
            g = GaussianMixture(n_components=k, covariance_type=cov, n_init=10,
                                random_state=0).fit(Xtr)
            record("gmm_%s/%s" % (cov, name), "loglik", g.score(Xtr), k=k, n_init=10,
                   scaled=scale)
    for name, nc, scale in [("digits", 10, False), ("wine", 2, True)]:
        Xtr, _, Xte, _ = scaled(name) if scale else data[name]
        # svd_solver="full": exact, so Kiln can be compared to rounding (the
        # default picks a randomized SVD for digits).
        p = PCA(n_components=nc, svd_solver="full").fit(Xtr)
        q["pca/" + name] = {"metric": "explained_variance_ratio",
                            "values": p.explained_variance_ratio_.tolist(),
                            "explained_variance": p.explained_variance_.tolist(),
                            "reconstruction_mse": float(np.mean(
                                (p.inverse_transform(p.transform(Xte)) - Xte) ** 2)),
                            "settings": {"n_components": nc, "scaled": scale}}
        print("%-40s evr sum %.6f" % ("pca/" + name, p.explained_variance_ratio_.sum()),
              file=sys.stderr)

    # FastICA on three known sources mixed by a fixed matrix (the C++ test
    # builds the same signals with the same formulas).
    S, A = ica_sources()
    Xm = S @ A.T
    ica = FastICA(n_components=3, whiten="unit-variance", random_state=0, max_iter=1000)
    Sr = ica.fit_transform(Xm)
    corr = np.abs(np.corrcoef(S.T, Sr.T)[:3, 3:])
    record("ica/three_sources", "mean_abs_corr", corr.max(axis=1).mean())

    # --- Trees and ensembles -----------------------------------------------
    for name in CLASSIFICATION:
        Xtr, ytr, Xte, yte = data[name]
        for depth in [None, 4]:
            accs = [DecisionTreeClassifier(max_depth=depth, random_state=s).fit(Xtr, ytr)
                    .score(Xte, yte) for s in range(50)]
            record("decision_tree_depth%s/%s" % (depth, name), "accuracy", np.mean(accs),
                   max_depth=depth, note="mean over random_state 0..49")
        # Forests: mean over `seeds` random states (more for the small,
        # noisy test sets), the C++ test averages the same number of seeds.
        seeds = 5 if name in ("breast_cancer", "digits") else 20
        record("random_forest/" + name, "accuracy", np.mean(
            [RandomForestClassifier(n_estimators=100, random_state=s, n_jobs=1)
             .fit(Xtr, ytr).score(Xte, yte) for s in range(seeds)]),
            n_estimators=100, seeds=seeds)
        record("extra_trees/" + name, "accuracy", np.mean(
            [ExtraTreesClassifier(n_estimators=100, random_state=s, n_jobs=1)
             .fit(Xtr, ytr).score(Xte, yte) for s in range(seeds)]),
            n_estimators=100, seeds=seeds)
        # random_state decides ties between features: mean over 10 of them.
        record("gradient_boosting/" + name, "accuracy", np.mean(
            [GradientBoostingClassifier(n_estimators=100, learning_rate=0.1, max_depth=3,
                                        random_state=s).fit(Xtr, ytr).score(Xte, yte)
             for s in range(10)]), seeds=10)
        ab = AdaBoostClassifier(n_estimators=100, algorithm="SAMME", random_state=0,
                                estimator=DecisionTreeClassifier(max_depth=2))
        record("adaboost/" + name, "accuracy", ab.fit(Xtr, ytr).score(Xte, yte),
               n_estimators=100, max_depth=2)
    Xtr, ytr, Xte, yte = data["diabetes"]
    for depth in [3, 5]:
        r2s = [DecisionTreeRegressor(max_depth=depth, random_state=s).fit(Xtr, ytr)
               .score(Xte, yte) for s in range(50)]
        record("decision_tree_depth%s/diabetes" % depth, "r2", np.mean(r2s), max_depth=depth,
               note="mean over random_state 0..49")
    record("random_forest/diabetes", "r2", np.mean(
        [RandomForestRegressor(n_estimators=100, random_state=s).fit(Xtr, ytr).score(Xte, yte)
         for s in range(20)]), seeds=20)
    record("extra_trees/diabetes", "r2", np.mean(
        [ExtraTreesRegressor(n_estimators=100, random_state=s).fit(Xtr, ytr).score(Xte, yte)
         for s in range(20)]), seeds=20)
    record("gradient_boosting/diabetes", "r2", np.mean(
        [GradientBoostingRegressor(n_estimators=100, learning_rate=0.1, max_depth=3,
                                   random_state=s).fit(Xtr, ytr).score(Xte, yte)
         for s in range(10)]), seeds=10)

    golden["metrics"] = metric_goldens()
    golden["distances"] = distance_goldens()
    golden["hmm"] = hmm_goldens()
    golden["bootstrap"] = bootstrap_golden()

    with open(os.path.join(DATA, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


def ica_sources():
    """Three non-Gaussian sources on 2000 points and a fixed mixing matrix."""
    t = np.linspace(0.0, 8.0, 2000)
    s1 = np.sin(2.0 * t)
    s2 = np.sign(np.sin(3.0 * t))
    s3 = 2.0 * ((t * 0.7) % 1.0) - 1.0  # sawtooth
    A = np.array([[1.0, 1.0, 1.0], [0.5, 2.0, 1.0], [1.5, 1.0, 2.0]])
    return np.c_[s1, s2, s3], A


def metric_goldens():
    rng = np.random.RandomState(42)
    out = {}
    # Multi-class labels (4 classes, with class 3 never predicted).
    yt = rng.randint(0, 4, size=200)
    yp = np.where(rng.rand(200) < 0.6, yt, rng.randint(0, 3, size=200))
    out["multiclass"] = {
        "y_true": yt.tolist(), "y_pred": yp.tolist(),
        "accuracy": metrics.accuracy_score(yt, yp),
        "confusion": metrics.confusion_matrix(yt, yp).tolist(),
        "balanced_accuracy": metrics.balanced_accuracy_score(yt, yp),
    }
    for avg in ["macro", "micro", "weighted"]:
        out["multiclass"]["precision_" + avg] = metrics.precision_score(
            yt, yp, average=avg, zero_division=0)
        out["multiclass"]["recall_" + avg] = metrics.recall_score(yt, yp, average=avg,
                                                                  zero_division=0)
        out["multiclass"]["f1_" + avg] = metrics.f1_score(yt, yp, average=avg,
                                                          zero_division=0)
    # Binary labels with scores (ties included) for ROC AUC and log loss.
    yb = rng.randint(0, 2, size=300)
    score = np.round(yb * 0.8 + rng.randn(300), 1)  # rounding makes ties
    prob = 1.0 / (1.0 + np.exp(-score))
    ypb = (score > 0.4).astype(int)
    out["binary"] = {
        "y_true": yb.tolist(), "score": score.tolist(), "prob": prob.tolist(),
        "y_pred": ypb.tolist(),
        "roc_auc": metrics.roc_auc_score(yb, score),
        "log_loss": metrics.log_loss(yb, prob),
        "precision": metrics.precision_score(yb, ypb),
        "recall": metrics.recall_score(yb, ypb),
        "f1": metrics.f1_score(yb, ypb),
        "accuracy": metrics.accuracy_score(yb, ypb),
    }
    # Multi-class probabilities for log loss.
    P = rng.dirichlet(np.ones(4), size=200)
    out["multiclass"]["proba"] = P.tolist()
    out["multiclass"]["log_loss"] = metrics.log_loss(yt, P)
    # Regression.
    r_true = rng.randn(150) * 3.0 + 1.0
    r_pred = r_true + rng.randn(150)
    out["regression"] = {
        "y_true": r_true.tolist(), "y_pred": r_pred.tolist(),
        "r2": metrics.r2_score(r_true, r_pred),
        "mse": metrics.mean_squared_error(r_true, r_pred),
        "mae": metrics.mean_absolute_error(r_true, r_pred),
        "explained_variance": metrics.explained_variance_score(r_true, r_pred),
    }
    # Clustering.
    Xc = np.r_[rng.randn(40, 3), rng.randn(50, 3) + 3.0, rng.randn(30, 3) - 2.0]
    lab = np.r_[np.zeros(40), np.ones(50), 2 * np.ones(30)].astype(int)
    lab_noisy = np.where(rng.rand(120) < 0.8, lab, rng.randint(0, 3, size=120))
    out["clustering"] = {
        "X": Xc.tolist(), "labels": lab_noisy.tolist(), "labels_true": lab.tolist(),
        "silhouette": metrics.silhouette_score(Xc, lab_noisy),
        "ari": metrics.adjusted_rand_score(lab, lab_noisy),
    }
    return out


def distance_goldens():
    rng = np.random.RandomState(7)
    X = rng.randn(12, 5)
    Y = rng.randn(9, 5) * 2.0
    VI = np.linalg.inv(np.cov(np.r_[X, Y].T))
    out = {"X": X.tolist(), "Y": Y.tolist(), "VI": VI.tolist()}
    for metric, kw, key in [("euclidean", {}, "euclidean"), ("sqeuclidean", {}, "sqeuclidean"),
                            ("cityblock", {}, "manhattan"), ("cosine", {}, "cosine"),
                            ("chebyshev", {}, "chebyshev"),
                            ("minkowski", {"p": 3.0}, "minkowski3"),
                            ("minkowski", {"p": 1.5}, "minkowski1.5"),
                            ("mahalanobis", {"VI": VI}, "mahalanobis")]:
        out[key] = ssd.cdist(X, Y, metric, **kw).tolist()
    return out


def hmm_goldens():
    """Forward, Viterbi and Baum-Welch written directly in NumPy (no
    scaling tricks: log-space with logsumexp), as an independent reference."""
    rng = np.random.RandomState(3)
    K, M, T = 3, 4, 200
    start = np.array([0.6, 0.3, 0.1])
    trans = np.array([[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    emit = np.array([[0.5, 0.3, 0.1, 0.1], [0.1, 0.2, 0.6, 0.1], [0.25, 0.25, 0.25, 0.25]])
    states, obs = [], []
    s = rng.choice(K, p=start)
    for t in range(T):
        states.append(s)
        obs.append(rng.choice(M, p=emit[s]))
        s = rng.choice(K, p=trans[s])
    obs = np.array(obs)

    from scipy.special import logsumexp

    def forward_backward(st, tr, em, o):
        la = np.zeros((len(o), K))
        la[0] = np.log(st) + np.log(em[:, o[0]])
        for t in range(1, len(o)):
            la[t] = logsumexp(la[t - 1][:, None] + np.log(tr), axis=0) + np.log(em[:, o[t]])
        lb = np.zeros((len(o), K))
        for t in range(len(o) - 2, -1, -1):
            lb[t] = logsumexp(np.log(tr) + np.log(em[:, o[t + 1]])[None, :] + lb[t + 1][None, :],
                              axis=1)
        ll = logsumexp(la[-1])
        return la, lb, ll

    def viterbi(st, tr, em, o):
        d = np.log(st) + np.log(em[:, o[0]])
        back = []
        for t in range(1, len(o)):
            c = d[:, None] + np.log(tr)
            back.append(c.argmax(axis=0))
            d = c.max(axis=0) + np.log(em[:, o[t]])
        path = [int(d.argmax())]
        for b in reversed(back):
            path.append(int(b[path[-1]]))
        return path[::-1], float(d.max())

    la, lb, ll = forward_backward(start, trans, emit, obs)
    post = np.exp(la + lb - ll)
    path, vlogp = viterbi(start, trans, emit, obs)

    # Baum-Welch from a fixed starting point, 20 iterations.
    st = np.array([0.4, 0.3, 0.3])
    tr = np.array([[0.5, 0.3, 0.2], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]])
    em = np.array([[0.3, 0.3, 0.2, 0.2], [0.2, 0.2, 0.3, 0.3], [0.25, 0.3, 0.25, 0.2]])
    lls = []
    for it in range(20):
        la2, lb2, ll2 = forward_backward(st, tr, em, obs)
        lls.append(float(ll2))
        g = np.exp(la2 + lb2 - ll2)
        xi = np.zeros((K, K))
        for t in range(T - 1):
            xi += np.exp(la2[t][:, None] + np.log(tr) + np.log(em[:, obs[t + 1]])[None, :]
                         + lb2[t + 1][None, :] - ll2)
        st = g[0]
        tr = xi / xi.sum(axis=1, keepdims=True)
        em = np.zeros((K, M))
        for m in range(M):
            em[:, m] = g[obs == m].sum(axis=0)
        em /= em.sum(axis=1, keepdims=True)
    return {
        "start": start.tolist(), "trans": trans.tolist(), "emit": emit.tolist(),
        "obs": obs.tolist(), "states": [int(s) for s in states],
        "loglik": float(ll), "posteriors": post.tolist(),
        "viterbi_path": path, "viterbi_logprob": vlogp,
        "bw_init": {"start": [0.4, 0.3, 0.3],
                    "trans": [[0.5, 0.3, 0.2], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]],
                    "emit": [[0.3, 0.3, 0.2, 0.2], [0.2, 0.2, 0.3, 0.3],
                             [0.25, 0.3, 0.25, 0.2]]},
        "bw_iterations": 20, "bw_logliks": lls,
        "bw_start": st.tolist(), "bw_trans": tr.tolist(), "bw_emit": em.tolist(),
    }


def bootstrap_golden():
    rng = np.random.RandomState(11)
    x = rng.exponential(2.0, size=120)
    res = scipy.stats.bootstrap((x,), np.mean, n_resamples=9999, confidence_level=0.95,
                                method="percentile", random_state=0)
    res_med = scipy.stats.bootstrap((x,), np.median, n_resamples=9999, confidence_level=0.9,
                                    method="percentile", random_state=0)
    out = {"x": x.tolist(), "mean_low": res.confidence_interval.low,
           "mean_high": res.confidence_interval.high,
           "mean_se": res.standard_error,
           "median90_low": res_med.confidence_interval.low,
           "median90_high": res_med.confidence_interval.high}
    # BCa: the population standard deviation is skewed enough that BCa and
    # percentile intervals differ by ~10-15% of their width.
    for name, stat in [("mean", np.mean), ("std", np.std)]:
        bca = scipy.stats.bootstrap((x,), stat, n_resamples=9999, confidence_level=0.95,
                                    method="BCa", random_state=0)
        out[name + "_bca_low"] = bca.confidence_interval.low
        out[name + "_bca_high"] = bca.confidence_interval.high
    return out


if __name__ == "__main__":
    main()
