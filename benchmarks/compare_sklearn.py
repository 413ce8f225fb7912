#!/usr/bin/python3
"""Kiln's classical ML (kiln-ml-bench) next to scikit-learn on the same data.

    /usr/bin/python3 benchmarks/compare_sklearn.py [--bench build/bin/kiln-ml-bench]

1. writes the synthetic data sets once to $KILN_ML_BENCH_DATA (default
   /tmp/kiln-ml-bench; ~300 MB, not committed), seeded, as raw float64;
2. runs scikit-learn on them with 1 and 2 threads (each in a fresh process
   with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set, n_jobs for forests);
3. runs kiln-ml-bench (threads 1 and 2) and prints a Markdown table of fit
   times, speed-ups over scikit-learn single-thread, and quality; with its
   BM_OpenCV_* rows (kiln-ml-bench built with OpenCV), OpenCV's times and
   quality too. `--only kmeans,pca` restricts all three to some rows.

scikit-learn's BLAS: when Debian's OpenBLAS (libopenblas0-pthread) is
installed, the children load it through LD_LIBRARY_PATH even if the system's
libblas.so.3 alternative is the reference BLAS (which would make NumPy's
matrix products, and so PCA and GMM, many times slower).

HMM has no scikit-learn implementation; the reference is a vectorized NumPy
scaled forward-backward / Baum-Welch / Viterbi (the same 20 iterations).
"""
import argparse
import json
import os
import subprocess
import sys
import time

DATA = os.environ.get("KILN_ML_BENCH_DATA", "/tmp/kiln-ml-bench")
OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def write(name, a):
    import numpy as np
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    if a.ndim == 1:
        a = a[:, None]
    with open(os.path.join(DATA, name + ".bin"), "wb") as f:
        np.array(a.shape, dtype=np.int64).tofile(f)
        a.tofile(f)


def read(name):
    import numpy as np
    with open(os.path.join(DATA, name + ".bin"), "rb") as f:
        shape = np.fromfile(f, dtype=np.int64, count=2)
        return np.fromfile(f, dtype=np.float64).reshape(shape)


def write_data():
    import numpy as np
    from sklearn.datasets import make_blobs, make_classification
    from sklearn.preprocessing import StandardScaler
    os.makedirs(DATA, exist_ok=True)
    X, _ = make_blobs(n_samples=200_000, n_features=16, centers=8, cluster_std=2.0,
                      random_state=0)
    write("blobs", X)
    rng = np.random.RandomState(1)
    Z = rng.randn(100_000, 32) * np.linspace(5, 1, 32)
    W = np.linalg.qr(rng.randn(256, 32))[0].T
    write("lowrank", Z @ W + 0.1 * rng.randn(100_000, 256))
    X, y = make_classification(n_samples=120_000, n_features=50, n_informative=15,
                               n_redundant=5, random_state=2)
    s = StandardScaler().fit(X[:100_000])
    write("clf_train", X[:100_000]); write("clf_train_y", y[:100_000])
    write("clf_test", X[100_000:]); write("clf_test_y", y[100_000:])
    write("clf_train_scaled", s.transform(X[:100_000]))
    write("clf_test_scaled", s.transform(X[100_000:]))
    # HMM: 8 states, 16 symbols, 10k steps from a random model; a second
    # random model is the Baum-Welch starting point.
    K, M, T = 8, 16, 10_000
    def model(r):
        return (r.dirichlet(np.ones(K)), r.dirichlet(np.ones(K) * 0.5, size=K),
                r.dirichlet(np.ones(M) * 0.5, size=K))
    st, tr, em = model(np.random.RandomState(3))
    r = np.random.RandomState(4)
    s_, obs = r.choice(K, p=st), []
    for _ in range(T):
        obs.append(r.choice(M, p=em[s_]))
        s_ = r.choice(K, p=tr[s_])
    write("hmm_obs", np.array(obs))
    st0, tr0, em0 = model(np.random.RandomState(5))
    init = np.zeros((17, 16))
    init[0, :8] = st0; init[1:9, :8] = tr0; init[9:17] = em0
    write("hmm_init", init)


def hmm_numpy(obs, st, tr, em, iters=20):
    import numpy as np
    T, K = len(obs), len(st)
    for _ in range(iters):
        B = em[:, obs].T  # T x K
        alpha = np.empty((T, K)); c = np.empty(T)
        a = st * B[0]
        for t in range(T):
            if t:
                a = (alpha[t - 1] @ tr) * B[t]
            c[t] = a.sum(); alpha[t] = a / c[t]
        beta = np.empty((T, K)); beta[-1] = 1
        for t in range(T - 2, -1, -1):
            beta[t] = tr @ (B[t + 1] * beta[t + 1]) / c[t + 1]
        g = alpha * beta
        xi = (alpha[:-1].T @ (B[1:] * beta[1:] / c[1:, None])) * tr
        st = g[0] / g[0].sum()
        tr = xi / xi.sum(1, keepdims=True)
        em = np.stack([g[obs == m].sum(0) for m in range(em.shape[1])], 1)
        em /= em.sum(1, keepdims=True)
    # Viterbi and the final log-likelihood
    lA, lB = np.log(tr), np.log(em[:, obs].T)
    d = np.log(st) + lB[0]
    back = np.empty((T, K), dtype=np.int64)
    for t in range(1, T):
        m = d[:, None] + lA
        back[t] = m.argmax(0); d = m.max(0) + lB[t]
    B = em[:, obs].T
    a = st * B[0]; ll = np.log(a.sum()); a /= a.sum()
    for t in range(1, T):
        a = (a @ tr) * B[t]; ll += np.log(a.sum()); a /= a.sum()
    return ll


def run_sklearn(threads, only=None):
    """Runs in a child process whose BLAS/OpenMP thread count is set."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.mixture import GaussianMixture
    from sklearn.svm import LinearSVC
    out = {}
    with open("/proc/self/maps") as f:
        blas = "OpenBLAS" if "openblas" in f.read() else "reference BLAS"
    print("sklearn child: %d thread(s), %s" % (threads, blas), file=sys.stderr)

    def timed(name, fn, repeat=1):
        if only and name not in only:
            return
        best, q = float("inf"), None
        for _ in range(repeat):
            t0 = time.perf_counter(); q = fn(); best = min(best, time.perf_counter() - t0)
        out[name] = {"seconds": best, "quality": q}
        print("sklearn %d thread(s) %-18s %8.3f s  quality %.6f" % (threads, name, best, q),
              file=sys.stderr)

    X = read("blobs")
    timed("kmeans", lambda: KMeans(8, n_init=1, random_state=0).fit(X).inertia_, 3)
    timed("gmm_full", lambda: GaussianMixture(8, covariance_type="full", random_state=0)
          .fit(X).lower_bound_)
    timed("gmm_diag", lambda: GaussianMixture(8, covariance_type="diag", random_state=0)
          .fit(X).lower_bound_)
    L = read("lowrank")
    def pca():
        p = PCA(32, random_state=0).fit(L); p.transform(L)
        return p.explained_variance_ratio_.sum()
    timed("pca", pca, 3)
    Xs, y = read("clf_train_scaled"), read("clf_train_y")[:, 0]
    Xst, yt = read("clf_test_scaled"), read("clf_test_y")[:, 0]
    timed("linear_svm", lambda: LinearSVC(random_state=0).fit(Xs, y).score(Xst, yt))
    Xc, Xct = read("clf_train"), read("clf_test")
    timed("random_forest", lambda: RandomForestClassifier(100, n_jobs=threads, random_state=0)
          .fit(Xc, y).score(Xct, yt))
    timed("gradient_boosting", lambda: GradientBoostingClassifier(random_state=0)
          .fit(Xc, y).score(Xct, yt))
    obs = read("hmm_obs")[:, 0].astype(int)
    init = read("hmm_init")
    timed("hmm", lambda: hmm_numpy(obs, init[0, :8], init[1:9, :8], init[9:17]), 3)
    return out


BENCH_NAMES = {"BM_KMeans": "kmeans", "BM_OpenCV_KMeans": "kmeans",
               "BM_OpenCV_GMMFull": "gmm_full", "BM_OpenCV_GMMDiag": "gmm_diag",
               "BM_OpenCV_PCA": "pca", "BM_OpenCV_RandomForest": "random_forest", "BM_GMMFull": "gmm_full", "BM_GMMDiag": "gmm_diag",
               "BM_PCA": "pca", "BM_LinearSVM": "linear_svm", "BM_RandomForest": "random_forest",
               "BM_GradientBoosting": "gradient_boosting", "BM_HMM": "hmm"}
QUALITY = {"kmeans": "inertia", "gmm_full": "loglik", "gmm_diag": "loglik", "pca": "evr_sum",
           "linear_svm": "accuracy", "random_forest": "accuracy",
           "gradient_boosting": "accuracy", "hmm": "loglik"}
LABELS = {"kmeans": "k-means 200k x 16, k=8 (1 init)", "gmm_full": "GMM 200k x 16, k=8, full",
          "gmm_diag": "GMM 200k x 16, k=8, diagonal", "pca": "PCA 100k x 256 -> 32 (fit+transform)",
          "linear_svm": "linear SVM 100k x 50", "random_forest": "random forest, 100 trees, 100k x 50",
          "gradient_boosting": "gradient boosting, 100 x depth 3, 100k x 50",
          "hmm": "HMM 10k steps, 8 states, 16 symbols (20 Baum-Welch + Viterbi)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/bin/kiln-ml-bench")
    ap.add_argument("--write-data", action="store_true", help="only write the data sets")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--only", help="comma-separated rows (kmeans, gmm_full, pca, ...)")
    ap.add_argument("--reuse-sklearn", action="store_true",
                    help="reuse the scikit-learn times saved by the last full run")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if args.child:
        json.dump(run_sklearn(args.child, only), sys.stdout)
        return
    if args.write_data or not os.path.exists(os.path.join(DATA, "hmm_init.bin")):
        write_data()
        if args.write_data:
            return
    sk = {}
    saved = os.path.join(DATA, "sklearn_results.json")
    if args.reuse_sklearn:
        with open(saved) as f:
            sk = {int(t): r for t, r in json.load(f).items()}
    else:
        for threads in (1, 2):
            env = dict(os.environ, OMP_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
            if os.path.isdir(OPENBLAS):
                env["LD_LIBRARY_PATH"] = OPENBLAS + ":" + env.get("LD_LIBRARY_PATH", "")
            cmd = [sys.executable, __file__, "--child", str(threads)]
            if only:
                cmd += ["--only", args.only]
            res = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE)
            sk[threads] = json.loads(res.stdout)
        if only and os.path.exists(saved):  # keep the other rows of the last run
            with open(saved) as f:
                merged = {int(t): r for t, r in json.load(f).items()}
            for t, r in sk.items():
                merged.setdefault(t, {}).update(r)
        else:
            merged = sk
        with open(saved, "w") as f:
            json.dump(merged, f)
    bench_cmd = [args.bench, "--benchmark_format=json"]
    if only:
        names = [b for b, k in BENCH_NAMES.items() if k in only]
        bench_cmd.append("--benchmark_filter=^(%s)/" % "|".join(names))
    res = subprocess.run(bench_cmd, check=True,
                         stdout=subprocess.PIPE, env=dict(os.environ, KILN_ML_BENCH_DATA=DATA))
    kiln, opencv = {}, {}
    for b in json.loads(res.stdout)["benchmarks"]:
        base, arg = b["name"].split("/")[0], int(b["name"].split("/")[1].split("/")[0])
        key = BENCH_NAMES[base]
        table = opencv if base.startswith("BM_OpenCV_") else kiln
        table[(key, arg)] = {"seconds": b["real_time"] / 1000.0,
                             "quality": b[QUALITY[key]]}
    print("| benchmark | sklearn 1 thr | sklearn 2 thr | OpenCV 1 thr | OpenCV 2 thr | "
          "Kiln 1 thr | Kiln 2 thr | Kiln 1 thr vs sklearn 1 thr / OpenCV 1 thr | "
          "quality (sklearn / OpenCV / Kiln) |")
    print("|---|---|---|---|---|---|---|---|---|")
    f = lambda r: "%.3f s" % r["seconds"] if r else "-"
    ratio = lambda a, b: "%.1fx" % (a["seconds"] / b["seconds"]) if a and b else "-"
    qf = lambda r: "%.4f" % r["quality"] if r else "-"
    for key, label in LABELS.items():
        if only and key not in only:
            continue
        s1 = sk.get(1, {}).get(key); s2 = sk.get(2, {}).get(key)
        o1 = opencv.get((key, 1)); o2 = opencv.get((key, 2))
        k1 = kiln.get((key, 1)); k2 = kiln.get((key, 2))
        q = "%s %s / %s / %s" % (QUALITY[key], qf(s1), qf(o1), qf(k1))
        print("| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |" % (
            label, f(s1), f(s2), f(o1), f(o2), f(k1), f(k2), ratio(s1, k1), ratio(o1, k1), q))


if __name__ == "__main__":
    main()
